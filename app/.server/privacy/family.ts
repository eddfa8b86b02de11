import { familyRoleOf, type FamilyRole } from "~/domain/family";
import { isUuid } from "~/domain/uuid";
import { notFound } from "../bookings/bookings";
import { db } from "../db";

export type FamilyScope = { learner: { id: string; fullName: string }; role: FamilyRole };

/**
 * The learner's family as the viewer (app/domain/family.ts): an active guardian, or the adult
 * learner themself. Null for everyone else and for a malformed or unknown id.
 */
export async function familyScopeFor(learnerId: string | undefined, viewerId: string): Promise<FamilyScope | null> {
  if (!learnerId || !isUuid(learnerId)) return null;
  const id = learnerId.toLowerCase();
  const learner = await db.profile.findUnique({
    where: { id },
    select: {
      id: true,
      fullName: true,
      incomingEdges: {
        where: { relationshipType: "GUARDIAN", status: "ACTIVE" },
        select: { sourceProfileId: true },
      },
    },
  });
  if (!learner) return null;
  const guardians = learner.incomingEdges.map((edge) => edge.sourceProfileId);
  const role = familyRoleOf({
    viewerId,
    learnerId: id,
    viewerIsActiveGuardian: guardians.includes(viewerId),
    learnerHasActiveGuardian: guardians.length > 0,
  });
  return role ? { learner: { id: learner.id, fullName: learner.fullName }, role } : null;
}

/** As familyScopeFor, with the same 404 as a learner who does not exist for everyone else. */
export async function requireFamilyOfLearner(learnerId: string | undefined, viewerId: string): Promise<FamilyScope> {
  const scope = await familyScopeFor(learnerId, viewerId);
  if (!scope) throw notFound();
  return scope;
}

/**
 * Who decides about a learner's data (docs/decisions/0073-deleting-a-lesson-transcript.md): an
 * active guardian decides for a child; a learner with no active guardian (an adult learner)
 * decides for themself. A child, a pending guardian, a tutor and anyone else do not. Pure.
 */
export type FamilyFacts = {
  viewerId: string;
  learnerId: string;
  /** The viewer holds an ACTIVE guardian edge to the learner. */
  viewerIsActiveGuardian: boolean;
  /** Anyone holds an ACTIVE guardian edge to the learner: then the learner is a child here. */
  learnerHasActiveGuardian: boolean;
};

export type FamilyRole = "guardian" | "self";

export function familyRoleOf(facts: FamilyFacts): FamilyRole | null {
  if (facts.viewerIsActiveGuardian) return "guardian";
  if (facts.viewerId === facts.learnerId && !facts.learnerHasActiveGuardian) return "self";
  return null;
}

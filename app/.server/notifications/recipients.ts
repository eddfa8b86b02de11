// Loads the people of many bookings at once and lets the pure rule (app/domain/notification-recipients.ts)
// decide who gets the message. The sweep calls this for thousands of bookings, so it costs the same
// few queries whatever their number: the bookings, the guardian edges of their students, and every
// person involved with the kinds they switched off.
import type { BookingNotificationKind, NotificationKind, NotificationRecipient } from "~/domain/notification-kinds";
import { recipientsFor, type NotifiablePerson } from "~/domain/notification-recipients";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "../db";

/**
 * What the recipients rule reads of a person (NotifiablePerson), and the sender re-reads when it
 * sends: the address, the zone, a bounced address, and the kinds switched off.
 */
export const NOTIFIABLE_PROFILE_SELECT = {
  id: true,
  fullName: true,
  email: true,
  timeZone: true,
  emailUndeliverableAt: true,
  notificationPreferences: { where: { enabled: false }, select: { kind: true } },
} as const satisfies Prisma.ProfileSelect;

export async function recipientsForBookings(
  bookingIds: string[],
  kind: BookingNotificationKind,
): Promise<Map<string, NotificationRecipient[]>> {
  const result = new Map<string, NotificationRecipient[]>();
  if (bookingIds.length === 0) return result;

  const bookings = await db.booking.findMany({
    where: { id: { in: bookingIds } },
    select: { id: true, tutorId: true, clientId: true, studentId: true },
  });
  const studentIds = [...new Set(bookings.flatMap((b) => (b.studentId ? [b.studentId] : [])))];
  const edges = studentIds.length
    ? await db.profileGraph.findMany({
        where: { targetProfileId: { in: studentIds }, relationshipType: "GUARDIAN" },
        select: { sourceProfileId: true, targetProfileId: true, status: true },
      })
    : [];
  const profileIds = new Set<string>();
  for (const b of bookings) for (const id of [b.tutorId, b.clientId, b.studentId]) if (id) profileIds.add(id);
  for (const edge of edges) profileIds.add(edge.sourceProfileId);

  const profiles = await db.profile.findMany({
    where: { id: { in: [...profileIds] } },
    select: NOTIFIABLE_PROFILE_SELECT,
  });
  const people = new Map<string, NotifiablePerson>(
    profiles.map((p) => [
      p.id,
      {
        profileId: p.id,
        fullName: p.fullName,
        email: p.email,
        timeZone: p.timeZone,
        emailUndeliverable: p.emailUndeliverableAt !== null,
        disabledKinds: p.notificationPreferences.map((pref) => pref.kind as NotificationKind),
      },
    ]),
  );
  const guardiansOf = new Map<string, typeof edges>();
  for (const edge of edges)
    guardiansOf.set(edge.targetProfileId, [...(guardiansOf.get(edge.targetProfileId) ?? []), edge]);

  for (const booking of bookings) {
    const tutor = people.get(booking.tutorId)!;
    const client = people.get(booking.clientId)!;
    const student = booking.studentId ? people.get(booking.studentId)! : null;
    // A guardian deleted between the queries has no person any more: left out.
    const studentGuardians = (booking.studentId ? (guardiansOf.get(booking.studentId) ?? []) : []).flatMap((edge) => {
      const guardian = people.get(edge.sourceProfileId);
      return guardian ? [{ ...guardian, status: edge.status }] : [];
    });
    result.set(booking.id, recipientsFor({ tutor, client, student, studentGuardians }, kind));
  }
  return result;
}

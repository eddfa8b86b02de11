/**
 * Who receives a booking's message of a given kind (docs/decisions/0043-who-receives-which-email.md). Pure: the server
 * part (app/.server/notifications/recipients.ts) loads the people, this decides.
 *
 * - Reminders go to everyone who takes part: the tutor, the client, the active guardians of the
 *   assigned student, and the student.
 * - The lesson record goes to the family: the client and the student's active guardians, and the
 *   student only when no active guardian looks after them (an adult learner booked by someone else;
 *   an adult who books for themself is the client).
 * - The review prompt goes to the tutor only.
 * - Late start (app/domain/late-start.ts): "tutor late" to the tutor; "tutor reminded" to the family
 *   (the client, the active guardians, and the student); "learner late" to the learner: the student
 *   when they have a deliverable address of their own, else the client and the active guardians
 *   (who join for a child); with no student assigned, the client is the learner.
 *
 * Then, for every kind: only people with an address of their own (a young child's messages reach
 * their guardians instead), not marked undeliverable, who have not switched that kind off; and each
 * person once, under the first of their roles in the order tutor, client, guardian, student.
 */
import type {
  BookingNotificationKind,
  NotificationKind,
  NotificationRecipient,
  RecipientRole,
} from "./notification-kinds";

export type NotifiablePerson = {
  profileId: string;
  fullName: string;
  /** Null when the person has no address of their own. */
  email: string | null;
  timeZone: string;
  /** The mail server refused this address for good (set by the sender). */
  emailUndeliverable: boolean;
  /** Kinds this person switched off; every other kind is on. */
  disabledKinds: readonly NotificationKind[];
};

export type GuardianEdge = NotifiablePerson & { status: "ACTIVE" | "PENDING" };

export type BookingParties = {
  tutor: NotifiablePerson;
  client: NotifiablePerson;
  student: NotifiablePerson | null;
  /** GUARDIAN edges pointing at the assigned student, in any status. */
  studentGuardians: readonly GuardianEdge[];
};

const ROLES_BY_KIND: Record<BookingNotificationKind, readonly RecipientRole[]> = {
  reminder_day_before: ["tutor", "client", "guardian", "student"],
  reminder_classroom_open: ["tutor", "client", "guardian", "student"],
  lesson_record: ["client", "guardian", "student"],
  review_prompt: ["tutor"],
  tutor_late: ["tutor"],
  tutor_reminded: ["client", "guardian", "student"],
  learner_late: ["client", "guardian", "student"],
};

const reachable = (person: NotifiablePerson) => person.email !== null && !person.emailUndeliverable;

export function recipientsFor(parties: BookingParties, kind: BookingNotificationKind): NotificationRecipient[] {
  const roles = ROLES_BY_KIND[kind];
  const activeGuardians = parties.studentGuardians.filter((edge) => edge.status === "ACTIVE");
  const candidates: { person: NotifiablePerson; role: RecipientRole }[] = [];
  // The learner who can be written to is told alone; a child's family is told in their place.
  const learnerAlone = kind === "learner_late" && parties.student !== null && reachable(parties.student);
  if (learnerAlone) candidates.push({ person: parties.student!, role: "student" });
  if (roles.includes("tutor")) candidates.push({ person: parties.tutor, role: "tutor" });
  if (roles.includes("client") && !learnerAlone) candidates.push({ person: parties.client, role: "client" });
  if (parties.student && !learnerAlone) {
    if (roles.includes("guardian"))
      for (const guardian of activeGuardians) candidates.push({ person: guardian, role: "guardian" });
    // The record is the family's: a child with guardians gets it through them.
    const studentGetsIt = roles.includes("student") && (kind !== "lesson_record" || activeGuardians.length === 0);
    if (studentGetsIt) candidates.push({ person: parties.student, role: "student" });
  }

  const seen = new Set<string>();
  const recipients: NotificationRecipient[] = [];
  for (const { person, role } of candidates) {
    if (seen.has(person.profileId)) continue;
    seen.add(person.profileId);
    if (!person.email || person.emailUndeliverable || person.disabledKinds.includes(kind)) continue;
    recipients.push({
      profileId: person.profileId,
      fullName: person.fullName,
      email: person.email,
      timeZone: person.timeZone,
      role,
    });
  }
  return recipients;
}

/**
 * The kinds a person can choose about on the settings page: reminders for everyone, the lesson
 * record, the weekly digest and the late-start notices for families and learners, the review
 * prompt and "tutor late" for tutors (a tutor who is nothing else never receives a record, so is
 * not asked about one).
 */
export function kindsOfferedTo(roles: readonly string[]): NotificationKind[] {
  const tutor = roles.includes("tutor");
  const learnerOrFamily = !tutor || roles.some((role) => role !== "tutor");
  const kinds: NotificationKind[] = ["reminder_day_before", "reminder_classroom_open"];
  // The weekly digest goes to the lesson record's family (app/.server/bookings/visibility.ts, familyBookingIdsSql).
  if (learnerOrFamily) kinds.push("lesson_record", "weekly_digest");
  if (tutor) kinds.push("review_prompt", "tutor_late");
  if (learnerOrFamily) kinds.push("tutor_reminded", "learner_late");
  return kinds;
}

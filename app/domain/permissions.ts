/**
 * Who may do what to a booking (docs/decisions/0011-who-may-assign-upload-review-and-watch.md). Pure: the caller loads the booking and
 * the viewer's guardian edges and passes the clock. Every route asks here; none decides alone.
 */
import { learnerIdOf } from "./attendee";
import { cardState, hasStarted, type JoinWindowInput } from "./join-window";
import { attendeeLocked, OUTCOME_STATES, presentLesson, type LessonFacts } from "./lesson-presentation";

export type BookingParties = JoinWindowInput & {
  clientId: string;
  tutorId: string;
  studentId: string | null;
};

export type Role = "client" | "tutor" | "student";

/** The viewer's roles on this booking; empty when they are not a participant. */
export function rolesOn(booking: BookingParties, viewerId: string): Role[] {
  const roles: Role[] = [];
  if (booking.clientId === viewerId) roles.push("client");
  if (booking.tutorId === viewerId) roles.push("tutor");
  if (booking.studentId === viewerId) roles.push("student");
  return roles;
}

export function isParticipant(booking: BookingParties, viewerId: string): boolean {
  return rolesOn(booking, viewerId).length > 0;
}

export type Refusal = { ok: false; reason: string };
export type Permission = { ok: true } | Refusal;
const allow: Permission = { ok: true };
const refuse = (reason: string): Refusal => ({ ok: false, reason });

/**
 * v5.0 assignment: the booking's client or tutor, only a student they hold an ACTIVE GUARDIAN
 * edge to (v4.6), only before the join window opens and while nobody has been in the classroom
 * (attendance is history: lesson-presentation.ts `attendeeLocked`). `activeWardIds` are the
 * targets of the viewer's ACTIVE GUARDIAN edges; `studentId` null clears the assignment;
 * `attendanceExists`: any lessonspace_attendance row for the booking.
 */
export function canAssignStudent(
  booking: BookingParties,
  viewerId: string,
  studentId: string | null,
  activeWardIds: ReadonlySet<string>,
  now: Date,
  attendanceExists: boolean,
): Permission {
  const roles = rolesOn(booking, viewerId);
  if (!roles.includes("client") && !roles.includes("tutor")) {
    return refuse("Only the person who booked the lesson or its tutor can choose who attends.");
  }
  if (booking.status === "Cancelled" || booking.status === "Declined") return refuse("This lesson was cancelled.");
  if (attendeeLocked({ ...booking, presence: attendanceExists ? [true] : [] }, now)) {
    return refuse(
      "The classroom has already opened for this lesson, so who attends can no longer change: attendance is a record of who was there.",
    );
  }
  if (studentId !== null && !activeWardIds.has(studentId)) {
    return refuse("You can only assign a student you are an active guardian of.");
  }
  return allow;
}

/** Snapshot upload: the booking's tutor, once the lesson has started. */
export function canUploadSnapshot(booking: BookingParties, viewerId: string, now: Date): Permission {
  if (booking.tutorId !== viewerId) return refuse("Only the lesson's tutor can upload a whiteboard snapshot.");
  if (booking.status === "Cancelled" || booking.status === "Declined") return refuse("This lesson was cancelled.");
  if (!hasStarted(booking, now)) return refuse("You can upload a snapshot once the lesson has started.");
  return allow;
}

/** Who a review by this viewer is about, or a refusal: tutor reviews the session, client the tutor. */
export function reviewTarget(
  booking: BookingParties,
  viewerId: string,
  now: Date,
): { ok: true; revieweeId: string; as: "tutor" | "client" } | Refusal {
  const roles = rolesOn(booking, viewerId);
  // A Pending booking was never confirmed, so it never took place, however long ago its slot was.
  if (cardState(booking, now).kind !== "completed" || booking.status === "Pending") {
    return refuse("You can leave a review once the lesson is completed.");
  }
  if (roles.includes("tutor")) return { ok: true, revieweeId: learnerIdOf(booking), as: "tutor" };
  if (roles.includes("client")) return { ok: true, revieweeId: booking.tutorId, as: "client" };
  return refuse("Only the tutor and the person who booked the lesson can review it.");
}

/**
 * The review form's rule: who reviews whom (reviewTarget), and only for a lesson that took place
 * as its presentation says (held, or Completed without records). A lesson that was not held is
 * refused with its badge and reason, so nobody rates a lesson that did not happen.
 */
export function reviewTargetOfLesson(
  booking: BookingParties & LessonFacts,
  viewerId: string,
  now: Date,
  timeZone: string,
): ReturnType<typeof reviewTarget> {
  const target = reviewTarget(booking, viewerId, now);
  if (!target.ok) return target;
  const lesson = presentLesson(booking, now, timeZone);
  if (lesson.actions.review) return target;
  return refuse(
    OUTCOME_STATES.has(lesson.state)
      ? `${lesson.badge}: ${lesson.explanation} Only a lesson that took place can be reviewed.`
      : "You can leave a review once the lesson is completed.",
  );
}

/** Recording and snapshot: participants and active guardians of the assigned student. */
export function canViewArtifacts(
  booking: BookingParties,
  viewerId: string,
  activeWardIds: ReadonlySet<string>,
): boolean {
  return isParticipant(booking, viewerId) || (booking.studentId !== null && activeWardIds.has(booking.studentId));
}

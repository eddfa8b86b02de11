/**
 * Who enters the Lessonspace room when this viewer presses Join (docs/decisions/0014-attendee-and-leader.md): the tutor as
 * themself and leader; anyone else as the assigned student, or as the client (adult learner)
 * when no student is assigned.
 */
export type Person = { id: string; fullName: string; email: string };

export type AttendeeBooking = { tutor: Person; client: Person; student: Person | null };

export type Attendee = Person & { leader: boolean };

export function resolveAttendee(booking: AttendeeBooking, viewerId: string): Attendee {
  if (booking.tutor.id === viewerId) return { ...booking.tutor, leader: true };
  return { ...learnerOf(booking), leader: false };
}

/** Who the lesson is for: the assigned student, else the client as an adult learner. */
export function learnerOf<T>(booking: { client: T; student: T | null }): T {
  return booking.student ?? booking.client;
}

/** The same rule on a booking's id columns: whose record, review and talk time the lesson counts for. */
export function learnerIdOf(booking: { clientId: string; studentId: string | null }): string {
  return booking.studentId ?? booking.clientId;
}

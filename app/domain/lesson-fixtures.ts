/**
 * Bookings for the domain's unit tests (imported only by `*.test.ts`): one family and one lesson,
 * with nothing recorded yet, that each test changes only where it matters.
 */
import type { CardBooking } from "./booking-card";

export const tutor = { id: "tutor", fullName: "Tara Singh" };
export const client = { id: "client", fullName: "Paula Brown" };
export const child = { id: "child", fullName: "Charlie Brown" };

/** What a lesson has before anyone entered the classroom: no sessions, presence or outcome. */
export const NOTHING_RECORDED = {
  sessions: [],
  presence: [],
  outcome: null,
  outcomeTutorSeconds: null,
  outcomeAttendeeSeconds: null,
} satisfies Partial<CardBooking>;

/** A confirmed hour of GCSE Maths for the child, starting at `start`. */
export function cardBookingFixture(start: Date, overrides: Partial<CardBooking> = {}): CardBooking {
  return {
    id: "b1",
    serviceName: "GCSE Maths",
    clientId: client.id,
    tutorId: tutor.id,
    studentId: child.id,
    client,
    tutor,
    student: child,
    status: "Confirmed",
    sessionStartTime: start,
    sessionDuration: 60,
    recordingUrl: null,
    durationActual: null,
    ...NOTHING_RECORDED,
    ...overrides,
  };
}

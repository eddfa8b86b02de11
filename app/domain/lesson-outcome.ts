/**
 * What a lesson turned out to be, decided once when its join window closes (docs/decisions/0038-lesson-outcomes-and-thresholds.md):
 * from how long the tutor and the attendee were in the classroom, against the planned length.
 * Pure: the caller passes attendance rows and the instant up to which open visits count.
 *
 *   tutor attended  attendee attended  → held
 *   tutor attended  attendee did not   → student_absent
 *   tutor did not   attendee attended  → tutor_absent
 *   neither                            → not_held
 *
 * Presence is summed over the booking's sessions, so someone who dropped and rejoined counts in
 * full. We have totals per person, not overlapping intervals, so "held" means both were there for
 * a real part of the lesson, not that we proved they were there at the same moment.
 */
import { joinWindow, type BookingStatus } from "./join-window";

export const LESSON_OUTCOMES = ["held", "student_absent", "tutor_absent", "not_held"] as const;
export type LessonOutcome = (typeof LESSON_OUTCOMES)[number];

// The thresholds, in one place. A person "attended" when present for at least a fifth of the
// planned time, and never less than five minutes: a 10-second drop-in or a camera check is not
// attendance, while a student who arrives 45 minutes late to an hour still had a lesson (15 of the
// 12 minutes needed).
// The five-minute floor keeps short lessons (15–25 min) from counting a minute as attendance.
/** Never less than this many seconds. */
export const ATTENDANCE_FLOOR_SECONDS = 5 * 60;
/** At least this share of the planned time. */
export const ATTENDANCE_SHARE_OF_PLANNED = 0.2;

/** The seconds a person must be present to count as having attended a lesson of this planned length. */
export function attendanceThresholdSeconds(plannedMinutes: number): number {
  return Math.max(ATTENDANCE_FLOOR_SECONDS, Math.ceil(plannedMinutes * 60 * ATTENDANCE_SHARE_OF_PLANNED));
}

export function hasAttended(secondsPresent: number, plannedMinutes: number): boolean {
  return secondsPresent >= attendanceThresholdSeconds(plannedMinutes);
}

/** One lessonspace_attendance row: one person in one session. */
export type AttendanceRecord = {
  profileId: string;
  joinedAt: Date | null;
  leftAt: Date | null;
  secondsPresent: number;
};

/**
 * Seconds present per profile, summed over sessions. A visit still open (its leave and the
 * session's end never reached us) counts until `until`, the instant the window closed, because
 * Lessonspace's own timeout ends the room there.
 */
export function secondsPresentByProfile(rows: readonly AttendanceRecord[], until: Date): Map<string, number> {
  const totals = new Map<string, number>();
  for (const row of rows) {
    let seconds = row.secondsPresent;
    const open = row.joinedAt !== null && (row.leftAt === null || row.leftAt.getTime() < row.joinedAt.getTime());
    if (open) seconds += Math.max(0, Math.round((until.getTime() - row.joinedAt!.getTime()) / 1000));
    totals.set(row.profileId, (totals.get(row.profileId) ?? 0) + seconds);
  }
  return totals;
}

export type OutcomeInput = {
  tutorId: string;
  /** The assigned student, else the client (attendee.ts `learnerOf`). */
  attendeeId: string;
  plannedMinutes: number;
  secondsByProfile: ReadonlyMap<string, number>;
};

export type OutcomeDecision = { outcome: LessonOutcome; tutorSeconds: number; attendeeSeconds: number };

export function decideOutcome(input: OutcomeInput): OutcomeDecision {
  const tutorSeconds = input.secondsByProfile.get(input.tutorId) ?? 0;
  // A tutor booked by themself (a test lesson) is both: the same seconds count for each role.
  const attendeeSeconds = input.secondsByProfile.get(input.attendeeId) ?? 0;
  const tutorThere = hasAttended(tutorSeconds, input.plannedMinutes);
  const attendeeThere = hasAttended(attendeeSeconds, input.plannedMinutes);
  const outcome: LessonOutcome =
    tutorThere && attendeeThere ? "held" : tutorThere ? "student_absent" : attendeeThere ? "tutor_absent" : "not_held";
  return { outcome, tutorSeconds, attendeeSeconds };
}

/** What was stored on the booking when it was settled. */
export type SettledOutcomeFields = {
  outcome: LessonOutcome;
  tutorSeconds: number;
  attendeeSeconds: number;
  plannedMinutes: number;
};

/**
 * Whole minutes present "of" the planned minutes: rounded to the nearest minute and capped at the
 * plan, because a lesson that overran by five minutes was still attended in full, and "65 of 60"
 * reads as an error to a parent.
 */
export function attendedMinutes(seconds: number, plannedMinutes: number): number {
  return Math.min(plannedMinutes, Math.round(seconds / 60));
}

/**
 * The sweep settles lessons whose window closed and that started within this horizon. Older
 * bookings with no outcome predate outcomes (or Lessonspace): settling them now would call lessons
 * held elsewhere "not held". A longer outage than this leaves them unsettled rather than wrong;
 * `settleLessonOutcome` still settles any closed booking it is asked for by id.
 */
export const OUTCOME_SWEEP_HORIZON_MS = 7 * 24 * 60 * 60_000;

export type DueInput = {
  status: BookingStatus;
  sessionStartTime: Date;
  /** Planned length in minutes. */
  sessionDuration: number;
  outcome: LessonOutcome | null;
};

/**
 * Whether a booking's outcome may be settled now: not cancelled or declined, not settled yet, and
 * its join window (join-window.ts) closed — at its closing instant, not a second before.
 */
export function canSettleOutcome(booking: DueInput, now: Date): boolean {
  if (booking.status === "Cancelled" || booking.status === "Declined") return false;
  return booking.outcome === null && now.getTime() >= joinWindow(booking).closesAt.getTime();
}

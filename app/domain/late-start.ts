/**
 * Late start (docs/decisions/0078-late-start-alerts.md): who is late, when the
 * alert is due, and when it has gone stale. Pure: the caller passes `now`, the delay
 * (LATE_START_AFTER_MINUTES) and the attendance; the sweep's SQL (app/.server/notifications/sweep.ts)
 * is built from the same constants, and the sender asks this module again at send time.
 *
 * - Someone "has joined" when they have an attendance row in any session of the booking, whatever
 *   happened next: a tutor who came at +2 and left at +4 was there, and is not chased.
 * - The tutor has not joined → "tutor late" to the tutor and "tutor reminded" to the family.
 * - The tutor has joined and the learner (the student, else the client) has not → "learner late".
 * - Due from start + delay, only for Confirmed bookings, until LATE_START_STALE_MS later or the
 *   scheduled end, whichever comes first: a worker that was down for an hour must not write
 *   "started 5 minutes ago" at +65.
 */
import type { BookingStatus } from "./join-window";
import type { NotificationKind } from "./notification-kinds";

export const LATE_START_KINDS = [
  "tutor_late",
  "tutor_reminded",
  "learner_late",
] as const satisfies readonly NotificationKind[];
export type LateStartKind = (typeof LATE_START_KINDS)[number];

export function isLateStartKind(kind: string): kind is LateStartKind {
  return (LATE_START_KINDS as readonly string[]).includes(kind);
}

/** The default of LATE_START_AFTER_MINUTES: how long after the start someone missing counts as late. */
export const DEFAULT_LATE_START_AFTER_MINUTES = 5;

/** How long after it fell due an alert is still news; after that it would only confuse. */
export const LATE_START_STALE_MS = 10 * 60_000;

export type LateStartBooking = {
  status: BookingStatus;
  sessionStartTime: Date;
  /** Planned minutes. */
  sessionDuration: number;
};

/** Whether each side has been in the classroom at all (any session of the booking). */
export type LateStartAttendance = { tutorJoined: boolean; learnerJoined: boolean };

export type Late = "tutor" | "learner";

/** Half-open [dueFrom, dueUntil) in which an alert may go out; null when never (not Confirmed, or too short a lesson). */
export function lateStartWindow(
  booking: LateStartBooking,
  afterMinutes: number,
): { dueFrom: Date; dueUntil: Date } | null {
  if (booking.status !== "Confirmed") return null;
  const start = booking.sessionStartTime.getTime();
  const dueFrom = start + afterMinutes * 60_000;
  const dueUntil = Math.min(dueFrom + LATE_START_STALE_MS, start + booking.sessionDuration * 60_000);
  if (dueUntil <= dueFrom) return null;
  return { dueFrom: new Date(dueFrom), dueUntil: new Date(dueUntil) };
}

export function isLateStartDue(booking: LateStartBooking, now: Date, afterMinutes: number): boolean {
  const window = lateStartWindow(booking, afterMinutes);
  if (!window) return false;
  const t = now.getTime();
  return t >= window.dueFrom.getTime() && t < window.dueUntil.getTime();
}

/** Who keeps the other waiting, as attendance stands; null when both have joined. */
export function whoIsLate(attendance: LateStartAttendance): Late | null {
  if (!attendance.tutorJoined) return "tutor";
  if (!attendance.learnerJoined) return "learner";
  return null;
}

const KINDS_FOR: Record<Late, readonly LateStartKind[]> = {
  tutor: ["tutor_late", "tutor_reminded"],
  learner: ["learner_late"],
};

/** The alerts due at `now`. */
export function dueLateStartKinds(
  booking: LateStartBooking,
  attendance: LateStartAttendance,
  now: Date,
  afterMinutes: number,
): LateStartKind[] {
  if (!isLateStartDue(booking, now, afterMinutes)) return [];
  const late = whoIsLate(attendance);
  return late ? [...KINDS_FOR[late]] : [];
}

/**
 * Why a queued alert must not go out as attendance stands now (the row is then skipped with this
 * reason), or null when it still should: the person it is about joined meanwhile.
 */
export function lateStartSkipReason(kind: LateStartKind, attendance: LateStartAttendance): string | null {
  const late = whoIsLate(attendance);
  if (late !== null && KINDS_FOR[late].includes(kind)) return null;
  if (kind === "learner_late" && !attendance.tutorJoined) return "tutor not in the classroom";
  return kind === "learner_late" ? "learner joined" : "tutor joined";
}

/** Attendance from a booking's presence rows (one per person and session). */
export function lateStartAttendance(
  booking: { tutorId: string; learnerId: string },
  presence: readonly { profileId: string }[],
): LateStartAttendance {
  return {
    tutorJoined: presence.some((p) => p.profileId === booking.tutorId),
    learnerJoined: presence.some((p) => p.profileId === booking.learnerId),
  };
}

/** Start times that can have an alert due at `now`, for the sweep's index range: (now − delay − stale, now − delay]. */
export function lateStartRange(now: Date, afterMinutes: number): { startsAfter: Date; startsAtOrBefore: Date } {
  const latest = now.getTime() - afterMinutes * 60_000;
  return { startsAfter: new Date(latest - LATE_START_STALE_MS), startsAtOrBefore: new Date(latest) };
}

/**
 * When is a reminder due? The one rule behind the notification sweep (docs/decisions/0040-notifications-found-by-a-sweep.md), so
 * that "why did (or didn't) this family get a reminder?" has one file for an answer. Pure: the
 * caller passes `now`; the sweep's SQL is built from the same constants and an integration test
 * checks that the two agree at every edge.
 *
 * - Only Confirmed bookings get reminders: a Pending booking is not a lesson yet (the sweep picks
 *   it up as soon as the booking system confirms it, if still in time); Cancelled, Declined and
 *   Completed ones get none.
 * - Day before: due from start − 24 h until the classroom opens (start − 15 min), and only when the
 *   booking was made before start − 24 h: someone who books 10 minutes ahead gets only "the
 *   classroom is open". Late (after an outage) is fine until the classroom opens; after that the
 *   classroom-open message says everything the day-before one would have.
 * - Classroom open: due from start − 15 min (the join window opens, inclusive) until the lesson's
 *   scheduled end (exclusive): "the classroom is open" is never sent for a lesson that has ended.
 * - Each is computed for the booking's current start time: a moved lesson is a new message.
 * - Lesson record (to the family) and review prompt (to the tutor): due once the lesson's outcome is
 *   settled (app/domain/lesson-outcome.ts, when the join window closes), for RECORD_GRACE_MS. The
 *   record goes out whatever the outcome (its words say what happened: "Tutor did not join"); the
 *   review prompt only when the lesson was held. A lesson record is also due from the moment the
 *   tutor publishes the lesson note, when that comes first (queued at publishing, the same row).
 */
import { JOIN_EARLY_MS, type BookingStatus } from "./join-window";
import { DEFAULT_LATE_START_AFTER_MINUTES, isLateStartDue, isLateStartKind } from "./late-start";
import type { LessonOutcome } from "./lesson-outcome";
import type { NotificationKind } from "./notification-kinds";

export const DAY_BEFORE_LEAD_MS = 24 * 60 * 60_000;
/** The classroom-open reminder goes out when the join window opens. */
export const CLASSROOM_OPEN_LEAD_MS = JOIN_EARLY_MS;
/**
 * Longest planned lesson the sweep looks back for: its scan is bounded by start time (an index
 * range), and a lesson longer than this would lose its classroom-open reminder once it started.
 */
export const LONGEST_LESSON_MS = 12 * 60 * 60_000;

export const REMINDER_KINDS = [
  "reminder_day_before",
  "reminder_classroom_open",
] as const satisfies readonly NotificationKind[];
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export type ReminderBooking = {
  status: BookingStatus;
  sessionStartTime: Date;
  /** Planned minutes. */
  sessionDuration: number;
  /** When the booking was made. */
  createdAt: Date;
};

/** Half-open interval [dueFrom, dueUntil) in which the reminder may be sent; null when never. */
export type DueWindow = { dueFrom: Date; dueUntil: Date };

export function reminderWindow(kind: ReminderKind, booking: ReminderBooking): DueWindow | null {
  if (booking.status !== "Confirmed") return null;
  const start = booking.sessionStartTime.getTime();
  const opens = start - CLASSROOM_OPEN_LEAD_MS;
  if (kind === "reminder_day_before") {
    const dueFrom = start - DAY_BEFORE_LEAD_MS;
    // Booked at or after start − 24 h: the day-before reminder would arrive as a surprise.
    if (booking.createdAt.getTime() >= dueFrom) return null;
    return { dueFrom: new Date(dueFrom), dueUntil: new Date(opens) };
  }
  const end = start + booking.sessionDuration * 60_000;
  if (end <= opens) return null;
  return { dueFrom: new Date(opens), dueUntil: new Date(end) };
}

export function isReminderDue(kind: ReminderKind, booking: ReminderBooking, now: Date): boolean {
  const window = reminderWindow(kind, booking);
  if (!window) return false;
  const t = now.getTime();
  return t >= window.dueFrom.getTime() && t < window.dueUntil.getTime();
}

export function dueReminders(booking: ReminderBooking, now: Date): ReminderKind[] {
  return REMINDER_KINDS.filter((kind) => isReminderDue(kind, booking, now));
}

/**
 * Start times that can have a reminder due at `now`, for the sweep's index range scan:
 * (now − LONGEST_LESSON_MS, now + 24 h]. Everything else is decided row by row by the rules above.
 */
export function sweepStartRange(now: Date): { startsAfter: Date; startsAtOrBefore: Date } {
  return {
    startsAfter: new Date(now.getTime() - LONGEST_LESSON_MS),
    startsAtOrBefore: new Date(now.getTime() + DAY_BEFORE_LEAD_MS),
  };
}

/** How long after its outcome was settled a lesson record or review prompt may still be sent. */
export const RECORD_GRACE_MS = 2 * 24 * 60 * 60_000;

export const RECORD_KINDS = ["lesson_record", "review_prompt"] as const satisfies readonly NotificationKind[];
export type RecordKind = (typeof RECORD_KINDS)[number];

export type RecordBooking = {
  status: BookingStatus;
  outcome: LessonOutcome | null;
  outcomeSettledAt: Date | null;
  /** When the tutor published the lesson note; null or absent while there is none. */
  notePublishedAt?: Date | null;
};

export function isRecordDue(kind: RecordKind, booking: RecordBooking, now: Date): boolean {
  if (booking.status === "Cancelled" || booking.status === "Declined") return false;
  const t = now.getTime();
  if (booking.outcome === null || booking.outcomeSettledAt === null) {
    // Published before the outcome was settled: the record went at publishing
    // (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md).
    if (kind !== "lesson_record" || !booking.notePublishedAt) return false;
    const published = booking.notePublishedAt.getTime();
    return t >= published && t < published + RECORD_GRACE_MS;
  }
  if (kind === "review_prompt" && booking.outcome !== "held") return false;
  const settled = booking.outcomeSettledAt.getTime();
  return t >= settled && t < settled + RECORD_GRACE_MS;
}

/** A claim older than this belongs to a worker that died mid-send; longer than any one SMTP send. */
export const CLAIM_TIMEOUT_MS = 2 * 60_000;

export type QueuedNotification = { kind: string; forStartTime: Date };
export type NotificationBookingNow = ReminderBooking & RecordBooking;
export type NotificationRecipientNow = {
  email: string | null;
  emailUndeliverableAt: Date | null;
  /** The kinds this person switched off. */
  switchedOff: readonly string[];
};

/**
 * Why a queued notification must not be sent now, or null when it still should be: the booking
 * was cancelled or moved since it was queued, the message is no longer due, or the recipient can
 * no longer be written to (no deliverable address, or the kind switched off). Whether a late-start
 * alert is still true of the attendance is late-start.ts's `lateStartSkipReason`.
 */
export function staleReasonOf(
  notification: QueuedNotification,
  booking: NotificationBookingNow,
  recipient: NotificationRecipientNow,
  now: Date,
  lateStartAfterMinutes = DEFAULT_LATE_START_AFTER_MINUTES,
): string | null {
  if (booking.status !== "Confirmed" && booking.status !== "Completed")
    return `booking ${booking.status.toLowerCase()}`;
  if (booking.sessionStartTime.getTime() !== notification.forStartTime.getTime()) return "lesson moved";
  const kind = notification.kind;
  if (
    (isReminderKind(kind) && !isReminderDue(kind, booking, now)) ||
    (isRecordKind(kind) && !isRecordDue(kind, booking, now)) ||
    (isLateStartKind(kind) && !isLateStartDue(booking, now, lateStartAfterMinutes))
  )
    return "no longer due";
  if (!recipient.email || recipient.emailUndeliverableAt) return "address undeliverable";
  if (recipient.switchedOff.includes(kind)) return "switched off by the recipient";
  return null;
}

export function isReminderKind(kind: string): kind is ReminderKind {
  return (REMINDER_KINDS as readonly string[]).includes(kind);
}

export function isRecordKind(kind: string): kind is RecordKind {
  return (RECORD_KINDS as readonly string[]).includes(kind);
}

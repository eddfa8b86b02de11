import { learnerOf } from "~/domain/attendee";
import { joinWindow, JOIN_LATE_MS, type BookingStatus } from "~/domain/join-window";
import {
  canSettleOutcome,
  decideOutcome,
  OUTCOME_SWEEP_HORIZON_MS,
  secondsPresentByProfile,
  type LessonOutcome,
} from "~/domain/lesson-outcome";
import { Prisma } from "~/generated/prisma/client";
import { db, sql } from "../db";
import { columnsOf } from "../sql-columns";
import { onLessonOutcome } from "./proof-of-value";
import { isUuid } from "~/domain/uuid";

/**
 * Lesson outcomes (docs/decisions/0038-lesson-outcomes-and-thresholds.md): when a booking's join window closes, what the lesson was
 * (held, student absent, tutor absent, not held) is computed once from Lessonspace attendance and
 * stored on the booking. The periodic sweep calls `bookingsDueForOutcome` and then
 * `settleLessonOutcome` for each id; any number of sweeps may race, each booking settles once.
 */

export type SettledOutcome = {
  bookingId: string;
  outcome: LessonOutcome;
  tutorSeconds: number;
  attendeeSeconds: number;
  plannedMinutes: number;
  /** The booking's status after settling: Confirmed becomes Completed when the lesson was held. */
  status: BookingStatus;
  settledAt: Date;
};

/**
 * Ids of bookings whose outcome is due at `now`, oldest first: not cancelled or declined, window
 * closed (start + duration + 15 min ≤ now, as in join-window.ts), no outcome yet, and started
 * within OUTCOME_SWEEP_HORIZON_MS. Served by the partial index bookings_outcome_due_idx.
 */
export async function bookingsDueForOutcome(now: Date, limit: number): Promise<string[]> {
  const rows = await sql<IdRow>(dueForOutcomeSql(now, limit));
  return rows.map((row) => row.id);
}

type IdRow = { id: string };

export const DUE_FOR_OUTCOME_COLUMNS = columnsOf<IdRow>()(["id"]);

export function dueForOutcomeSql(now: Date, limit: number): Prisma.Sql {
  const closedSince = new Date(now.getTime() - JOIN_LATE_MS);
  const startedAfter = new Date(now.getTime() - OUTCOME_SWEEP_HORIZON_MS);
  return Prisma.sql`
    SELECT id::text AS id
      FROM bookings
     WHERE outcome IS NULL
       AND status NOT IN ('Cancelled', 'Declined')
       -- The index range; the line below is the exact rule (durations are never negative).
       AND session_start_time <= ${closedSince}
       AND session_start_time > ${startedAfter}
       AND session_start_time + make_interval(mins => session_duration) <= ${closedSince}
     ORDER BY session_start_time, id
     LIMIT ${Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0}`;
}

type LockedBooking = {
  id: string;
  status: BookingStatus;
  session_start_time: Date;
  session_duration: number;
  client_id: string;
  tutor_id: string;
  student_id: string | null;
  outcome: LessonOutcome | null;
};

export const LOCKED_BOOKING_COLUMNS = columnsOf<LockedBooking>()([
  "id",
  "status",
  "session_start_time",
  "session_duration",
  "client_id",
  "tutor_id",
  "student_id",
  "outcome",
]);

/** The booking as its outcome needs it, locked for the rest of the transaction. */
export function lockBookingForOutcomeSql(bookingId: string): Prisma.Sql {
  return Prisma.sql`
      SELECT id::text AS id, status::text AS status, session_start_time, session_duration,
             client_id::text AS client_id, tutor_id::text AS tutor_id, student_id::text AS student_id, outcome::text AS outcome
        FROM bookings WHERE id = ${bookingId}::uuid FOR UPDATE`;
}

/**
 * Settles one booking's outcome, in one transaction that holds the booking's row lock: a second
 * caller waits, then finds it settled and returns null. Also null when the booking does not exist,
 * is cancelled or declined, or its window has not closed yet. Stores the outcome and the seconds
 * its words are made from, moves Confirmed to Completed when held (the booking system owns every
 * other status change), and calls onLessonOutcome once, inside the same transaction.
 */
export async function settleLessonOutcome(bookingId: string, now: Date): Promise<SettledOutcome | null> {
  if (!isUuid(bookingId)) return null;
  return db.$transaction(async (tx) => {
    const [booking] = await sql<LockedBooking>(lockBookingForOutcomeSql(bookingId), tx);
    if (!booking) return null;
    const window = joinWindow({
      sessionStartTime: booking.session_start_time,
      sessionDuration: booking.session_duration,
    });
    const due = canSettleOutcome(
      {
        status: booking.status,
        sessionStartTime: booking.session_start_time,
        sessionDuration: booking.session_duration,
        outcome: booking.outcome,
      },
      now,
    );
    if (!due) return null;

    const attendance = await tx.lessonspaceAttendance.findMany({
      where: { session: { bookingId } },
      select: { profileId: true, joinedAt: true, leftAt: true, secondsPresent: true },
    });
    const attendeeId = learnerOf({ client: booking.client_id, student: booking.student_id });
    const decision = decideOutcome({
      tutorId: booking.tutor_id,
      attendeeId,
      plannedMinutes: booking.session_duration,
      // Visits whose leave never arrived end when the window closed (Lessonspace's not_after).
      secondsByProfile: secondsPresentByProfile(attendance, window.closesAt),
    });
    const status: BookingStatus =
      decision.outcome === "held" && booking.status === "Confirmed" ? "Completed" : booking.status;
    await tx.booking.update({
      where: { id: bookingId },
      data: {
        outcome: decision.outcome,
        outcomeSettledAt: now,
        outcomeTutorSeconds: decision.tutorSeconds,
        outcomeAttendeeSeconds: decision.attendeeSeconds,
        ...(status !== booking.status ? { status } : {}),
      },
    });
    const settled: SettledOutcome = {
      bookingId,
      outcome: decision.outcome,
      tutorSeconds: decision.tutorSeconds,
      attendeeSeconds: decision.attendeeSeconds,
      plannedMinutes: booking.session_duration,
      status,
      settledAt: now,
    };
    await onLessonOutcome(tx, { ...settled, tutorId: booking.tutor_id, attendeeId });
    return settled;
  });
}

/**
 * One pass of the sweep: settles up to `limit` due bookings, one transaction each, and returns
 * what it settled. Another worker settling the same booking meanwhile is not an error: that
 * booking is simply not in this pass's result.
 */
export async function settleDueOutcomes(now: Date, limit: number): Promise<SettledOutcome[]> {
  const settled: SettledOutcome[] = [];
  for (const bookingId of await bookingsDueForOutcome(now, limit)) {
    const result = await settleLessonOutcome(bookingId, now);
    if (result) settled.push(result);
  }
  return settled;
}

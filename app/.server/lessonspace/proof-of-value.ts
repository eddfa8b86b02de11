import type { BookingStatus } from "~/domain/join-window";
import type { LessonOutcome } from "~/domain/lesson-outcome";
import type PgBoss from "pg-boss";
import type { Transaction } from "../db";
import { logger } from "../logger";

/**
 * Proof of value: the one place a finished Lessonspace session, and a lesson's settled
 * outcome, are announced. The CaaS engine (v5.5) attaches its score recalculation here. Today
 * both only log.
 */

export type SessionEnded = {
  bookingId: string;
  sessionId: string;
  startedAt: Date | null;
  endedAt: Date | null;
  /** This session's length; null when unknown or refused as impossible. */
  durationSeconds: number | null;
  /** bookings.duration_actual after this session. */
  bookingDurationSeconds: number | null;
  recordingAvailable: boolean;
  deliveryId: string;
};

/**
 * Called exactly once per applied session.end delivery, inside the transaction that applies it:
 * if the transaction rolls back, Lessonspace retries and this runs again for the retry only.
 * Whatever attaches here must only write through `tx` (for example enqueue a job row), never call
 * outside services, so it commits or rolls back with the event. `tx` is that transaction's
 * connection in pg-boss's own shape (`executeSql`), so `boss.send(name, data, { db: tx })` enqueues
 * in it; the ingestion is hand-written SQL (app/.server/lessonspace/webhooks.ts), not a Prisma transaction.
 */
export async function onSessionEnded(_tx: PgBoss.Db, event: SessionEnded): Promise<void> {
  logger.info(
    {
      bookingId: event.bookingId,
      sessionId: event.sessionId,
      durationSeconds: event.durationSeconds,
      bookingDurationSeconds: event.bookingDurationSeconds,
      recordingAvailable: event.recordingAvailable,
      deliveryId: event.deliveryId,
    },
    "proof-of-value: session ended",
  );
}

export type LessonOutcomeSettled = {
  bookingId: string;
  outcome: LessonOutcome;
  tutorId: string;
  /** The assigned student, else the client as adult learner. */
  attendeeId: string;
  tutorSeconds: number;
  attendeeSeconds: number;
  plannedMinutes: number;
  /** The booking's status after settling (Confirmed became Completed when held). */
  status: BookingStatus;
  settledAt: Date;
};

/**
 * Called exactly once per booking, when its outcome is settled (app/.server/lessonspace/outcomes.ts), inside the
 * transaction that stores it: two sweeps racing on one booking call it once. What may attach here:
 * the CaaS engine (v5.5) counting held lessons and no-shows, refunds or credits for a tutor who did
 * not join, the parent's lesson record e-mail. The same rule as onSessionEnded: write only through
 * `tx` (enqueue a job row), never call outside services from here.
 */
export async function onLessonOutcome(_tx: Transaction, event: LessonOutcomeSettled): Promise<void> {
  logger.info(
    {
      bookingId: event.bookingId,
      outcome: event.outcome,
      tutorSeconds: event.tutorSeconds,
      attendeeSeconds: event.attendeeSeconds,
      plannedMinutes: event.plannedMinutes,
      status: event.status,
    },
    "proof-of-value: lesson outcome settled",
  );
}

import type { Transaction } from "./db";

/**
 * Proof of value (spec 4.2): the one place a finished Lessonspace session is announced. The CaaS
 * engine (v5.5) attaches its score recalculation here. Today it only logs.
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
 * Whatever attaches here must only write through `tx` (for example enqueue a job row, as in a
 * PostgreSQL-backed queue), never call outside services, so it commits or rolls back with the event.
 */
export async function onSessionEnded(_tx: Transaction, event: SessionEnded): Promise<void> {
  console.info(
    JSON.stringify({
      at: new Date().toISOString(),
      msg: "proof-of-value: session ended",
      bookingId: event.bookingId,
      sessionId: event.sessionId,
      durationSeconds: event.durationSeconds,
      bookingDurationSeconds: event.bookingDurationSeconds,
      recordingAvailable: event.recordingAvailable,
      deliveryId: event.deliveryId,
    }),
  );
}

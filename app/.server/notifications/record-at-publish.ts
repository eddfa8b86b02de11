// The lesson record at publishing (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md):
// a note published after the lesson ended but before the sweep queued the record sends the record
// now, with the note, instead of at the window's close. The same notifications rows as the sweep
// writes (one per recipient, unique on booking, kind, start time and recipient): whichever comes
// first queues it, the other inserts nothing, so the record still goes out once.
import { pool, sql } from "../db";
import { inTransaction, jobWriter, SEND_JOB_POLICY } from "../queue";
import { logger } from "../logger";
import { recipientsForBookings } from "./recipients";
import { enqueueSends, insertNotificationsSql, type IdRow } from "./sweep";

/**
 * Queues the booking's lesson record for every recipient who has none yet; how many were queued.
 * Never throws: the note is saved already, and a record not queued now is queued by the sweep when
 * the outcome is settled (the same rows), so a failure here only makes it later.
 */
export async function queueLessonRecordAtPublish(booking: { id: string; sessionStartTime: Date }): Promise<number> {
  try {
    return await queueNow(booking);
  } catch (error) {
    logger.error({ err: error, bookingId: booking.id }, "lesson_record.queue_at_publish_failed");
    return 0;
  }
}

async function queueNow(booking: { id: string; sessionStartTime: Date }): Promise<number> {
  const byBooking = await recipientsForBookings([booking.id], "lesson_record");
  const rows = (byBooking.get(booking.id) ?? []).map((recipient) => ({
    booking: { id: booking.id, startTime: booking.sessionStartTime },
    recipient,
  }));
  if (rows.length === 0) return 0;
  const queued = await inTransaction(pool, async (client, jobs) => {
    const created = await sql<IdRow>(insertNotificationsSql("lesson_record", rows), client);
    if (created.length > 0)
      await enqueueSends(
        jobWriter(),
        jobs,
        created.map((row) => row.id),
        SEND_JOB_POLICY,
      );
    return created.length;
  });
  logger.info({ bookingId: booking.id, queued }, "lesson_record.queued_at_publish");
  return queued;
}

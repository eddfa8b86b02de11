import { Prisma } from "~/generated/prisma/client";
import { accessEntry } from "~/domain/access-log";
import { db, sql } from "../db";
import { recordAccess } from "./access-log";

/**
 * Deleting a lesson's transcript and summaries (docs/decisions/0073-deleting-a-lesson-transcript.md).
 * Callers have authorized the viewer as the learner's family (app/.server/privacy/family.ts).
 */

export type TranscriptDeletionRecord = { deletedAt: Date; deletedByName: string };

/** Who deleted this lesson's transcript, and when; null while it has not been deleted. */
export async function findTranscriptDeletion(bookingId: string): Promise<TranscriptDeletionRecord | null> {
  const row = await db.transcriptDeletion.findUnique({
    where: { bookingId },
    select: { deletedAt: true, deletedBy: { select: { fullName: true } } },
  });
  return row ? { deletedAt: row.deletedAt, deletedByName: row.deletedBy.fullName } : null;
}

/**
 * In one transaction: the mark (so that the triggers skip anything written for this booking from
 * now on), the fetch rows locked (a download being stored finishes first, and its rows are then
 * deleted here), then segments, speakers (talk time), fetch state and summaries removed, and the
 * deletion logged. A second deletion (a replayed form) changes nothing and logs nothing.
 */
export async function deleteLessonTranscript(input: {
  bookingId: string;
  learnerId: string;
  actorId: string;
  now: Date;
}): Promise<"deleted" | "already-deleted"> {
  return db.$transaction(async (tx) => {
    const marked = await tx.transcriptDeletion.createMany({
      data: [{ bookingId: input.bookingId, deletedById: input.actorId, deletedAt: input.now }],
      skipDuplicates: true,
    });
    if (marked.count === 0) return "already-deleted" as const;
    await sql(
      Prisma.sql`SELECT f.id FROM transcript_fetches f JOIN lessonspace_sessions s ON s.session_id = f.session_id
                  WHERE s.booking_id = ${input.bookingId}::uuid FOR UPDATE OF f`,
      tx,
    );
    await tx.transcriptSegment.deleteMany({ where: { bookingId: input.bookingId } });
    await tx.transcriptSpeaker.deleteMany({ where: { bookingId: input.bookingId } });
    await tx.lessonSummary.deleteMany({ where: { bookingId: input.bookingId } });
    await tx.transcriptFetch.deleteMany({ where: { session: { bookingId: input.bookingId } } });
    await recordAccess(
      accessEntry(input.actorId, { learnerId: input.learnerId, bookingId: input.bookingId }, "deletion"),
      tx,
    );
    return "deleted" as const;
  });
}

/**
 * The retention job (docs/decisions/0071-retention-of-lesson-data.md): removes transcripts (their
 * segments and talk-time rows), summaries and whiteboard snapshots (file, then the booking's
 * entry) once they are older than the configured period, counted from the lesson's start.
 *
 * Batches of at most `batchSize` rows per transaction, each batch's rows taken with FOR UPDATE
 * SKIP LOCKED, so any number of workers may run it at once and each row is removed once; a run
 * that stops half-way leaves nothing inconsistent and the next run carries on. A removed
 * transcript keeps its transcript_fetches row, marked removed, so pages can say why it is gone.
 */
import { expiryCutoff, type RetentionPolicy } from "~/domain/retention";
import { Prisma } from "~/generated/prisma/client";
import { snapshotPathOf } from "../artifacts/snapshots";
import { storage as configuredStorage, StorageUnavailableError, type ObjectStorage } from "../artifacts/storage";
import { db, sql } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import { columnsOf } from "../sql-columns";

export function retentionPolicy(): RetentionPolicy {
  const config = env();
  return { transcriptDays: config.RETENTION_TRANSCRIPT_DAYS, snapshotDays: config.RETENTION_SNAPSHOT_DAYS };
}

export type RetentionOptions = {
  now: Date;
  policy?: RetentionPolicy;
  /** Rows removed per transaction (segments, summaries); default 1,000. */
  batchSize?: number;
  /** Snapshots per transaction (each is a storage call); default 20. */
  snapshotBatchSize?: number;
  storage?: ObjectStorage;
};

export type RetentionCounts = {
  transcripts: number;
  segments: number;
  speakers: number;
  summaries: number;
  snapshots: number;
  /** Snapshots whose file could not be removed (storage away): their rows stay for the next run. */
  snapshotsLeft: number;
};

type SessionRow = { session_id: string };
export const EXPIRED_TRANSCRIPT_COLUMNS = columnsOf<SessionRow>()(["session_id"]);

/** Transcripts not yet removed of lessons that started at or before the cutoff, locked for this batch. */
export function expiredTranscriptsSql(cutoff: Date, limit: number): Prisma.Sql {
  return Prisma.sql`
SELECT f.session_id
  FROM transcript_fetches f
  JOIN lessonspace_sessions s ON s.session_id = f.session_id
  JOIN bookings b ON b.id = s.booking_id
 WHERE f.removed_at IS NULL AND b.session_start_time <= ${cutoff}::timestamptz
 ORDER BY f.session_id
 LIMIT ${limit}
   FOR UPDATE OF f SKIP LOCKED`;
}

type CountRow = { n: number };
export const REMOVED_COUNT_COLUMNS = columnsOf<CountRow>()(["n"]);

/** Up to `limit` segments of these sessions, deleted; answers how many. */
export function removeSegmentsSql(sessions: string[], limit: number): Prisma.Sql {
  return Prisma.sql`
WITH gone AS (
  DELETE FROM transcript_segments WHERE id IN (
    SELECT id FROM transcript_segments WHERE session_id = ANY(${sessions}::text[]) LIMIT ${limit})
  RETURNING 1)
SELECT count(*)::int AS n FROM gone`;
}

/** The talk-time rows of these sessions, deleted; answers how many. */
export function removeSpeakersSql(sessions: string[]): Prisma.Sql {
  return Prisma.sql`
WITH gone AS (DELETE FROM transcript_speakers WHERE session_id = ANY(${sessions}::text[]) RETURNING 1)
SELECT count(*)::int AS n FROM gone`;
}

/** The summaries of these sessions, deleted; answers how many. */
export function removeSessionSummariesSql(sessions: string[]): Prisma.Sql {
  return Prisma.sql`
WITH gone AS (DELETE FROM lesson_summaries WHERE session_id = ANY(${sessions}::text[]) RETURNING 1)
SELECT count(*)::int AS n FROM gone`;
}

/** Up to `limit` summaries of lessons that started at or before the cutoff, deleted; answers how many. */
export function removeExpiredSummariesSql(cutoff: Date, limit: number): Prisma.Sql {
  return Prisma.sql`
WITH gone AS (
  DELETE FROM lesson_summaries WHERE session_id IN (
    SELECT ls.session_id FROM lesson_summaries ls JOIN bookings b ON b.id = ls.booking_id
     WHERE b.session_start_time <= ${cutoff}::timestamptz
     LIMIT ${limit} FOR UPDATE OF ls SKIP LOCKED)
  RETURNING 1)
SELECT count(*)::int AS n FROM gone`;
}

type SnapshotRow = { id: string; session_artifacts: unknown };
export const EXPIRED_SNAPSHOT_COLUMNS = columnsOf<SnapshotRow>()(["id", "session_artifacts"]);

/** Bookings holding a snapshot whose lesson started at or before the cutoff, locked for this batch. */
export function expiredSnapshotsSql(cutoff: Date, limit: number): Prisma.Sql {
  return Prisma.sql`
SELECT id, session_artifacts
  FROM bookings
 WHERE session_artifacts ? 'whiteboard_snapshot_path' AND session_start_time <= ${cutoff}::timestamptz
 ORDER BY session_start_time, id
 LIMIT ${limit}
   FOR UPDATE SKIP LOCKED`;
}

export async function runRetention(options: RetentionOptions): Promise<RetentionCounts> {
  const policy = options.policy ?? retentionPolicy();
  const batchSize = options.batchSize ?? 1000;
  const counts: RetentionCounts = {
    transcripts: 0,
    segments: 0,
    speakers: 0,
    summaries: 0,
    snapshots: 0,
    snapshotsLeft: 0,
  };
  const transcriptCutoff = expiryCutoff(options.now, policy.transcriptDays);
  while (await removeTranscriptBatch(transcriptCutoff, batchSize, options.now, counts));
  while (await removeSummaryBatch(transcriptCutoff, batchSize, counts));
  const snapshotCutoff = expiryCutoff(options.now, policy.snapshotDays);
  const objects = options.storage ?? configuredStorage();
  while (await removeSnapshotBatch(snapshotCutoff, options.snapshotBatchSize ?? 20, options.now, objects, counts));
  logger.info({ ...counts, transcriptCutoff, snapshotCutoff }, "retention.done");
  return counts;
}

/**
 * Up to `batchSize` segments of a batch of expired transcripts; once a transcript has none left,
 * its talk-time rows and summary go and its fetch row is marked removed. True while there is more.
 */
async function removeTranscriptBatch(
  cutoff: Date,
  batchSize: number,
  now: Date,
  counts: RetentionCounts,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const sessions = (await sql<SessionRow>(expiredTranscriptsSql(cutoff, 100), tx)).map((row) => row.session_id);
    if (sessions.length === 0) return false;
    const [segments] = await sql<CountRow>(removeSegmentsSql(sessions, batchSize), tx);
    counts.segments += segments!.n;
    // A full batch may have left segments behind: the next batch takes these sessions again.
    if (segments!.n === batchSize) return true;
    const [speakers] = await sql<CountRow>(removeSpeakersSql(sessions), tx);
    const [summaries] = await sql<CountRow>(removeSessionSummariesSql(sessions), tx);
    const removed = await tx.transcriptFetch.updateMany({
      where: { sessionId: { in: sessions }, removedAt: null },
      // The download URL is a pre-signed link to the file itself: not kept either.
      data: { status: "removed", removedAt: now, url: "", lastError: null },
    });
    counts.speakers += speakers!.n;
    counts.summaries += summaries!.n;
    counts.transcripts += removed.count;
    return true;
  });
}

/** Expired summaries whose transcript row is gone or never existed. True while there is more. */
async function removeSummaryBatch(cutoff: Date, batchSize: number, counts: RetentionCounts): Promise<boolean> {
  const [row] = await sql<CountRow>(removeExpiredSummariesSql(cutoff, batchSize));
  counts.summaries += row!.n;
  return row!.n === batchSize;
}

/**
 * A batch of expired snapshots: each file removed from storage first, then its entries in the
 * booking's session_artifacts (other keys kept) replaced by when it was removed. When storage
 * fails, the rows not yet done stay as they are and the run stops there: the next run retries, and
 * no row ever points at a file that is gone. True while there is more.
 */
async function removeSnapshotBatch(
  cutoff: Date,
  batchSize: number,
  now: Date,
  objects: ObjectStorage,
  counts: RetentionCounts,
): Promise<boolean> {
  return db.$transaction(
    async (tx) => {
      const rows = await sql<SnapshotRow>(expiredSnapshotsSql(cutoff, batchSize), tx);
      if (rows.length === 0) return false;
      const done: string[] = [];
      let failed = false;
      for (const row of rows) {
        const objectPath = snapshotPathOf(row.id, row.session_artifacts);
        try {
          // A path that is not one of ours names no file of ours: only the entry goes.
          if (objectPath) await objects.remove(objectPath);
          done.push(row.id);
        } catch (error) {
          if (!(error instanceof StorageUnavailableError)) throw error;
          logger.warn({ bookingId: row.id, objectPath, err: error }, "retention.snapshot-not-removed");
          failed = true;
          break;
        }
      }
      if (done.length) {
        await sql(
          Prisma.sql`
UPDATE bookings
   SET session_artifacts = (session_artifacts - 'whiteboard_snapshot_path' - 'whiteboard_snapshot_url')
                           || jsonb_build_object('whiteboard_snapshot_removed_at', ${now.toISOString()}::text)
 WHERE id = ANY(${done}::uuid[])`,
          tx,
        );
      }
      counts.snapshots += done.length;
      if (failed) counts.snapshotsLeft += rows.length - done.length;
      return !failed && rows.length === batchSize;
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}

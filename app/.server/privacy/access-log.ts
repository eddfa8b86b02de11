import { Prisma } from "~/generated/prisma/client";
import type { AccessAction, AccessEntry, LogReader } from "~/domain/access-log";
import { pool, sql, type SqlExecutor } from "../db";
import { columnsOf } from "../sql-columns";

/**
 * The access log (docs/decisions/0072-access-log-append-only.md): one row for every open of a
 * learner's recording, transcript (or search result), snapshot or learning record, and every
 * export and deletion. Written in the request that serves the data, before it is served; a failed
 * write fails the request. Rows are never changed; only accessLogRetention removes them.
 */

/** Appends the entries in one INSERT. Throws when the row cannot be written (the caller serves nothing). */
export async function recordAccess(entries: AccessEntry | readonly AccessEntry[], executor: SqlExecutor = pool) {
  const rows = Array.isArray(entries) ? entries : [entries as AccessEntry];
  if (rows.length === 0) return;
  const values = rows.map(
    (entry) =>
      Prisma.sql`(${entry.actorId}::uuid, ${entry.learnerId}::uuid, ${entry.bookingId}::uuid, ${entry.action})`,
  );
  await sql(
    Prisma.sql`INSERT INTO access_log (actor_id, learner_id, booking_id, action) VALUES ${Prisma.join(values)}`,
    executor,
  );
}

/**
 * Search results name lessons, maybe of several learners: one entry per lesson shown, its learner
 * read from the booking (learnerIdOf's rule: the student, else the client), in the same INSERT.
 */
export async function recordSearchAccess(actorId: string, bookingIds: readonly string[]) {
  const ids = [...new Set(bookingIds)];
  if (ids.length === 0) return;
  await sql(Prisma.sql`
    INSERT INTO access_log (actor_id, learner_id, booking_id, action)
    SELECT ${actorId}::uuid, COALESCE(b.student_id, b.client_id), b.id, 'transcript-search'
      FROM bookings b WHERE b.id = ANY(${ids}::uuid[])`);
}

type AccessRow = {
  id: string;
  at: Date;
  action: string;
  actor_id: string;
  actor_name: string | null;
  booking_id: string | null;
  service_name: string | null;
  session_start_time: Date | null;
};

export const ACCESS_COLUMNS = columnsOf<AccessRow>()([
  "id",
  "at",
  "action",
  "actor_id",
  "actor_name",
  "booking_id",
  "service_name",
  "session_start_time",
]);

export type AccessLogRow = {
  id: bigint;
  at: Date;
  action: AccessAction;
  actor: { id: string; name: string };
  lesson: { bookingId: string; serviceName: string; startTime: Date } | null;
};

/** Only the reader's own entries when the reader is a tutor; `actorId` narrows to one person. */
function readerFilter(reader: LogReader, actorId: string | null): Prisma.Sql {
  if (reader.kind === "tutor") return Prisma.sql`AND l.actor_id = ${reader.actorId}::uuid`;
  if (actorId) return Prisma.sql`AND l.actor_id = ${actorId}::uuid`;
  return Prisma.empty;
}

/**
 * One page of a learner's entries, newest first, after the cursor (an entry id), with one row more
 * than `limit` to say whether another page follows. A short range scan of (learner_id, id) or
 * (learner_id, actor_id, id) whatever the log's size.
 */
export function accessLogPageSql(
  learnerId: string,
  reader: LogReader,
  options: { actorId: string | null; before: bigint | null; limit: number },
): Prisma.Sql {
  const after = options.before === null ? Prisma.empty : Prisma.sql`AND l.id < ${options.before.toString()}::bigint`;
  return Prisma.sql`
    SELECT l.id::text AS id, l.at, l.action, l.actor_id, p.full_name AS actor_name,
           l.booking_id, b.service_name, b.session_start_time
      FROM access_log l
      LEFT JOIN profiles p ON p.id = l.actor_id
      LEFT JOIN bookings b ON b.id = l.booking_id
     WHERE l.learner_id = ${learnerId}::uuid ${readerFilter(reader, options.actorId)} ${after}
     ORDER BY l.id DESC
     LIMIT ${options.limit + 1}`;
}

function accessRowOf(row: AccessRow): AccessLogRow {
  return {
    id: BigInt(row.id),
    at: row.at,
    action: row.action as AccessAction,
    // A removed profile still appears, by id: the log outlives the rows it mentions.
    actor: { id: row.actor_id, name: row.actor_name ?? "Someone no longer on Tutorwise" },
    lesson:
      row.booking_id && row.service_name && row.session_start_time
        ? { bookingId: row.booking_id, serviceName: row.service_name, startTime: row.session_start_time }
        : null,
  };
}

export async function loadAccessLogPage(
  learnerId: string,
  reader: LogReader,
  options: { actorId: string | null; before: bigint | null; limit: number },
  executor: SqlExecutor = pool,
): Promise<{ rows: AccessLogRow[]; next: bigint | null }> {
  const rows = (await sql<AccessRow>(accessLogPageSql(learnerId, reader, options), executor)).map(accessRowOf);
  const page = rows.slice(0, options.limit);
  return { rows: page, next: rows.length > options.limit ? page[page.length - 1]!.id : null };
}

type PersonRow = { id: string; full_name: string | null };

export const ACCESS_PEOPLE_COLUMNS = columnsOf<PersonRow>()(["id", "full_name"]);

/** The people who appear in the reader's view of the log (the page's filter), by name. */
export function accessPeopleSql(learnerId: string, reader: LogReader): Prisma.Sql {
  return Prisma.sql`
    SELECT a.actor_id AS id, p.full_name
      FROM (SELECT DISTINCT l.actor_id FROM access_log l WHERE l.learner_id = ${learnerId}::uuid ${readerFilter(reader, null)}) a
      LEFT JOIN profiles p ON p.id = a.actor_id
     ORDER BY p.full_name NULLS LAST, a.actor_id`;
}

export async function loadAccessPeople(learnerId: string, reader: LogReader) {
  const rows = await sql<PersonRow>(accessPeopleSql(learnerId, reader));
  return rows.map((row) => ({ id: row.id, name: row.full_name ?? "Someone no longer on Tutorwise" }));
}

export const ACCESS_LOG_PURGE_BATCH = 1000;

/**
 * Removes entries older than `days` before `now`, in batches, through the one function the
 * append-only trigger lets delete (access_log_purge). Each batch is its own transaction; workers
 * running at once skip each other's rows, and a second run finds nothing. Returns how many went.
 */
export async function accessLogRetention(now: Date, days: number, batchSize = ACCESS_LOG_PURGE_BATCH) {
  const cutoff = new Date(now.getTime() - days * 24 * 3600_000);
  let removed = 0;
  for (;;) {
    const [row] = await sql<{ removed: number }>(
      Prisma.sql`SELECT access_log_purge(${cutoff}::timestamptz, ${batchSize}::int) AS removed`,
    );
    removed += row?.removed ?? 0;
    if ((row?.removed ?? 0) < batchSize) return removed;
  }
}

/**
 * Where a viewer's bookings sit in time: the SQL that picks which bookings the dashboard and a
 * /lessons page show, before anything about them is loaded. It builds statements only (no
 * database handle), so the bench's hand-written ceiling runs exactly the same SQL.
 *
 * Why hand-written SQL: "client, tutor or student is me" is an OR over three columns. Ordered
 * and limited as one predicate, PostgreSQL reads every matching booking (a BitmapOr) and sorts
 * them all to return the first few: cost grows with history. Written as three LIMITed scans,
 * one per participant index (migration 071: (participant, session_start_time DESC, id DESC)),
 * merged by UNION, each reads at most `limit` rows. Prisma's query API cannot express that.
 */
import { Prisma } from "~/generated/prisma/client";
import { JOIN_EARLY_MS, JOIN_LATE_MS, type BookingStatus } from "~/domain/join-window";
import { columnsOf } from "../sql-columns";
import { participantConditions, participantSql } from "./visibility";

export type Order = "asc" | "desc";

export type PositionRow = { id: string; session_start_time: Date; start_micros: string };

export const POSITION_COLUMNS = columnsOf<PositionRow>()(["id", "session_start_time", "start_micros"]);

/** A position as SQL: start in whole microseconds since 1970 (exact in float8 until year 2255). */
const instantFromMicros = (micros: string) =>
  Prisma.sql`('epoch'::timestamptz + ${micros}::bigint * interval '1 microsecond')`;

/**
 * The first `limit` bookings of the viewer meeting `conditions`, in (start, id) order: their ids,
 * starts, and starts in microseconds (for cursors; a Date keeps only milliseconds).
 */
export function scopedPositions(
  viewerId: string,
  conditions: readonly Prisma.Sql[],
  order: Order,
  limit: number,
): Prisma.Sql {
  const direction = Prisma.raw(order === "desc" ? "DESC" : "ASC");
  const where = conditions.length ? Prisma.sql` AND ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
  const branches = participantConditions(viewerId).map(
    (participant) =>
      Prisma.sql`(SELECT id, session_start_time FROM bookings WHERE ${participant}${where} ORDER BY session_start_time ${direction}, id ${direction} LIMIT ${limit})`,
  );
  // UNION, not UNION ALL: a viewer who is both client and student of a booking sees it once.
  return Prisma.sql`SELECT id, session_start_time, (EXTRACT(EPOCH FROM session_start_time) * 1000000)::bigint::text AS start_micros
  FROM (${Prisma.join(branches, " UNION ")}) AS scoped
 ORDER BY session_start_time ${direction}, id ${direction}
 LIMIT ${limit}`;
}

/** Bookings after (`after`) or before a position in (start, id) order. */
export function beyond(position: { startMicros: string; id: string }, side: "after" | "before"): Prisma.Sql {
  const operator = Prisma.raw(side === "after" ? ">" : "<");
  return Prisma.sql`(session_start_time, id) ${operator} (${instantFromMicros(position.startMicros)}, ${position.id}::uuid)`;
}

// ---------------------------------------------------------------------------------------------
// The dashboard

/** The longest lesson the dashboard's time split is exact for; the join-window rule decides the rest. */
export const LONGEST_LESSON_MS = 24 * 60 * 60_000;
/** Slack on either side of the window, so that the pure rule, not the SQL, decides the edges. */
export const SAFETY_MARGIN_MS = 5 * 60_000;
/** Lessons in the window at once, at most (a day of back-to-back lessons is far fewer). */
export const WINDOW_CAP = 200;

export type DashboardPart = "window" | "ahead" | "behind";

export type DashboardPositionRow = { part: DashboardPart; id: string; session_start_time: Date };

export const DASHBOARD_POSITION_COLUMNS = columnsOf<DashboardPositionRow>()(["part", "id", "session_start_time"]);

/**
 * The dashboard's bookings in one statement of three disjoint time ranges around `now`:
 * - window: every booking that could be joinable now (start within the longest lesson plus the
 *   late margin behind, or the early margin ahead), all of them (capped at WINDOW_CAP);
 * - ahead: the next `sectionLimit + 1` after that, soonest first (one more says "there are more");
 * - behind: the last `sectionLimit + 1` before it, newest first.
 * Which section each goes in is `dashboardSection`'s call (app/domain/booking-card.ts).
 */
export function dashboardPositions(viewerId: string, now: Date, sectionLimit: number): Prisma.Sql {
  const windowStart = new Date(now.getTime() - LONGEST_LESSON_MS - JOIN_LATE_MS - SAFETY_MARGIN_MS);
  const windowEnd = new Date(now.getTime() + JOIN_EARLY_MS + SAFETY_MARGIN_MS);
  const from = Prisma.sql`session_start_time >= ${windowStart}::timestamptz`;
  const to = Prisma.sql`session_start_time <= ${windowEnd}::timestamptz`;
  const part = (name: DashboardPart, positions: Prisma.Sql) =>
    Prisma.sql`SELECT ${name}::text AS part, id, session_start_time FROM (${positions}) AS ${Prisma.raw(`${name}_part`)}`;
  return Prisma.sql`${part("window", scopedPositions(viewerId, [from, to], "asc", WINDOW_CAP))}
UNION ALL
${part("ahead", scopedPositions(viewerId, [Prisma.sql`session_start_time > ${windowEnd}::timestamptz`], "asc", sectionLimit + 1))}
UNION ALL
${part("behind", scopedPositions(viewerId, [Prisma.sql`session_start_time < ${windowStart}::timestamptz`], "desc", sectionLimit + 1))}`;
}

// ---------------------------------------------------------------------------------------------
// /lessons

export type LessonConditions = {
  when: "all" | "upcoming" | "past";
  status: BookingStatus | null;
  studentId: string | null;
  startsFrom: Date | null;
  startsBefore: Date | null;
};

/**
 * The filters as SQL conditions on `bookings`. Past: its scheduled end has come; upcoming: it has
 * not, so a lesson in progress is upcoming, never past. The plain start bounds keep the
 * participant indexes usable; the end decides.
 */
export function lessonConditions(filters: LessonConditions, now: Date): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  const end = Prisma.sql`session_start_time + session_duration * interval '1 minute'`;
  if (filters.when === "upcoming") {
    const earliest = new Date(now.getTime() - LONGEST_LESSON_MS);
    conditions.push(Prisma.sql`session_start_time > ${earliest}::timestamptz AND ${end} > ${now}::timestamptz`);
  }
  if (filters.when === "past") {
    conditions.push(Prisma.sql`session_start_time <= ${now}::timestamptz AND ${end} <= ${now}::timestamptz`);
  }
  if (filters.status) conditions.push(Prisma.sql`status = ${filters.status}::booking_status`);
  if (filters.studentId) conditions.push(Prisma.sql`student_id = ${filters.studentId}::uuid`);
  if (filters.startsFrom) conditions.push(Prisma.sql`session_start_time >= ${filters.startsFrom}::timestamptz`);
  if (filters.startsBefore) conditions.push(Prisma.sql`session_start_time < ${filters.startsBefore}::timestamptz`);
  return conditions;
}

export type CountRow = { count: number };

export const COUNT_COLUMNS = columnsOf<CountRow>()(["count"]);

/** How many of the viewer's bookings meet the conditions (one BitmapOr over the three indexes). */
export function countScoped(viewerId: string, conditions: readonly Prisma.Sql[]): Prisma.Sql {
  const where = conditions.length ? Prisma.sql` AND ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
  return Prisma.sql`SELECT count(*)::int AS count FROM bookings
 WHERE ${participantSql(viewerId)}${where}`;
}

export type StudentRow = { id: string; full_name: string };

export const STUDENT_COLUMNS = columnsOf<StudentRow>()(["id", "full_name"]);

/**
 * The students of the viewer's lessons, for the filter's choices. One branch per participant
 * index, as above: "student_id IS NOT NULL" alone would lead the planner to every assigned
 * booking in the table.
 */
export function scopedStudents(viewerId: string): Prisma.Sql {
  const branches = participantConditions(viewerId).map(
    (participant) => Prisma.sql`SELECT student_id FROM bookings WHERE ${participant} AND student_id IS NOT NULL`,
  );
  return Prisma.sql`SELECT p.id, p.full_name FROM profiles p
 WHERE p.id IN (${Prisma.join(branches, " UNION ")})
 ORDER BY p.full_name, p.id`;
}

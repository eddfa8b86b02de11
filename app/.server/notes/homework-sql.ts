/**
 * The dashboard's Homework read, hand-written like the cards' (docs/decisions/0032-hand-written-sql-on-hot-paths.md):
 * it runs on every dashboard load. Statement and row mapping only, so the bench's no-framework
 * ceiling runs the same SQL.
 */
import { Prisma } from "~/generated/prisma/client";
import { columnsOf } from "../sql-columns";
import { familySql } from "../bookings/visibility";

/** How far back the dashboard looks for homework still to do, and how many items it lists at most. */
export const HOMEWORK_LOOKBACK_DAYS = 60;
export const HOMEWORK_DASHBOARD_LIMIT = 30;

/**
 * Homework still to do from published notes of the viewer's family lessons (as learner, client or
 * active guardian) that started since `since`, soonest due first, at most `limit` items.
 */
export function outstandingHomeworkSql(viewerId: string, since: Date, limit: number): Prisma.Sql {
  return Prisma.sql`
SELECT h.id, h.text, to_char(h.due_on, 'YYYY-MM-DD') AS due_on, b.id AS booking_id, b.service_name, b.session_start_time,
       COALESCE(s.id, c.id) AS learner_id, COALESCE(s.full_name, c.full_name) AS learner_name
  FROM homework_items h
  JOIN lesson_notes n ON n.booking_id = h.booking_id
  JOIN bookings b ON b.id = h.booking_id
  JOIN profiles c ON c.id = b.client_id
  LEFT JOIN profiles s ON s.id = b.student_id
 WHERE h.done_at IS NULL AND n.published_at IS NOT NULL
   AND b.status NOT IN ('Cancelled', 'Declined') AND b.session_start_time >= ${since}::timestamptz
   AND ${familySql(viewerId, "b")}
 ORDER BY h.due_on ASC NULLS LAST, b.session_start_time DESC, h.position
 LIMIT ${limit}`;
}

export type OutstandingHomeworkRow = {
  id: string;
  text: string;
  due_on: string | null;
  booking_id: string;
  service_name: string;
  session_start_time: Date;
  learner_id: string;
  learner_name: string;
};

export const OUTSTANDING_HOMEWORK_COLUMNS = columnsOf<OutstandingHomeworkRow>()([
  "id",
  "text",
  "due_on",
  "booking_id",
  "service_name",
  "session_start_time",
  "learner_id",
  "learner_name",
]);

/**
 * /lessons: one page of the viewer's lessons (client, tutor or assigned student, as everywhere),
 * keyset-paginated on (session_start_time, id). Every query is scoped to the viewer, the cursor
 * included: a cursor is only a position in that viewer's own list. Cost per page: the page's
 * rows read from the participant indexes, plus a count and the student choices.
 */
import { presentBookingCard, type BookingCardView } from "~/domain/booking-card";
import { listOrder, type Cursor, type LessonQuery, type Position } from "~/domain/lesson-history";
import { loadCardBookings } from "./bookings";
import {
  beyond,
  countScoped,
  lessonConditions,
  scopedPositions,
  scopedStudents,
  type CountRow,
  type Order,
  type PositionRow,
  type StudentRow,
} from "./positions";
import { sql } from "../db";

export type StudentChoice = { id: string; fullName: string };

export type LessonsPage = {
  lessons: BookingCardView[];
  /** How many lessons match the filters, over every page. */
  total: number;
  /** The page after this one in the list's order (older, or later for upcoming), if any. */
  next: Cursor | null;
  /** The page before it (newer, or sooner), if any. */
  previous: Cursor | null;
};

const positionOf = (row: PositionRow): Position => ({ startMicros: row.start_micros, id: row.id });

/** The students of the viewer's lessons, for the filter (and to check the one asked for). */
export function listStudentChoices(viewerId: string): Promise<StudentChoice[]> {
  return sql<StudentRow>(scopedStudents(viewerId)).then((rows) =>
    rows.map((row) => ({ id: row.id, fullName: row.full_name })),
  );
}

/** `forward`: the list's own order; backward: the reverse, used to read the page before a position. */
function positions(
  viewerId: string,
  query: LessonQuery,
  now: Date,
  options: { from: Position | null; forward: boolean; limit: number },
) {
  const order = listOrder(query.when);
  const scanOrder: Order = options.forward ? order : order === "desc" ? "asc" : "desc";
  const conditions = lessonConditions(query, now);
  // Going down a newest-first list is going back in time: "before" the position.
  if (options.from) conditions.push(beyond(options.from, scanOrder === "desc" ? "before" : "after"));
  return sql<PositionRow>(scopedPositions(viewerId, conditions, scanOrder, options.limit));
}

export async function listLessonsPage(
  viewerId: string,
  query: LessonQuery,
  now: Date,
  timeZone: string,
  hasWards = false,
): Promise<LessonsPage> {
  const { cursor, pageSize } = query;
  const forward = cursor?.direction !== "previous";
  const [rows, count] = await Promise.all([
    positions(viewerId, query, now, { from: cursor?.position ?? null, forward, limit: pageSize + 1 }),
    sql<CountRow>(countScoped(viewerId, lessonConditions(query, now))).then(([row]) => row!.count),
  ]);
  const more = rows.length > pageSize;
  // Read backwards from the cursor, the rows come nearest first: put them back in the list's order.
  const page = forward ? rows.slice(0, pageSize) : rows.slice(0, pageSize).reverse();

  // Whether anything lies on the side we did not read: behind the first row (or the cursor itself
  // when the page is empty), one row on an index, only when we came from a cursor.
  const edge = page.length ? positionOf(forward ? page[0]! : page.at(-1)!) : (cursor?.position ?? null);
  const other =
    cursor && edge
      ? (await positions(viewerId, query, now, { from: edge, forward: !forward, limit: 1 })).length > 0
      : false;

  const hasNext = forward ? more : other;
  const hasPrevious = forward ? other : more;
  const bookings = await loadCardBookings(page.map((row) => row.id));
  return {
    lessons: bookings.map((booking) => presentBookingCard(booking, viewerId, now, timeZone, hasWards)),
    total: count,
    next:
      hasNext && page.length
        ? { direction: "next", position: positionOf(page.at(-1)!) }
        : hasNext && edge
          ? { direction: "next", position: edge }
          : null,
    previous:
      hasPrevious && page.length
        ? { direction: "previous", position: positionOf(page[0]!) }
        : hasPrevious && edge
          ? { direction: "previous", position: edge }
          : null,
  };
}

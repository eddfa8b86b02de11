/**
 * The booking page's hand-written reads (docs/decisions/0032-hand-written-sql-on-hot-paths.md): the booking with everything its page shows,
 * one statement. Statement and row
 * mapping only (no database handle), like cards-sql.ts, so the bench's no-framework booking
 * page runs the same SQL. Hand-written because Prisma's query building and result mapping cost
 * more CPU than the reads themselves (bench/handler-cost.ts).
 */
import { Prisma } from "~/generated/prisma/client";
import type { CardBooking } from "~/domain/booking-card";
import type { AttendanceRow, ReviewRow } from "~/domain/booking-details";
import type { StoredNote } from "~/domain/lesson-note";
import { columnsOf } from "../sql-columns";
import { CARD_COLUMNS, cardBookingOf, cardBookingsSql, type CardRow } from "./cards-sql";
import { participantSql } from "./visibility";

/**
 * Booking `bookingId` if `viewerId` is its client, tutor or assigned student (else no row): the
 * card's columns, the snapshot's artifacts, everyone's time in each session (sessions in the
 * order they started), the reviews (oldest first) with their authors' names, and the lesson note
 * as this viewer may read it: a draft and the private note only for the note's tutor
 * (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md), so neither leaves the
 * database for anyone else.
 */
export function bookingPageSql(bookingId: string, viewerId: string): Prisma.Sql {
  return cardBookingsSql(
    Prisma.sql`b.id = ${bookingId}::uuid AND ${participantSql(viewerId, "b")}`,
    Prisma.sql`, b.session_artifacts,
       COALESCE((SELECT json_agg(json_build_object('profileId', a.profile_id, 'fullName', p.full_name, 'secondsPresent', a.seconds_present) ORDER BY ls.started_at, a.id)
                   FROM lessonspace_sessions ls
                   JOIN lessonspace_attendance a ON a.session_id = ls.session_id
                   JOIN profiles p ON p.id = a.profile_id
                  WHERE ls.booking_id = b.id), '[]'::json) AS attendance,
       COALESCE((SELECT json_agg(json_build_object('reviewerId', r.reviewer_id, 'reviewerName', p.full_name, 'rating', r.rating, 'comment', r.comment) ORDER BY r.created_at)
                   FROM reviews r JOIN profiles p ON p.id = r.reviewer_id
                  WHERE r.booking_id = b.id), '[]'::json) AS reviews,
       (SELECT json_build_object('covered', n.covered,
                                 'privateNote', CASE WHEN n.tutor_id = ${viewerId}::uuid THEN n.private_note END,
                                 'publishedAt', n.published_at, 'editedAt', n.edited_at,
                                 'homework', COALESCE((SELECT json_agg(json_build_object('id', h.id, 'text', h.text, 'dueOn', h.due_on, 'doneAt', h.done_at) ORDER BY h.position)
                                                         FROM homework_items h WHERE h.booking_id = n.booking_id), '[]'::json))
          FROM lesson_notes n
         WHERE n.booking_id = b.id AND (n.published_at IS NOT NULL OR n.tutor_id = ${viewerId}::uuid)) AS note`,
  );
}

/** JSON: timestamps arrive as text, a due date as "YYYY-MM-DD". */
type NoteJson = {
  covered: string;
  privateNote: string | null;
  publishedAt: string | null;
  editedAt: string | null;
  homework: { id: string; text: string; dueOn: string | null; doneAt: string | null }[];
};

export type BookingPageRow = CardRow & {
  session_artifacts: unknown;
  attendance: AttendanceRow[];
  reviews: ReviewRow[];
  note: NoteJson | null;
};

export const BOOKING_PAGE_COLUMNS = columnsOf<BookingPageRow>()([
  ...CARD_COLUMNS,
  "session_artifacts",
  "attendance",
  "reviews",
  "note",
]);

/** The page's booking and its record (what presentBookingDetails takes beside the card). */
export function bookingPageOf(row: BookingPageRow): {
  booking: CardBooking & { sessionArtifacts: unknown };
  attendance: AttendanceRow[];
  reviews: ReviewRow[];
  note: StoredNote | null;
} {
  const date = (value: string | null) => (value === null ? null : new Date(value));
  const note = row.note;
  return {
    booking: { ...cardBookingOf(row), sessionArtifacts: row.session_artifacts },
    attendance: row.attendance,
    reviews: row.reviews,
    note: note && {
      covered: note.covered,
      privateNote: note.privateNote ?? "",
      publishedAt: date(note.publishedAt),
      editedAt: date(note.editedAt),
      homework: note.homework.map((item) => ({ ...item, doneAt: date(item.doneAt) })),
    },
  };
}

/**
 * The booking page's hand-written reads (issue 11): the booking with everything its page shows,
 * its transcripts' states and speakers' totals, and the viewer's wards, one statement each. Statements and row
 * mapping only (no database handle), like dashboard-sql.ts, so the bench's no-framework booking
 * page runs the same SQL. Hand-written because Prisma's query building and result mapping cost
 * more CPU than the reads themselves (bench/handler-cost.ts).
 */
import { Prisma } from "~/generated/prisma/client";
import type { CardBooking } from "~/domain/booking-card";
import type { AttendanceRow, ReviewRow } from "~/domain/booking-details";
import { cardBookingOf, cardBookingsSql, type CardRow } from "./dashboard-sql";

/**
 * Booking `bookingId` if `viewerId` is its client, tutor or assigned student (else no row): the
 * card's columns, the snapshot's artifacts, everyone's time in each session (sessions in the
 * order they started) and the reviews (oldest first) with their authors' names.
 */
export function bookingPageSql(bookingId: string, viewerId: string): Prisma.Sql {
  return cardBookingsSql(
    Prisma.sql`b.id = ${bookingId}::uuid AND (b.client_id = ${viewerId}::uuid OR b.tutor_id = ${viewerId}::uuid OR b.student_id = ${viewerId}::uuid)`,
    Prisma.sql`, b.session_artifacts,
       COALESCE((SELECT json_agg(json_build_object('profileId', a.profile_id, 'fullName', p.full_name, 'secondsPresent', a.seconds_present) ORDER BY ls.started_at, a.id)
                   FROM lessonspace_sessions ls
                   JOIN lessonspace_attendance a ON a.session_id = ls.session_id
                   JOIN profiles p ON p.id = a.profile_id
                  WHERE ls.booking_id = b.id), '[]'::json) AS attendance,
       COALESCE((SELECT json_agg(json_build_object('reviewerId', r.reviewer_id, 'reviewerName', p.full_name, 'rating', r.rating, 'comment', r.comment) ORDER BY r.created_at)
                   FROM reviews r JOIN profiles p ON p.id = r.reviewer_id
                  WHERE r.booking_id = b.id), '[]'::json) AS reviews`,
  );
}

export type BookingPageRow = CardRow & { session_artifacts: unknown; attendance: AttendanceRow[]; reviews: ReviewRow[] };

/** The page's booking and its record (what presentBookingDetails takes beside the card). */
export function bookingPageOf(row: BookingPageRow): { booking: CardBooking & { sessionArtifacts: unknown }; attendance: AttendanceRow[]; reviews: ReviewRow[] } {
  return { booking: { ...cardBookingOf(row), sessionArtifacts: row.session_artifacts }, attendance: row.attendance, reviews: row.reviews };
}

export type Ward = { id: string; fullName: string };

/**
 * The people the viewer ($1) holds an ACTIVE GUARDIAN edge to, by name: the students they may
 * assign (the booking page's form and /bookings/:id/student).
 */
export const ACTIVE_WARDS_SQL = `
SELECT p.id, p.full_name AS "fullName"
  FROM profile_graph g JOIN profiles p ON p.id = g.target_profile_id
 WHERE g.source_profile_id = $1::uuid AND g.relationship_type = 'GUARDIAN' AND g.status = 'ACTIVE'
 ORDER BY p.full_name ASC`;

/** The booking's ($1) transcripts: their fetch states, and the speakers' per-session totals. */
export type LessonTalkTimeRow = {
  fetch_statuses: string[];
  speakers: { key: string; profileId: string | null; name: string; seconds: number }[];
};

export const LESSON_TALK_TIME_SQL = `
SELECT ARRAY(SELECT f.status FROM transcript_fetches f JOIN lessonspace_sessions s ON s.session_id = f.session_id
              WHERE s.booking_id = $1::uuid) AS fetch_statuses,
       COALESCE((SELECT json_agg(json_build_object('key', sp.speaker_key, 'profileId', sp.speaker_profile_id, 'name', sp.speaker_name, 'seconds', sp.seconds))
                   FROM transcript_speakers sp WHERE sp.booking_id = $1::uuid), '[]'::json) AS speakers`;

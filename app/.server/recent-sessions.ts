/**
 * The tutor's "Recent Sessions" prompt (spec 5.2): completed lessons of the last 14 days that
 * still lack a whiteboard snapshot or the tutor's review. One query whatever the tutor's history.
 */
import { formatDateTime } from "~/domain/format";
import { cardState, type BookingStatus } from "~/domain/join-window";
import { usableTimeZone } from "~/domain/time-zone";
import { sqlQuery } from "./db";
import { snapshotPathOf } from "./snapshots";

export const RECENT_SESSION_DAYS = 14;

export type RecentSession = {
  bookingId: string;
  serviceName: string;
  /** Who the lesson was for: the assigned student, or the adult learner who booked it. */
  attendeeName: string;
  /** When it was, in the tutor's time zone ("Wed 25 Nov, 15:00"). */
  when: string;
  hasSnapshot: boolean;
  hasReview: boolean;
  uploadPath: string;
  reviewPath: string;
};

type RecentRow = {
  id: string;
  service_name: string;
  session_start_time: Date;
  session_duration: number;
  status: BookingStatus;
  student_id: string | null;
  session_artifacts: unknown;
  student_name: string | null;
  client_name: string;
  tutor_time_zone: string;
  has_review: boolean;
};

type LessonForHeading = {
  sessionStartTime: Date;
  studentId: string | null;
  student: { fullName: string } | null;
  client: { fullName: string };
};

/** Who the lesson was with, seen from the tutor: the student, or the adult learner. */
export function attendeeNameOf(booking: LessonForHeading): string {
  return booking.student?.fullName ?? booking.client.fullName;
}

/** "Wed 25 Nov, 15:00" in the viewer's time zone (a broken stored zone falls back safely). */
export function lessonTime(date: Date, timeZone: string, now: Date): string {
  return formatDateTime(date, usableTimeZone(timeZone), now);
}

/**
 * Cards for the tutor's Recent Sessions widget, newest first. `returnTo` is where the card's
 * forms send the tutor back to once done (the dashboard by default).
 */
export async function recentSessionsForTutor(tutorId: string, now: Date, returnTo = "/"): Promise<RecentSession[]> {
  const since = new Date(now.getTime() - RECENT_SESSION_DAYS * 24 * 60 * 60_000);
  // Hand-written (one statement, no Prisma query building): it runs on every dashboard load.
  const rows = await sqlQuery<RecentRow>(
    `SELECT b.id, b.service_name, b.session_start_time, b.session_duration, b.status::text AS status, b.student_id,
            b.session_artifacts, s.full_name AS student_name, c.full_name AS client_name, t.time_zone AS tutor_time_zone,
            EXISTS (SELECT 1 FROM reviews r WHERE r.booking_id = b.id AND r.reviewer_id = $1) AS has_review
       FROM bookings b
       JOIN profiles c ON c.id = b.client_id
       JOIN profiles t ON t.id = b.tutor_id
       LEFT JOIN profiles s ON s.id = b.student_id
      WHERE b.tutor_id = $1 AND b.status IN ('Confirmed', 'Completed') AND b.session_start_time BETWEEN $2 AND $3
      ORDER BY b.session_start_time DESC`,
    [tutorId, since, now],
  );
  const bookings = rows.map((row) => ({
    id: row.id,
    serviceName: row.service_name,
    sessionStartTime: row.session_start_time,
    sessionDuration: row.session_duration,
    status: row.status,
    studentId: row.student_id,
    sessionArtifacts: row.session_artifacts,
    student: row.student_id === null ? null : { fullName: row.student_name ?? "" },
    client: { fullName: row.client_name },
    tutor: { timeZone: row.tutor_time_zone },
    hasReview: row.has_review,
  }));
  const query = `?${new URLSearchParams({ returnTo })}`;
  return bookings
    .filter((booking) => cardState(booking, now).kind === "completed")
    .map((booking) => ({
      bookingId: booking.id,
      serviceName: booking.serviceName,
      attendeeName: attendeeNameOf(booking),
      when: lessonTime(booking.sessionStartTime, booking.tutor.timeZone, now),
      hasSnapshot: snapshotPathOf(booking.id, booking.sessionArtifacts) !== null,
      hasReview: booking.hasReview,
      uploadPath: `/bookings/${booking.id}/snapshot/upload${query}`,
      reviewPath: `/bookings/${booking.id}/review${query}`,
    }))
    .filter((session) => !session.hasSnapshot || !session.hasReview);
}

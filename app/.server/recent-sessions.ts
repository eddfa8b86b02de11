/**
 * The tutor's "Recent Sessions" prompt (spec 5.2): completed lessons of the last 14 days that
 * still lack a whiteboard snapshot or the tutor's review. One query whatever the tutor's history.
 */
import { formatDateTime } from "~/domain/format";
import { cardState } from "~/domain/join-window";
import { usableTimeZone } from "~/domain/time-zone";
import { RECENT_SESSIONS_SQL, type RecentSessionRow } from "./dashboard-sql";
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
  // Hand-written (app/.server/dashboard-sql.ts says why).
  const rows = await sqlQuery<RecentSessionRow>(RECENT_SESSIONS_SQL, [tutorId, since, now]);
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
  // Written out rather than new URLSearchParams(…): the same text for a path, and the constructor
  // showed up in the dashboard's profile at ~0.3 ms a request.
  const query = `?returnTo=${encodeURIComponent(returnTo)}`;
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

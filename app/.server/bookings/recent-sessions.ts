/**
 * The tutor's "Recent Sessions" prompt (spec 5.2): completed lessons of the last 14 days that
 * still lack a whiteboard snapshot or the tutor's review. One query whatever the tutor's history.
 */
import { learnerOf } from "~/domain/attendee";
import type { RecentSession } from "~/domain/recent-session";
import { lessonTime } from "~/domain/format";
import { cardState } from "~/domain/join-window";
import { recentSessionsSql, type RecentSessionRow } from "./cards-sql";
import { sql } from "../db";
import { snapshotPathOf } from "../artifacts/snapshots";

export const RECENT_SESSION_DAYS = 14;

/**
 * Cards for the tutor's Recent Sessions widget, newest first. `returnTo` is where the card's
 * forms send the tutor back to once done (the dashboard by default).
 */
export async function recentSessionsForTutor(tutorId: string, now: Date, returnTo = "/"): Promise<RecentSession[]> {
  const since = new Date(now.getTime() - RECENT_SESSION_DAYS * 24 * 60 * 60_000);
  // Hand-written (app/.server/bookings/cards-sql.ts says why).
  const rows = await sql<RecentSessionRow>(recentSessionsSql(tutorId, since, now));
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
      attendeeName: learnerOf(booking).fullName,
      when: lessonTime(booking.sessionStartTime, booking.tutor.timeZone, now),
      hasSnapshot: snapshotPathOf(booking.id, booking.sessionArtifacts) !== null,
      hasReview: booking.hasReview,
      uploadPath: `/bookings/${booking.id}/snapshot/upload${query}`,
      reviewPath: `/bookings/${booking.id}/review${query}`,
    }))
    .filter((session) => !session.hasSnapshot || !session.hasReview);
}

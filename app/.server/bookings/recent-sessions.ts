/**
 * The tutor's "Recent Sessions" prompt: lessons of the last 14 days that happened
 * (lesson-presentation.ts: held, or Completed without records) and still lack a whiteboard
 * snapshot, the tutor's review or a published lesson note. A lesson that was not held asks for neither. One query whatever the tutor's history.
 */
import { learnerOf } from "~/domain/attendee";
import type { RecentSession } from "~/domain/recent-session";
import { lessonTime } from "~/domain/format";
import { OUTCOME_STATES, presentLesson } from "~/domain/lesson-presentation";
import { usableTimeZone } from "~/domain/time-zone";
import { presenceOf, recentSessionsSql, sessionsOf, type RecentSessionRow } from "./cards-sql";
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
    tutor: { id: tutorId, fullName: "", timeZone: row.tutor_time_zone },
    client: { id: row.client_id, fullName: row.client_name },
    student: row.student_id === null ? null : { id: row.student_id, fullName: row.student_name ?? "" },
    sessions: sessionsOf(row.sessions),
    presence: presenceOf(row.presence),
    outcome: row.outcome,
    outcomeTutorSeconds: row.outcome_tutor_seconds,
    outcomeAttendeeSeconds: row.outcome_attendee_seconds,
    serviceName: row.service_name,
    sessionStartTime: row.session_start_time,
    sessionDuration: row.session_duration,
    status: row.status,
    studentId: row.student_id,
    sessionArtifacts: row.session_artifacts,
    hasReview: row.has_review,
    hasNote: row.has_published_note,
  }));
  // Written out rather than new URLSearchParams(…): the same text for a path, and the constructor
  // showed up in the dashboard's profile at ~0.3 ms a request.
  const query = `?returnTo=${encodeURIComponent(returnTo)}`;
  return bookings
    .filter((booking) => {
      const lesson = presentLesson(booking, now, usableTimeZone(booking.tutor.timeZone));
      return OUTCOME_STATES.has(lesson.state) && lesson.actions.review && lesson.actions.snapshot;
    })
    .map((booking) => ({
      bookingId: booking.id,
      serviceName: booking.serviceName,
      attendeeName: learnerOf(booking).fullName,
      when: lessonTime(booking.sessionStartTime, booking.tutor.timeZone, now),
      hasSnapshot: snapshotPathOf(booking.id, booking.sessionArtifacts) !== null,
      hasReview: booking.hasReview,
      hasNote: booking.hasNote,
      notePath: `/bookings/${booking.id}/note`,
      uploadPath: `/bookings/${booking.id}/snapshot/upload${query}`,
      reviewPath: `/bookings/${booking.id}/review${query}`,
    }))
    .filter((session) => !session.hasSnapshot || !session.hasReview || !session.hasNote);
}

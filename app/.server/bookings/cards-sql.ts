/**
 * The dashboard's two hand-written reads (docs/decisions/0032-hand-written-sql-on-hot-paths.md): the cards' bookings and the tutor's Recent
 * Sessions. Statements and row mapping only (no database handle), like positions.ts, so
 * the bench's no-framework ceiling runs exactly the same SQL as the app. Hand-written because
 * they run on every dashboard load, where Prisma's query building and result mapping cost more
 * CPU than the queries themselves (bench/profile.ts).
 */
import { Prisma } from "~/generated/prisma/client";
import type { CardBooking } from "~/domain/booking-card";
import type { BookingStatus } from "~/domain/join-window";
import type { LessonOutcome } from "~/domain/lesson-outcome";
import { columnsOf } from "../sql-columns";
import { dashboardPositions } from "./positions";
import { hasActiveWardSql } from "./visibility";

/**
 * Each booking `where` picks, with its three names, its Lessonspace sessions' times (what a
 * card needs for "Recording being prepared") and everyone's presence in them (what its
 * provisional outcome, and the lock on who attends, are decided from). `moreColumns` (each starting with a comma) adds to
 * that row what a page shows beyond the card (booking-page-sql.ts).
 */
export function cardBookingsSql(where: Prisma.Sql, moreColumns: Prisma.Sql = Prisma.empty): Prisma.Sql {
  return Prisma.sql`
SELECT b.id, b.client_id, b.tutor_id, b.student_id, b.service_name, b.session_start_time, b.session_duration,
       b.status::text AS status, b.recording_url, b.duration_actual, b.outcome::text AS outcome,
       b.outcome_tutor_seconds, b.outcome_attendee_seconds,
       c.full_name AS client_name, t.full_name AS tutor_name, s.full_name AS student_name,
       COALESCE((SELECT json_agg(json_build_object('startedAt', ls.started_at, 'endedAt', ls.ended_at) ORDER BY ls.started_at)
                   FROM lessonspace_sessions ls WHERE ls.booking_id = b.id), '[]'::json) AS sessions,
       COALESCE((SELECT json_agg(json_build_object('profileId', a.profile_id, 'joinedAt', a.joined_at, 'leftAt', a.left_at, 'secondsPresent', a.seconds_present))
                   FROM lessonspace_sessions ls JOIN lessonspace_attendance a ON a.session_id = ls.session_id
                  WHERE ls.booking_id = b.id), '[]'::json) AS presence
       ${moreColumns}
  FROM bookings b
  JOIN profiles c ON c.id = b.client_id
  JOIN profiles t ON t.id = b.tutor_id
  LEFT JOIN profiles s ON s.id = b.student_id
 WHERE ${where}`;
}

export type CardRow = {
  id: string;
  client_id: string;
  tutor_id: string;
  student_id: string | null;
  service_name: string;
  session_start_time: Date;
  session_duration: number;
  status: BookingStatus;
  recording_url: string | null;
  duration_actual: number | null;
  outcome: LessonOutcome | null;
  outcome_tutor_seconds: number | null;
  outcome_attendee_seconds: number | null;
  client_name: string;
  tutor_name: string;
  student_name: string | null;
  /** JSON: timestamps arrive as text. */
  sessions: { startedAt: string | null; endedAt: string | null }[];
  /** JSON: who was in the classroom (what a provisional outcome is computed from). */
  presence: { profileId: string; joinedAt: string | null; leftAt: string | null; secondsPresent: number }[];
};

export const CARD_COLUMNS = columnsOf<CardRow>()([
  "id",
  "client_id",
  "tutor_id",
  "student_id",
  "service_name",
  "session_start_time",
  "session_duration",
  "status",
  "recording_url",
  "duration_actual",
  "outcome",
  "outcome_tutor_seconds",
  "outcome_attendee_seconds",
  "client_name",
  "tutor_name",
  "student_name",
  "sessions",
  "presence",
]);

/**
 * The dashboard's cards: every booking that may be joinable now and the next and last
 * `sectionLimit` (plus one) around them, on the participant indexes, with whether the viewer has a
 * ward to choose as attendee, so "Choose who attends" costs no second round trip.
 */
export function dashboardCardsSql(viewerId: string, now: Date, sectionLimit: number): Prisma.Sql {
  const positions = dashboardPositions(viewerId, now, sectionLimit);
  return cardBookingsSql(
    Prisma.sql`b.id IN (SELECT id FROM (${positions}) AS dashboard_positions)`,
    Prisma.sql`, ${hasActiveWardSql(viewerId)} AS viewer_has_wards`,
  );
}

export type DashboardCardRow = CardRow & { viewer_has_wards: boolean };

export const DASHBOARD_CARD_COLUMNS = columnsOf<DashboardCardRow>()([...CARD_COLUMNS, "viewer_has_wards"]);

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

/** The presence rows of a statement's JSON column, with their times as dates. */
export function presenceOf(presence: CardRow["presence"]): CardBooking["presence"] {
  return presence.map((visit) => ({
    profileId: visit.profileId,
    joinedAt: dateOrNull(visit.joinedAt),
    leftAt: dateOrNull(visit.leftAt),
    secondsPresent: visit.secondsPresent,
  }));
}

/** The sessions of a statement's JSON column, with their times as dates. */
export function sessionsOf(sessions: CardRow["sessions"]): CardBooking["sessions"] {
  return sessions.map((session) => ({
    startedAt: dateOrNull(session.startedAt),
    endedAt: dateOrNull(session.endedAt),
  }));
}

export function cardBookingOf(row: CardRow): CardBooking {
  return {
    id: row.id,
    clientId: row.client_id,
    tutorId: row.tutor_id,
    studentId: row.student_id,
    serviceName: row.service_name,
    sessionStartTime: row.session_start_time,
    sessionDuration: row.session_duration,
    status: row.status,
    recordingUrl: row.recording_url,
    durationActual: row.duration_actual,
    outcome: row.outcome,
    outcomeTutorSeconds: row.outcome_tutor_seconds,
    outcomeAttendeeSeconds: row.outcome_attendee_seconds,
    client: { id: row.client_id, fullName: row.client_name },
    tutor: { id: row.tutor_id, fullName: row.tutor_name },
    student: row.student_id === null ? null : { id: row.student_id, fullName: row.student_name ?? "" },
    sessions: sessionsOf(row.sessions),
    presence: presenceOf(row.presence),
  };
}

/** The tutor's Confirmed and Completed lessons that started between `since` and `until`, newest first, with whether they reviewed each. */
export function recentSessionsSql(tutorId: string, since: Date, until: Date): Prisma.Sql {
  return Prisma.sql`
SELECT b.id, b.service_name, b.session_start_time, b.session_duration, b.status::text AS status, b.student_id,
       b.session_artifacts, s.full_name AS student_name, c.full_name AS client_name, t.time_zone AS tutor_time_zone,
       EXISTS (SELECT 1 FROM reviews r WHERE r.booking_id = b.id AND r.reviewer_id = ${tutorId}::uuid) AS has_review,
       EXISTS (SELECT 1 FROM lesson_notes n WHERE n.booking_id = b.id AND n.published_at IS NOT NULL) AS has_published_note,
       b.client_id, b.outcome::text AS outcome, b.outcome_tutor_seconds, b.outcome_attendee_seconds,
       COALESCE((SELECT json_agg(json_build_object('startedAt', ls.started_at, 'endedAt', ls.ended_at))
                   FROM lessonspace_sessions ls WHERE ls.booking_id = b.id), '[]'::json) AS sessions,
       COALESCE((SELECT json_agg(json_build_object('profileId', a.profile_id, 'joinedAt', a.joined_at, 'leftAt', a.left_at, 'secondsPresent', a.seconds_present))
                   FROM lessonspace_sessions ls JOIN lessonspace_attendance a ON a.session_id = ls.session_id
                  WHERE ls.booking_id = b.id), '[]'::json) AS presence
  FROM bookings b
  JOIN profiles c ON c.id = b.client_id
  JOIN profiles t ON t.id = b.tutor_id
  LEFT JOIN profiles s ON s.id = b.student_id
 WHERE b.tutor_id = ${tutorId}::uuid AND b.status IN ('Confirmed', 'Completed')
   AND b.session_start_time BETWEEN ${since}::timestamptz AND ${until}::timestamptz
 ORDER BY b.session_start_time DESC`;
}

export type RecentSessionRow = {
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
  has_published_note: boolean;
  /** What decides whether the lesson happened (lesson-presentation.ts). */
  client_id: string;
  outcome: LessonOutcome | null;
  outcome_tutor_seconds: number | null;
  outcome_attendee_seconds: number | null;
  sessions: CardRow["sessions"];
  presence: CardRow["presence"];
};

export const RECENT_SESSION_COLUMNS = columnsOf<RecentSessionRow>()([
  "id",
  "service_name",
  "session_start_time",
  "session_duration",
  "status",
  "student_id",
  "session_artifacts",
  "student_name",
  "client_name",
  "tutor_time_zone",
  "has_review",
  "has_published_note",
  "client_id",
  "outcome",
  "outcome_tutor_seconds",
  "outcome_attendee_seconds",
  "sessions",
  "presence",
]);

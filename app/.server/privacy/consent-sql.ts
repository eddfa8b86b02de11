/**
 * The reads consent is decided from (docs/decisions/0070-consent-per-learner.md): statements only
 * (no database handle). A learner is a child when anyone holds an ACTIVE guardian edge to them.
 */
import { Prisma } from "~/generated/prisma/client";
import { columnsOf } from "../sql-columns";
import { learnerLessonsSql } from "../bookings/visibility";

// A session counts as live until session.end, but never past the join window's close (15 minutes
// after the scheduled end: docs/decisions/0012-join-window-closes-15-minutes-after-end.md), so a
// lost session.end cannot hold a space's old flags for ever.
const liveSession = (booking: string) =>
  Prisma.sql`ls.booking_id = ${Prisma.raw(booking)}.id AND ls.started_at IS NOT NULL AND ls.ended_at IS NULL
                  AND now() < ${Prisma.raw(booking)}.session_start_time + make_interval(mins => ${Prisma.raw(booking)}.session_duration + 15)`;

/** A learner's stored choice (nulls: none stored) and whether they have an active guardian. */
export type LearnerConsentRow = {
  recording: boolean | null;
  transcription: boolean | null;
  summaries: boolean | null;
  has_active_guardian: boolean;
};

export const LEARNER_CONSENT_COLUMNS = columnsOf<LearnerConsentRow>()([
  "recording",
  "transcription",
  "summaries",
  "has_active_guardian",
]);

const consentColumns = (learner: Prisma.Sql) => Prisma.sql`
       c.recording, c.transcription, c.summaries,
       EXISTS (SELECT 1 FROM profile_graph g
                WHERE g.target_profile_id = ${learner} AND g.relationship_type = 'GUARDIAN' AND g.status = 'ACTIVE') AS has_active_guardian`;

export function learnerConsentSql(learnerId: string): Prisma.Sql {
  return Prisma.sql`
SELECT ${consentColumns(Prisma.sql`p.id`)}
  FROM profiles p LEFT JOIN learner_consents c ON c.learner_id = p.id
 WHERE p.id = ${learnerId}::uuid`;
}

/**
 * At launch: the booking's learner's consent (the student, else the client), the flags its space
 * was last launched with (nulls: never stored) and whether one of its sessions is live now.
 */
export type LaunchConsentRow = LearnerConsentRow & {
  launched_record_av: boolean | null;
  launched_transcribe: boolean | null;
  launched_summarise: boolean | null;
  session_live: boolean;
};

export const LAUNCH_CONSENT_COLUMNS = columnsOf<LaunchConsentRow>()([
  ...LEARNER_CONSENT_COLUMNS,
  "launched_record_av",
  "launched_transcribe",
  "launched_summarise",
  "session_live",
]);

export function launchConsentSql(bookingId: string): Prisma.Sql {
  return Prisma.sql`
SELECT ${consentColumns(Prisma.sql`COALESCE(b.student_id, b.client_id)`)},
       s.launched_record_av, s.launched_transcribe, s.launched_summarise,
       EXISTS (SELECT 1 FROM lessonspace_sessions ls WHERE ${liveSession("b")}) AS session_live
  FROM bookings b
  LEFT JOIN learner_consents c ON c.learner_id = COALESCE(b.student_id, b.client_id)
  LEFT JOIN lessonspace_spaces s ON s.booking_id = b.id
 WHERE b.id = ${bookingId}::uuid`;
}

/** Whether any lesson of this learner has a live session now (the settings page says a change waits). */
export type LessonLiveRow = { live: boolean };

export const LESSON_LIVE_COLUMNS = columnsOf<LessonLiveRow>()(["live"]);

export function learnerLessonLiveSql(learnerId: string): Prisma.Sql {
  return Prisma.sql`
SELECT EXISTS (SELECT 1 FROM bookings b JOIN lessonspace_sessions ls ON ${liveSession("b")}
                WHERE ${learnerLessonsSql(learnerId, "b")}) AS live`;
}

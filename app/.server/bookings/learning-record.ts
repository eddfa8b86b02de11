import { data } from "react-router";
import { Prisma } from "~/generated/prisma/client";
import { learnerIdOf } from "~/domain/attendee";
import type { RecordLesson } from "~/domain/learning-record";
import { db, sql } from "../db";
import { columnsOf } from "../sql-columns";
import { activeGuardianEdgeWhere, learnerLessonsSql, learnerLessonsWhere } from "./visibility";
import { isUuid } from "~/domain/uuid";

/**
 * The learning record's access rule and data (docs/decisions/0051-learning-record.md).
 *
 * Who may see a learner's record: the learner themself, their active guardians (all lessons),
 * and tutors who have taught them (only the lessons that tutor taught). A learner is a student
 * (bookings.student_id) or an adult learner (the client of a booking with no student). Everyone
 * else, and any malformed id, gets the same 404.
 */

export type RecordScope = { learner: { id: string; fullName: string }; tutorOnly: string | null };

export async function requireLearnerForViewer(learnerId: string | undefined, viewerId: string): Promise<RecordScope> {
  const scope = await recordScopeFor(learnerId, viewerId);
  if (!scope) throw notFound();
  return scope;
}

/** The viewer's scope on this learner's record, or null when the rule refuses (or the id is bad). */
async function recordScopeFor(learnerId: string | undefined, viewerId: string): Promise<RecordScope | null> {
  if (!learnerId || !isUuid(learnerId)) return null;
  const id = learnerId.toLowerCase();
  const learner = await db.profile.findUnique({ where: { id }, select: { id: true, fullName: true } });
  if (!learner) return null;
  if (id === viewerId) return { learner, tutorOnly: null };
  const [guardian, taught] = await Promise.all([
    db.profileGraph.findFirst({
      where: { ...activeGuardianEdgeWhere(viewerId), targetProfileId: id },
      select: { id: true },
    }),
    db.booking.findFirst({ where: { tutorId: viewerId, ...learnerLessonsWhere(id) }, select: { id: true } }),
  ]);
  if (guardian) return { learner, tutorOnly: null };
  if (taught) return { learner, tutorOnly: viewerId };
  return null;
}

/**
 * Whether a participant of this booking may open its learner's record (the booking page's link).
 * The booking answers it for the learner and for the lesson's tutor (the rule's "taught": this very
 * lesson); only the client of a child's lesson needs the guardian edge looked up.
 */
export async function mayViewRecordOfBooking(
  booking: { clientId: string; studentId: string | null; tutorId: string },
  viewerId: string,
): Promise<boolean> {
  const learnerId = learnerIdOf(booking);
  if (learnerId === viewerId || booking.tutorId === viewerId) return true;
  return mayViewLearningRecord(learnerId, viewerId);
}

/**
 * Whether the viewer may open this learner's record (for links). A refusal is false; a database
 * failure is thrown like any other, rather than passed off as a refusal.
 */
export async function mayViewLearningRecord(learnerId: string, viewerId: string): Promise<boolean> {
  return (await recordScopeFor(learnerId, viewerId)) !== null;
}

/**
 * "Held" for the record. Today: the learner was in one of the lesson's Lessonspace sessions.
 * After lesson outcomes land (bookings.outcome), this becomes: Prisma.sql`b.outcome = 'held'`.
 */
// The settled outcome (app/domain/lesson-outcome.ts) once there is one; before that, whether the
// learner was in the classroom at all.
const heldSql = (learnerId: string) => Prisma.sql`CASE WHEN b.outcome IS NOT NULL THEN b.outcome = 'held' ELSE EXISTS (
  SELECT 1 FROM lessonspace_attendance a JOIN lessonspace_sessions s ON s.session_id = a.session_id
   WHERE s.booking_id = b.id AND a.profile_id = ${learnerId}::uuid AND (a.joined_at IS NOT NULL OR a.seconds_present > 0)) END`;

/** Upper bound on lessons read for one page: a year of daily lessons. */
export const RECORD_LESSON_LIMIT = 400;

type RecordLessonRow = {
  id: string;
  service_name: string;
  session_start_time: Date;
  session_duration: number;
  status: string;
  held: boolean;
  learner_seconds: number;
  learner_spoken: number;
  spoken: number;
  has_recording: boolean;
  has_snapshot: boolean;
  has_review: boolean;
  has_transcript: boolean;
};

export const RECORD_LESSON_COLUMNS = columnsOf<RecordLessonRow>()([
  "id",
  "service_name",
  "session_start_time",
  "session_duration",
  "status",
  "held",
  "learner_seconds",
  "learner_spoken",
  "spoken",
  "has_recording",
  "has_snapshot",
  "has_review",
  "has_transcript",
]);

/** The learner's lessons in [from, to), newest first (only `scope.tutorOnly`'s, when set). */
export function recordLessonsSql(scope: RecordScope, from: Date, to: Date): Prisma.Sql {
  const learnerId = scope.learner.id;
  const tutorFilter = scope.tutorOnly ? Prisma.sql`AND b.tutor_id = ${scope.tutorOnly}::uuid` : Prisma.empty;
  return Prisma.sql`
    SELECT b.id, b.service_name, b.session_start_time, b.session_duration, b.status::text AS status,
           ${heldSql(learnerId)} AS held,
           COALESCE((SELECT SUM(a.seconds_present) FROM lessonspace_attendance a JOIN lessonspace_sessions s ON s.session_id = a.session_id
                      WHERE s.booking_id = b.id AND a.profile_id = ${learnerId}::uuid), 0)::float8 AS learner_seconds,
           COALESCE((SELECT SUM(sp.seconds) FROM transcript_speakers sp WHERE sp.booking_id = b.id AND sp.speaker_profile_id = ${learnerId}::uuid), 0)::float8 AS learner_spoken,
           COALESCE((SELECT SUM(sp.seconds) FROM transcript_speakers sp WHERE sp.booking_id = b.id), 0)::float8 AS spoken,
           b.recording_url IS NOT NULL AS has_recording,
           COALESCE(b.session_artifacts ? 'whiteboard_snapshot_url', false) AS has_snapshot,
           EXISTS (SELECT 1 FROM reviews r WHERE r.booking_id = b.id) AS has_review,
           EXISTS (SELECT 1 FROM transcript_speakers sp WHERE sp.booking_id = b.id) AS has_transcript
      FROM bookings b
     WHERE ${learnerLessonsSql(learnerId, "b")}
       ${tutorFilter}
       AND b.session_start_time >= ${from}::timestamptz AND b.session_start_time < ${to}::timestamptz
     ORDER BY b.session_start_time DESC
     LIMIT ${RECORD_LESSON_LIMIT}`;
}

/** One row per lesson in [from, to), newest first, with what the record shows. One query. */
export async function loadRecordLessons(scope: RecordScope, from: Date, to: Date): Promise<RecordLesson[]> {
  const rows = await sql<RecordLessonRow>(recordLessonsSql(scope, from, to));
  return rows.map((row) => ({
    bookingId: row.id,
    serviceName: row.service_name,
    start: row.session_start_time,
    plannedMinutes: row.session_duration,
    status: row.status,
    held: row.held,
    learnerSeconds: row.learner_seconds,
    learnerSpokenSeconds: row.learner_spoken,
    spokenSeconds: row.spoken,
    hasRecording: row.has_recording,
    hasSnapshot: row.has_snapshot,
    hasReview: row.has_review,
    hasTranscript: row.has_transcript,
  }));
}

function notFound() {
  return data("Not found", { status: 404 });
}

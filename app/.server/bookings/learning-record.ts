import { data } from "react-router";
import { Prisma } from "~/generated/prisma/client";
import { learnerIdOf } from "~/domain/attendee";
import type { RecordLesson } from "~/domain/learning-record";
import { noteHeadline } from "~/domain/note-headline";
import { db, sql } from "../db";
import { columnsOf } from "../sql-columns";
import { activeGuardianEdgeWhere, learnerLessonsSql, learnerLessonsWhere } from "./visibility";
import { isUuid } from "~/domain/uuid";
import { CARD_COLUMNS, cardBookingOf, cardBookingsSql, type CardRow } from "./cards-sql";

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

/** Upper bound on lessons read for one page: a year of daily lessons. */
export const RECORD_LESSON_LIMIT = 400;

type RecordLessonRow = CardRow & {
  learner_spoken: number;
  spoken: number;
  has_snapshot: boolean;
  has_review: boolean;
  has_transcript: boolean;
  published_note: string | null;
  /** JSON: each published homework item's done_at (as text), null while open. */
  homework_done: (string | null)[];
};

export const RECORD_LESSON_COLUMNS = columnsOf<RecordLessonRow>()([
  ...CARD_COLUMNS,
  "learner_spoken",
  "spoken",
  "has_snapshot",
  "has_review",
  "has_transcript",
  "published_note",
  "homework_done",
]);

/**
 * The learner's lessons in [from, to), newest first (only `scope.tutorOnly`'s, when set): what
 * each one's presentation is decided from (the card's columns: sessions, presence, outcome) and
 * what the record adds.
 */
export function recordLessonsSql(scope: RecordScope, from: Date, to: Date): Prisma.Sql {
  const learnerId = scope.learner.id;
  const tutorFilter = scope.tutorOnly ? Prisma.sql`AND b.tutor_id = ${scope.tutorOnly}::uuid` : Prisma.empty;
  return Prisma.sql`
    SELECT * FROM (${cardBookingsSql(
      Prisma.sql`${learnerLessonsSql(learnerId, "b")}
       ${tutorFilter}
       AND b.session_start_time >= ${from}::timestamptz AND b.session_start_time < ${to}::timestamptz`,
      Prisma.sql`,
       COALESCE((SELECT SUM(sp.seconds) FROM transcript_speakers sp WHERE sp.booking_id = b.id AND sp.speaker_profile_id = ${learnerId}::uuid), 0)::float8 AS learner_spoken,
       COALESCE((SELECT SUM(sp.seconds) FROM transcript_speakers sp WHERE sp.booking_id = b.id), 0)::float8 AS spoken,
       COALESCE(b.session_artifacts ? 'whiteboard_snapshot_url', false) AS has_snapshot,
       EXISTS (SELECT 1 FROM reviews r WHERE r.booking_id = b.id) AS has_review,
       EXISTS (SELECT 1 FROM transcript_speakers sp WHERE sp.booking_id = b.id) AS has_transcript,
       (SELECT n.covered FROM lesson_notes n WHERE n.booking_id = b.id AND n.published_at IS NOT NULL) AS published_note,
       COALESCE((SELECT json_agg(h.done_at ORDER BY h.position)
                   FROM lesson_notes n JOIN homework_items h ON h.booking_id = n.booking_id
                  WHERE n.booking_id = b.id AND n.published_at IS NOT NULL), '[]'::json) AS homework_done`,
    )}) lesson
     ORDER BY lesson.session_start_time DESC
     LIMIT ${RECORD_LESSON_LIMIT}`;
}

/** One row per lesson in [from, to), newest first, with what the record shows. One query. */
export async function loadRecordLessons(scope: RecordScope, from: Date, to: Date): Promise<RecordLesson[]> {
  const rows = await sql<RecordLessonRow>(recordLessonsSql(scope, from, to));
  return rows.map((row) => ({
    ...cardBookingOf(row),
    bookingId: row.id,
    learnerSpokenSeconds: row.learner_spoken,
    spokenSeconds: row.spoken,
    hasRecording: row.recording_url !== null,
    hasSnapshot: row.has_snapshot,
    hasReview: row.has_review,
    hasTranscript: row.has_transcript,
    // Only a published note's text is read (the statement's condition): a draft has no headline.
    noteHeadline: row.published_note === null ? null : noteHeadline(row.published_note),
    homework: row.homework_done.map((doneAt) => ({ doneAt: doneAt === null ? null : new Date(doneAt) })),
  }));
}

function notFound() {
  return data("Not found", { status: 404 });
}

import { addAbortSignal, Readable } from "node:stream";
import { finished } from "node:stream/promises";
import yazl from "yazl";
import { accessActionLabel, accessEntry, csvRow, type AccessAction } from "~/domain/access-log";
import { EXPORT_README } from "~/domain/export-readme";
import { Prisma } from "~/generated/prisma/client";
import { db, sql } from "../db";
import { columnsOf } from "../sql-columns";
import { logger } from "../logger";
import { openSnapshot } from "../artifacts/snapshots";
import { learnerLessonsWhere } from "../bookings/visibility";
import { loadAccessLogPage, recordAccess } from "./access-log";
import { effectiveConsentOf } from "./consent";
import type { FamilyScope } from "./family";

/**
 * Everything held about one learner as one ZIP (docs/decisions/0074-the-family-export.md), written
 * as it is read: lessons in keyset pages, each file produced only when the ZIP writer reaches it,
 * so a learner with years of lessons streams in bounded memory. The caller has authorized the
 * viewer as the learner's family; the export is logged before the first byte is sent.
 */

const LESSON_PAGE = 100;
const SEGMENT_PAGE = 2000;
const LOG_PAGE = 1000;

type LessonCursor = { start: Date; id: string } | null;

/** The learner's lessons after the cursor, in (session_start_time, id) order. */
function afterCursor(learnerId: string, cursor: LessonCursor) {
  if (!cursor) return learnerLessonsWhere(learnerId);
  return {
    AND: [
      learnerLessonsWhere(learnerId),
      {
        OR: [{ sessionStartTime: { gt: cursor.start } }, { sessionStartTime: cursor.start, id: { gt: cursor.id } }],
      },
    ],
  };
}

/** The learner's lessons in start order, one keyset page after `cursor`. */
async function lessonPage(learnerId: string, cursor: LessonCursor) {
  return db.booking.findMany({
    where: afterCursor(learnerId, cursor),
    orderBy: [{ sessionStartTime: "asc" }, { id: "asc" }],
    take: LESSON_PAGE,
    select: {
      id: true,
      serviceName: true,
      sessionStartTime: true,
      sessionDuration: true,
      status: true,
      outcome: true,
      durationActual: true,
      recordingUrl: true,
      sessionArtifacts: true,
      tutor: { select: { fullName: true } },
      client: { select: { fullName: true } },
      student: { select: { fullName: true } },
      transcriptDeletion: { select: { deletedAt: true } },
      sessions: {
        orderBy: [{ startedAt: "asc" }, { createdAt: "asc" }],
        select: {
          sessionId: true,
          startedAt: true,
          endedAt: true,
          durationSeconds: true,
          attendance: {
            select: {
              joinedAt: true,
              leftAt: true,
              secondsPresent: true,
              profile: { select: { fullName: true } },
            },
          },
        },
      },
    },
  });
}

type Lesson = Awaited<ReturnType<typeof lessonPage>>[number];

/** The same keyset pages with only what the other files need (no sessions or attendance to read again). */
type LessonKey = { id: string; sessionStartTime: Date; sessionArtifacts: unknown };

async function* lessonKeys(learnerId: string): AsyncGenerator<LessonKey> {
  let cursor: LessonCursor = null;
  for (;;) {
    const page: LessonKey[] = await db.booking.findMany({
      where: afterCursor(learnerId, cursor),
      orderBy: [{ sessionStartTime: "asc" }, { id: "asc" }],
      take: LESSON_PAGE,
      select: { id: true, sessionStartTime: true, sessionArtifacts: true },
    });
    yield* page;
    if (page.length < LESSON_PAGE) return;
    const last = page[page.length - 1]!;
    cursor = { start: last.sessionStartTime, id: last.id };
  }
}

/** Every lesson of the learner, page by page. */
async function* lessons(learnerId: string): AsyncGenerator<Lesson> {
  let cursor: LessonCursor = null;
  for (;;) {
    const page = await lessonPage(learnerId, cursor);
    yield* page;
    if (page.length < LESSON_PAGE) return;
    const last = page[page.length - 1]!;
    cursor = { start: last.sessionStartTime, id: last.id };
  }
}

/** A JSON array written one element at a time. */
async function* jsonArray<T>(items: AsyncIterable<T>): AsyncGenerator<string> {
  let first = true;
  yield "[";
  for await (const item of items) {
    yield `${first ? "\n" : ",\n"}${JSON.stringify(item)}`;
    first = false;
  }
  yield "\n]\n";
}

type Cells = Parameters<typeof csvRow>[0];

async function* csv(header: readonly string[], rows: AsyncIterable<Cells>): AsyncGenerator<string> {
  yield csvRow(header);
  for await (const row of rows) yield csvRow(row);
}

async function* mapAsync<T, U>(items: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield map(item);
}

async function* flatMapAsync<T, U>(items: AsyncIterable<T>, map: (item: T) => readonly U[]): AsyncGenerator<U> {
  for await (const item of items) yield* map(item);
}

function lessonJson(lesson: Lesson) {
  return {
    id: lesson.id,
    service: lesson.serviceName,
    start: lesson.sessionStartTime,
    plannedMinutes: lesson.sessionDuration,
    status: lesson.status,
    outcome: lesson.outcome,
    actualSeconds: lesson.durationActual,
    tutor: lesson.tutor.fullName,
    client: lesson.client.fullName,
    student: lesson.student?.fullName ?? null,
    hasRecording: lesson.recordingUrl !== null,
    transcriptDeletedAt: lesson.transcriptDeletion?.deletedAt ?? null,
    sessions: lesson.sessions.map((session) => ({
      id: session.sessionId,
      startedAt: session.startedAt,
      endedAt: session.endedAt,
      durationSeconds: session.durationSeconds,
      attendance: session.attendance.map((row) => ({
        person: row.profile.fullName,
        joinedAt: row.joinedAt,
        leftAt: row.leftAt,
        secondsPresent: row.secondsPresent,
      })),
    })),
  };
}

const LESSON_CSV = [
  "lesson_id",
  "service",
  "start",
  "planned_minutes",
  "status",
  "outcome",
  "actual_seconds",
  "tutor",
  "student",
];

function lessonCsv(lesson: Lesson): Cells {
  return [
    lesson.id,
    lesson.serviceName,
    lesson.sessionStartTime,
    lesson.sessionDuration,
    lesson.status,
    lesson.outcome,
    lesson.durationActual,
    lesson.tutor.fullName,
    lesson.student?.fullName ?? lesson.client.fullName,
  ];
}

/**
 * Published notes only, with their homework: the tutor's private note is never selected, and a
 * draft never reaches a family.
 */
async function* notes(learnerId: string) {
  for await (const lesson of lessonKeys(learnerId)) {
    const note = await db.lessonNote.findFirst({
      where: { bookingId: lesson.id, publishedAt: { not: null } },
      select: {
        covered: true,
        publishedAt: true,
        editedAt: true,
        homework: {
          orderBy: { position: "asc" },
          select: { text: true, dueOn: true, doneAt: true, doneBy: { select: { fullName: true } } },
        },
      },
    });
    if (!note) continue;
    yield {
      lessonId: lesson.id,
      covered: note.covered,
      publishedAt: note.publishedAt,
      editedAt: note.editedAt,
      homework: note.homework.map((item) => ({
        text: item.text,
        dueOn: item.dueOn ? item.dueOn.toISOString().slice(0, 10) : null,
        doneAt: item.doneAt,
        doneBy: item.doneBy?.fullName ?? null,
      })),
    };
  }
}

type Segment = {
  lessonId: string;
  sessionId: string;
  position: number;
  speaker: string;
  startSeconds: number;
  endSeconds: number;
  text: string;
};

type SegmentRow = {
  session_id: string;
  position: number;
  speaker_name: string;
  start_seconds: number;
  end_seconds: number;
  text: string;
};

export const EXPORT_SEGMENT_COLUMNS = columnsOf<SegmentRow>()([
  "session_id",
  "position",
  "speaker_name",
  "start_seconds",
  "end_seconds",
  "text",
]);

/** One keyset page of a lesson's segments, after (session_id, position). */
export function exportSegmentsSql(bookingId: string, after: { sessionId: string; position: number } | null) {
  const cursor = after
    ? Prisma.sql`AND (session_id, position) > (${after.sessionId}, ${after.position}::int)`
    : Prisma.empty;
  return Prisma.sql`
    SELECT session_id, position, speaker_name, start_seconds, end_seconds, text
      FROM transcript_segments
     WHERE booking_id = ${bookingId}::uuid ${cursor}
     ORDER BY session_id, position
     LIMIT ${SEGMENT_PAGE}`;
}

/** Every stored segment of every lesson, lesson by lesson, each lesson's in keyset pages. */
async function* segments(learnerId: string): AsyncGenerator<Segment> {
  for await (const lesson of lessonKeys(learnerId)) {
    let after: { sessionId: string; position: number } | null = null;
    for (;;) {
      const page: SegmentRow[] = await sql<SegmentRow>(exportSegmentsSql(lesson.id, after));
      for (const row of page)
        yield {
          lessonId: lesson.id,
          sessionId: row.session_id,
          position: row.position,
          speaker: row.speaker_name,
          startSeconds: row.start_seconds,
          endSeconds: row.end_seconds,
          text: row.text,
        };
      if (page.length < SEGMENT_PAGE) break;
      const last = page[page.length - 1]!;
      after = { sessionId: last.session_id, position: last.position };
    }
  }
}

async function* summaries(learnerId: string) {
  for await (const lesson of lessonKeys(learnerId)) {
    const rows = await db.lessonSummary.findMany({
      where: { bookingId: lesson.id },
      orderBy: { fetchedAt: "asc" },
      select: { sessionId: true, text: true, source: true, fetchedAt: true },
    });
    for (const row of rows) yield { lessonId: lesson.id, ...row };
  }
}

async function* talkTime(learnerId: string) {
  for await (const lesson of lessonKeys(learnerId)) {
    const rows = await db.transcriptSpeaker.findMany({
      where: { bookingId: lesson.id },
      orderBy: [{ sessionId: "asc" }, { speakerKey: "asc" }],
      select: { sessionId: true, speakerName: true, seconds: true },
    });
    for (const row of rows)
      yield { lessonId: lesson.id, sessionId: row.sessionId, speaker: row.speakerName, seconds: row.seconds };
  }
}

async function* accessLog(learnerId: string) {
  let before: bigint | null = null;
  for (;;) {
    const page = await loadAccessLogPage(learnerId, { kind: "family" }, { actorId: null, before, limit: LOG_PAGE });
    for (const row of page.rows)
      yield {
        at: row.at,
        person: row.actor.name,
        action: row.action,
        what: accessActionLabel(row.action as AccessAction),
        lessonId: row.lesson?.bookingId ?? null,
      };
    if (page.next === null) return;
    before = page.next;
  }
}

const CHUNK_BYTES = 64 * 1024;

/** Rows gathered into chunks of about 64 KB: one small write per row costs the ZIP writer more than the rows. */
async function* bytes(chunks: AsyncIterable<string>): AsyncGenerator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.from(pending.join(""));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(""));
}

function text(chunks: AsyncIterable<string>): Readable {
  return Readable.from(bytes(chunks), { objectMode: false });
}

/** What the service keeps of the learner's lessons now, and whether the family chose it or it is the default. */
async function consentJson(learnerId: string) {
  const [effective, stored] = await Promise.all([
    effectiveConsentOf(learnerId),
    db.learnerConsent.findUnique({
      where: { learnerId },
      select: { setAt: true, setBy: { select: { fullName: true } } },
    }),
  ]);
  return {
    recording: effective.recording,
    transcription: effective.transcription,
    summaries: effective.summaries,
    chosenBy: stored ? (stored.setBy?.fullName ?? "someone no longer on the service") : null,
    chosenAt: stored?.setAt ?? null,
    note: stored ? "Chosen by the family." : "The service's defaults: nobody in the family has chosen yet.",
  };
}

async function writeExport(
  zip: yazl.ZipFile,
  scope: FamilyScope,
  exportedAt: Date,
  exportedBy: string,
  signal: AbortSignal,
) {
  const id = scope.learner.id;
  /** Adds one entry and waits until the writer has read all of it, so entries are produced one at a time. */
  const addEntry = async (name: string, source: Readable, compress = true) => {
    addAbortSignal(signal, source);
    zip.addReadStream(source, name, { compress, mtime: exportedAt });
    await finished(source);
  };
  zip.addBuffer(Buffer.from(EXPORT_README), "README.txt", { mtime: exportedAt });
  zip.addBuffer(
    Buffer.from(`${JSON.stringify({ learner: scope.learner, exportedAt, exportedBy }, null, 2)}\n`),
    "learner.json",
    { mtime: exportedAt },
  );
  zip.addBuffer(Buffer.from(`${JSON.stringify(await consentJson(id), null, 2)}\n`), "consent.json", {
    mtime: exportedAt,
  });
  await addEntry("lessons.json", text(jsonArray(mapAsync(lessons(id), lessonJson))));
  await addEntry("lessons.csv", text(csv(LESSON_CSV, mapAsync(lessons(id), lessonCsv))));
  await addEntry("notes.json", text(jsonArray(notes(id))));
  await addEntry(
    "homework.csv",
    text(
      csv(
        ["lesson_id", "text", "due_on", "done_at", "done_by"],
        flatMapAsync(notes(id), (note) =>
          note.homework.map((item): Cells => [note.lessonId, item.text, item.dueOn, item.doneAt, item.doneBy]),
        ),
      ),
    ),
  );
  await addEntry("transcripts.json", text(jsonArray(segments(id))));
  await addEntry(
    "transcripts.csv",
    text(
      csv(
        ["lesson_id", "session_id", "position", "speaker", "start_seconds", "end_seconds", "text"],
        mapAsync(segments(id), (s): Cells => [
          s.lessonId,
          s.sessionId,
          s.position,
          s.speaker,
          s.startSeconds,
          s.endSeconds,
          s.text,
        ]),
      ),
    ),
  );
  await addEntry("summaries.json", text(jsonArray(summaries(id))));
  await addEntry(
    "talk-time.csv",
    text(
      csv(
        ["lesson_id", "session_id", "speaker", "seconds"],
        mapAsync(talkTime(id), (t): Cells => [t.lessonId, t.sessionId, t.speaker, t.seconds]),
      ),
    ),
  );
  await addEntry("access-log.json", text(jsonArray(accessLog(id))));
  await addEntry(
    "access-log.csv",
    text(
      csv(
        ["at", "person", "action", "what", "lesson_id"],
        mapAsync(accessLog(id), (row): Cells => [row.at, row.person, row.action, row.what, row.lessonId]),
      ),
    ),
  );
  // Snapshots are at most 10 MB each (docs/decisions/0021-snapshot-upload.md): the files themselves,
  // stored as they are (images do not compress), one open at a time.
  for await (const lesson of lessonKeys(id)) {
    const snapshot = await openSnapshot(lesson);
    if (!snapshot) continue;
    const extension = snapshot.objectPath.split(".").pop() ?? "img";
    const day = lesson.sessionStartTime.toISOString().slice(0, 10);
    await addEntry(
      `snapshots/${day}-${lesson.id}.${extension}`,
      Readable.fromWeb(snapshot.body as import("node:stream/web").ReadableStream<Uint8Array>),
      false,
    );
  }
}

/**
 * Logs the export, then answers the ZIP as a stream. A failure while writing ends the stream with
 * an error (the download is then incomplete, never silently short) and is logged.
 */
export async function exportLearner(scope: FamilyScope, actor: { id: string; fullName: string }, now: Date) {
  await recordAccess(accessEntry(actor.id, { learnerId: scope.learner.id }, "export"));
  const zip = new yazl.ZipFile();
  // A download abandoned half way stops the reading too.
  const abandoned = new AbortController();
  const output = zip.outputStream as unknown as Readable;
  output.once("close", () => abandoned.abort());
  writeExport(zip, scope, now, actor.fullName, abandoned.signal).then(
    () => zip.end(),
    (error: unknown) => {
      if (abandoned.signal.aborted) logger.info({ learnerId: scope.learner.id }, "export.abandoned");
      else logger.error({ err: error, learnerId: scope.learner.id }, "export.failed");
      output.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return output;
}

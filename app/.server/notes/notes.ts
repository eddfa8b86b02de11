/**
 * The tutor's lesson note and its homework (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md).
 * Callers authorize first (the routes, through app/.server/bookings/bookings.ts); this module reads
 * and writes. A save is refused when the note changed since the form was opened: the version
 * check and the write are one UPDATE … WHERE version = $v, so two saves from the same version
 * cannot both succeed.
 */
import type { HomeworkToDo, NoteInput } from "~/domain/lesson-note";
import { db, sql } from "../db";
import { learnerLessonsWhere } from "../bookings/visibility";
import {
  HOMEWORK_DASHBOARD_LIMIT,
  HOMEWORK_LOOKBACK_DAYS,
  outstandingHomeworkSql,
  type OutstandingHomeworkRow,
} from "./homework-sql";

export type HomeworkItemView = { id: string; text: string; dueOn: string | null; doneAt: Date | null };

export type NoteRecord = {
  covered: string;
  privateNote: string;
  version: number;
  publishedAt: Date | null;
  editedAt: Date | null;
  homework: HomeworkItemView[];
};

const dayOf = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);

const HOMEWORK_SELECT = { id: true, text: true, dueOn: true, doneAt: true } as const;

function itemView(item: { id: string; text: string; dueOn: Date | null; doneAt: Date | null }): HomeworkItemView {
  return { id: item.id, text: item.text, dueOn: dayOf(item.dueOn), doneAt: item.doneAt };
}

/** The booking's note with its homework in order, or null while none was saved. */
export async function loadNote(bookingId: string): Promise<NoteRecord | null> {
  const note = await db.lessonNote.findUnique({
    where: { bookingId },
    select: {
      covered: true,
      privateNote: true,
      version: true,
      publishedAt: true,
      editedAt: true,
      homework: { select: HOMEWORK_SELECT, orderBy: { position: "asc" } },
    },
  });
  return note ? { ...note, homework: note.homework.map(itemView) } : null;
}

/** Lessonspace's summaries of the booking's sessions, in session order (a draft for the tutor only). */
export async function loadSummaries(bookingId: string): Promise<string[]> {
  const rows = await db.lessonSummary.findMany({
    where: { bookingId },
    select: { text: true },
    orderBy: [{ session: { startedAt: "asc" } }, { fetchedAt: "asc" }],
  });
  return rows.map((row) => row.text.trim()).filter(Boolean);
}

export type SaveOutcome =
  { ok: true; version: number; publishedNow: boolean } | { ok: false; reason: "changed"; currentVersion: number };

/**
 * Saves the tutor's note as opened at `input.version` (0: no note yet). Publishing is for good:
 * a published note stays published, and every later save marks it edited. Homework items keep
 * their id (and so whether they were done) when the form sends it back.
 */
export async function saveNote(bookingId: string, tutorId: string, input: NoteInput, now: Date): Promise<SaveOutcome> {
  return db.$transaction(async (tx) => {
    const current = await tx.lessonNote.findUnique({
      where: { bookingId },
      select: { version: true, publishedAt: true },
    });
    const publish = input.save === "publish" || current?.publishedAt != null;
    const publishedNow = publish && !current?.publishedAt;
    const fields = {
      covered: input.covered,
      privateNote: input.privateNote,
      publishedAt: current?.publishedAt ?? (publish ? now : null),
      editedAt: current?.publishedAt ? now : null,
      updatedAt: now,
    };
    let saved: number;
    if (input.version === 0) {
      const created = await tx.lessonNote.createMany({
        data: [{ bookingId, tutorId, version: 1, ...fields }],
        skipDuplicates: true,
      });
      saved = created.count === 1 ? 1 : 0;
    } else {
      // The version check and the write in one statement: a racing save finds the new version.
      const updated = await tx.lessonNote.updateMany({
        where: { bookingId, tutorId, version: input.version },
        data: { ...fields, version: { increment: 1 } },
      });
      saved = updated.count === 1 ? input.version + 1 : 0;
    }
    if (saved === 0) {
      const latest = await tx.lessonNote.findUnique({ where: { bookingId }, select: { version: true } });
      return { ok: false, reason: "changed", currentVersion: latest?.version ?? 0 } as const;
    }

    const existing = await tx.homeworkItem.findMany({ where: { bookingId }, select: { id: true } });
    const existingIds = new Set(existing.map((item) => item.id));
    const kept = input.homework.filter((item) => item.id !== null && existingIds.has(item.id)).map((item) => item.id!);
    await tx.homeworkItem.deleteMany({ where: { bookingId, id: { notIn: kept } } });
    // Out of the way of (booking_id, position)'s unique index before the new order is written.
    if (kept.length > 0)
      await tx.$executeRaw`UPDATE homework_items SET position = -1 - position WHERE booking_id = ${bookingId}::uuid`;
    for (const [position, item] of input.homework.entries()) {
      const dueOn = item.dueOn ? new Date(`${item.dueOn}T00:00:00Z`) : null;
      if (item.id !== null && kept.includes(item.id))
        await tx.homeworkItem.update({ where: { id: item.id }, data: { position, text: item.text, dueOn } });
      else await tx.homeworkItem.create({ data: { bookingId, position, text: item.text, dueOn } });
    }
    return { ok: true, version: saved, publishedNow } as const;
  });
}

/**
 * Marks a published note's homework item done (with who and when) or not done. False when the item
 * is not this booking's or its note is not published; the caller has decided who may tick.
 */
export async function setHomeworkDone(
  bookingId: string,
  itemId: string,
  done: boolean,
  viewerId: string,
  now: Date,
): Promise<boolean> {
  const updated = await db.homeworkItem.updateMany({
    where: { id: itemId, bookingId, note: { publishedAt: { not: null } } },
    data: done ? { doneAt: now, doneById: viewerId } : { doneAt: null, doneById: null },
  });
  return updated.count === 1;
}

/**
 * The homework of the tutor's last lesson with the same learner before this one, when its note
 * is published and has homework: what "Last lesson's homework: 2 of 3 done" counts.
 */
export async function previousHomework(booking: {
  id: string;
  tutorId: string;
  clientId: string;
  studentId: string | null;
  sessionStartTime: Date;
}): Promise<{ bookingId: string; items: { doneAt: Date | null }[] } | null> {
  const learnerId = booking.studentId ?? booking.clientId;
  const previous = await db.booking.findFirst({
    where: {
      ...learnerLessonsWhere(learnerId),
      tutorId: booking.tutorId,
      id: { not: booking.id },
      status: { notIn: ["Cancelled", "Declined"] },
      sessionStartTime: { lt: booking.sessionStartTime },
      lessonNote: { publishedAt: { not: null }, homework: { some: {} } },
    },
    orderBy: [{ sessionStartTime: "desc" }, { id: "desc" }],
    select: { id: true, lessonNote: { select: { homework: { select: { doneAt: true } } } } },
  });
  if (!previous?.lessonNote) return null;
  return { bookingId: previous.id, items: previous.lessonNote.homework };
}

/**
 * Homework still to do from published notes of the viewer's family lessons (as learner, client
 * or active guardian) of the last HOMEWORK_LOOKBACK_DAYS, soonest due first, bounded (homework-sql.ts).
 */
export async function outstandingHomework(viewerId: string, now: Date): Promise<HomeworkToDo[]> {
  const since = new Date(now.getTime() - HOMEWORK_LOOKBACK_DAYS * 24 * 60 * 60_000);
  const rows = await sql<OutstandingHomeworkRow>(outstandingHomeworkSql(viewerId, since, HOMEWORK_DASHBOARD_LIMIT));
  return rows.map((row) => ({
    id: row.id,
    text: row.text,
    dueOn: row.due_on,
    doneAt: null,
    bookingId: row.booking_id,
    serviceName: row.service_name,
    lessonStart: row.session_start_time,
    learnerId: row.learner_id,
    learnerName: row.learner_name,
  }));
}

/**
 * The tutor's lesson note and its homework (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md):
 * what a note may hold, which state it is in, who may tick homework, and the words a page shows
 * ("2 of 3 done", "edited …"). Pure: the caller passes the clock and the viewer's relationships.
 */
import { z } from "zod";
import { formatDateTime } from "./format";
import { plainText } from "./plain-text";

export const NOTE_TEXT_MAX = 5000;
export const HOMEWORK_TEXT_MAX = 500;
export const HOMEWORK_ITEMS_MAX = 20;
/** Rows the form shows at least (empty ones are ignored), so a first note needs no "add another item". */
export const HOMEWORK_ROWS_MIN = 3;

export type NoteState = "none" | "draft" | "published";

export function noteStateOf(note: { publishedAt: Date | null } | null): NoteState {
  if (!note) return "none";
  return note.publishedAt ? "published" : "draft";
}

const count = (n: number) => n.toLocaleString("en-GB");

/** Browsers send a line break as CRLF but count it as one character against maxlength. */
const multiLine = (max: number, what: string) =>
  plainText()
    .transform((text) => text.replace(/\r\n?/g, "\n").trim())
    .pipe(z.string().max(max, `Keep ${what} to ${count(max)} characters or fewer.`))
    .default("");

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isCalendarDay = (value: string) => {
  if (!DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

const homeworkRow = z.object({
  itemId: z.string().optional(),
  text: plainText()
    .transform((text) => text.replace(/\s+/g, " ").trim())
    .pipe(z.string().max(HOMEWORK_TEXT_MAX, `Keep each item to ${count(HOMEWORK_TEXT_MAX)} characters or fewer.`))
    .optional(),
  dueOn: z.string().refine(isCalendarDay, "Give the due date as a date, or leave it empty.").optional(),
});

export type HomeworkInput = { id: string | null; text: string; dueOn: string | null };

export const NOTE_SAVES = ["draft", "publish"] as const;

/**
 * The note form. Empty homework rows are dropped; a row with a date but no text is an error
 * beside it. More than HOMEWORK_ITEMS_MAX written items is an error on the list.
 */
export const noteSchema = z.object({
  covered: multiLine(NOTE_TEXT_MAX, "“What we covered”"),
  privateNote: multiLine(NOTE_TEXT_MAX, "the private note"),
  version: z.coerce.number().int().min(0),
  save: z.enum(NOTE_SAVES).default("draft"),
  homework: z
    .array(homeworkRow.optional())
    .default([])
    .superRefine((rows, context) => {
      rows.forEach((row, index) => {
        if (row?.dueOn && !row.text)
          context.addIssue({
            code: "custom",
            path: [index, "text"],
            message: "Write the homework, or clear its date.",
          });
      });
      const written = rows.filter((row) => row?.text).length;
      if (written > HOMEWORK_ITEMS_MAX)
        context.addIssue({
          code: "custom",
          message: `A note holds at most ${HOMEWORK_ITEMS_MAX} homework items; remove ${written - HOMEWORK_ITEMS_MAX}.`,
        });
    })
    .transform((rows): HomeworkInput[] =>
      rows.flatMap((row) => (row?.text ? [{ id: row.itemId || null, text: row.text, dueOn: row.dueOn ?? null }] : [])),
    ),
});

export type NoteInput = z.output<typeof noteSchema>;

/** How many rows the form shows for `items` written items: at least HOMEWORK_ROWS_MIN, one spare, never over the limit. */
export function homeworkRowCount(items: number): number {
  return Math.min(HOMEWORK_ITEMS_MAX, Math.max(HOMEWORK_ROWS_MIN, items + 1));
}

/** Why someone is looking at a booking's homework. */
export type HomeworkViewer = {
  isTutor: boolean;
  isClient: boolean;
  isStudent: boolean;
  /** An ACTIVE guardian of the assigned student (a pending edge grants nothing). */
  isActiveGuardian: boolean;
};

/**
 * Homework is ticked by the learner or the client/guardians: it is the family's report of what was
 * done. The tutor reads the count and does not tick; only a published note's items can be ticked.
 */
export function mayTickHomework(viewer: HomeworkViewer, notePublished: boolean): boolean {
  if (!notePublished) return false;
  return viewer.isStudent || viewer.isClient || viewer.isActiveGuardian;
}

/** "2 of 3 done"; null when there is no homework. */
export function homeworkProgress(items: readonly { doneAt: Date | null }[]): string | null {
  if (items.length === 0) return null;
  return `${items.filter((item) => item.doneAt !== null).length} of ${items.length} done`;
}

/** "Due Fri 4 Dec": a due date is a calendar day, shown as written (no zone shifts it). */
export function dueLabel(dueOn: string | null, now: Date): string | null {
  if (!dueOn) return null;
  return `Due ${formatDateTime(new Date(`${dueOn}T12:00:00Z`), "UTC", now).split(",")[0]}`;
}

/** Whether an item is still to do and its due day has passed in the viewer's zone (`today` is "YYYY-MM-DD"). */
export function isOverdue(item: { dueOn: string | null; doneAt: Date | null }, today: string): boolean {
  return item.doneAt === null && item.dueOn !== null && item.dueOn < today;
}

/** "Published Wed 25 Nov, 16:10" or "Published …, edited …", in the viewer's zone. */
export function publishedLine(
  note: { publishedAt: Date | null; editedAt: Date | null },
  timeZone: string,
  now: Date,
): string | null {
  if (!note.publishedAt) return null;
  const published = `Published ${formatDateTime(note.publishedAt, timeZone, now)}`;
  return note.editedAt ? `${published}, edited ${formatDateTime(note.editedAt, timeZone, now)}` : published;
}

export type StoredNote = {
  covered: string;
  privateNote: string;
  publishedAt: Date | null;
  editedAt: Date | null;
  homework: readonly { id: string; text: string; dueOn: string | null; doneAt: Date | null }[];
};

/** What the booking page shows of a note to one viewer. */
export type LessonNoteView = {
  state: NoteState;
  covered: string;
  /** The tutor's alone: null for everyone else. */
  privateNote: string | null;
  /** "Published …, edited …"; null for a draft. */
  published: string | null;
  homework: { id: string; text: string; due: string | null; overdue: boolean; done: boolean }[];
  progress: string | null;
  mayTick: boolean;
};

/**
 * The note as one viewer may see it: the tutor sees everything (their draft and private note);
 * the family (learner, client, active guardians) only a published note, never the private note;
 * anyone else nothing. `today` is the viewer's calendar day ("YYYY-MM-DD").
 */
export function presentLessonNote(
  note: StoredNote | null,
  viewer: HomeworkViewer,
  now: Date,
  timeZone: string,
  today: string,
): LessonNoteView | null {
  const state = noteStateOf(note);
  if (!note) return null;
  const family = viewer.isClient || viewer.isStudent || viewer.isActiveGuardian;
  if (!viewer.isTutor && !(family && state === "published")) return null;
  return {
    state,
    covered: note.covered,
    privateNote: viewer.isTutor ? note.privateNote : null,
    published: publishedLine(note, timeZone, now),
    homework: note.homework.map((item) => ({
      id: item.id,
      text: item.text,
      due: dueLabel(item.dueOn, now),
      overdue: isOverdue(item, today),
      done: item.doneAt !== null,
    })),
    progress: homeworkProgress(note.homework),
    mayTick: mayTickHomework(viewer, state === "published"),
  };
}

export type HomeworkToDo = {
  id: string;
  text: string;
  dueOn: string | null;
  doneAt: Date | null;
  bookingId: string;
  serviceName: string;
  lessonStart: Date;
  learnerId: string;
  learnerName: string;
};

export type HomeworkGroup = {
  learnerId: string;
  /** "Your homework" for the learner themself, else the child's name. */
  title: string;
  items: { id: string; bookingId: string; text: string; due: string | null; overdue: boolean; lesson: string }[];
};

/** The dashboard's Homework: what is still to do, one group per learner (the viewer's own first). */
export function homeworkByLearner(
  items: readonly HomeworkToDo[],
  viewerId: string,
  now: Date,
  timeZone: string,
  today: string,
): HomeworkGroup[] {
  const groups = new Map<string, HomeworkGroup>();
  for (const item of items) {
    if (item.doneAt !== null) continue;
    const group = groups.get(item.learnerId) ?? {
      learnerId: item.learnerId,
      title: item.learnerId === viewerId ? "Your homework" : `${item.learnerName}’s homework`,
      items: [],
    };
    group.items.push({
      id: item.id,
      bookingId: item.bookingId,
      text: item.text,
      due: dueLabel(item.dueOn, now),
      overdue: isOverdue(item, today),
      lesson: `${item.serviceName}, ${formatDateTime(item.lessonStart, timeZone, now)}`,
    });
    groups.set(item.learnerId, group);
  }
  return [...groups.values()].sort(
    (a, b) => Number(b.learnerId === viewerId) - Number(a.learnerId === viewerId) || a.title.localeCompare(b.title),
  );
}

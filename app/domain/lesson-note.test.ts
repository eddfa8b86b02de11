import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import {
  HOMEWORK_ITEMS_MAX,
  HOMEWORK_TEXT_MAX,
  homeworkProgress,
  homeworkRowCount,
  mayTickHomework,
  NOTE_TEXT_MAX,
  noteSchema,
  noteStateOf,
  presentLessonNote,
  publishedLine,
  type HomeworkViewer,
  type StoredNote,
} from "./lesson-note";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

const parse = (fields: Record<string, string>) => parseWithZod(form(fields), { schema: noteSchema });

describe("the note form's limits", () => {
  it("accepts 5,000 characters of each text, with line breaks sent as CRLF counted once", () => {
    const covered = `${"a".repeat(2499)}\r\n${"b".repeat(2500)}`;
    const result = parse({ version: "0", covered, privateNote: "p".repeat(NOTE_TEXT_MAX), save: "publish" });
    expect(result.status).toBe("success");
    if (result.status !== "success") return;
    expect(result.value.covered).toHaveLength(NOTE_TEXT_MAX);
    expect(result.value.covered).toContain("\n");
    expect(result.value.save).toBe("publish");
  });

  it("refuses 5,001 characters beside the field", () => {
    const result = parse({ version: "0", covered: "a".repeat(NOTE_TEXT_MAX + 1) });
    expect(result.status).toBe("error");
    expect(result.reply().error?.covered?.[0]).toMatch(/5,000 characters or fewer/);
  });

  it("drops empty homework rows and keeps the written ones in order, with their ids and dates", () => {
    const result = parse({
      version: "3",
      "homework[0].text": "Exercise 4, questions 1-10",
      "homework[0].dueOn": "2026-12-04",
      "homework[0].itemId": "4b0c1d2e-1111-4222-8333-944455556666",
      "homework[1].text": "",
      "homework[2].text": "Read chapter 2",
    });
    expect(result.status).toBe("success");
    if (result.status !== "success") return;
    expect(result.value.homework).toEqual([
      { id: "4b0c1d2e-1111-4222-8333-944455556666", text: "Exercise 4, questions 1-10", dueOn: "2026-12-04" },
      { id: null, text: "Read chapter 2", dueOn: null },
    ]);
    expect(result.value.save).toBe("draft");
  });

  it("refuses an item over 500 characters, a date that is not a day, and a date without text", () => {
    const result = parse({
      version: "1",
      "homework[0].text": "x".repeat(HOMEWORK_TEXT_MAX + 1),
      "homework[1].text": "Practise",
      "homework[1].dueOn": "2026-02-30",
      "homework[2].dueOn": "2026-12-04",
    });
    expect(result.status).toBe("error");
    const error = result.reply().error!;
    expect(error["homework[0].text"]?.[0]).toMatch(/500 characters or fewer/);
    expect(error["homework[1].dueOn"]?.[0]).toMatch(/as a date/);
    expect(error["homework[2].text"]?.[0]).toMatch(/Write the homework/);
  });

  it("refuses more than 20 written items on the list, and counts only written rows", () => {
    const fields: Record<string, string> = { version: "1" };
    for (let i = 0; i <= HOMEWORK_ITEMS_MAX; i++) fields[`homework[${i}].text`] = `Item ${i}`;
    const tooMany = parse(fields);
    expect(tooMany.status).toBe("error");
    expect(tooMany.reply().error?.homework?.[0]).toMatch(/at most 20 homework items; remove 1/);
    fields[`homework[${HOMEWORK_ITEMS_MAX}].text`] = "";
    expect(parse(fields).status).toBe("success");
  });

  it("refuses a missing or negative version", () => {
    expect(parse({ covered: "x" }).status).toBe("error");
    expect(parse({ version: "-1", covered: "x" }).status).toBe("error");
  });

  it("shows at least three rows, one spare, never more than twenty", () => {
    expect(homeworkRowCount(0)).toBe(3);
    expect(homeworkRowCount(3)).toBe(4);
    expect(homeworkRowCount(20)).toBe(20);
  });
});

const nobody: HomeworkViewer = { isTutor: false, isClient: false, isStudent: false, isActiveGuardian: false };

describe("who may tick homework", () => {
  it.each([
    ["the student", { ...nobody, isStudent: true }, true],
    ["the client", { ...nobody, isClient: true }, true],
    ["an active guardian", { ...nobody, isActiveGuardian: true }, true],
    ["the tutor", { ...nobody, isTutor: true }, false],
    ["anyone else", nobody, false],
  ])("%s: %s", (_who, viewer, allowed) => {
    expect(mayTickHomework(viewer, true)).toBe(allowed);
  });

  it("nobody ticks a draft's homework", () => {
    expect(mayTickHomework({ ...nobody, isStudent: true, isClient: true }, false)).toBe(false);
  });
});

describe("a note's state and words", () => {
  const now = new Date("2026-12-01T10:00:00Z");
  const note: StoredNote = {
    covered: "Fractions\n<b>and</b> decimals",
    privateNote: "Struggles with focus after 40 minutes",
    publishedAt: null,
    editedAt: null,
    homework: [
      { id: "h1", text: "Exercise 4", dueOn: "2026-11-30", doneAt: null },
      { id: "h2", text: "Read chapter 2", dueOn: "2026-12-04", doneAt: new Date("2026-12-01T08:00:00Z") },
      { id: "h3", text: "Flashcards", dueOn: null, doneAt: null },
    ],
  };
  const published = { ...note, publishedAt: new Date("2026-11-28T16:10:00Z") };

  it("is none, draft or published", () => {
    expect(noteStateOf(null)).toBe("none");
    expect(noteStateOf(note)).toBe("draft");
    expect(noteStateOf(published)).toBe("published");
  });

  it("counts done homework", () => {
    expect(homeworkProgress(note.homework)).toBe("1 of 3 done");
    expect(homeworkProgress([])).toBeNull();
  });

  it("says when it was published and edited, in the viewer's zone", () => {
    const edited = { ...published, editedAt: new Date("2026-11-30T23:30:00Z") };
    expect(publishedLine(edited, "Europe/London", now)).toBe("Published Sat 28 Nov, 16:10, edited Mon 30 Nov, 23:30");
    // Past midnight in Auckland: the edit falls on the next day there.
    expect(publishedLine(edited, "Pacific/Auckland", now)).toBe("Published Sun 29 Nov, 05:10, edited Tue 1 Dec, 12:30");
    expect(publishedLine(note, "Europe/London", now)).toBeNull();
  });

  it("shows a draft to the tutor only, with the private note", () => {
    const tutorView = presentLessonNote(note, { ...nobody, isTutor: true }, now, "Europe/London", "2026-12-01");
    expect(tutorView).toMatchObject({ state: "draft", privateNote: note.privateNote, mayTick: false });
    for (const family of [{ isClient: true }, { isStudent: true }, { isActiveGuardian: true }])
      expect(presentLessonNote(note, { ...nobody, ...family }, now, "Europe/London", "2026-12-01")).toBeNull();
  });

  it("shows a published note to the family without the private note, and to nobody else", () => {
    const view = presentLessonNote(published, { ...nobody, isClient: true }, now, "Europe/London", "2026-12-01");
    expect(view).toMatchObject({ state: "published", covered: note.covered, privateNote: null, mayTick: true });
    expect(JSON.stringify(view)).not.toContain("Struggles with focus");
    expect(view?.homework.map((item) => [item.due, item.overdue, item.done])).toEqual([
      ["Due Mon 30 Nov", true, false],
      ["Due Fri 4 Dec", false, true],
      [null, false, false],
    ]);
    expect(presentLessonNote(published, nobody, now, "Europe/London", "2026-12-01")).toBeNull();
  });
});

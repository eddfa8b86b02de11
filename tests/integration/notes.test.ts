import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { requireBookingRecordForViewer } from "~/.server/bookings/bookings";
import { sendNotification } from "~/.server/notifications/sender";
import { runSweep } from "~/.server/notifications/sweep";
import * as bookingPage from "~/routes/bookings.$id";
import * as dashboard from "~/routes/dashboard";
import * as tick from "~/routes/bookings.$id.homework.$itemId";
import * as note from "~/routes/bookings.$id.note";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type TestProfile,
} from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import { sweepQueue } from "./notifications-helpers.ts";

const HOUR = 60 * 60_000;
const PRIVATE = "Private: loses focus after 40 minutes";

let tutor: TestProfile,
  parent: TestProfile,
  child: TestProfile,
  grandparent: TestProfile,
  pendingGuardian: TestProfile,
  otherParent: TestProfile,
  stranger: TestProfile;
const cookies = new Map<string, string>();
const cookieOf = (person: TestProfile) => cookies.get(person.id)!;

beforeAll(async () => {
  [tutor, parent, child, grandparent, pendingGuardian, otherParent, stranger] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
    createProfile({ fullName: "Gran Guardian" }),
    createProfile({ fullName: "Penny Pending" }),
    createProfile({ fullName: "Olly Other" }),
    createProfile({ fullName: "Sam Stranger" }),
  ]);
  await addGuardian(parent.id, child.id);
  await addGuardian(grandparent.id, child.id);
  await addGuardian(pendingGuardian.id, child.id, "PENDING");
  for (const person of [tutor, parent, child, grandparent, pendingGuardian, otherParent, stranger])
    cookies.set(person.id, await signIn(person));
  // The send jobs' schema (pg-boss creates it at its first start).
  const queue = await import("~/.server/queue").then((m) => m.openQueue({ schedule: false, supervise: false }));
  await queue.stop();
});

beforeEach(() => testStandIns.smtp.clear());

/** A lesson two hours ago that was marked Completed (it happened: a note may be written). */
function heldLesson(overrides: { start?: Date; status?: "Completed" | "Cancelled" | "Confirmed" } = {}) {
  return createBooking({
    clientId: parent.id,
    tutorId: tutor.id,
    studentId: child.id,
    sessionStartTime: overrides.start ?? new Date(Date.now() - 2 * HOUR),
    status: overrides.status ?? "Completed",
  });
}

const notePath = (id: string) => `/bookings/${id}/note`;

function postNote(id: string, form: Record<string, string>, person: TestProfile = tutor) {
  return callAction(note, notePath(id), { params: { id }, cookie: cookieOf(person), form });
}

const openNote = (id: string, person: TestProfile = tutor) =>
  callLoader(note, notePath(id), { params: { id }, cookie: cookieOf(person) });

const page = (id: string, person: TestProfile) =>
  callLoader(bookingPage, `/bookings/${id}`, { params: { id }, cookie: cookieOf(person) });

function postTick(bookingId: string, itemId: string, done: "1" | "0", person: TestProfile | null) {
  return callAction(tick, `/bookings/${bookingId}/homework/${itemId}`, {
    params: { id: bookingId, itemId },
    cookie: person ? cookieOf(person) : undefined,
    form: { done },
  });
}

async function noteRows(bookingId: string) {
  const [stored, items] = await Promise.all([
    db.lessonNote.findUnique({ where: { bookingId } }),
    db.homeworkItem.findMany({ where: { bookingId }, orderBy: { position: "asc" } }),
  ]);
  return { stored, items };
}

const fullNote = {
  version: "0",
  covered: "Fractions and decimals\r\nthen <b>percentages</b>",
  privateNote: PRIVATE,
  "homework[0].text": "Exercise 4, questions 1-10",
  "homework[0].dueOn": "2026-12-04",
  "homework[1].text": "Read chapter 2",
  "homework[2].text": "Flashcards",
};

async function published(bookingId: string) {
  const result = await postNote(bookingId, { ...fullNote, save: "publish" });
  expect(result.status).toBe(303);
  return noteRows(bookingId);
}

describe("who may open and post the note", () => {
  it("the booking's tutor opens it, with Lessonspace's summaries in session order as the draft", async () => {
    const booking = await heldLesson();
    // Sessions make the lesson's outcome come from attendance: settled as held.
    await db.booking.update({
      where: { id: booking.id },
      data: { outcome: "held", outcomeSettledAt: new Date(), outcomeTutorSeconds: 3600, outcomeAttendeeSeconds: 3600 },
    });
    for (const [sessionId, startedAt, text] of [
      ["s-later", new Date(Date.now() - HOUR), "Second part: decimals."],
      ["s-first", new Date(Date.now() - 2 * HOUR), "First part: fractions."],
    ] as const) {
      await db.lessonspaceSession.create({ data: { sessionId, bookingId: booking.id, startedAt } });
      await db.lessonSummary.create({ data: { sessionId, bookingId: booking.id, text, source: "lessonspace" } });
    }
    const result = await openNote(booking.id);
    expect(result.status).toBe(200);
    expect(result.data).toMatchObject({
      refusal: null,
      form: {
        state: "none",
        version: 0,
        fromSummary: true,
        defaultValue: { covered: "First part: fractions.\n\nSecond part: decimals." },
      },
    });
    expect(
      (result.data as { form: { defaultValue: { homework: unknown[] } } }).form.defaultValue.homework,
    ).toHaveLength(3);
  });

  it.each([
    ["the client", () => parent],
    ["the student", () => child],
    ["an active guardian", () => grandparent],
    ["a pending guardian", () => pendingGuardian],
    ["another family", () => otherParent],
    ["a stranger", () => stranger],
  ])("%s gets 404 opening or posting it, and nothing is saved", async (_who, person) => {
    const booking = await heldLesson();
    expect((await openNote(booking.id, person())).status).toBe(404);
    expect((await postNote(booking.id, { ...fullNote, save: "publish" }, person())).status).toBe(404);
    expect(await noteRows(booking.id)).toEqual({ stored: null, items: [] });
  });

  it("signed out: sent to sign in, and nothing is saved", async () => {
    const booking = await heldLesson();
    const opened = await callLoader(note, notePath(booking.id), { params: { id: booking.id } });
    expect(opened.status).toBe(302);
    expect(opened.headers.get("Location")).toMatch(/^\/sign-in/);
    const posted = await callAction(note, notePath(booking.id), { params: { id: booking.id }, form: fullNote });
    expect(posted.status).toBe(302);
    expect(await noteRows(booking.id)).toEqual({ stored: null, items: [] });
  });

  it("is refused before the lesson has started and for a cancelled lesson", async () => {
    const upcoming = await heldLesson({ start: new Date(Date.now() + 2 * HOUR), status: "Confirmed" });
    const cancelled = await heldLesson({ status: "Cancelled" });
    for (const booking of [upcoming, cancelled]) {
      expect((await openNote(booking.id)).status).toBe(403);
      expect((await postNote(booking.id, { ...fullNote, save: "publish" })).status).toBe(403);
      expect(await noteRows(booking.id)).toEqual({ stored: null, items: [] });
    }
  });
});

describe("draft, publish, edit", () => {
  it("a draft is the tutor's alone: the family's pages never carry it or the private note", async () => {
    const booking = await heldLesson();
    expect((await postNote(booking.id, { ...fullNote, save: "draft" })).status).toBe(303);
    const { stored, items } = await noteRows(booking.id);
    expect(stored).toMatchObject({
      version: 1,
      publishedAt: null,
      covered: "Fractions and decimals\nthen <b>percentages</b>",
    });
    expect(items.map((item) => [item.position, item.text])).toEqual([
      [0, "Exercise 4, questions 1-10"],
      [1, "Read chapter 2"],
      [2, "Flashcards"],
    ]);
    for (const person of [parent, child]) {
      const result = await page(booking.id, person);
      expect(result.status).toBe(200);
      expect((result.data as { note: unknown }).note).toBeNull();
      expect(JSON.stringify(result.data)).not.toContain("Fractions and decimals");
    }
    const tutorPage = await page(booking.id, tutor);
    expect(tutorPage.data).toMatchObject({ note: { state: "draft", privateNote: PRIVATE } });
    // Not even read for the family: the page's statement leaves a draft in the database.
    expect((await requireBookingRecordForViewer(booking.id, parent.id)).note).toBeNull();
    await postNote(booking.id, { ...fullNote, version: "1", save: "publish" });
    expect((await requireBookingRecordForViewer(booking.id, child.id)).note).toMatchObject({ privateNote: "" });
    expect((await requireBookingRecordForViewer(booking.id, tutor.id)).note).toMatchObject({ privateNote: PRIVATE });
  });

  it("published: the client and the student read it without the private note; editing marks it edited", async () => {
    const booking = await heldLesson();
    await published(booking.id);
    for (const person of [parent, child]) {
      const result = await page(booking.id, person);
      expect(result.data).toMatchObject({
        note: { state: "published", covered: "Fractions and decimals\nthen <b>percentages</b>", privateNote: null },
      });
      expect(JSON.stringify(result.data)).not.toContain(PRIVATE);
      expect((result.data as { note: { published: string } }).note.published).not.toContain("edited");
    }
    const edit = await postNote(booking.id, { ...fullNote, version: "1", covered: "Fractions, decimals, percentages" });
    expect(edit.status).toBe(303);
    const { stored } = await noteRows(booking.id);
    expect(stored).toMatchObject({ version: 2, covered: "Fractions, decimals, percentages" });
    expect(stored?.publishedAt).not.toBeNull();
    expect(stored?.editedAt).not.toBeNull();
    const after = await page(booking.id, parent);
    expect((after.data as { note: { published: string } }).note.published).toMatch(/^Published .+, edited .+/);
  });

  it("two saves from the same version: the second is refused with its text shown back, the first kept", async () => {
    const booking = await heldLesson();
    await published(booking.id);
    const first = await postNote(booking.id, { ...fullNote, version: "1", covered: "First tab's text" });
    const second = await postNote(booking.id, { ...fullNote, version: "1", covered: "Second tab's text" });
    expect(first.status).toBe(303);
    expect(second.status).toBe(409);
    const answer = second.data as {
      result: { error: Record<string, string[]>; initialValue: { covered: string } };
      currentVersion: number;
    };
    expect(answer.result.error[""]?.[0]).toMatch(/This note changed since you opened it/);
    expect(answer.result.initialValue.covered).toContain("Second tab's text");
    expect(answer.currentVersion).toBe(2);
    expect((await noteRows(booking.id)).stored).toMatchObject({ version: 2, covered: "First tab's text" });
  });

  it("two first saves at once make one note; the other is refused", async () => {
    const booking = await heldLesson();
    const results = await Promise.all([
      postNote(booking.id, { ...fullNote, covered: "A" }),
      postNote(booking.id, { ...fullNote, covered: "B" }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([303, 409]);
    expect((await noteRows(booking.id)).items).toHaveLength(3);
  });

  it("over-long text or too many items: the form again with the errors, nothing saved", async () => {
    const booking = await heldLesson();
    const tooLong = await postNote(booking.id, { ...fullNote, covered: "x".repeat(5001) });
    expect(tooLong.status).toBe(400);
    expect((tooLong.data as { result: { error: Record<string, string[]> } }).result.error.covered?.[0]).toMatch(
      /5,000 characters/,
    );
    const items: Record<string, string> = { version: "0" };
    for (let i = 0; i < 21; i++) items[`homework[${i}].text`] = `Item ${i}`;
    const tooMany = await postNote(booking.id, items);
    expect(tooMany.status).toBe(400);
    expect((tooMany.data as { result: { error: Record<string, string[]> } }).result.error.homework?.[0]).toMatch(
      /at most 20/,
    );
    expect(await noteRows(booking.id)).toEqual({ stored: null, items: [] });
  });

  it("'Add another item' without JavaScript answers the same form with one more row, saving nothing", async () => {
    const booking = await heldLesson();
    const form = new FormData();
    for (const [name, value] of Object.entries(fullNote)) form.append(name, value);
    form.append("__intent__", JSON.stringify({ type: "insert", payload: { name: "homework" } }));
    const result = await callAction(note, notePath(booking.id), {
      params: { id: booking.id },
      cookie: cookieOf(tutor),
      form,
    });
    expect(result.status).toBe(200);
    const reply = (result.data as { result: { initialValue: { homework: unknown[]; covered: string } } }).result;
    expect(reply.initialValue.homework).toHaveLength(4);
    expect(reply.initialValue.covered).toContain("Fractions and decimals");
    expect(await noteRows(booking.id)).toEqual({ stored: null, items: [] });
  });

  it("editing keeps an item's done state by its id, reorders, and drops removed items", async () => {
    const booking = await heldLesson();
    const { items } = await published(booking.id);
    expect((await postTick(booking.id, items[0]!.id, "1", child)).status).toBe(303);
    const edit = await postNote(booking.id, {
      version: "1",
      covered: "Same",
      "homework[0].itemId": items[2]!.id,
      "homework[0].text": "Flashcards, every day",
      "homework[1].itemId": items[0]!.id,
      "homework[1].text": "Exercise 4, questions 1-10",
      "homework[2].text": "New: past paper",
    });
    expect(edit.status).toBe(303);
    const after = (await noteRows(booking.id)).items;
    expect(after.map((item) => [item.text, item.doneById])).toEqual([
      ["Flashcards, every day", null],
      ["Exercise 4, questions 1-10", child.id],
      ["New: past paper", null],
    ]);
    expect(after[0]!.id).toBe(items[2]!.id);
  });
});

describe("ticking homework", () => {
  it.each([
    ["the student", () => child],
    ["the client", () => parent],
    ["an active guardian", () => grandparent],
  ])("%s marks an item done and not done, recording who and when", async (_who, person) => {
    const booking = await heldLesson();
    const { items } = await published(booking.id);
    const done = await postTick(booking.id, items[1]!.id, "1", person());
    expect(done.status).toBe(303);
    const row = await db.homeworkItem.findUniqueOrThrow({ where: { id: items[1]!.id } });
    expect(row.doneById).toBe(person().id);
    expect(row.doneAt).not.toBeNull();
    expect((await postTick(booking.id, items[1]!.id, "0", person())).status).toBe(303);
    expect(await db.homeworkItem.findUniqueOrThrow({ where: { id: items[1]!.id } })).toMatchObject({
      doneAt: null,
      doneById: null,
    });
  });

  it.each([
    ["the tutor", () => tutor],
    ["a pending guardian", () => pendingGuardian],
    ["another family", () => otherParent],
    ["a stranger", () => stranger],
  ])("%s gets 404 and nothing changes", async (_who, person) => {
    const booking = await heldLesson();
    const { items } = await published(booking.id);
    expect((await postTick(booking.id, items[0]!.id, "1", person())).status).toBe(404);
    expect((await noteRows(booking.id)).items).toEqual(items);
  });

  it("signed out: sent to sign in; a draft's items and another booking's item: 404; nothing changes", async () => {
    const booking = await heldLesson();
    const { items } = await published(booking.id);
    expect((await postTick(booking.id, items[0]!.id, "1", null)).status).toBe(302);
    const draft = await heldLesson();
    await postNote(draft.id, { ...fullNote, save: "draft" });
    const draftItems = (await noteRows(draft.id)).items;
    expect((await postTick(draft.id, draftItems[0]!.id, "1", parent)).status).toBe(404);
    // The item of one booking through another booking's address.
    expect((await postTick(draft.id, items[0]!.id, "1", parent)).status).toBe(404);
    expect((await noteRows(booking.id)).items).toEqual(items);
    expect((await noteRows(draft.id)).items).toEqual(draftItems);
  });
});

describe("homework elsewhere", () => {
  it("the tutor sees last lesson's count on the next lesson with the same learner", async () => {
    // A learner of their own, so the other tests' lessons are not the last one.
    const learner = await createProfile({ fullName: "Lee Learner" });
    const lesson = (start: Date, status: "Completed" | "Confirmed") =>
      createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: learner.id, sessionStartTime: start, status });
    const older = await lesson(new Date(Date.now() - 50 * HOUR), "Completed");
    await published(older.id);
    const last = await lesson(new Date(Date.now() - 26 * HOUR), "Completed");
    const { items } = await published(last.id);
    await postTick(last.id, items[0]!.id, "1", parent);
    const next = await lesson(new Date(Date.now() + 48 * HOUR), "Confirmed");
    const result = await page(next.id, tutor);
    expect(result.data).toMatchObject({ previousHomework: { bookingId: last.id, progress: "1 of 3 done" } });
    expect((await page(next.id, parent)).data).toMatchObject({ previousHomework: null });
  });

  it("the dashboard lists what is still to do for the learner and for each of a guardian's children", async () => {
    const [kid, aunt] = await Promise.all([
      createProfile({ fullName: "Kim Kid" }),
      createProfile({ fullName: "Ada Aunt" }),
    ]);
    await addGuardian(parent.id, kid.id);
    await addGuardian(aunt.id, kid.id);
    cookies.set(aunt.id, await signIn(aunt));
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: kid.id,
      sessionStartTime: new Date(Date.now() - 3 * HOUR),
      status: "Completed",
    });
    const { items } = await published(booking.id);
    cookies.set(kid.id, await signIn(kid));
    await postTick(booking.id, items[1]!.id, "1", kid);
    // The client's list also holds Charlie's homework from the other tests (bounded, soonest due first).
    for (const person of [kid, aunt, parent]) {
      const result = await callLoader(dashboard, "/", { cookie: cookieOf(person) });
      const homework = (result.data as { homework: { learnerId: string; title: string; items: { text: string }[] }[] })
        .homework;
      const group = homework.find((each) => each.learnerId === kid.id);
      expect(group?.title).toBe(person === kid ? "Your homework" : "Kim Kid’s homework");
      const texts = group?.items.map((item) => item.text);
      if (person === parent) expect(texts).toContain("Exercise 4, questions 1-10");
      else expect(texts).toEqual(["Exercise 4, questions 1-10", "Flashcards"]);
    }
    for (const person of [stranger, pendingGuardian, tutor]) {
      const result = await callLoader(dashboard, "/", { cookie: cookieOf(person) });
      expect((result.data as { homework: unknown[] }).homework).toEqual([]);
    }
  });
});

describe("the lesson record e-mail", () => {
  it("publishing after the lesson queues the record once, with the note and never the private note", async () => {
    const booking = await heldLesson();
    await published(booking.id);
    const rows = await db.notification.findMany({ where: { bookingId: booking.id, kind: "lesson_record" } });
    // The family's record: the client and the active guardian (a child with guardians gets it through them).
    expect(rows.map((row) => row.recipientProfileId).sort()).toEqual([parent.id, grandparent.id].sort());
    for (const row of rows) expect(await sendNotification(row.id)).toBe("sent");
    const messages = testStandIns.smtp.messages().filter((message) => message.subject.includes("Lesson record"));
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expect(message.text).toContain("What we covered:\nFractions and decimals\nthen <b>percentages</b>");
      expect(message.text).toContain("- Exercise 4, questions 1-10 (due Fri 4 Dec)");
      expect(message.html).toContain("then &lt;b&gt;percentages&lt;/b&gt;");
      expect(`${message.text}${message.html}`).not.toContain(PRIVATE);
    }
    // Editing and the sweep queue nothing more: the same rows' key.
    await postNote(booking.id, { ...fullNote, version: "1", covered: "Edited" });
    const queue = await sweepQueue();
    await runSweep(queue, new Date());
    expect(await db.notification.count({ where: { bookingId: booking.id, kind: "lesson_record" } })).toBe(2);
  });

  it("a draft queues nothing", async () => {
    const booking = await heldLesson();
    await postNote(booking.id, { ...fullNote, save: "draft" });
    expect(await db.notification.count({ where: { bookingId: booking.id } })).toBe(0);
  });
});

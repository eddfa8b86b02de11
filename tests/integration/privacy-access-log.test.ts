// The access log: every open of a learner's recording, transcript, search result, snapshot and
// learning record appends exactly one row in the request that serves it (a failed write serves
// nothing); the table is append-only for the app's connection; retention is the one way out; and
// the "Who has looked" page shows the family everything, a tutor only their own entries.
import { beforeAll, describe, expect, it } from "vitest";
import { db, pool } from "~/.server/db";
import { accessLogRetention, recordAccess } from "~/.server/privacy/access-log";
import * as recordingRoute from "~/routes/bookings.$id.recording";
import * as snapshotRoute from "~/routes/bookings.$id.snapshot";
import * as transcriptRoute from "~/routes/bookings.$id.transcript";
import * as recordRoute from "~/routes/students.$id.record";
import * as accessRoute from "~/routes/students.$id.access";
import * as searchRoute from "~/routes/transcripts.search";
import { addGuardian, callLoader, callPage } from "../support/app.ts";
import {
  addRecording,
  addSnapshot,
  heldLesson,
  lastLogId,
  logRowsAfter,
  person,
  said,
  type Person,
} from "./privacy-helpers.ts";

let tutor: Person, parent: Person, child: Person, pending: Person, stranger: Person, otherTutor: Person;
let adult: Person;
let lessonId: string;

beforeAll(async () => {
  [tutor, parent, child, pending, stranger, otherTutor, adult] = await Promise.all([
    person("Tara Tutor"),
    person("Paula Parent", "America/New_York"),
    person("Charlie Child"),
    person("Pat Pending"),
    person("Sam Stranger"),
    person("Otto Tutor"),
    person("Ada Adult"),
  ]);
  await addGuardian(parent.id, child.id);
  await addGuardian(pending.id, child.id, "PENDING");
  ({ bookingId: lessonId } = await heldLesson(
    { clientId: parent.id, tutorId: tutor.id, studentId: child.id },
    { transcript: [said(tutor, 0, 60, "Today: photosynthesis."), said(child, 60, 120, "Chlorophyll is green.")] },
  ));
  await addRecording(lessonId, tutor);
  await addSnapshot(lessonId, tutor.cookie);
});

const opens = {
  recording: (who: Person) =>
    callLoader(recordingRoute, `/bookings/${lessonId}/recording`, { params: { id: lessonId }, cookie: who.cookie }),
  transcript: (who: Person) =>
    callLoader(transcriptRoute, `/bookings/${lessonId}/transcript`, { params: { id: lessonId }, cookie: who.cookie }),
  "transcript-search": (who: Person) =>
    callLoader(searchRoute, `/transcripts/search?q=chlorophyll`, { cookie: who.cookie }),
  snapshot: (who: Person) =>
    callLoader(snapshotRoute, `/bookings/${lessonId}/snapshot`, { params: { id: lessonId }, cookie: who.cookie }),
  "learning-record": (who: Person) =>
    callLoader(recordRoute, `/students/${child.id}/record`, { params: { id: child.id }, cookie: who.cookie }),
} as const;

describe("every open appends exactly one row", () => {
  const cases = Object.keys(opens).flatMap((action) =>
    (["tutor", "parent"] as const).map((who) => [action as keyof typeof opens, who] as const),
  );

  it.each(cases)("%s opened by the %s", async (action, who) => {
    const viewer = who === "tutor" ? tutor : parent;
    const before = await lastLogId();
    const result = await opens[action](viewer);
    expect(result.status).toBeLessThan(400);
    await result.response?.body?.cancel();
    expect(await logRowsAfter(before)).toEqual([
      {
        actorId: viewer.id,
        learnerId: child.id,
        bookingId: action === "learning-record" ? null : lessonId,
        action,
      },
    ]);
  });

  it("a refused open (stranger, pending guardian) appends nothing", async () => {
    const before = await lastLogId();
    for (const open of Object.values(opens)) {
      for (const viewer of [stranger, pending]) {
        const result = await open(viewer);
        // Search answers 200 with no hits for them: nothing of the child's is shown, so nothing is logged.
        if (result.status === 200) expect((result.data as { hits: unknown[] }).hits).toEqual([]);
        else expect(result.status).toBe(404);
      }
    }
    expect(await logRowsAfter(before)).toEqual([]);
  });

  it("a search without results and an empty search append nothing", async () => {
    const before = await lastLogId();
    await callLoader(searchRoute, `/transcripts/search?q=zebra`, { cookie: parent.cookie });
    await callLoader(searchRoute, `/transcripts/search`, { cookie: parent.cookie });
    expect(await logRowsAfter(before)).toEqual([]);
  });

  it("a log write that fails serves nothing: the page fails instead", async () => {
    // A learner id no booking has: the CHECK on action is the simplest way to make the INSERT fail.
    await expect(
      recordAccess({ actorId: tutor.id, learnerId: child.id, bookingId: null, action: "peeked" as never }),
    ).rejects.toThrow();
    // With the table unwritable, the transcript page is not served: the request fails.
    await pool.query("ALTER TABLE access_log RENAME TO access_log_away");
    try {
      await expect(opens.transcript(tutor)).rejects.toThrow(/access_log/);
      await expect(opens["learning-record"](parent)).rejects.toThrow(/access_log/);
    } finally {
      await pool.query("ALTER TABLE access_log_away RENAME TO access_log");
    }
  });
});

describe("the table is append-only", () => {
  it("an UPDATE and a DELETE by the app's connection fail, and the rows stay", async () => {
    await recordAccess({ actorId: tutor.id, learnerId: child.id, bookingId: lessonId, action: "transcript" });
    const count = await db.accessLogEntry.count();
    await expect(pool.query("UPDATE access_log SET action = 'export'")).rejects.toThrow(/append-only/);
    await expect(pool.query("DELETE FROM access_log")).rejects.toThrow(/append-only/);
    await expect(pool.query("TRUNCATE access_log")).rejects.toThrow(/append-only/);
    await expect(db.accessLogEntry.deleteMany({})).rejects.toThrow();
    expect(await db.accessLogEntry.count()).toBe(count);
  });

  it("even with the retention flag set by hand, an UPDATE fails", async () => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL app.retention = 'on'");
      await expect(client.query("UPDATE access_log SET action = 'export'")).rejects.toThrow(/append-only/);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});

describe("retention", () => {
  it("removes only rows past the period, in batches, and a second run (or a parallel one) removes nothing more", async () => {
    const learner = (await person("Rita Retention")).id;
    const old = new Date("2020-01-01T00:00:00Z");
    // Rows written in the past: the app cannot backdate, so these go in with an explicit time.
    await pool.query(
      `INSERT INTO access_log (actor_id, learner_id, action, at)
       SELECT $1::uuid, $1::uuid, 'learning-record', $2::timestamptz FROM generate_series(1, 25)`,
      [learner, old],
    );
    await recordAccess({ actorId: learner, learnerId: learner, bookingId: null, action: "export" });
    const now = new Date("2020-01-01T00:00:00Z").getTime() + 800 * 24 * 3600_000;
    const [first, second] = await Promise.all([
      accessLogRetention(new Date(now), 730, 4),
      accessLogRetention(new Date(now), 730, 4),
    ]);
    expect(first + second).toBeGreaterThanOrEqual(25);
    expect(
      await db.accessLogEntry.count({ where: { learnerId: learner, at: { lt: new Date(now - 730 * 86400_000) } } }),
    ).toBe(0);
    expect(await accessLogRetention(new Date(now), 730, 4)).toBe(0);
    // The recent row stays.
    expect(await db.accessLogEntry.count({ where: { learnerId: learner } })).toBe(1);
  });
});

describe("Who has looked (/students/:id/access)", () => {
  const page = (who: Person | null, learnerId = child.id, query = "") =>
    callPage(accessRoute, `/students/${learnerId}/access${query}`, {
      params: { id: learnerId },
      cookie: who?.cookie,
    });
  type Page = {
    entries: { who: string; what: string; lesson: { href: string } | null; when: string }[];
    people: { id: string; name: string }[];
    next: string | null;
    ownOnly: boolean;
  };

  it("an active guardian sees everyone's entries, newest first, with the lesson linked, in their zone", async () => {
    await opens.transcript(tutor);
    await opens["learning-record"](parent);
    const result = await page(parent);
    expect(result.status).toBe(200);
    const data = result.data as Page & { timeZone: string };
    expect(data.ownOnly).toBe(false);
    expect(data.timeZone).toMatch(/New_York/);
    expect(data.entries[0]).toMatchObject({
      who: "Paula Parent (you)",
      what: "Opened the learning record",
      lesson: null,
    });
    expect(data.entries[1]).toMatchObject({ who: "Tara Tutor", what: "Read the transcript" });
    expect(data.entries[1]!.lesson!.href).toBe(`/bookings/${lessonId}`);
    expect(data.people.map((p) => p.name)).toEqual(expect.arrayContaining(["Paula Parent", "Tara Tutor"]));
  });

  it("filters by person and pages by keyset without repeating or skipping", async () => {
    for (let i = 0; i < 55; i++)
      await recordAccess({ actorId: tutor.id, learnerId: child.id, bookingId: lessonId, action: "snapshot" });
    const first = (await page(parent, child.id, `?person=${tutor.id}`)).data as Page;
    expect(first.entries).toHaveLength(50);
    expect(first.entries.every((e) => e.who === "Tara Tutor")).toBe(true);
    expect(first.next).toMatch(new RegExp(`person=${tutor.id}&before=\\d+$`));
    const query = first.next!.slice(first.next!.indexOf("?"));
    const second = (await page(parent, child.id, query)).data as Page;
    expect(second.entries.length).toBeGreaterThan(5);
    expect(second.entries.every((e) => e.who === "Tara Tutor")).toBe(true);
    const total = await db.accessLogEntry.count({ where: { learnerId: child.id, actorId: tutor.id } });
    expect(first.entries.length + second.entries.length).toBe(Math.min(total, 100));
  });

  it("a tutor who taught the learner sees only their own entries, never the family's, and no filter", async () => {
    await opens["learning-record"](parent);
    const data = (await page(tutor, child.id, `?person=${parent.id}`)).data as Page;
    expect(data.ownOnly).toBe(true);
    expect(data.people).toEqual([]);
    expect(data.entries.length).toBeGreaterThan(0);
    expect(data.entries.every((e) => e.who === "Tara Tutor (you)")).toBe(true);
  });

  it("the adult learner sees their own log", async () => {
    const { bookingId } = await heldLesson({ clientId: adult.id, tutorId: tutor.id, studentId: null });
    await callLoader(transcriptRoute, `/bookings/${bookingId}/transcript`, {
      params: { id: bookingId },
      cookie: tutor.cookie,
    });
    const data = (await page(adult, adult.id)).data as Page;
    expect(data.entries.map((e) => e.who)).toEqual(["Tara Tutor"]);
  });

  it.each([
    ["the child (the guardian decides for a child)", () => child],
    ["a pending guardian", () => pending],
    ["a tutor who never taught the learner", () => otherTutor],
    ["a stranger", () => stranger],
  ])("%s gets 404", async (_who, viewer) => {
    expect((await page(viewer())).status).toBe(404);
  });

  it("an unknown or malformed learner id is the same 404", async () => {
    expect((await page(parent, "8d3c1f0e-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await page(parent, "not-a-uuid")).status).toBe(404);
  });

  it("someone signed out is sent to sign in", async () => {
    const result = await page(null);
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe(
      `/sign-in?redirectTo=${encodeURIComponent(`/students/${child.id}/access`)}`,
    );
  });

  it("opening the log itself is not logged", async () => {
    const before = await lastLogId();
    await page(parent);
    expect(await logRowsAfter(before)).toEqual([]);
  });
});

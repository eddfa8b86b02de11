// /lessons: every lesson of the viewer, keyset pages, filters, refusals, and the query plans on a
// long history (issue 11).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import type { BookingCardView } from "~/domain/booking-card";
import * as lessons from "~/routes/lessons";
import { addGuardian, callLoader, createBooking, createProfile, signIn, type TestProfile } from "../support/app.ts";

type LessonsData = {
  problems: string[];
  students: { id: string; fullName: string }[];
  result: {
    lessons: BookingCardView[];
    total: number;
    heading: string;
    nextHref: string | null;
    previousHref: string | null;
    firstHref: string | null;
  } | null;
};

const cookies = new Map<string, string>();
async function cookieFor(person: TestProfile) {
  let cookie = cookies.get(person.id);
  if (!cookie) cookies.set(person.id, (cookie = await signIn(person)));
  return cookie;
}

async function lessonsPage(person: TestProfile, path = "/lessons") {
  const result = await callLoader(lessons, path, { cookie: await cookieFor(person) });
  return { status: result.status, data: result.data as LessonsData };
}

async function okPage(person: TestProfile, path = "/lessons") {
  const page = await lessonsPage(person, path);
  expect(page.status, JSON.stringify(page.data)).toBe(200);
  return page.data.result!;
}

/** Follows "next" (Older) links from `path` to the end; every page's ids in order. */
async function walk(person: TestProfile, path: string, link: "nextHref" | "previousHref" = "nextHref") {
  const pages: string[][] = [];
  let href: string | null = path;
  while (href) {
    const result = await okPage(person, href);
    pages.push(result.lessons.map((card) => card.id));
    href = result[link];
    if (pages.length > 100) throw new Error("runaway paging");
  }
  return pages;
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const DAY = 24 * 60;

let tutor: TestProfile, parent: TestProfile, childA: TestProfile, childB: TestProfile;
let strangerTutor: TestProfile, strangerParent: TestProfile, strangerChild: TestProfile;
/** The parent's bookings, as the database orders them for /lessons (newest first). */
let parentIds: string[] = [];
let strangerIds: Set<string>;

async function idsNewestFirst(where: object) {
  const rows = await db.booking.findMany({ where, select: { id: true }, orderBy: [{ sessionStartTime: "desc" }, { id: "desc" }] });
  return rows.map((row) => row.id);
}

beforeAll(async () => {
  [tutor, parent, childA, childB, strangerTutor, strangerParent, strangerChild] = await Promise.all([
    createProfile({ fullName: "Tara Singh", roles: ["tutor"] }),
    createProfile({ fullName: "Paula Brown", roles: ["client"], timeZone: "America/New_York" }),
    createProfile({ fullName: "Alice Brown", roles: ["student"] }),
    createProfile({ fullName: "Ben Brown", roles: ["student"] }),
    createProfile({ fullName: "Stan Tutor", roles: ["tutor"] }),
    createProfile({ fullName: "Sue Stranger", roles: ["client"] }),
    createProfile({ fullName: "Sid Stranger", roles: ["student"] }),
  ]);
  await addGuardian(parent.id, childA.id);
  await addGuardian(parent.id, childB.id);
  // 45 lessons for the family: 30 past, 15 ahead, one a day; two children and the parent as an
  // adult learner; a few cancelled and declined; five share one start time (a page boundary falls inside).
  for (let i = 0; i < 45; i++) {
    const day = i - 30;
    const studentId = i % 3 === 0 ? childA.id : i % 3 === 1 ? childB.id : null;
    const status = i % 10 === 4 ? "Cancelled" : i % 10 === 7 ? "Declined" : day < 0 ? "Completed" : "Confirmed";
    await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId, status, serviceName: `Family lesson ${i}`, sessionStartTime: minutes(day * DAY + 60) });
  }
  const sameStart = minutes(-40 * DAY);
  for (let i = 0; i < 5; i++) {
    await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: childA.id, status: "Completed", serviceName: `Same start ${i}`, sessionStartTime: sameStart });
  }
  // The stranger family's lessons interleave in time with the parent's, equal start times included.
  for (let i = 0; i < 20; i++) {
    await createBooking({
      clientId: strangerParent.id,
      tutorId: strangerTutor.id,
      studentId: strangerChild.id,
      serviceName: `Stranger lesson ${i}`,
      sessionStartTime: i < 5 ? sameStart : minutes((i - 12) * DAY + 60),
    });
  }
  parentIds = await idsNewestFirst({ clientId: parent.id });
  strangerIds = new Set(await idsNewestFirst({ clientId: strangerParent.id }));
});

describe("pages", () => {
  it("the first page: the 20 newest lessons, the count, a link to older ones and none to newer", async () => {
    const first = await okPage(parent);
    expect(first.lessons.map((card) => card.id)).toEqual(parentIds.slice(0, 20));
    expect(first.total).toBe(50);
    expect(first.heading).toBe("50 lessons");
    expect(first.previousHref).toBeNull();
    expect(first.firstHref).toBeNull();
    expect(first.nextHref).toMatch(/^\/lessons\?cursor=[A-Za-z0-9_-]+$/);
  });

  it("Older to the last page and Newer back: every lesson exactly once, in order, equal start times included", async () => {
    const pages = await walk(parent, "/lessons?size=7");
    expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(pages.flat()).toEqual(parentIds);
    // The five equal start times straddle a page boundary (positions 45-49 of 50).
    const sameStart = await idsNewestFirst({ clientId: parent.id, serviceName: { startsWith: "Same start" } });
    expect(parentIds.slice(45)).toEqual(sameStart);
    // The last page has no Older link; walking back with Newer gives the same pages.
    const last = await okPage(parent, await hrefToPage(parent, "/lessons?size=7", 7));
    expect(last.nextHref).toBeNull();
    const back = await walk(parent, last.previousHref!, "previousHref");
    expect(back).toEqual(pages.slice(0, -1).reverse());
  });

  it("a page boundary inside a run of equal start times neither repeats nor skips", async () => {
    const sameStartIds = await idsNewestFirst({ clientId: parent.id, serviceName: { startsWith: "Same start" } });
    const day = new Date(Date.now() - 40 * DAY * 60_000).toLocaleDateString("en-CA", { timeZone: "America/New_York" });
    const run = await walk(parent, `/lessons?size=2&from=${day}&to=${day}`);
    expect(run).toEqual([sameStartIds.slice(0, 2), sameStartIds.slice(2, 4), sameStartIds.slice(4)]);
  });

  it("a lesson added between two page loads: the next page continues where the first ended", async () => {
    const viewer = await createProfile({ fullName: "Late Booker" });
    for (let i = 0; i < 6; i++) await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: minutes(-i * DAY) });
    const first = await okPage(viewer, "/lessons?size=3");
    const seen = first.lessons.map((card) => card.id);
    // Booked meanwhile: one newer than everything, one between the first page's lessons.
    const newest = await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: minutes(2 * DAY) });
    const between = await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: minutes(-0.5 * DAY) });
    const second = await okPage(viewer, first.nextHref!);
    const all = await idsNewestFirst({ clientId: viewer.id });
    expect(second.lessons.map((card) => card.id)).toEqual(all.slice(all.indexOf(seen.at(-1)!) + 1, all.indexOf(seen.at(-1)!) + 4));
    expect(second.lessons.map((card) => card.id).some((id) => seen.includes(id))).toBe(false);
    // Newer from the second page now leads back to the first page's lessons, the new ones above them.
    const back = await okPage(viewer, second.previousHref!);
    expect(back.lessons.map((card) => card.id)).toEqual(all.slice(all.indexOf(seen.at(-1)!) - 2, all.indexOf(seen.at(-1)!) + 1));
    expect(back.previousHref).not.toBeNull();
    const top = await okPage(viewer, back.previousHref!);
    expect(top.lessons.map((card) => card.id)).toEqual(all.slice(0, all.indexOf(back.lessons[0]!.id)));
    expect(top.lessons.map((card) => card.id)).toContain(newest.id);
    expect([...top.lessons, ...back.lessons].map((card) => card.id)).toContain(between.id);
    expect(top.total).toBe(8);
  });
});

describe("filters", () => {
  it("upcoming: from now on, soonest first; past: up to now, newest first", async () => {
    const upcoming = await okPage(parent, "/lessons?when=upcoming");
    const ahead = await db.booking.findMany({ where: { clientId: parent.id, sessionStartTime: { gt: new Date() } }, orderBy: [{ sessionStartTime: "asc" }, { id: "asc" }], select: { id: true } });
    expect(upcoming.lessons.map((card) => card.id)).toEqual(ahead.map((b) => b.id));
    expect(upcoming.total).toBe(15);
    expect(upcoming.heading).toBe("15 lessons match");
    const past = await walk(parent, "/lessons?when=past");
    expect(past.flat()).toEqual(parentIds.filter((id) => !ahead.some((b) => b.id === id)));
  });

  it("by status, by student, and both", async () => {
    const cancelled = await walk(parent, "/lessons?status=Cancelled");
    expect(cancelled.flat()).toEqual(await idsNewestFirst({ clientId: parent.id, status: "Cancelled" }));
    expect(cancelled.flat().length).toBeGreaterThan(0);
    const alice = await walk(parent, `/lessons?student=${childA.id}`);
    expect(alice.flat()).toEqual(await idsNewestFirst({ clientId: parent.id, studentId: childA.id }));
    const both = await okPage(parent, `/lessons?student=${childB.id}&status=Completed&when=past`);
    expect(both.lessons.map((card) => card.id)).toEqual(await idsNewestFirst({ clientId: parent.id, studentId: childB.id, status: "Completed", sessionStartTime: { lte: new Date() } }));
    expect(both.total).toBe(both.lessons.length);
  });

  it("the student choices are the students of the viewer's own lessons", async () => {
    expect((await lessonsPage(parent)).data.students.map((s) => s.fullName)).toEqual(["Alice Brown", "Ben Brown"]);
    expect((await lessonsPage(childA)).data.students.map((s) => s.fullName)).toEqual(["Alice Brown"]);
    expect((await lessonsPage(strangerParent)).data.students.map((s) => s.fullName)).toEqual(["Sid Stranger"]);
  });

  it("a date range is whole days in the viewer's time zone", async () => {
    // Paula is in New York: a lesson at 03:00 UTC is on the previous calendar day there.
    const viewer = await createProfile({ fullName: "New York Parent", timeZone: "America/New_York" });
    const late = await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: new Date("2031-03-05T03:00:00Z") });
    const next = await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: new Date("2031-03-05T05:00:00Z") });
    expect((await okPage(viewer, "/lessons?from=2031-03-04&to=2031-03-04")).lessons.map((c) => c.id)).toEqual([late.id]);
    expect((await okPage(viewer, "/lessons?from=2031-03-05&to=2031-03-05")).lessons.map((c) => c.id)).toEqual([next.id]);
    expect((await okPage(viewer, "/lessons?from=2031-03-05")).lessons.map((c) => c.id)).toEqual([next.id]);
    expect((await okPage(viewer, "/lessons?to=2031-03-04")).lessons.map((c) => c.id)).toEqual([late.id]);
  });
});

describe("who sees what", () => {
  it("tutor, client and assigned student each see their own lessons; strangers' never appear", async () => {
    const tutorPages = (await walk(tutor, "/lessons?size=100")).flat();
    expect(new Set(tutorPages)).toEqual(new Set(await idsNewestFirst({ tutorId: tutor.id })));
    const childPages = (await walk(childB, "/lessons?size=100")).flat();
    expect(childPages).toEqual(await idsNewestFirst({ studentId: childB.id }));
    for (const id of [...tutorPages, ...childPages, ...parentIds]) expect(strangerIds.has(id)).toBe(false);
  });

  it("a cursor copied from a stranger's list is only a position: the viewer's own lessons beyond it, nobody else's", async () => {
    const strangerFirst = await okPage(strangerParent, "/lessons?size=3");
    for (const link of [strangerFirst.nextHref!, (await okPage(strangerParent, strangerFirst.nextHref!)).previousHref!]) {
      const page = await okPage(parent, link);
      expect(page.lessons.length).toBeGreaterThan(0);
      for (const card of page.lessons) {
        expect(strangerIds.has(card.id)).toBe(false);
        expect(parentIds).toContain(card.id);
      }
    }
  });

  it("a lesson where the viewer is both client and student is listed and counted once", async () => {
    const adult = await createProfile({ fullName: "Self Learner" });
    const own = await createBooking({ clientId: adult.id, tutorId: tutor.id, studentId: adult.id, sessionStartTime: minutes(DAY) });
    const other = await createBooking({ clientId: adult.id, tutorId: tutor.id, sessionStartTime: minutes(-DAY) });
    const page = await okPage(adult);
    expect(page.lessons.map((card) => card.id)).toEqual([own.id, other.id]);
    expect(page.total).toBe(2);
  });

  it("signed out, the page sends you to sign in", async () => {
    const result = await callLoader(lessons, "/lessons");
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toMatch(/^\/sign-in/);
  });
});

describe("bad input: a clear 400 with the form, never a 500, never a lesson", () => {
  const cases: [string, string, RegExp][] = [
    ["malformed cursor", "/lessons?cursor=not-a-cursor", /page link is broken/],
    ["cursor with a tampered id", `/lessons?cursor=${Buffer.from("n.1764082800000000.not-a-uuid").toString("base64url")}`, /page link is broken/],
    ["unknown when", "/lessons?when=tomorrow", /all, upcoming or past/],
    ["unknown status", "/lessons?status=Paid", /status from the list/],
    ["malformed student", "/lessons?student=1%20OR%201%3D1", /student from the list/],
    ["a stranger's child", "", /student from the list/],
    ["reversed range", "/lessons?from=2026-11-30&to=2026-11-01", /after the “to” date/],
    ["years-wide range", "/lessons?from=2010-01-01&to=2026-01-01", /at most 5 years/],
    ["impossible date", "/lessons?from=2026-02-31", /calendar date/],
    ["page size not a number", "/lessons?size=lots", /page size/],
    ["page size negative", "/lessons?size=-20", /page size/],
    ["repeated parameter", "/lessons?status=Completed&status=Cancelled", /once/],
  ];
  for (const [name, path, message] of cases) {
    it(name, async () => {
      const page = await lessonsPage(parent, path || `/lessons?student=${strangerChild.id}`);
      expect(page.status).toBe(400);
      expect(page.data.result).toBeNull();
      expect(page.data.problems.join(" ")).toMatch(message);
    });
  }

  it("a page size out of range is clamped: 100 at most, 1 at least", async () => {
    expect((await okPage(parent, "/lessons?size=100000")).lessons).toHaveLength(50);
    const one = await okPage(parent, "/lessons?size=0");
    expect(one.lessons).toHaveLength(1);
    expect(one.nextHref).toMatch(/size=1&/);
  });

  it("a well-formed cursor beyond the end shows no lessons and a way back", async () => {
    const farPast = Buffer.from(`n.-30000000000000000.${randomUUID()}`).toString("base64url");
    const page = await okPage(parent, `/lessons?cursor=${farPast}`);
    expect(page.lessons).toEqual([]);
    expect(page.nextHref).toBeNull();
    expect(page.previousHref).not.toBeNull();
    expect(page.firstHref).toBe("/lessons");
  });
});

/** The href of the page that starts after `skip` lessons (following next links). */
async function hrefToPage(person: TestProfile, path: string, pageIndex: number): Promise<string> {
  let href = path;
  for (let i = 0; i < pageIndex; i++) href = (await okPage(person, href)).nextHref!;
  return href;
}

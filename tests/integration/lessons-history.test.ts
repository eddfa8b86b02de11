// /lessons: every lesson of the viewer, keyset pages, filters, refusals, and the query plans on a
// long history (docs/decisions/0030-bounded-dashboard-and-keyset-history.md).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
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
  const rows = await db.booking.findMany({
    where,
    select: { id: true },
    orderBy: [{ sessionStartTime: "desc" }, { id: "desc" }],
  });
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
    await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId,
      status,
      serviceName: `Family lesson ${i}`,
      sessionStartTime: minutes(day * DAY + 60),
    });
  }
  const sameStart = minutes(-40 * DAY);
  for (let i = 0; i < 5; i++) {
    await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: childA.id,
      status: "Completed",
      serviceName: `Same start ${i}`,
      sessionStartTime: sameStart,
    });
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
    for (let i = 0; i < 6; i++)
      await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: minutes(-i * DAY) });
    const first = await okPage(viewer, "/lessons?size=3");
    const seen = first.lessons.map((card) => card.id);
    // Booked meanwhile: one newer than everything, one between the first page's lessons.
    const newest = await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: minutes(2 * DAY) });
    const between = await createBooking({
      clientId: viewer.id,
      tutorId: tutor.id,
      sessionStartTime: minutes(-0.5 * DAY),
    });
    const second = await okPage(viewer, first.nextHref!);
    const all = await idsNewestFirst({ clientId: viewer.id });
    expect(second.lessons.map((card) => card.id)).toEqual(
      all.slice(all.indexOf(seen.at(-1)!) + 1, all.indexOf(seen.at(-1)!) + 4),
    );
    expect(second.lessons.map((card) => card.id).some((id) => seen.includes(id))).toBe(false);
    // Newer from the second page now leads back to the first page's lessons, the new ones above them.
    const back = await okPage(viewer, second.previousHref!);
    expect(back.lessons.map((card) => card.id)).toEqual(
      all.slice(all.indexOf(seen.at(-1)!) - 2, all.indexOf(seen.at(-1)!) + 1),
    );
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
    const ahead = await db.booking.findMany({
      where: { clientId: parent.id, sessionStartTime: { gt: new Date() } },
      orderBy: [{ sessionStartTime: "asc" }, { id: "asc" }],
      select: { id: true },
    });
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
    expect(both.lessons.map((card) => card.id)).toEqual(
      await idsNewestFirst({
        clientId: parent.id,
        studentId: childB.id,
        status: "Completed",
        sessionStartTime: { lte: new Date() },
      }),
    );
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
    const late = await createBooking({
      clientId: viewer.id,
      tutorId: tutor.id,
      sessionStartTime: new Date("2031-03-05T03:00:00Z"),
    });
    const next = await createBooking({
      clientId: viewer.id,
      tutorId: tutor.id,
      sessionStartTime: new Date("2031-03-05T05:00:00Z"),
    });
    expect((await okPage(viewer, "/lessons?from=2031-03-04&to=2031-03-04")).lessons.map((c) => c.id)).toEqual([
      late.id,
    ]);
    expect((await okPage(viewer, "/lessons?from=2031-03-05&to=2031-03-05")).lessons.map((c) => c.id)).toEqual([
      next.id,
    ]);
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
    for (const link of [
      strangerFirst.nextHref!,
      (await okPage(strangerParent, strangerFirst.nextHref!)).previousHref!,
    ]) {
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
    const own = await createBooking({
      clientId: adult.id,
      tutorId: tutor.id,
      studentId: adult.id,
      sessionStartTime: minutes(DAY),
    });
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

describe("cost", () => {
  it("a page makes the same number of queries for 3 lessons as for 60, first page or from a cursor", async () => {
    const queries = vi.spyOn(pg.Client.prototype, "query");
    try {
      const countFor = async (lessonCount: number) => {
        const viewer = await createProfile();
        for (let i = 0; i < lessonCount; i++)
          await createBooking({
            clientId: viewer.id,
            tutorId: tutor.id,
            studentId: i % 2 ? childA.id : null,
            sessionStartTime: minutes((i - 30) * DAY),
          });
        const cookie = await cookieFor(viewer);
        queries.mockClear();
        const first = await callLoader(lessons, "/lessons?size=2", { cookie });
        const firstQueries = queries.mock.calls.length;
        queries.mockClear();
        const next = (first.data as LessonsData).result!.nextHref!;
        expect((await callLoader(lessons, next, { cookie })).status).toBe(200);
        return [firstQueries, queries.mock.calls.length];
      };
      const few = await countFor(3);
      const many = await countFor(60);
      expect(many).toEqual(few);
      // Profile; students, the viewer's wards, count and positions; the cards (relations joined);
      // from a cursor, one more: is there anything before this page?
      expect(many[0]).toBeLessThanOrEqual(6);
      expect(many[1]).toBeLessThanOrEqual(7);
    } finally {
      queries.mockRestore();
    }
  });
});

describe("bad input: a clear 400 with the form, never a 500, never a lesson", () => {
  const cases: [string, string, RegExp][] = [
    ["malformed cursor", "/lessons?cursor=not-a-cursor", /page link is broken/],
    [
      "cursor with a tampered id",
      `/lessons?cursor=${Buffer.from("n.1764082800000000.not-a-uuid").toString("base64url")}`,
      /page link is broken/,
    ],
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

describe("a viewer with 5,000 lessons: the queries read a page's worth, on the participant indexes", () => {
  type PlanNode = {
    "Node Type": string;
    "Relation Name"?: string;
    "Index Name"?: string;
    "Actual Rows"?: number;
    "Actual Loops"?: number;
    "Rows Removed by Filter"?: number;
    Plans?: PlanNode[];
  };
  const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
  let busyTutor: string;
  let sampleCursor: { startMicros: string; id: string };

  async function plan(statement: import("~/generated/prisma/client").Prisma.Sql) {
    const { Prisma } = await import("~/generated/prisma/client");
    const [row] = await db.$queryRaw<[{ "QUERY PLAN": [{ Plan: PlanNode }] }]>(
      Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`,
    );
    return nodesOf(row["QUERY PLAN"][0].Plan);
  }

  /** No sequential scan of bookings, no sort of more than `maxSorted` rows, at most `maxRead` booking rows read. */
  function expectBounded(
    nodes: PlanNode[],
    limits: { maxSorted: number; maxRead: number; participantIndexes?: boolean },
  ) {
    const described = JSON.stringify(
      nodes.map((n) => [n["Node Type"], n["Relation Name"] ?? n["Index Name"] ?? "", n["Actual Rows"]]),
    );
    expect(
      nodes.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "bookings"),
      described,
    ).toEqual([]);
    for (const sort of nodes.filter((n) => n["Node Type"] === "Sort"))
      expect(sort["Actual Rows"]!, described).toBeLessThanOrEqual(limits.maxSorted);
    const bookingScans = nodes.filter(
      (n) => n["Relation Name"] === "bookings" || n["Index Name"]?.startsWith("bookings_"),
    );
    expect(bookingScans.length, described).toBeGreaterThan(0);
    const read = bookingScans.reduce(
      (sum, n) => sum + ((n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0)) * (n["Actual Loops"] ?? 1),
      0,
    );
    expect(read, described).toBeLessThanOrEqual(limits.maxRead);
    if (limits.participantIndexes !== false) {
      const indexes = new Set(bookingScans.map((n) => n["Index Name"]));
      for (const column of ["client_id", "tutor_id", "student_id"])
        expect(indexes, described).toContain(`bookings_${column}_session_start_time_id_idx`);
    }
  }

  beforeAll(async () => {
    const { Prisma } = await import("~/generated/prisma/client");
    busyTutor = randomUUID();
    const families = Array.from({ length: 40 }, () => ({ client: randomUUID(), student: randomUUID() }));
    await db.profile.createMany({
      data: [
        { id: busyTutor, fullName: "Five Years Tutor", email: `${busyTutor}@history.test` },
        ...families.flatMap((f) => [
          { id: f.client, fullName: "History Parent", email: `${f.client}@history.test` },
          { id: f.student, fullName: "History Student", email: `${f.student}@history.test` },
        ]),
      ],
    });
    const clients = families.map((f) => f.client);
    const students = families.map((f) => f.student);
    // 5,000 lessons over five years for the tutor (4,000 past, 1,000 ahead, every eleventh
    // cancelled), and 100,000 of 50 other tutors with the same families, as a shared table would hold
    // (most lessons have a student assigned, so "has a student" is no shortcut for the planner).
    await db.$executeRaw`
      INSERT INTO bookings (client_id, tutor_id, student_id, service_name, session_start_time, session_duration, status)
      SELECT (${clients}::uuid[])[1 + g % 40], ${busyTutor}::uuid, CASE WHEN g % 4 = 0 THEN NULL ELSE (${students}::uuid[])[1 + g % 40] END,
             'History lesson ' || g, now() + (g - 4000) * interval '9 hours', 60,
             (CASE WHEN g % 11 = 0 THEN 'Cancelled' WHEN g < 4000 THEN 'Completed' ELSE 'Confirmed' END)::booking_status
        FROM generate_series(1, 5000) AS g`;
    // Other tutors' rows need their profiles: insert tutors first, then their lessons.
    const otherTutors = Array.from({ length: 50 }, () => randomUUID());
    await db.profile.createMany({
      data: otherTutors.map((id) => ({ id, fullName: "Other Tutor", email: `${id}@history.test` })),
    });
    await db.$executeRaw`
      INSERT INTO bookings (client_id, tutor_id, student_id, service_name, session_start_time, session_duration, status)
      SELECT (${clients}::uuid[])[1 + g % 40], (${otherTutors}::uuid[])[1 + g % 50], (${students}::uuid[])[1 + g % 40], 'Other lesson ' || g, now() + (g - 75000) * interval '30 minutes', 60, 'Completed'
        FROM generate_series(1, 100000) AS g`;
    await db.$executeRaw`ANALYZE bookings`;
    const [middle] = await db.$queryRaw<{ id: string; start_micros: string }[]>(
      Prisma.sql`SELECT id, (EXTRACT(EPOCH FROM session_start_time) * 1000000)::bigint::text AS start_micros FROM bookings WHERE tutor_id = ${busyTutor}::uuid ORDER BY session_start_time DESC, id DESC OFFSET 2500 LIMIT 1`,
    );
    sampleCursor = { startMicros: middle!.start_micros, id: middle!.id };
  }, 120_000);

  it("the dashboard's positions: three LIMITed index scans per part, no sort of the history", async () => {
    const { dashboardPositions } = await import("~/.server/bookings/positions");
    const nodes = await plan(dashboardPositions(busyTutor, new Date(), 10));
    if (process.env.SHOW_PLANS)
      console.log(
        nodes
          .map((n) => `${n["Node Type"]} ${n["Index Name"] ?? n["Relation Name"] ?? ""} rows=${n["Actual Rows"]}`)
          .join("\n"),
      );
    expectBounded(nodes, { maxSorted: 100, maxRead: 200 });
  });

  it("/lessons' first page, a page from the middle, each direction, and filtered pages", async () => {
    const { beyond, lessonConditions, scopedPositions } = await import("~/.server/bookings/positions");
    const none = { when: "all", status: null, studentId: null, startsFrom: null, startsBefore: null } as const;
    const now = new Date();
    expectBounded(await plan(scopedPositions(busyTutor, [], "desc", 21)), { maxSorted: 63, maxRead: 100 });
    expectBounded(await plan(scopedPositions(busyTutor, [beyond(sampleCursor, "before")], "desc", 21)), {
      maxSorted: 63,
      maxRead: 100,
    });
    expectBounded(await plan(scopedPositions(busyTutor, [beyond(sampleCursor, "after")], "asc", 21)), {
      maxSorted: 63,
      maxRead: 100,
    });
    const upcoming = lessonConditions({ ...none, when: "upcoming" }, now);
    expectBounded(await plan(scopedPositions(busyTutor, upcoming, "asc", 21)), { maxSorted: 63, maxRead: 100 });
    // A rare status (one lesson in eleven): PostgreSQL may pick the matching rows through the
    // index (a bitmap over the viewer's past entries) and sort only those: a few hundred here,
    // never the table and never a sort of the whole history.
    const cancelledPast = lessonConditions({ ...none, when: "past", status: "Cancelled" }, now);
    expectBounded(await plan(scopedPositions(busyTutor, cancelledPast, "desc", 21)), {
      maxSorted: 500,
      maxRead: 10_200,
    });
    const lastYear = lessonConditions(
      {
        ...none,
        startsFrom: new Date(now.getTime() - 365 * 86_400_000),
        startsBefore: new Date(now.getTime() - 300 * 86_400_000),
      },
      now,
    );
    expectBounded(await plan(scopedPositions(busyTutor, lastYear, "desc", 21)), { maxSorted: 63, maxRead: 100 });
  });

  it("the count and the student choices use the indexes too (they read the viewer's rows, never the table)", async () => {
    const { countScoped, lessonConditions, scopedStudents } = await import("~/.server/bookings/positions");
    const none = { when: "all", status: null, studentId: null, startsFrom: null, startsBefore: null } as const;
    // These two read every matching booking by nature (a count, a distinct list): the viewer's 5,000
    // rows (counted twice: index entries, then heap rows), never the table's 105,000.
    expectBounded(await plan(countScoped(busyTutor, lessonConditions(none, new Date()))), {
      maxSorted: 100,
      maxRead: 10_200,
    });
    expectBounded(await plan(scopedStudents(busyTutor)), { maxSorted: 100, maxRead: 10_200 });
  });

  it("and the page itself: 20 lessons, the count of all 5,000", async () => {
    const viewer = await db.profile.findUniqueOrThrow({ where: { id: busyTutor } });
    const { listLessonsPage } = await import("~/.server/bookings/history");
    const { parseLessonQuery } = await import("~/domain/lesson-history");
    const parsed = parseLessonQuery(new URLSearchParams(), "UTC");
    if (!parsed.ok) throw new Error("parse");
    const page = await listLessonsPage(viewer.id, parsed.query, new Date(), "UTC");
    expect(page.lessons).toHaveLength(20);
    expect(page.total).toBe(5000);
  });
});

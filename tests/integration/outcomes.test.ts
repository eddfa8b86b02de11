// Lesson outcomes on real PostgreSQL: attendance arrives as signed Lessonspace webhooks through our
// webhook route, the outcome is settled by the service the periodic sweep calls, and the
// dashboard and details page show it in a parent's words.
import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "~/.server/db";
import { bookingsDueForOutcome, settleDueOutcomes, settleLessonOutcome } from "~/.server/lessonspace/outcomes";
import type { BookingCardView } from "~/domain/booking-card";
import type { BookingDetailsView } from "~/domain/booking-details";
import * as dashboardRoute from "~/routes/dashboard";
import * as detailsRoute from "~/routes/bookings.$id";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { postLaunchForm } from "./launch-support.ts";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type BookingOverrides,
  type TestProfile,
} from "../support/app.ts";
import { logsFromNow, type LogLine } from "../support/logs.ts";

let tutor: TestProfile, parent: TestProfile, child: TestProfile, stranger: TestProfile, adult: TestProfile;
let cookies: { parent: string; stranger: string; adult: string };

beforeAll(async () => {
  [tutor, parent, child, stranger, adult] = await Promise.all([
    createProfile({ fullName: "Tara Singh", roles: ["tutor"] }),
    createProfile({ fullName: "Paula Brown", roles: ["client"] }),
    createProfile({ fullName: "Charlie Brown", roles: ["student"] }),
    createProfile({ fullName: "Sam Stranger", roles: ["client"] }),
    createProfile({ fullName: "Adam Okafor", roles: ["client"] }),
  ]);
  await addGuardian(parent.id, child.id);
  const [p, s, a] = await Promise.all([signIn(parent), signIn(stranger), signIn(adult)]);
  cookies = { parent: p, stranger: s, adult: a };
});

afterEach(() => {
  vi.restoreAllMocks();
});

const MINUTE = 60_000;
const plus = (date: Date, minutes: number, seconds = 0) => new Date(date.getTime() + minutes * MINUTE + seconds * 1000);
const iso = (date: Date) => date.toISOString();

type Lesson = { bookingId: string; roomId: string; secret: string; start: Date; closesAt: Date };

/** A 60-minute lesson of Charlie's with a Lessonspace room, as the launch route leaves it. */
async function lesson(start: Date, overrides: BookingOverrides = {}): Promise<Lesson> {
  const booking = await createBooking({
    clientId: parent.id,
    tutorId: tutor.id,
    studentId: child.id,
    sessionStartTime: start,
    sessionDuration: 60,
    ...overrides,
  });
  const roomId = randomUUID();
  const secret = `space-secret-${randomUUID()}`;
  await db.lessonspaceSpace.create({
    data: { roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret },
  });
  await db.booking.update({ where: { id: booking.id }, data: { meetingProviderId: roomId } });
  return { bookingId: booking.id, roomId, secret, start, closesAt: plus(start, booking.sessionDuration + 15) };
}

/** One signed delivery through our webhook route, as Lessonspace sends it. */
async function deliver(space: Lesson, payload: Record<string, unknown>) {
  const body = JSON.stringify({ room: { id: space.roomId }, ...payload });
  const result = await callAction(webhookRoute, "/api/webhooks/lessonspace", {
    body,
    headers: {
      "Content-Type": "application/json",
      "x-webhook-id": randomUUID(),
      "x-webhook-event": String(payload.event),
      "x-webhook-signature": signWebhook(body, space.secret),
    },
  });
  expect(result.status).toBe(200);
}

type Visit = { who: TestProfile; from: Date; to: Date | null };

/** One Lessonspace session with these visits: session.start, joins and leaves in order, then session.end (unless `endedAt` is null). */
async function session(space: Lesson, startedAt: Date, endedAt: Date | null, visits: Visit[]) {
  const sessionId = randomUUID();
  await deliver(space, {
    event: "session.start",
    session: { id: sessionId, start_time: iso(startedAt) },
    timestamp: iso(startedAt),
  });
  const user = (who: TestProfile) => ({ id: who.id, name: who.fullName, leader: who.id === tutor.id });
  const events = visits.flatMap((visit) => [
    { at: visit.from, event: "user.join", who: visit.who },
    ...(visit.to ? [{ at: visit.to, event: "user.leave", who: visit.who }] : []),
  ]);
  events.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of events) {
    await deliver(space, { event: e.event, session: { id: sessionId }, user: user(e.who), timestamp: iso(e.at) });
  }
  if (endedAt) {
    await deliver(space, {
      event: "session.end",
      session: { id: sessionId, start_time: iso(startedAt), end_time: iso(endedAt) },
      recording: { available: false },
    });
  }
  return sessionId;
}

async function stored(bookingId: string) {
  return db.booking.findUniqueOrThrow({
    where: { id: bookingId },
    select: {
      status: true,
      outcome: true,
      outcomeSettledAt: true,
      outcomeTutorSeconds: true,
      outcomeAttendeeSeconds: true,
    },
  });
}

// Fixed instants for the service tests; the loader tests use lessons in the real past instead.
const base = new Date("2030-03-04T15:00:00Z");

describe("each outcome, from attendance the webhooks wrote", () => {
  it("held: tutor and Charlie both there; the booking becomes Completed and keeps the seconds its words use", async () => {
    const space = await lesson(base);
    const s = space.start;
    // Charlie drops out once and comes back in a second session: 40 + 12 = 52 minutes.
    await session(space, s, plus(s, 41), [
      { who: tutor, from: s, to: plus(s, 41) },
      { who: child, from: plus(s, 1), to: plus(s, 41) },
    ]);
    await session(space, plus(s, 45), plus(s, 60), [
      { who: tutor, from: plus(s, 45), to: plus(s, 60) },
      { who: child, from: plus(s, 47), to: plus(s, 59) },
    ]);
    const settled = await settleLessonOutcome(space.bookingId, space.closesAt);
    expect(settled).toEqual({
      bookingId: space.bookingId,
      outcome: "held",
      tutorSeconds: 56 * 60,
      attendeeSeconds: 52 * 60,
      plannedMinutes: 60,
      status: "Completed",
      settledAt: space.closesAt,
    });
    expect(await stored(space.bookingId)).toEqual({
      status: "Completed",
      outcome: "held",
      outcomeSettledAt: space.closesAt,
      outcomeTutorSeconds: 56 * 60,
      outcomeAttendeeSeconds: 52 * 60,
    });
  });

  it("student absent: only the tutor joined; the status stays Confirmed", async () => {
    const space = await lesson(plus(base, 2 * 60));
    const s = space.start;
    await session(space, s, plus(s, 30), [{ who: tutor, from: s, to: plus(s, 30) }]);
    expect(await settleLessonOutcome(space.bookingId, space.closesAt)).toMatchObject({
      outcome: "student_absent",
      tutorSeconds: 1800,
      attendeeSeconds: 0,
      status: "Confirmed",
    });
    expect((await stored(space.bookingId)).status).toBe("Confirmed");
  });

  it("tutor absent: only Charlie joined; the status stays Confirmed", async () => {
    const space = await lesson(plus(base, 4 * 60));
    const s = space.start;
    await session(space, s, plus(s, 25), [{ who: child, from: s, to: plus(s, 25) }]);
    expect(await settleLessonOutcome(space.bookingId, space.closesAt)).toMatchObject({
      outcome: "tutor_absent",
      tutorSeconds: 0,
      attendeeSeconds: 1500,
      status: "Confirmed",
    });
  });

  it("not held: nobody joined the classroom", async () => {
    const space = await lesson(plus(base, 6 * 60));
    expect(await settleLessonOutcome(space.bookingId, space.closesAt)).toMatchObject({
      outcome: "not_held",
      tutorSeconds: 0,
      attendeeSeconds: 0,
      status: "Confirmed",
    });
  });

  it("a 10-second drop-in by each is not a lesson", async () => {
    const space = await lesson(plus(base, 8 * 60));
    const s = space.start;
    await session(space, s, plus(s, 1), [
      { who: tutor, from: s, to: plus(s, 0, 10) },
      { who: child, from: plus(s, 0, 20), to: plus(s, 0, 30) },
    ]);
    expect(await settleLessonOutcome(space.bookingId, space.closesAt)).toMatchObject({
      outcome: "not_held",
      tutorSeconds: 10,
      attendeeSeconds: 10,
    });
  });

  it("at the threshold (12 of 60 minutes) Charlie attended; one second less and he did not", async () => {
    const at = await lesson(plus(base, 10 * 60));
    const below = await lesson(plus(base, 12 * 60));
    for (const [space, seconds] of [
      [at, 720],
      [below, 719],
    ] as const) {
      const s = space.start;
      await session(space, s, plus(s, 60), [
        { who: tutor, from: s, to: plus(s, 60) },
        { who: child, from: plus(s, 40), to: plus(s, 40, seconds) },
      ]);
    }
    expect(await settleLessonOutcome(at.bookingId, at.closesAt)).toMatchObject({
      outcome: "held",
      attendeeSeconds: 720,
    });
    expect(await settleLessonOutcome(below.bookingId, below.closesAt)).toMatchObject({
      outcome: "student_absent",
      attendeeSeconds: 719,
    });
  });

  it("an adult learner (no student assigned) is the attendee: the client's own time counts", async () => {
    const booking = await createBooking({
      clientId: adult.id,
      tutorId: tutor.id,
      sessionStartTime: plus(base, 14 * 60),
      sessionDuration: 30,
    });
    const space: Lesson = {
      bookingId: booking.id,
      roomId: randomUUID(),
      secret: `s-${randomUUID()}`,
      start: booking.sessionStartTime,
      closesAt: plus(booking.sessionStartTime, 45),
    };
    await db.lessonspaceSpace.create({
      data: { roomId: space.roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret: space.secret },
    });
    const s = space.start;
    await session(space, s, plus(s, 30), [
      { who: tutor, from: s, to: plus(s, 30) },
      { who: adult, from: plus(s, 2), to: plus(s, 30) },
    ]);
    expect(await settleLessonOutcome(booking.id, space.closesAt)).toMatchObject({
      outcome: "held",
      attendeeSeconds: 28 * 60,
      plannedMinutes: 30,
    });
  });

  it("a visit whose leave and session end never arrived counts until the window closed", async () => {
    const space = await lesson(plus(base, 16 * 60));
    const s = space.start;
    await session(space, s, null, [
      { who: tutor, from: plus(s, 50), to: null },
      { who: child, from: plus(s, 50), to: null },
    ]);
    // From 50 minutes in until the window closed at 75 minutes.
    expect(await settleLessonOutcome(space.bookingId, plus(space.closesAt, 10))).toMatchObject({
      outcome: "held",
      tutorSeconds: 25 * 60,
      attendeeSeconds: 25 * 60,
    });
  });
});

describe("settled once, and only when due", () => {
  it("is not settled one second before the window closes (end + 15 min), and is at exactly that instant", async () => {
    const space = await lesson(plus(base, 20 * 60));
    await session(space, space.start, plus(space.start, 60), [
      { who: tutor, from: space.start, to: plus(space.start, 60) },
      { who: child, from: space.start, to: plus(space.start, 60) },
    ]);
    const before = await stored(space.bookingId);
    const oneSecondEarly = plus(space.closesAt, 0, -1);
    expect(await bookingsDueForOutcome(oneSecondEarly, 100)).not.toContain(space.bookingId);
    expect(await settleLessonOutcome(space.bookingId, oneSecondEarly)).toBeNull();
    expect(await stored(space.bookingId)).toEqual(before);
    expect(await bookingsDueForOutcome(space.closesAt, 100)).toContain(space.bookingId);
    expect(await settleLessonOutcome(space.bookingId, space.closesAt)).toMatchObject({ outcome: "held" });
  });

  it("settling twice settles once: the second call returns null and changes nothing; onLessonOutcome ran once", async () => {
    const logged = logsFromNow();
    const space = await lesson(plus(base, 22 * 60));
    expect(await settleLessonOutcome(space.bookingId, space.closesAt)).not.toBeNull();
    const first = await stored(space.bookingId);
    expect(await settleLessonOutcome(space.bookingId, plus(space.closesAt, 30))).toBeNull();
    expect(await stored(space.bookingId)).toEqual(first);
    expect(outcomeLogLines(logged(), space.bookingId)).toBe(1);
  });

  it("concurrent settles (separate connections, real row locks) settle once", async () => {
    const logged = logsFromNow();
    const space = await lesson(plus(base, 24 * 60));
    await session(space, space.start, plus(space.start, 60), [
      { who: tutor, from: space.start, to: plus(space.start, 60) },
      { who: child, from: space.start, to: plus(space.start, 55) },
    ]);
    // Open six pooled connections first, so that no call wins only because the others were still connecting.
    await Promise.all(Array.from({ length: 6 }, () => db.$executeRaw`SELECT pg_sleep(0.1)`));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => settleLessonOutcome(space.bookingId, plus(space.closesAt, 0, i))),
    );
    const settled = results.filter((result) => result !== null);
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ outcome: "held", attendeeSeconds: 55 * 60, status: "Completed" });
    expect((await stored(space.bookingId)).outcomeSettledAt).toEqual(settled[0]!.settledAt);
    expect(outcomeLogLines(logged(), space.bookingId)).toBe(1);
  });

  it.each(["Cancelled", "Declined"] as const)(
    "a %s booking is never due and never settled, whatever attendance it has",
    async (status) => {
      const space = await lesson(plus(base, 26 * 60), { status });
      await session(space, space.start, plus(space.start, 60), [
        { who: tutor, from: space.start, to: plus(space.start, 60) },
        { who: child, from: space.start, to: plus(space.start, 60) },
      ]);
      const later = plus(space.closesAt, 60);
      expect(await bookingsDueForOutcome(later, 100)).not.toContain(space.bookingId);
      expect(await settleLessonOutcome(space.bookingId, later)).toBeNull();
      expect(await stored(space.bookingId)).toMatchObject({ status, outcome: null, outcomeSettledAt: null });
    },
  );

  it("Confirmed becomes Completed only when held; other statuses are the booking system's and stay", async () => {
    const pendingHeld = await lesson(plus(base, 28 * 60), { status: "Pending" });
    const completedNotHeld = await lesson(plus(base, 30 * 60), { status: "Completed" });
    for (const space of [pendingHeld]) {
      await session(space, space.start, plus(space.start, 60), [
        { who: tutor, from: space.start, to: plus(space.start, 60) },
        { who: child, from: space.start, to: plus(space.start, 60) },
      ]);
    }
    expect(await settleLessonOutcome(pendingHeld.bookingId, pendingHeld.closesAt)).toMatchObject({
      outcome: "held",
      status: "Pending",
    });
    expect(await settleLessonOutcome(completedNotHeld.bookingId, completedNotHeld.closesAt)).toMatchObject({
      outcome: "not_held",
      status: "Completed",
    });
    expect((await stored(pendingHeld.bookingId)).status).toBe("Pending");
    expect((await stored(completedNotHeld.bookingId)).status).toBe("Completed");
  });

  it("a malformed or unknown id settles nothing", async () => {
    expect(await settleLessonOutcome("not-a-uuid", base)).toBeNull();
    expect(await settleLessonOutcome(randomUUID(), base)).toBeNull();
  });
});

describe("bookingsDueForOutcome", () => {
  it("lists closed, unsettled bookings oldest first, up to the limit, and nothing else", async () => {
    const day = new Date("2031-06-10T09:00:00Z");
    const now = plus(day, 10 * 60);
    const oldest = await lesson(plus(day, 0));
    const middle = await lesson(plus(day, 2 * 60));
    const newest = await lesson(plus(day, 4 * 60));
    // Window closes exactly now (start 8:45 before now + 60 + 15): due.
    const closingNow = await lesson(plus(now, -75));
    const stillOpen = await lesson(plus(now, -74));
    const cancelled = await lesson(plus(day, 1 * 60), { status: "Cancelled" });
    const settled = await lesson(plus(day, 3 * 60));
    await settleLessonOutcome(settled.bookingId, now);
    // Older than the sweep's horizon (7 days): left alone, it predates outcomes.
    const ancient = await lesson(plus(now, -8 * 24 * 60));

    const due = await bookingsDueForOutcome(now, 100);
    expect(due).toEqual([oldest.bookingId, middle.bookingId, newest.bookingId, closingNow.bookingId]);
    for (const skipped of [stillOpen, cancelled, settled, ancient]) expect(due).not.toContain(skipped.bookingId);
    expect(await bookingsDueForOutcome(now, 2)).toEqual([oldest.bookingId, middle.bookingId]);
    expect(await bookingsDueForOutcome(now, 0)).toEqual([]);
  });

  it("two sweeps racing over the same due bookings settle each exactly once between them", async () => {
    const day = new Date("2032-01-20T09:00:00Z");
    const now = plus(day, 10 * 60);
    const lessons = await Promise.all([0, 1, 2, 3, 4].map((i) => lesson(plus(day, i * 60))));
    const [a, b] = await Promise.all([settleDueOutcomes(now, 10), settleDueOutcomes(now, 10)]);
    const ids = [...a, ...b].map((settled) => settled.bookingId).sort();
    expect(ids).toEqual(lessons.map((l) => l.bookingId).sort());
    expect(await bookingsDueForOutcome(now, 10)).toEqual([]);
  });

  it("the sweep's query is served by the partial index on unsettled bookings", async () => {
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      const plan = await tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT id FROM bookings WHERE outcome IS NULL AND status NOT IN ('Cancelled', 'Declined')
           AND session_start_time <= now() AND session_start_time > now() - interval '7 days'
           AND session_start_time + make_interval(mins => session_duration) <= now() ORDER BY session_start_time, id LIMIT 50`,
      );
      expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).toContain("bookings_outcome_due_idx");
    });
  });
});

describe("Rejoin", () => {
  it("after every session has ended, the card offers Rejoin and the launch is still accepted until the window closes", async () => {
    const space = await lesson(new Date(Date.now() - 30 * MINUTE));
    const s = space.start;
    await session(space, s, plus(s, 20), [
      { who: tutor, from: s, to: plus(s, 20) },
      { who: child, from: s, to: plus(s, 20) },
    ]);
    const result = await callLoader(dashboardRoute, "/", { cookie: cookies.parent });
    // Over (the tutor ended it), so under Recent, not Ready, and not "In progress".
    const data = result.data as { ready: BookingCardView[]; recent: BookingCardView[] };
    expect(data.ready.some((c) => c.id === space.bookingId)).toBe(false);
    const card = data.recent.find((c) => c.id === space.bookingId);
    expect(card).toMatchObject({ state: "ended", badge: "Ended", join: { kind: "rejoin" }, canAssignStudent: false });
    const launch = await postLaunchForm(space.bookingId, cookies.parent);
    expect(launch.status).toBe(303);
    expect(launch.headers.get("Location")).toBe(`/bookings/${space.bookingId}/classroom`);
  });
});

describe("what a parent sees", () => {
  type DashboardData = { ready: BookingCardView[]; upcoming: BookingCardView[]; recent: BookingCardView[] };
  type DetailsData = { booking: BookingDetailsView };
  const cardIn = (data: DashboardData, id: string) =>
    [...data.ready, ...data.upcoming, ...data.recent].find((card) => card.id === id);

  it("the dashboard card and the details page say how long Charlie attended; words stay as settled when late rows arrive", async () => {
    const space = await lesson(new Date(Date.now() - 3 * 60 * MINUTE));
    const s = space.start;
    await session(space, s, plus(s, 60), [
      { who: tutor, from: s, to: plus(s, 60) },
      { who: child, from: plus(s, 8), to: plus(s, 60) },
    ]);
    await settleLessonOutcome(space.bookingId, new Date());
    const card = cardIn(
      (await callLoader(dashboardRoute, "/", { cookie: cookies.parent })).data as DashboardData,
      space.bookingId,
    );
    expect(card).toMatchObject({
      state: "held",
      badge: "Held",
      explanation: "Charlie Brown attended 52 of 60 minutes.",
    });
    const details = await callLoader(detailsRoute, `/bookings/${space.bookingId}`, {
      cookie: cookies.parent,
      params: { id: space.bookingId },
    });
    expect((details.data as DetailsData).booking.explanation).toBe("Charlie Brown attended 52 of 60 minutes.");

    // A late session with more attendance does not rewrite what was settled.
    await session(space, plus(s, 70), plus(s, 74), [{ who: child, from: plus(s, 70), to: plus(s, 74) }]);
    const again = await callLoader(detailsRoute, `/bookings/${space.bookingId}`, {
      cookie: cookies.parent,
      params: { id: space.bookingId },
    });
    expect((again.data as DetailsData).booking.explanation).toBe("Charlie Brown attended 52 of 60 minutes.");
  });

  it("an absence reads as such, with the short label the badge shows instead of Completed", async () => {
    const space = await lesson(new Date(Date.now() - 5 * 60 * MINUTE));
    await session(space, space.start, plus(space.start, 40), [
      { who: child, from: space.start, to: plus(space.start, 40) },
    ]);
    await settleLessonOutcome(space.bookingId, new Date());
    const details = await callLoader(detailsRoute, `/bookings/${space.bookingId}`, {
      cookie: cookies.parent,
      params: { id: space.bookingId },
    });
    expect((details.data as DetailsData).booking).toMatchObject({
      state: "tutor_absent",
      badge: "Tutor absent",
      explanation: "Tara Singh did not join (tutor); a lesson needs at least 12 min of both.",
    });
  });

  it("a stranger gets 404 on the details page and never sees the card", async () => {
    const space = await lesson(new Date(Date.now() - 7 * 60 * MINUTE));
    await settleLessonOutcome(space.bookingId, new Date());
    const details = await callLoader(detailsRoute, `/bookings/${space.bookingId}`, {
      cookie: cookies.stranger,
      params: { id: space.bookingId },
    });
    expect(details.status).toBe(404);
    const dashboard = (await callLoader(dashboardRoute, "/", { cookie: cookies.stranger })).data as DashboardData;
    expect(cardIn(dashboard, space.bookingId)).toBeUndefined();
  });

  it("the loaders send only the words, not the stored seconds or settlement time", async () => {
    const space = await lesson(new Date(Date.now() - 9 * 60 * MINUTE));
    await settleLessonOutcome(space.bookingId, new Date());
    const details = await callLoader(detailsRoute, `/bookings/${space.bookingId}`, {
      cookie: cookies.parent,
      params: { id: space.bookingId },
    });
    const json = JSON.stringify(details.data);
    expect(json).toContain("Nobody joined the classroom.");
    expect(json).not.toMatch(/outcomeTutorSeconds|outcomeAttendeeSeconds|outcomeSettledAt/);
  });
});

function outcomeLogLines(lines: LogLine[], bookingId: string): number {
  return lines.filter((line) => line.msg === "proof-of-value: lesson outcome settled" && line.bookingId === bookingId)
    .length;
}

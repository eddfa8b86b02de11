// The late-start alerts end to end (docs/decisions/0078-late-start-alerts.md):
// real PostgreSQL, real pg-boss, real SMTP to this file's catcher. Lessons start around the real
// clock (the sender re-checks due-ness and attendance at send time); sweeps take their instant as
// an argument. Attendance rows are written as the webhooks write them (lessonspace_attendance).
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db, pool } from "~/.server/db";
import { closeMailer } from "~/.server/notifications/mailer";
import { sendNotification } from "~/.server/notifications/sender";
import { runSweep } from "~/.server/notifications/sweep";
import { verifyUnsubscribeToken } from "~/.server/notifications/unsubscribe-token";
import { dueLateStartKinds, LATE_START_STALE_MS, type LateStartBooking } from "~/domain/late-start";
import { addGuardian, createProfile, type TestProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import {
  bookingAround,
  countByNotification,
  eventually,
  FAST_SEND_JOBS,
  MINUTE,
  sendWorkers,
  settle,
  sweepQueue,
} from "./notifications-helpers.ts";

const quiet = { sendJob: FAST_SEND_JOBS };
const SECOND = 1_000;

type Family = { tutor: TestProfile; client: TestProfile; child: TestProfile; gina: TestProfile; pete: TestProfile };
let people: Family;

beforeEach(async () => {
  testStandIns.smtp.clear();
  await db.booking.deleteMany({});
  const [tutor, client, child, gina, pete] = await Promise.all([
    createProfile({ fullName: "Tess Tutor", roles: ["tutor"] }),
    createProfile({ fullName: "Pat Parent", roles: ["client"] }),
    createProfile({ fullName: "Charlie Child", roles: ["student"] }),
    createProfile({ fullName: "Gina Guardian", roles: ["client"] }),
    createProfile({ fullName: "Pete Pending", roles: ["client"] }),
  ]);
  await addGuardian(client.id, child.id);
  await addGuardian(gina.id, child.id);
  await addGuardian(pete.id, child.id, "PENDING");
  people = { tutor, client, child, gina, pete };
  // These lessons are in their classroom-open window too: that reminder is switched off here, so
  // only the late-start alerts are in play.
  await db.notificationPreference.createMany({
    data: [tutor, client, child, gina, pete].map((p) => ({
      profileId: p.id,
      kind: "reminder_classroom_open",
      enabled: false,
    })),
  });
});

afterAll(async () => {
  await closeMailer();
});

/** A Confirmed lesson for the child that started `ago` ms before `now`. */
async function lessonStarted(now: Date, ago: number, options: { child?: boolean; status?: "Cancelled" } = {}) {
  const booking = await bookingAround(now, people, { startsIn: -ago, status: options.status });
  if (options.child ?? true)
    await db.booking.update({ where: { id: booking.id }, data: { studentId: people.child.id } });
  return db.booking.findUniqueOrThrow({ where: { id: booking.id } });
}

/** Someone's visit to the lesson's classroom, as the webhooks record it (a new session each time). */
async function visit(bookingId: string, profileId: string, joinedAt: Date, leftAt: Date | null = null) {
  const sessionId = `session-${randomUUID()}`;
  await db.lessonspaceSession.create({ data: { sessionId, bookingId, startedAt: joinedAt } });
  await db.lessonspaceAttendance.create({
    data: {
      sessionId,
      profileId,
      joinedAt,
      leftAt,
      secondsPresent: leftAt ? Math.round((leftAt.getTime() - joinedAt.getTime()) / 1000) : 0,
    },
  });
}

const rowsOf = (bookingId: string) =>
  db.notification.findMany({ where: { bookingId }, orderBy: [{ kind: "asc" }, { recipientRole: "asc" }] });

const summary = (rows: { kind: string; recipientRole: string; status: string }[]) =>
  rows.map((r) => `${r.kind}:${r.recipientRole}:${r.status}`).sort();

const subjectsTo = (profile: { email: string }) =>
  testStandIns.smtp.messages({ to: profile.email }).map((m) => m.subject);

describe("late start", { timeout: 60_000 }, () => {
  it("a tutor missing at +5 gets 'started 5 minutes ago' with the booking link; the family is told the tutor was reminded", async () => {
    const now = new Date();
    const booking = await lessonStarted(now, 5 * MINUTE + 10 * SECOND);
    // The child is in the room, waiting.
    await visit(booking.id, people.child.id, new Date(now.getTime() - 4 * MINUTE));
    const queue = await sweepQueue();
    await sendWorkers();

    const result = await runSweep(queue, now, quiet);
    expect(result.queued).toEqual({ tutor_late: 1, tutor_reminded: 3 });
    const rows = await eventually(
      () => rowsOf(booking.id),
      (all) => all.length === 4 && all.every((r) => r.status === "sent"),
    );
    expect(summary(rows)).toEqual([
      "tutor_late:tutor:sent",
      "tutor_reminded:client:sent",
      "tutor_reminded:guardian:sent",
      "tutor_reminded:student:sent",
    ]);

    const [toTutor] = testStandIns.smtp.messages({ to: people.tutor.email });
    expect(toTutor!.subject).toBe("Your lesson with Charlie Child started 5 minutes ago");
    expect(toTutor!.text).toContain("Your lesson with Charlie Child started 5 minutes ago and they are waiting.");
    expect(toTutor!.html).toContain(`/bookings/${booking.id}`);
    const unsubscribe = new URL(toTutor!.headers["list-unsubscribe"]!.slice(1, -1));
    expect(verifyUnsubscribeToken(unsubscribe.searchParams.get("token"))).toEqual({
      profileId: people.tutor.id,
      kind: "tutor_late",
    });
    expect(toTutor!.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    for (const member of [people.client, people.gina, people.child])
      expect(subjectsTo(member)).toEqual(["Tess Tutor has not joined yet: we have reminded them"]);
    // A guardian whose link is still pending is told nothing.
    expect(subjectsTo(people.pete)).toEqual([]);
  });

  it("the tutor in and the learner missing: the learner with an address is told the tutor is waiting, and nobody else", async () => {
    const now = new Date();
    const booking = await lessonStarted(now, 6 * MINUTE);
    await visit(booking.id, people.tutor.id, new Date(now.getTime() - 1 * MINUTE));
    const queue = await sweepQueue();
    await sendWorkers();

    const result = await runSweep(queue, now, quiet);
    expect(result.queued).toEqual({ learner_late: 1 });
    await eventually(
      () => rowsOf(booking.id),
      (all) => all.length === 1 && all[0]!.status === "sent",
    );
    const [message] = testStandIns.smtp.messages();
    expect(message!.to.map((to) => to.address)).toEqual([people.child.email]);
    expect(message!.subject).toMatch(/^Tess Tutor is waiting in the classroom: GCSE Maths started at /);
    expect(message!.text).toContain("Tess Tutor is in the classroom and waiting for you.");
    expect(message!.text).toContain(`/bookings/${booking.id}`);
  });

  it("a child without an address: the client and active guardians are told the tutor is waiting; an adult learner is told themself", async () => {
    const now = new Date();
    await db.profile.update({ where: { id: people.child.id }, data: { email: null } });
    const forChild = await lessonStarted(now, 6 * MINUTE);
    const forAdult = await lessonStarted(now, 6 * MINUTE, { child: false });
    await visit(forChild.id, people.tutor.id, new Date(now.getTime() - 1 * MINUTE));
    await visit(forAdult.id, people.tutor.id, new Date(now.getTime() - 1 * MINUTE));
    const queue = await sweepQueue();
    await sendWorkers();

    await runSweep(queue, now, quiet);
    await eventually(
      () => db.notification.findMany({ where: { bookingId: { in: [forChild.id, forAdult.id] } } }),
      (all) => all.length === 3 && all.every((r) => r.status === "sent"),
    );
    expect(summary(await rowsOf(forChild.id))).toEqual(["learner_late:client:sent", "learner_late:guardian:sent"]);
    expect(summary(await rowsOf(forAdult.id))).toEqual(["learner_late:client:sent"]);
    expect(subjectsTo(people.gina)).toHaveLength(1);
    expect(testStandIns.smtp.messages({ to: people.gina.email })[0]!.text).toContain("waiting for Charlie Child.");
    expect(subjectsTo(people.client)).toHaveLength(2);
  });

  it("a tutor who joined at +2 and left at +4 counts as joined: no tutor-late, and the learner who never came is told", async () => {
    const now = new Date();
    const booking = await lessonStarted(now, 5 * MINUTE);
    const start = booking.sessionStartTime.getTime();
    await visit(booking.id, people.tutor.id, new Date(start + 2 * MINUTE), new Date(start + 4 * MINUTE));
    const queue = await sweepQueue();
    await sendWorkers();

    const result = await runSweep(queue, now, quiet);
    expect(result.queued).toEqual({ learner_late: 1 });
    await eventually(
      () => rowsOf(booking.id),
      (all) => all.length === 1 && all[0]!.status === "sent",
    );
    expect(subjectsTo(people.tutor)).toEqual([]);
  });

  it("both in the room: nothing is queued", async () => {
    const now = new Date();
    const booking = await lessonStarted(now, 5 * MINUTE);
    await visit(booking.id, people.tutor.id, new Date(now.getTime() - 6 * MINUTE));
    await visit(booking.id, people.child.id, new Date(now.getTime() - 6 * MINUTE));
    const result = await runSweep(await sweepQueue(), now, quiet);
    expect(result.queued).toEqual({});
    expect(await rowsOf(booking.id)).toEqual([]);
  });

  it("a tutor who joined after the sweep queued the alerts gets nothing; every row is skipped with the reason", async () => {
    const now = new Date();
    const booking = await lessonStarted(now, 5 * MINUTE);
    const queue = await sweepQueue();
    await runSweep(queue, now, quiet);
    expect(await rowsOf(booking.id)).toHaveLength(4);
    // The tutor comes in before any worker sends.
    await visit(booking.id, people.tutor.id, new Date());
    await sendWorkers();

    const rows = await eventually(
      () => rowsOf(booking.id),
      (all) => all.every((r) => r.status === "skipped"),
    );
    expect(rows.map((r) => r.lastError)).toEqual(["tutor joined", "tutor joined", "tutor joined", "tutor joined"]);
    await settle();
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("re-reads attendance under the claim: a tutor who joins at the very moment of the claim is not sent the alert", async () => {
    const now = new Date();
    const booking = await lessonStarted(now, 5 * MINUTE);
    await runSweep(await sweepQueue(), now, quiet);
    const [row] = (await rowsOf(booking.id)).filter((r) => r.kind === "tutor_late");
    // The tutor's join lands when the row is claimed, after the sender's first read saw nobody.
    const fn = `late_start_join_${randomUUID().replaceAll("-", "")}`;
    await pool.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO lessonspace_sessions (session_id, booking_id, started_at) VALUES ('claim-' || NEW.id, NEW.booking_id, now());
        INSERT INTO lessonspace_attendance (session_id, profile_id, joined_at) VALUES ('claim-' || NEW.id, '${people.tutor.id}', now());
        RETURN NEW;
      END $$`);
    await pool.query(
      `CREATE TRIGGER ${fn} AFTER UPDATE OF status ON notifications FOR EACH ROW WHEN (NEW.status = 'sending' AND NEW.id = '${row!.id}') EXECUTE FUNCTION ${fn}()`,
    );
    try {
      expect(await sendNotification(row!.id)).toBe("skipped");
    } finally {
      await pool.query(`DROP TRIGGER ${fn} ON notifications`);
      await pool.query(`DROP FUNCTION ${fn}()`);
    }
    const after = await db.notification.findUniqueOrThrow({ where: { id: row!.id } });
    expect(after.status).toBe("skipped");
    expect(after.lastError).toBe("tutor joined");
    expect(after.attempts).toBe(1);
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("a learner who joined meanwhile is not told the tutor is waiting", async () => {
    const now = new Date();
    const booking = await lessonStarted(now, 5 * MINUTE);
    await visit(booking.id, people.tutor.id, new Date(now.getTime() - 3 * MINUTE));
    await runSweep(await sweepQueue(), now, quiet);
    const [row] = await rowsOf(booking.id);
    await visit(booking.id, people.child.id, new Date());
    expect(await sendNotification(row!.id)).toBe("skipped");
    expect((await db.notification.findUniqueOrThrow({ where: { id: row!.id } })).lastError).toBe("learner joined");
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("a cancelled lesson gets nothing, and one cancelled after the sweep is skipped", async () => {
    const now = new Date();
    const cancelled = await lessonStarted(now, 5 * MINUTE, { status: "Cancelled" });
    const later = await lessonStarted(now, 5 * MINUTE);
    const queue = await sweepQueue();
    await runSweep(queue, now, quiet);
    expect(await rowsOf(cancelled.id)).toEqual([]);
    await db.booking.update({ where: { id: later.id }, data: { status: "Cancelled" } });
    await sendWorkers();
    const rows = await eventually(
      () => rowsOf(later.id),
      (all) => all.length === 4 && all.every((r) => r.status === "skipped"),
    );
    expect(new Set(rows.map((r) => r.lastError))).toEqual(new Set(["booking cancelled"]));
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("two sweeps on two workers, twice over, send each alert once", async () => {
    const now = new Date();
    const bookings = await Promise.all(Array.from({ length: 6 }, () => lessonStarted(now, 5 * MINUTE + SECOND)));
    const a = await sendWorkers({ sendBatchSize: 3 });
    const b = await sendWorkers({ sendBatchSize: 3 });

    const results = await Promise.all([
      runSweep(a.queue, now, { ...quiet, batchSize: 2 }),
      runSweep(b.queue, now, { ...quiet, batchSize: 2 }),
      runSweep(a.queue, new Date(now.getTime() + 30 * SECOND), { ...quiet, batchSize: 2 }),
      runSweep(b.queue, new Date(now.getTime() + 30 * SECOND), { ...quiet, batchSize: 2 }),
    ]);
    const queued = (kind: "tutor_late" | "tutor_reminded") =>
      results.reduce((sum, r) => sum + (r.queued[kind] ?? 0), 0);
    expect(queued("tutor_late")).toBe(6);
    expect(queued("tutor_reminded")).toBe(18);
    const ids = bookings.map((booking) => booking.id);
    await eventually(
      () => db.notification.findMany({ where: { bookingId: { in: ids } } }),
      (all) => all.length === 24 && all.every((r) => r.status === "sent"),
    );
    await settle();
    const counts = countByNotification();
    expect(counts.size).toBe(24);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it("is never sent stale: a sweep at +65 queues nothing, and a row queued at +5 but sent at +16 is skipped", async () => {
    const now = new Date();
    const longAgo = await lessonStarted(now, 65 * MINUTE, {});
    await db.booking.update({ where: { id: longAgo.id }, data: { sessionDuration: 120 } });
    const queue = await sweepQueue();
    const result = await runSweep(queue, now, quiet);
    expect(result.queued).toEqual({});

    const recent = await lessonStarted(now, 5 * MINUTE);
    await runSweep(queue, now, quiet);
    const [row] = (await rowsOf(recent.id)).filter((r) => r.kind === "tutor_late");
    const stale = new Date(recent.sessionStartTime.getTime() + 5 * MINUTE + LATE_START_STALE_MS);
    expect(await sendNotification(row!.id, { now: () => stale })).toBe("skipped");
    expect((await db.notification.findUniqueOrThrow({ where: { id: row!.id } })).lastError).toBe("no longer due");
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("respects the choices: a tutor who switched tutor-late off gets no row, the family still hears; switched off after queueing → skipped", async () => {
    const now = new Date();
    await db.notificationPreference.create({
      data: { profileId: people.tutor.id, kind: "tutor_late", enabled: false },
    });
    const booking = await lessonStarted(now, 5 * MINUTE);
    const queue = await sweepQueue();
    const result = await runSweep(queue, now, quiet);
    expect(result.queued).toEqual({ tutor_reminded: 3 });

    // Gina unsubscribes between the sweep and the send.
    await db.notificationPreference.create({
      data: { profileId: people.gina.id, kind: "tutor_reminded", enabled: false },
    });
    await sendWorkers();
    const rows = await eventually(
      () => rowsOf(booking.id),
      (all) => all.length === 3 && all.every((r) => r.status !== "queued" && r.status !== "sending"),
    );
    expect(summary(rows)).toEqual([
      "tutor_reminded:client:sent",
      "tutor_reminded:guardian:skipped",
      "tutor_reminded:student:sent",
    ]);
    expect(subjectsTo(people.tutor)).toEqual([]);
    expect(subjectsTo(people.gina)).toEqual([]);
  });
});

describe("the sweep's SQL agrees with the late-start rule at every edge (injected clock)", () => {
  const NOW = new Date("2026-11-24T12:05:00Z");
  // [label, started this long before NOW, minutes long, the tutor in?]
  const cases: [string, number, number, boolean][] = [
    ["started 5 min − 1 s ago: not yet", 5 * MINUTE - SECOND, 60, false],
    ["started exactly 5 min ago: due (inclusive)", 5 * MINUTE, 60, false],
    ["started 15 min − 1 s ago: still due", 15 * MINUTE - SECOND, 60, false],
    ["started exactly 15 min ago: stale", 15 * MINUTE, 60, false],
    ["started 65 min ago: stale", 65 * MINUTE, 120, false],
    ["a 10-minute lesson that started 10 min ago: over", 10 * MINUTE, 10, false],
    ["the tutor in, the learner missing at +5", 5 * MINUTE, 60, true],
  ];

  it.each(cases)("%s", async (_label, ago, duration, tutorIn) => {
    const booking = await bookingAround(NOW, people, { startsIn: -ago, duration });
    if (tutorIn) await visit(booking.id, people.tutor.id, booking.sessionStartTime);
    await runSweep(await sweepQueue(), NOW, quiet);
    const kinds = new Set((await rowsOf(booking.id)).map((r) => r.kind));
    const expected = dueLateStartKinds(
      booking as LateStartBooking,
      { tutorJoined: tutorIn, learnerJoined: false },
      NOW,
      5,
    );
    expect([...kinds].sort()).toEqual([...expected].sort());
  });

  it("follows LATE_START_AFTER_MINUTES: at 3 minutes a lesson that started 3 min ago is due", async () => {
    const booking = await bookingAround(NOW, people, { startsIn: -3 * MINUTE });
    const result = await runSweep(await sweepQueue(), NOW, { ...quiet, lateStartAfterMinutes: 3 });
    expect(result.queued).toEqual({ tutor_late: 1, tutor_reminded: 1 });
    expect(new Set((await rowsOf(booking.id)).map((r) => r.kind))).toEqual(new Set(["tutor_late", "tutor_reminded"]));
  });
});

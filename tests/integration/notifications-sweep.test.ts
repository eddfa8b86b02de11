// The sweep and the send workers end to end: real PostgreSQL, real pg-boss, real SMTP to this file's
// catcher. Bookings sit around the real clock (the sender re-checks what is due at send time);
// sweeps take the instant they run for as an argument.
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { closeMailer } from "~/.server/notifications/mailer";
import { runSweep } from "~/.server/notifications/sweep";
import { QUEUES } from "~/.server/queue";
import { testStandIns } from "../support/stand-ins.ts";
import {
  bookingAround,
  countByNotification,
  eventually,
  family,
  FAST_SEND_JOBS,
  HOUR,
  MINUTE,
  rowsOf,
  sendWorkers,
  settle,
  sweepQueue,
} from "./notifications-helpers.ts";

const quiet = { sendJob: FAST_SEND_JOBS };
let people: Awaited<ReturnType<typeof family>>;

beforeEach(async () => {
  testStandIns.smtp.clear();
  // Each test sees only its own bookings' messages.
  await db.booking.deleteMany({});
  people = await family();
});

afterAll(async () => {
  await closeMailer();
});

const messagesFor = (bookingIds: string[]) => db.notification.findMany({ where: { bookingId: { in: bookingIds } } });

// Real SMTP and pg-boss polling on a shared machine: generous time per test.
describe("a sweep", { timeout: 60_000 }, () => {
  it("sends each due reminder to the catcher once, with the Join link to our booking page; a second sweep sends nothing new", async () => {
    const now = new Date();
    const soon = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const tomorrow = await bookingAround(now, people, { startsIn: 20 * HOUR });
    const queue = await sweepQueue();
    await sendWorkers();

    const first = await runSweep(queue, now, quiet);
    expect(first.queued).toEqual({ reminder_day_before: 2, reminder_classroom_open: 2 });
    // The row is marked sent just after the server accepted the message.
    const rows = await eventually(
      () => messagesFor([soon.id, tomorrow.id]),
      (all) => all.length === 4 && all.every((r) => r.status === "sent"),
    );
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent", "sent"]);
    expect([...countByNotification().entries()].sort()).toEqual(rows.map((r) => [r.id, 1]).sort());
    for (const row of rows) {
      expect(row.messageId).toBeTruthy();
      expect(row.sentAt).not.toBeNull();
      expect(row.attempts).toBe(1);
    }
    const toClient = testStandIns.smtp.messages({ to: people.client.email });
    expect(toClient).toHaveLength(2);
    expect(testStandIns.smtp.messages({ to: people.tutor.email })).toHaveLength(2);
    expect(toClient.some((m) => (m.html ?? "").includes(`/bookings/${soon.id}`))).toBe(true);

    const second = await runSweep(queue, new Date(), quiet);
    expect(second.queued).toEqual({});
    await settle();
    expect(testStandIns.smtp.messages()).toHaveLength(4);
  });

  it("raced by two workers (two pg-boss instances, each sweeping and sending) sends every message once", async () => {
    const now = new Date();
    // Classroom opens for all 15 (they start within the next 15 minutes).
    const bookings = await Promise.all(
      Array.from({ length: 15 }, (_, i) => bookingAround(now, people, { startsIn: (1 + i) * MINUTE })),
    );
    const a = await sendWorkers({ sendBatchSize: 4 });
    const b = await sendWorkers({ sendBatchSize: 4 });

    const [ra, rb] = await Promise.all([
      runSweep(a.queue, now, { ...quiet, batchSize: 4 }),
      runSweep(b.queue, now, { ...quiet, batchSize: 4 }),
    ]);

    // Between them they queued each of the 30 messages exactly once.
    expect((ra.queued.reminder_classroom_open ?? 0) + (rb.queued.reminder_classroom_open ?? 0)).toBe(30);
    await eventually(
      () => messagesFor(bookings.map((b) => b.id)),
      (all) => all.length === 30 && all.every((r) => r.status === "sent"),
    );
    await settle();
    const counts = countByNotification();
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const rows = await messagesFor(bookings.map((b) => b.id));
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
  });

  it("gives a moved lesson a fresh day-before reminder for its new time, and keeps the old one as sent", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 20 * HOUR });
    const queue = await sweepQueue();
    await sendWorkers();
    await runSweep(queue, now, quiet);
    await eventually(
      () => testStandIns.smtp.messages().length,
      (n) => n === 2,
    );

    // The booking system moves it two hours later (still within 24 h): due again for the new time.
    const moved = await db.booking.update({
      where: { id: booking.id },
      data: { sessionStartTime: new Date(booking.sessionStartTime.getTime() + 2 * HOUR) },
    });
    const again = await runSweep(queue, new Date(), quiet);

    expect(again.queued).toEqual({ reminder_day_before: 2 });
    const rows = await eventually(
      () => rowsOf(booking.id),
      (all) => all.length === 4 && all.every((r) => r.status === "sent"),
    );
    expect(rows.map((r) => [r.forStartTime.toISOString(), r.status])).toEqual([
      [booking.sessionStartTime.toISOString(), "sent"],
      [booking.sessionStartTime.toISOString(), "sent"],
      [moved.sessionStartTime.toISOString(), "sent"],
      [moved.sessionStartTime.toISOString(), "sent"],
    ]);
    await settle();
    expect(testStandIns.smtp.messages()).toHaveLength(4);
  });

  it("skips a reminder queued for the old time when the lesson moves before it is sent, and sends the new one", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 20 * HOUR });
    const queue = await sweepQueue();
    await runSweep(queue, now, quiet);
    // Moved while the workers were down.
    const moved = await db.booking.update({
      where: { id: booking.id },
      data: { sessionStartTime: new Date(booking.sessionStartTime.getTime() + HOUR) },
    });
    await runSweep(queue, new Date(), quiet);
    await sendWorkers();

    await eventually(
      () => rowsOf(booking.id),
      (rows) => rows.every((r) => r.status !== "queued" && r.status !== "sending"),
    );
    const rows = await rowsOf(booking.id);
    expect(rows.map((r) => [r.forStartTime.toISOString(), r.status, r.lastError])).toEqual([
      [booking.sessionStartTime.toISOString(), "skipped", "lesson moved"],
      [booking.sessionStartTime.toISOString(), "skipped", "lesson moved"],
      [moved.sessionStartTime.toISOString(), "sent", null],
      [moved.sessionStartTime.toISOString(), "sent", null],
    ]);
    await settle();
    expect(testStandIns.smtp.messages()).toHaveLength(2);
  });

  it("does not send a reminder its recipient switched off after it was queued; the others still go", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const queue = await sweepQueue();
    const result = await runSweep(queue, now, quiet);
    expect(result.queued).toEqual({ reminder_classroom_open: 2 });
    // The parent presses the reminder's unsubscribe link before the workers get to it.
    await db.notificationPreference.create({
      data: { profileId: people.client.id, kind: "reminder_classroom_open", enabled: false },
    });
    await sendWorkers();

    await eventually(
      () => rowsOf(booking.id),
      (rows) => rows.every((r) => r.status !== "queued" && r.status !== "sending"),
    );
    const rows = await rowsOf(booking.id);
    expect(rows.map((r) => [r.recipientProfileId, r.status, r.lastError]).sort()).toEqual(
      [
        [people.client.id, "skipped", "switched off by the recipient"],
        [people.tutor.id, "sent", null],
      ].sort(),
    );
    await settle();
    expect(testStandIns.smtp.messages().map((m) => m.envelope.to)).toEqual([[people.tutor.email]]);
  });

  it("sends nothing for a cancelled lesson, even one cancelled after its reminder was queued", async () => {
    const now = new Date();
    const cancelled = await bookingAround(now, people, { startsIn: 10 * MINUTE, status: "Cancelled" });
    const cancelledLater = await bookingAround(now, people, { startsIn: 12 * MINUTE });
    const queue = await sweepQueue();

    const result = await runSweep(queue, now, quiet);
    expect(result.queued).toEqual({ reminder_classroom_open: 2 });
    expect(await rowsOf(cancelled.id)).toEqual([]);
    await db.booking.update({ where: { id: cancelledLater.id }, data: { status: "Cancelled" } });
    await sendWorkers();

    await eventually(
      () => rowsOf(cancelledLater.id),
      (rows) => rows.every((r) => r.status === "skipped"),
    );
    expect((await rowsOf(cancelledLater.id)).map((r) => r.lastError)).toEqual([
      "booking cancelled",
      "booking cancelled",
    ]);
    await settle();
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("after an outage catches up on what is still due, and never sends a classroom-open message for a lesson that ended", async () => {
    const now = new Date();
    // Nothing ran for the last 3 hours.
    const dayBeforeDue3hAgo = await bookingAround(now, people, { startsIn: 21 * HOUR });
    const openedTenMinutesAgo = await bookingAround(now, people, { startsIn: 5 * MINUTE });
    const inProgress = await bookingAround(now, people, { startsIn: -30 * MINUTE });
    const endedFiveMinutesAgo = await bookingAround(now, people, { startsIn: -65 * MINUTE });
    // Its day-before window closed when the classroom opened: only the classroom-open one is due.
    const startsInTenMinutes = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const queue = await sweepQueue();
    await sendWorkers();

    const result = await runSweep(queue, now, quiet);

    expect(result.queued).toEqual({ reminder_day_before: 2, reminder_classroom_open: 6 });
    await eventually(
      () => testStandIns.smtp.messages().length,
      (n) => n === 8,
    );
    const kinds = async (id: string) => [...new Set((await rowsOf(id)).map((r) => r.kind))];
    expect(await kinds(dayBeforeDue3hAgo.id)).toEqual(["reminder_day_before"]);
    expect(await kinds(openedTenMinutesAgo.id)).toEqual(["reminder_classroom_open"]);
    expect(await kinds(inProgress.id)).toEqual(["reminder_classroom_open"]);
    expect(await kinds(startsInTenMinutes.id)).toEqual(["reminder_classroom_open"]);
    expect(await rowsOf(endedFiveMinutesAgo.id)).toEqual([]);
  });

  it("skips a classroom-open reminder still queued when the lesson ends (a backlog never sends it late)", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: -30 * MINUTE, duration: 60 });
    const queue = await sweepQueue();
    await runSweep(queue, now, quiet);
    // The workers come back after the lesson ended.
    await db.booking.update({ where: { id: booking.id }, data: { sessionDuration: 1 } });
    // (Shortening it keeps its start time: the row still matches the booking, only the end has passed.)
    await sendWorkers();

    await eventually(
      () => rowsOf(booking.id),
      (rows) => rows.length === 2 && rows.every((r) => r.status === "skipped"),
    );
    expect((await rowsOf(booking.id)).map((r) => r.lastError)).toEqual(["no longer due", "no longer due"]);
    await settle();
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("gives a Pending booking nothing until it is confirmed, then the reminder that is due", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE, status: "Pending" });
    const queue = await sweepQueue();
    expect((await runSweep(queue, now, quiet)).queued).toEqual({});

    await db.booking.update({ where: { id: booking.id }, data: { status: "Confirmed" } });

    expect((await runSweep(queue, new Date(), quiet)).queued).toEqual({ reminder_classroom_open: 2 });
  });

  it("runs by itself when a worker starts (catch-up after a restart), and is scheduled every minute with the transcript downloads", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 3 * MINUTE });
    // A worker as production starts it: sweep on start, cron schedule, sends.
    const workers = await sendWorkers({ sweep: true, schedule: true, sweepOptions: { sendJob: FAST_SEND_JOBS } });

    await eventually(
      () => rowsOf(booking.id),
      (rows) => rows.length === 2 && rows.every((r) => r.status === "sent"),
    );
    expect(testStandIns.smtp.messages()).toHaveLength(2);
    const schedules = await workers.queue.boss.getSchedules();
    // Beside the sweep, the transcript downloads and the summaries are scheduled the same way;
    // retention (lesson data and the access log) once a day.
    expect(schedules.map(({ name, cron }) => `${name} ${cron}`).sort()).toEqual(
      [
        `${QUEUES.sweep} * * * * *`,
        `${QUEUES.transcripts} * * * * *`,
        `${QUEUES.summaries} * * * * *`,
        `${QUEUES.retention} 17 3 * * *`,
      ].sort(),
    );
  });

  it("settles the outcome when the window closes, then sends the family the lesson record and the tutor the review prompt (held only)", async () => {
    const now = new Date();
    // Both lessons ended 30 minutes ago: their join windows closed 15 minutes ago.
    const held = await bookingAround(now, people, { startsIn: -90 * MINUTE, duration: 60 });
    const notHeld = await bookingAround(now, people, { startsIn: -91 * MINUTE, duration: 60 });
    const start = held.sessionStartTime;
    const end = new Date(start.getTime() + 60 * MINUTE);
    await db.lessonspaceSession.create({
      data: {
        sessionId: randomUUID(),
        bookingId: held.id,
        startedAt: start,
        endedAt: end,
        durationSeconds: 3600,
        attendance: {
          create: [
            { profileId: people.tutor.id, joinedAt: start, leftAt: end, secondsPresent: 3600 },
            { profileId: people.client.id, joinedAt: start, leftAt: end, secondsPresent: 3600 },
          ],
        },
      },
    });
    const queue = await sweepQueue();
    await sendWorkers();

    const result = await runSweep(queue, now, quiet);

    expect(result.outcomesSettled).toBe(2);
    expect(result.queued).toEqual({ lesson_record: 2, review_prompt: 1 });
    await eventually(
      () => messagesFor([held.id, notHeld.id]),
      (all) => all.length === 3 && all.every((r) => r.status === "sent"),
    );
    const heldRows = await rowsOf(held.id);
    expect(heldRows.map((r) => [r.kind, r.recipientRole, r.status])).toEqual([
      ["lesson_record", "client", "sent"],
      ["review_prompt", "tutor", "sent"],
    ]);
    expect((await rowsOf(notHeld.id)).map((r) => [r.kind, r.recipientRole])).toEqual([["lesson_record", "client"]]);
    const records = testStandIns.smtp.messages({ to: people.client.email });
    expect(records.map((m) => m.text ?? "").join("\n")).toContain("attended 60 of 60 minutes");
    expect(records.map((m) => m.text ?? "").join("\n")).toContain("Not held. Nobody joined the classroom.");
    expect(testStandIns.smtp.messages({ to: people.tutor.email })).toHaveLength(1);

    expect((await runSweep(queue, new Date(), quiet)).queued).toEqual({});
    await settle();
    expect(testStandIns.smtp.messages()).toHaveLength(3);
  });
});

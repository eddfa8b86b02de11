// Sending when SMTP misbehaves and when a worker dies: real PostgreSQL, real pg-boss, real SMTP to
// this file's catcher with its fault switches.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { closeMailer } from "~/.server/notifications/mailer";
import { claimNotification, RetryLaterError, sendNotification } from "~/.server/notifications/sender";
import { runSweep } from "~/.server/notifications/sweep";
import { QUEUES } from "~/.server/queue";
import { logsFromNow } from "../support/logs.ts";
import { testStandIns } from "../support/stand-ins.ts";
import {
  bookingAround,
  countByNotification,
  eventually,
  family,
  FAST_SEND_JOBS,
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
  testStandIns.smtp.failures.clear();
  await testStandIns.smtp.smtpUp();
  await db.booking.deleteMany({});
  people = await family();
});

afterEach(async () => {
  // A pooled connection to a catcher that went down and up must not leak into the next test.
  await closeMailer();
});

afterAll(async () => {
  await testStandIns.smtp.smtpUp();
});

// Real SMTP and pg-boss polling on a shared machine: generous time per test.
describe("SMTP down", { timeout: 60_000 }, () => {
  it("is retried with backoff (visible in the log) and each message goes out once when it comes back", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const queue = await sweepQueue();
    await testStandIns.smtp.smtpDown();
    const lines = logsFromNow();
    await sendWorkers();

    await runSweep(queue, now, quiet);
    // At least two failed tries each while the server refuses connections.
    await eventually(
      () => rowsOf(booking.id),
      (rows) => rows.length === 2 && rows.every((r) => r.attempts >= 2),
      20_000,
    );
    await eventually(
      () => lines().filter((l) => l.msg === "notification.retry").length,
      (n) => n >= 4,
    );
    const rows = await rowsOf(booking.id);
    for (const row of rows) {
      // queued between tries (sending while one is in flight), with the refused connection as the reason
      expect(row.status).not.toBe("sent");
      expect(row.lastError).toMatch(/ECONNREFUSED|ECONNECTION|connect/i);
    }
    const retries = lines().filter((l) => l.msg === "notification.retry");
    expect(retries.length).toBeGreaterThanOrEqual(4);
    expect(retries.every((l) => l.permanent === false)).toBe(true);
    // pg-boss schedules each retry later than the last (exponential backoff).
    const jobs = await db.$queryRawUnsafe<
      { retry_count: number; retry_backoff: boolean; start_after: Date; created_on: Date }[]
    >(
      "SELECT retry_count, retry_backoff, start_after, created_on FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])",
      QUEUES.send,
      rows.map((r) => r.id),
    );
    expect(jobs.every((j) => j.retry_backoff && j.retry_count >= 1)).toBe(true);
    expect(testStandIns.smtp.messages()).toHaveLength(0);

    await testStandIns.smtp.smtpUp();

    await eventually(
      () => rowsOf(booking.id),
      (after) => after.every((r) => r.status === "sent"),
      20_000,
    );
    await settle();
    expect([...countByNotification().values()]).toEqual([1, 1]);
    expect(lines().filter((l) => l.msg === "notification.sent")).toHaveLength(2);
    // Every line a send job wrote names its queue and job (the job id is the notification's id).
    const jobLines = lines().filter((l) => l.notificationId !== undefined);
    expect(jobLines.length).toBeGreaterThanOrEqual(6);
    for (const line of jobLines) expect(line).toMatchObject({ queue: QUEUES.send, jobId: line.notificationId });
    expect(new Set(jobLines.map((l) => l.jobId))).toEqual(new Set(rows.map((r) => r.id)));
  });

  it("outlasting every retry loses nothing still due: the next sweep after the mail server returns gives each row another try, once", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const queue = await sweepQueue();
    await testStandIns.smtp.smtpDown();
    const lines = logsFromNow();
    await sendWorkers();
    // One try per job: the retries run out at once, as four hours of backoff would.
    const oneTry = { sendJob: { ...FAST_SEND_JOBS, retryLimit: 0 } };

    await runSweep(queue, now, oneTry);
    const rows = await rowsOf(booking.id);
    expect(rows).toHaveLength(2);
    const jobStates = () =>
      db.$queryRawUnsafe<{ state: string }[]>(
        "SELECT state::text FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])",
        QUEUES.send,
        rows.map((r) => r.id),
      );
    await eventually(jobStates, (jobs) => jobs.length === 2 && jobs.every((j) => j.state === "failed"), 20_000);
    expect((await rowsOf(booking.id)).map((r) => r.status)).toEqual(["queued", "queued"]);
    // A sweep while the server is still down revives them; they fail again and stay queued.
    expect((await runSweep(queue, new Date(), oneTry)).revived).toBe(2);
    await eventually(jobStates, (jobs) => jobs.every((j) => j.state === "failed"), 20_000);
    expect(testStandIns.smtp.messages()).toHaveLength(0);

    await testStandIns.smtp.smtpUp();
    const revived = await runSweep(queue, new Date(), oneTry);
    expect(revived.revived).toBe(2);
    expect(revived.queued).toEqual({});
    await eventually(
      () => rowsOf(booking.id),
      (after) => after.every((r) => r.status === "sent"),
      20_000,
    );
    // Nothing left to revive, and each message went out once.
    expect((await runSweep(queue, new Date(), oneTry)).revived).toBe(0);
    await settle();
    expect([...countByNotification().values()]).toEqual([1, 1]);
    expect(lines().filter((l) => l.msg === "notification.sent")).toHaveLength(2);
  });

  it("a 451 'try again later' is retried and the message is sent once", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const queue = await sweepQueue();
    testStandIns.smtp.failures.refuseNextMessages(3, 451);
    await sendWorkers();

    await runSweep(queue, now, quiet);

    await eventually(
      () => rowsOf(booking.id),
      (rows) => rows.length === 2 && rows.every((r) => r.status === "sent"),
      20_000,
    );
    await settle();
    expect(testStandIns.smtp.failures.refusals).toHaveLength(3);
    expect([...countByNotification().values()]).toEqual([1, 1]);
    const rows = await rowsOf(booking.id);
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(5);
  });
});

describe("an address refused for good (550)", { timeout: 60_000 }, () => {
  it("stops after a bounded number of tries, marks the row failed and the address undeliverable; the others are sent", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    testStandIns.smtp.failures.refuseRecipient(people.client.email, 550);
    const queue = await sweepQueue();
    const lines = logsFromNow();
    await sendWorkers();

    await runSweep(queue, now, quiet);

    await eventually(
      () => rowsOf(booking.id),
      (rows) => rows.length === 2 && rows.every((r) => r.status === "sent" || r.status === "failed_permanent"),
      20_000,
    );
    const rows = await rowsOf(booking.id);
    const clientRow = rows.find((r) => r.recipientProfileId === people.client.id)!;
    const tutorRow = rows.find((r) => r.recipientProfileId === people.tutor.id)!;
    expect(clientRow).toMatchObject({ status: "failed_permanent", attempts: 2 });
    expect(clientRow.lastError).toMatch(/550/);
    expect(tutorRow).toMatchObject({ status: "sent", attempts: 1 });
    const client = await db.profile.findUniqueOrThrow({ where: { id: people.client.id } });
    expect(client.emailUndeliverableAt).not.toBeNull();
    expect((await db.profile.findUniqueOrThrow({ where: { id: people.tutor.id } })).emailUndeliverableAt).toBeNull();
    await settle(2_500);
    // Two tries, then nothing more.
    expect(testStandIns.smtp.failures.refusals.filter((r) => r.address === people.client.email)).toHaveLength(2);
    expect(testStandIns.smtp.messages({ to: people.client.email })).toHaveLength(0);
    expect(testStandIns.smtp.messages({ to: people.tutor.email })).toHaveLength(1);
    expect(lines().filter((l) => l.msg === "notification.failed_permanent")).toHaveLength(1);

    // The next lesson's reminders leave the marked address out.
    const next = await bookingAround(now, people, { startsIn: 12 * MINUTE });
    await runSweep(queue, now, quiet);
    expect((await rowsOf(next.id)).map((r) => r.recipientProfileId)).toEqual([people.tutor.id]);
  });
});

describe("a worker killed mid-send", { timeout: 60_000 }, () => {
  it("after it claimed the row and died before sending, the message goes out exactly once after restart", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const doomed = await sweepQueue();
    // Its jobs expire 1 s after a worker took them (120 s in production).
    await runSweep(doomed, now, { ...quiet, sendJob: { ...FAST_SEND_JOBS, expireInSeconds: 1 } });
    const rows = await rowsOf(booking.id);

    // The doomed worker takes one job and claims its row, then the process dies: no completion,
    // no failure, the row left `sending`.
    // (It may take other tests' leftover jobs too: their rows are gone, so they come to nothing.)
    const taken = await doomed.boss.fetch<{ notificationId: string }>(QUEUES.send, { batchSize: 100 });
    const job = taken.find((j) => rows.some((r) => r.id === j.id));
    expect(job).toBeDefined();
    expect(await claimNotification(job!.data.notificationId, new Date())).toEqual({ attempts: 1 });
    await doomed.stop({ graceful: false });

    // A restarted worker: the dead worker's job expires (1 s here) and is retried; the stale claim
    // (older than the claim timeout, 500 ms here) is taken over.
    const restarted = await sendWorkers({ senderOptions: { claimTimeoutMs: 500 } });
    await settle(1_200);
    await restarted.queue.boss.maintain();

    await eventually(
      () => rowsOf(booking.id),
      (after) => after.every((r) => r.status === "sent"),
      20_000,
    );
    await settle();
    const counts = countByNotification();
    expect(counts.get(job!.data.notificationId)).toBe(1);
    expect([...counts.keys()].sort()).toEqual(rows.map((r) => r.id).sort());
    expect([...counts.values()]).toEqual([1, 1]);
    const claimed = (await rowsOf(booking.id)).find((r) => r.id === job!.data.notificationId)!;
    expect(claimed.attempts).toBe(2);
    // The resend is recognisable: its Message-ID is the notification id.
    const message = testStandIns.smtp.messages().find((m) => m.headers["x-entity-ref-id"] === claimed.id)!;
    expect(message.messageId).toContain(claimed.id);
  });

  it("a second worker never sends a row another worker has just claimed: it retries later instead", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const queue = await sweepQueue();
    await runSweep(queue, now, quiet);
    const [row] = await rowsOf(booking.id);
    expect(await claimNotification(row!.id, new Date())).not.toBeNull();

    await expect(sendNotification(row!.id)).rejects.toBeInstanceOf(RetryLaterError);
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("a job that runs again after its message was sent does nothing (the row is checked first)", async () => {
    const now = new Date();
    const booking = await bookingAround(now, people, { startsIn: 10 * MINUTE });
    const queue = await sweepQueue();
    await runSweep(queue, now, quiet);
    const [row] = await rowsOf(booking.id);

    expect(await sendNotification(row!.id)).toBe("sent");
    expect(await sendNotification(row!.id)).toBe("already-done");
    expect(testStandIns.smtp.messages()).toHaveLength(1);
  });
});

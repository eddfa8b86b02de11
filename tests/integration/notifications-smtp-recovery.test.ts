// The end of the hour's e-mail wave when the mail server refuses for a while: two workers (two
// pg-boss instances) share the sends; every message goes out once it accepts again, none twice.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { closeMailer } from "~/.server/notifications/mailer";
import { runSweep } from "~/.server/notifications/sweep";
import { testStandIns } from "../support/stand-ins.ts";
import {
  bookingAround,
  countByNotification,
  eventually,
  family,
  FAST_SEND_JOBS,
  MINUTE,
  sendWorkers,
  settle,
  sweepQueue,
} from "./notifications-helpers.ts";

beforeEach(async () => {
  testStandIns.smtp.clear();
  testStandIns.smtp.failures.clear();
  await testStandIns.smtp.smtpUp();
});

afterEach(async () => {
  await closeMailer();
});

afterAll(async () => {
  testStandIns.smtp.failures.clear();
  await testStandIns.smtp.smtpUp();
});

describe("SMTP refusing for a while, two workers", { timeout: 90_000 }, () => {
  it("sends every message once the server accepts again, none twice", async () => {
    const now = new Date();
    const people = await family();
    const bookings = await Promise.all(
      Array.from({ length: 6 }, (_, i) => bookingAround(now, people, { startsIn: 10 * MINUTE + i * 1000 })),
    );
    const queue = await sweepQueue();
    // Temporary refusals (451) of the next 10 messages: the first wave fails and is retried.
    testStandIns.smtp.failures.refuseNextMessages(10, 451);
    await Promise.all([sendWorkers(), sendWorkers()]);

    const swept = await runSweep(queue, now, { sendJob: FAST_SEND_JOBS });
    const rows = () => db.notification.findMany({ where: { bookingId: { in: bookings.map((b) => b.id) } } });
    const expected = (await rows()).length;
    expect(expected).toBe(12);
    expect(Object.values(swept.queued).reduce((a, b) => a + (b ?? 0), 0)).toBe(12);

    await eventually(rows, (all) => all.every((row) => row.status === "sent"), 60_000);
    await settle();
    expect(testStandIns.smtp.failures.refusals).toHaveLength(10);
    const counts = countByNotification();
    const sent = await rows();
    expect(sent.map((row) => counts.get(row.id))).toEqual(Array(12).fill(1));
    expect(testStandIns.smtp.messages()).toHaveLength(12);
    // Ten refusals were retried: twelve sends plus at least ten failed tries.
    expect(sent.reduce((sum, row) => sum + row.attempts, 0)).toBeGreaterThanOrEqual(22);
  });
});

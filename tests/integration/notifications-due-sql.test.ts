// The sweep's SQL against the pure due rules (app/domain/notification-due.ts), with an injected
// clock at every edge: the rows a sweep writes are exactly the reminders the rules call due.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { runSweep } from "~/.server/notifications/sweep";
import { QUEUES } from "~/.server/queue";
import { dueReminders, type ReminderBooking } from "~/domain/notification-due";
import { bookingAround, family, HOUR, MINUTE, sweepQueue } from "./notifications-helpers.ts";

const NOW = new Date("2026-11-24T12:00:00Z");
const SECOND = 1_000;
let people: Awaited<ReturnType<typeof family>>;

beforeAll(async () => {
  people = await family();
});

async function sweepAt(now: Date) {
  const queue = await sweepQueue();
  // No guardians or preferences here: every booking's tutor and client get every kind.
  return runSweep(queue, now);
}

describe("the sweep's SQL agrees with the due rules at every edge (injected clock)", () => {
  // [label, starts in (from the sweep's now), booked this long before now, minutes long]
  const cases: [string, number, number, number][] = [
    ["starts in 24 h + 1 s: nothing yet", 24 * HOUR + SECOND, 7 * 24 * HOUR, 60],
    ["starts in exactly 24 h: day-before due (inclusive)", 24 * HOUR, 7 * 24 * HOUR, 60],
    ["starts in 3 h: day-before due", 3 * HOUR, 7 * 24 * HOUR, 60],
    ["starts in 15 min + 1 s: day-before still due", 15 * MINUTE + SECOND, 7 * 24 * HOUR, 60],
    ["starts in exactly 15 min: classroom open (inclusive), day-before over", 15 * MINUTE, 7 * 24 * HOUR, 60],
    ["started 59 min ago, 60 min long: classroom open", -59 * MINUTE, 7 * 24 * HOUR, 60],
    ["ended exactly now: nothing (never after the end)", -60 * MINUTE, 7 * 24 * HOUR, 60],
    ["booked 10 minutes before a start in 3 h: no day-before", 3 * HOUR, 10 * MINUTE, 60],
    ["booked 10 minutes before a start in 5 min: classroom open only", 5 * MINUTE, 10 * MINUTE, 60],
    ["booked exactly 24 h before its start (start in 20 h, booked 4 h ago): no day-before", 20 * HOUR, 4 * HOUR, 60],
    ["booked 24 h + 1 s before its start: day-before due", 20 * HOUR, 4 * HOUR + SECOND, 60],
    ["a 6-hour lesson that started 5 h ago: classroom open", -5 * HOUR, 7 * 24 * HOUR, 360],
  ];

  it.each(cases)("%s", async (_label, startsIn, bookedAgo, duration) => {
    const booking = await bookingAround(NOW, people, { startsIn, bookedAgo, duration });
    await sweepAt(NOW);

    const rows = await db.notification.findMany({ where: { bookingId: booking.id } });
    const expected = dueReminders(booking as ReminderBooking, NOW);
    expect([...new Set(rows.map((r) => r.kind))].sort()).toEqual([...expected].sort());
    // One row per kind and recipient, computed for the booking's start time.
    expect(rows).toHaveLength(expected.length * 2);
    for (const row of rows) expect(row.forStartTime).toEqual(booking.sessionStartTime);
    await db.booking.delete({ where: { id: booking.id } });
  });

  it.each(["Pending", "Cancelled", "Declined", "Completed"] as const)(
    "a %s booking in both windows gets no row",
    async (status) => {
      const soon = await bookingAround(NOW, people, { startsIn: 5 * MINUTE, status });
      const tomorrow = await bookingAround(NOW, people, { startsIn: 20 * HOUR, status });
      await sweepAt(NOW);
      expect(await db.notification.count({ where: { bookingId: { in: [soon.id, tomorrow.id] } } })).toBe(0);
      await db.booking.deleteMany({ where: { id: { in: [soon.id, tomorrow.id] } } });
    },
  );
});

describe("each row is written with its send job", () => {
  it("in the same transaction: one pg-boss job per new row, keyed by the row's id", async () => {
    const booking = await bookingAround(NOW, people, { startsIn: 5 * MINUTE });
    const result = await sweepAt(NOW);

    const rows = await db.notification.findMany({ where: { bookingId: booking.id } });
    expect(result.queued.reminder_classroom_open).toBe(2);
    const jobs = await db.$queryRawUnsafe<{ id: string; data: { notificationId: string }; retry_backoff: boolean }[]>(
      "SELECT id::text, data, retry_backoff FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])",
      QUEUES.send,
      rows.map((r) => r.id),
    );
    expect(jobs.map((j) => j.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(jobs.every((j) => j.data.notificationId === j.id && j.retry_backoff)).toBe(true);
  });

  it("a second sweep at the same instant writes no row and no job", async () => {
    const booking = await bookingAround(NOW, people, { startsIn: 6 * MINUTE });
    await sweepAt(NOW);
    const jobsBefore = await db.$queryRawUnsafe<{ n: bigint }[]>(
      "SELECT count(*) AS n FROM pgboss.job WHERE name = $1",
      QUEUES.send,
    );

    const again = await sweepAt(NOW);

    expect(again.queued).toEqual({});
    expect(await db.notification.count({ where: { bookingId: booking.id } })).toBe(2);
    const jobsAfter = await db.$queryRawUnsafe<{ n: bigint }[]>(
      "SELECT count(*) AS n FROM pgboss.job WHERE name = $1",
      QUEUES.send,
    );
    expect(jobsAfter[0]!.n).toBe(jobsBefore[0]!.n);
  });

  it("a failure inside the batch leaves neither rows nor jobs behind", async () => {
    const booking = await bookingAround(NOW, people, { startsIn: 7 * MINUTE });
    const queue = await sweepQueue();
    // A recipient whose profile does not exist breaks the insert (foreign key) after other rows went in.
    const broken = async (ids: string[]) =>
      new Map(
        ids.map((id) => [
          id,
          [
            {
              profileId: people.tutor.id,
              fullName: "T",
              email: "t@example.test",
              timeZone: "UTC",
              role: "tutor" as const,
            },
            {
              profileId: "00000000-0000-4000-8000-000000000000",
              fullName: "Ghost",
              email: "g@example.test",
              timeZone: "UTC",
              role: "client" as const,
            },
          ],
        ]),
      );

    const jobCount = async () =>
      Number(
        (
          await db.$queryRawUnsafe<{ n: bigint }[]>("SELECT count(*) AS n FROM pgboss.job WHERE name = $1", QUEUES.send)
        )[0]!.n,
      );
    const jobsBefore = await jobCount();

    await expect(runSweep(queue, NOW, { recipients: broken })).rejects.toThrow(/foreign key/);

    expect(await db.notification.count({ where: { bookingId: booking.id } })).toBe(0);
    expect(await jobCount()).toBe(jobsBefore);
    // The same sweep with the real recipients then writes both rows and both jobs.
    await runSweep(queue, NOW);
    expect(await db.notification.count({ where: { bookingId: booking.id } })).toBe(2);
    expect(await jobCount()).toBe(jobsBefore + 2);
  });

  it("finds due bookings through the (status, session_start_time) index", async () => {
    // Too few rows here for the planner to prefer an index: forbid sequential scans to see that it can use one.
    const plan = await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      return tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT b.id FROM bookings b WHERE b.status = 'Confirmed' AND b.session_start_time > $1 AND b.session_start_time <= $2`,
        new Date(NOW.getTime() - 12 * HOUR),
        new Date(NOW.getTime() + 24 * HOUR),
      );
    });
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("bookings_confirmed_start_idx");
  });
});

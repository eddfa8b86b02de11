// Shared by the notifications-*.test.ts files: bookings placed around an instant, workers with
// short retry delays, and reading what the SMTP catcher received by notification id.
import { onTestFinished } from "vitest";
import { db } from "~/.server/db";
import { openQueue, type Queue, type SendJobPolicy } from "~/.server/queue";
import type { WorkerOptions, Workers } from "~/.server/worker";
import type { CaughtMessage } from "../stand-ins/smtp.ts";
import { createProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Retries within seconds instead of minutes (backoff 1-2 s, 2-4 s, …). */
export const FAST_SEND_JOBS: SendJobPolicy = { retryLimit: 5, retryDelay: 1, retryBackoff: true, expireInSeconds: 60 };

/** A pg-boss instance without workers, for running sweeps by hand; stopped after the test. */
export async function sweepQueue(): Promise<Queue> {
  const queue = await openQueue({ schedule: false, supervise: false });
  onTestFinished(() => queue.stop({ graceful: true, timeoutMs: 3_000 }));
  return queue;
}

/** Send workers only (sweeps are run by the test with an injected clock); stopped after the test. */
export async function sendWorkers(options: WorkerOptions = {}): Promise<Workers> {
  const { createWorkers } = await import("~/.server/worker");
  const workers = await createWorkers({
    sweep: false,
    schedule: false,
    supervise: false,
    pollingIntervalSeconds: 0.5,
    ...options,
  });
  onTestFinished(() => workers.stop({ graceful: true, timeoutMs: 3_000 }));
  return workers;
}

export async function family() {
  const tutor = await createProfile({ fullName: "Tess Tutor", roles: ["tutor"] });
  const client = await createProfile({ fullName: "Pat Parent", roles: ["client"] });
  return { tutor, client };
}

/** A Confirmed booking starting `startsIn` ms after `now`, made `bookedAgo` ms before `now`. */
export async function bookingAround(
  now: Date,
  people: { tutor: { id: string }; client: { id: string } },
  options: {
    startsIn: number;
    bookedAgo?: number;
    duration?: number;
    status?: "Pending" | "Confirmed" | "Completed" | "Cancelled" | "Declined";
  },
) {
  return db.booking.create({
    data: {
      clientId: people.client.id,
      tutorId: people.tutor.id,
      serviceName: "GCSE Maths",
      sessionStartTime: new Date(now.getTime() + options.startsIn),
      sessionDuration: options.duration ?? 60,
      status: options.status ?? "Confirmed",
      createdAt: new Date(now.getTime() - (options.bookedAgo ?? 7 * 24 * HOUR)),
    },
  });
}

export function rowsOf(bookingId: string) {
  return db.notification.findMany({
    where: { bookingId },
    orderBy: [{ kind: "asc" }, { forStartTime: "asc" }, { recipientRole: "asc" }],
  });
}

/** The notification id a caught message was sent for (our X-Entity-Ref-ID header). */
export function notificationIdOf(message: CaughtMessage): string | undefined {
  return message.headers["x-entity-ref-id"];
}

/** Caught messages per notification id. */
export function countByNotification(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of testStandIns.smtp.messages()) {
    const id = notificationIdOf(message) ?? "(none)";
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Waits until `check` holds (polling), or fails naming what was last seen. */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  check: (value: T) => boolean,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits a little longer than a worker's polling round, for sends that must NOT happen. */
export const settle = (ms = 1_500) => new Promise((resolve) => setTimeout(resolve, ms));

// bench/digest: the weekly family digest for many families (docs/decisions/0068-weekly-digest-once-per-recipient-and-week.md).
// FAMILIES parents (10,000; 200 with BENCH_QUICK=1), each with a lesson in the reported week (a published note with one
// open homework item) and one next week, live in Pacific/Chatham (nobody else does). Two digest sweeps race
// for the coming Sunday 18:05 there, as two workers' sweeps would; two workers send (the app server's
// in-process workers and one `npm run worker`) over real SMTP to the local catcher: each send reads that
// family's lessons and renders the e-mail. Prints messages/s, duplicates (messages per notification id in
// the catcher), missing (families without exactly one digest) and worker CPU per message, each beside its
// floor with PASS or FAIL.
//
//   npx tsx bench/digest.ts     (builds into build-bench when needed); FAMILIES=… to change the load.
import os from "node:os";
import path from "node:path";
import { openQueue } from "../app/.server/queue.ts";
import { calendarDay } from "../app/domain/format.ts";
import { addDays, instantAt, weekdayIndex } from "../app/domain/wall-clock.ts";
import { DEFAULT_DIGEST_SCHEDULE, dueDigestWeek } from "../app/domain/weekly-digest.ts";
import { cpuSeconds } from "./lib/processes.ts";
import { isMain, runStandalone, type BenchContext } from "./lib/stack.ts";
import { startWorkerProcess } from "./reminders.ts";

const ZONE = "Pacific/Chatham";
const TIMEOUT_MS = 20 * 60_000;

/**
 * What the figures must reach. Throughput: 10,000 families' digests all out within 30 minutes of their
 * local 18:00 (10,000 / 1,800 s ≈ 6 a second), even on this 2-core machine shared with neighbours
 * (10,000 families at load average 26: 37 a second, 5.5 CPU-ms per message, two sweeps 4.2 s; 1,000 at
 * load 17: 15 a second, 13.8 ms, the workers' warm-up weighing more). CPU per message is the send's own
 * cost: one family's lessons read, the e-mail rendered, one SMTP send.
 */
export const DIGEST_FLOORS = { messagesPerSecond: 6, cpuMsPerMessage: 25 };

export type DigestFigures = {
  families: number;
  delivered: number;
  duplicates: number;
  missing: number;
  sweepSeconds: number;
  drainSeconds: number;
  perSecond: number;
  cpuMsPerMessage: number;
  loadAverage: number;
  ok: boolean;
};

export async function digestBench(context: BenchContext, options: { families: number }): Promise<DigestFigures> {
  const { db, stack } = context;
  const say = (line: string) => console.log(`  ${line}`);
  // The app's statements run here too (the sweep): they read the stack's settings.
  Object.assign(process.env, stack.env);
  const { runDigestSweep } = await import("../app/.server/notifications/sweep.ts");

  const today = calendarDay(new Date(), ZONE);
  const sunday = [0, 1, 2, 3, 4, 5, 6, 7]
    .map((d) => addDays(today, d))
    .find((day) => weekdayIndex(day) === 6 && instantAt(day, "18:05", ZONE).getTime() > Date.now())!;
  const sweepAt = instantAt(sunday, "18:05", ZONE);
  const week = dueDigestWeek(sweepAt, ZONE, DEFAULT_DIGEST_SCHEDULE)!;

  const run = Date.now().toString(36);
  const tutorId = crypto.randomUUID();
  await db.profile.create({
    data: { id: tutorId, fullName: "Digest Tutor", email: `digest-tutor-${run}@example.test`, roles: ["tutor"] },
  });
  await db.$executeRawUnsafe(
    `INSERT INTO profiles (id, full_name, email, roles, time_zone)
     SELECT gen_random_uuid(), 'Digest Parent ' || i, 'digest-' || $1 || '-' || i || '@example.test', ARRAY['client'], $2
       FROM generate_series(1, $3::int) AS i`,
    run,
    ZONE,
    options.families,
  );
  const parentIds = (
    await db.profile.findMany({ where: { email: { startsWith: `digest-${run}-` } }, select: { id: true } })
  ).map((p) => p.id);
  // Tuesday 16:00 of the reported week (Completed, a published note, one open item), and Wednesday next week.
  await db.$executeRawUnsafe(
    `WITH b AS (
       INSERT INTO bookings (client_id, tutor_id, service_name, session_start_time, session_duration, status)
       SELECT p, $2::uuid, 'Digest bench lesson', $3::timestamptz, 60, 'Completed' FROM unnest($1::uuid[]) AS p
       RETURNING id),
     n AS (
       INSERT INTO lesson_notes (booking_id, tutor_id, covered, private_note, published_at)
       SELECT id, $2::uuid, 'Fractions and decimals' || chr(10) || 'More detail.', 'private', now() FROM b
       RETURNING booking_id)
     INSERT INTO homework_items (booking_id, position, text) SELECT booking_id, 1, 'Worksheet' FROM n`,
    parentIds,
    tutorId,
    instantAt(addDays(week.monday, 1), "16:00", ZONE),
  );
  await db.$executeRawUnsafe(
    `INSERT INTO bookings (client_id, tutor_id, service_name, session_start_time, session_duration, status)
     SELECT p, $2::uuid, 'Digest bench next lesson', $3::timestamptz, 60, 'Confirmed' FROM unnest($1::uuid[]) AS p`,
    parentIds,
    tutorId,
    instantAt(addDays(week.monday, 9), "16:00", ZONE),
  );
  say(
    `${options.families.toLocaleString("en-GB")} families in ${ZONE}, each with a lesson and a published note in the week of ${week.monday} and one the week after; swept for ${sweepAt.toISOString()}.`,
  );

  const worker = await startWorkerProcess({ ...stack.env, NODE_ENV: "production" });
  say(
    `Senders: the app server's in-process workers (pid ${context.server.pid}) and npm run worker (pid ${worker.pid}).`,
  );
  stack.smtp.clear();
  const queues = await Promise.all(
    [0, 1].map(() => openQueue({ databaseUrl: stack.databaseUrl, max: 4, schedule: false, supervise: false })),
  );
  let figures: DigestFigures;
  try {
    const cpuAtStart = cpuSeconds(context.server.pid) + cpuSeconds(worker.pid!);
    const started = performance.now();
    const queued = await Promise.all(queues.map((queue) => runDigestSweep(queue, sweepAt, { batchSize: 500 })));
    const sweepSeconds = (performance.now() - started) / 1000;
    let drainSeconds = NaN;
    const deadline = Date.now() + TIMEOUT_MS;
    const ours = () => stack.smtp.messages().filter((m) => m.to.some((to) => to.address.startsWith(`digest-${run}-`)));
    for (;;) {
      if (ours().length >= options.families) {
        drainSeconds = (performance.now() - started) / 1000;
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const cpuUsed = cpuSeconds(context.server.pid) + cpuSeconds(worker.pid!) - cpuAtStart;
    // Anything sent twice would arrive within a few more seconds.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const messages = ours();
    const perId = new Map<string, number>();
    for (const m of messages) {
      const id = m.headers["x-entity-ref-id"] ?? "(none)";
      perId.set(id, (perId.get(id) ?? 0) + 1);
    }
    const perFamily = new Map<string, number>();
    for (const m of messages) for (const to of m.to) perFamily.set(to.address, (perFamily.get(to.address) ?? 0) + 1);
    const duplicates = messages.length - perId.size;
    const missing = options.families - [...perFamily.values()].filter((n) => n >= 1).length;
    figures = {
      families: options.families,
      delivered: messages.length,
      duplicates,
      missing,
      sweepSeconds,
      drainSeconds,
      perSecond: messages.length / (Number.isFinite(drainSeconds) ? drainSeconds : TIMEOUT_MS / 1000),
      cpuMsPerMessage: (cpuUsed * 1000) / Math.max(1, messages.length),
      loadAverage: os.loadavg()[0]!,
      ok: false,
    };
    figures.ok =
      duplicates === 0 &&
      missing === 0 &&
      queued[0]! + queued[1]! === options.families &&
      figures.perSecond >= DIGEST_FLOORS.messagesPerSecond &&
      figures.cpuMsPerMessage <= DIGEST_FLOORS.cpuMsPerMessage;
    say(
      `Two sweeps queued ${queued.join(" + ")} = ${(queued[0]! + queued[1]!).toLocaleString("en-GB")} digests in ${sweepSeconds.toFixed(1)} s.`,
    );
  } finally {
    await Promise.all(queues.map((queue) => queue.stop({ graceful: false })));
    await worker.stop();
    await db.notification.deleteMany({ where: { recipientProfileId: { in: parentIds } } });
    await db.booking.deleteMany({ where: { tutorId } });
    await db.profile.deleteMany({ where: { id: { in: [tutorId, ...parentIds] } } });
    stack.smtp.clear();
  }
  const verdict = (pass: boolean) => (pass ? "PASS" : "FAIL");
  say(
    `messages/s: ${figures.perSecond.toFixed(0)} (floor ${DIGEST_FLOORS.messagesPerSecond}) ${verdict(figures.perSecond >= DIGEST_FLOORS.messagesPerSecond)}; ` +
      `${figures.delivered.toLocaleString("en-GB")} delivered in ${figures.drainSeconds.toFixed(1)} s from the first sweep.`,
  );
  say(`duplicates: ${figures.duplicates} (floor 0) ${verdict(figures.duplicates === 0)}`);
  say(`missing: ${figures.missing} (floor 0) ${verdict(figures.missing === 0)}`);
  say(
    `CPU per message: ${figures.cpuMsPerMessage.toFixed(1)} ms of both workers' CPU (ceiling ${DIGEST_FLOORS.cpuMsPerMessage}) ` +
      `${verdict(figures.cpuMsPerMessage <= DIGEST_FLOORS.cpuMsPerMessage)}; load average ${figures.loadAverage.toFixed(1)} on ${os.cpus().length} CPUs.`,
  );
  return figures;
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "digest", seed: false, echoServerStderr: false }, async (context) => {
    console.log(
      `\nbench/digest — production build ${path.relative(context.root, context.buildDir) || context.buildDir}, Node ${process.version}, ${os.cpus().length} CPUs`,
    );
    const quick = process.env.BENCH_QUICK === "1";
    return digestBench(context, { families: Number(process.env.FAMILIES ?? (quick ? 200 : 10_000)) });
  });
}

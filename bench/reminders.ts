// bench/reminders: the lesson-lifecycle queue under load (docs/decisions/0041-each-notification-sent-exactly-once.md). 10,000 Confirmed bookings whose
// classroom opens now, one sweep, two workers — the app server's in-process workers and one
// `npm run worker` process — delivering over real SMTP to the local catcher. Prints messages/s, the
// time to sweep and to drain, duplicates (messages per notification id in the catcher: must be 0)
// and the RSS of both worker processes.
//
//   npx tsx bench/reminders.ts      (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   BOOKINGS=… to change the load.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { openQueue, QUEUES } from "../app/.server/queue.ts";
import { root } from "./lib/build.ts";
import { cpuSeconds, readStatus } from "./lib/processes.ts";
import { isMain, runStandalone, type BenchContext } from "./lib/stack.ts";
import { mb } from "./lib/stats.ts";

export type ReminderFigures = {
  bookings: number;
  expected: number;
  delivered: number;
  duplicates: number;
  missing: number;
  sweepSeconds: number;
  drainSeconds: number;
  perSecond: number;
  byWorker: Record<string, number>;
  appServerRssPeakKb: number;
  workerRssPeakKb: number;
  /** CPU seconds both worker processes used while draining, per message: little moved by neighbours. */
  cpuMsPerMessage: number;
  /** The machine's 1-minute load average at the end (2 cores here are shared). */
  loadAverage: number;
  ok: boolean;
};

const TIMEOUT_MS = 20 * 60_000;

export async function remindersBench(context: BenchContext, options: { bookings: number }): Promise<ReminderFigures> {
  const { db, stack } = context;
  const say = (line: string) => console.log(`  ${line}`);
  // Bench-only people: one tutor (who switched the classroom-open message off, so each booking is
  // one message: the client's) and 100 clients.
  const run = Date.now().toString(36);
  const tutorId = crypto.randomUUID();
  const clientIds = Array.from({ length: 100 }, () => crypto.randomUUID());
  await db.profile.createMany({
    data: [
      { id: tutorId, fullName: "Bench Tutor", email: `bench-tutor-${run}@example.test`, roles: ["tutor"] },
      ...clientIds.map((id, i) => ({
        id,
        fullName: `Bench Parent ${i}`,
        email: `bench-parent-${run}-${i}@example.test`,
        roles: ["client"],
      })),
    ],
  });
  await db.$executeRawUnsafe(
    `INSERT INTO notification_preferences (profile_id, kind, enabled) VALUES ($1::uuid, 'reminder_classroom_open', false)`,
    tutorId,
  );
  const startsAt = new Date(Date.now() + 5 * 60_000);
  await db.$executeRawUnsafe(
    `INSERT INTO bookings (client_id, tutor_id, service_name, session_start_time, session_duration, status, created_at)
     SELECT ($1::uuid[])[1 + (i % 100)], $2::uuid, 'Reminder bench lesson ' || i, $3::timestamptz + (i % 60) * interval '1 second', 60, 'Confirmed', now() - interval '7 days'
       FROM generate_series(1, $4::int) AS i`,
    clientIds,
    tutorId,
    startsAt,
    options.bookings,
  );
  const bookingIds = (await db.booking.findMany({ where: { tutorId }, select: { id: true } })).map((b) => b.id);
  say(
    `${options.bookings.toLocaleString("en-GB")} bookings starting in 5 minutes (100 clients; the tutor opted out of this kind): ${options.bookings.toLocaleString("en-GB")} messages due.`,
  );

  const worker = await startWorkerProcess({ ...stack.env, NODE_ENV: "production" });
  say(
    `Workers: the app server's in-process workers (pid ${context.server.pid}) and npm run worker (pid ${worker.pid}).`,
  );
  const rss = { app: readStatus(context.server.pid).rssKb, worker: readStatus(worker.pid!).rssKb };
  const sampler = setInterval(() => {
    try {
      rss.app = Math.max(rss.app, readStatus(context.server.pid).rssKb);
      rss.worker = Math.max(rss.worker, readStatus(worker.pid!).rssKb);
    } catch {
      // A process that just exited: its last sample stands.
    }
  }, 250);

  stack.smtp.clear();
  const trigger = await openQueue({ databaseUrl: stack.databaseUrl, max: 2, schedule: false, supervise: false });
  let figures: ReminderFigures;
  try {
    const cpuAtStart = cpuSeconds(context.server.pid) + cpuSeconds(worker.pid!);
    const started = performance.now();
    // One sweep job; whichever worker takes it sweeps, both send.
    await trigger.boss.send(QUEUES.sweep, {});
    const rows = () => db.notification.count({ where: { bookingId: { in: bookingIds } } });
    let sweepSeconds = NaN;
    let drainSeconds = NaN;
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      if (Number.isNaN(sweepSeconds) && (await rows()) >= options.bookings)
        sweepSeconds = (performance.now() - started) / 1000;
      const delivered = stack.smtp.messages().filter((m) => m.headers["x-entity-ref-id"]).length;
      if (delivered >= options.bookings) {
        drainSeconds = (performance.now() - started) / 1000;
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const cpuUsed = cpuSeconds(context.server.pid) + cpuSeconds(worker.pid!) - cpuAtStart;
    // Anything sent twice would arrive within a few more seconds.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const messages = stack.smtp.messages().filter((m) => m.headers["x-entity-ref-id"]);
    const perId = new Map<string, number>();
    for (const m of messages)
      perId.set(m.headers["x-entity-ref-id"]!, (perId.get(m.headers["x-entity-ref-id"]!) ?? 0) + 1);
    const duplicates = messages.length - perId.size;
    const ours = await db.notification.findMany({
      where: { bookingId: { in: bookingIds } },
      select: { id: true, status: true },
    });
    const missing = ours.filter((row) => !perId.has(row.id)).length;
    // Which worker sent what: the app server's and the worker's pooled SMTP connections come from different processes,
    // which the catcher does not see; the job log tells instead.
    const byWorker = {
      "npm run worker": worker.sent(),
      "app server (in-process)": Math.max(0, ours.filter((r) => r.status === "sent").length - worker.sent()),
    };
    figures = {
      bookings: options.bookings,
      expected: options.bookings,
      delivered: messages.length,
      duplicates,
      missing: missing + Math.max(0, options.bookings - ours.length),
      sweepSeconds,
      drainSeconds,
      perSecond: messages.length / (Number.isFinite(drainSeconds) ? drainSeconds : TIMEOUT_MS / 1000),
      byWorker,
      appServerRssPeakKb: rss.app,
      workerRssPeakKb: rss.worker,
      cpuMsPerMessage: (cpuUsed * 1000) / Math.max(1, messages.length),
      loadAverage: os.loadavg()[0]!,
      ok: duplicates === 0 && missing === 0 && ours.length === options.bookings && Number.isFinite(drainSeconds),
    };
  } finally {
    clearInterval(sampler);
    await trigger.stop({ graceful: false });
    await worker.stop();
    await db.booking.deleteMany({ where: { tutorId } });
    await db.profile.deleteMany({ where: { id: { in: [tutorId, ...clientIds] } } });
    stack.smtp.clear();
  }
  say(
    `Swept ${figures.bookings.toLocaleString("en-GB")} bookings into rows and jobs in ${figures.sweepSeconds.toFixed(1)} s; ` +
      `delivered ${figures.delivered.toLocaleString("en-GB")} messages in ${figures.drainSeconds.toFixed(1)} s from the sweep job: ${figures.perSecond.toFixed(0)} messages/s.`,
  );
  say(
    `Sent by: ${Object.entries(figures.byWorker)
      .map(([w, n]) => `${w} ${n.toLocaleString("en-GB")}`)
      .join(", ")}.`,
  );
  say(
    `Duplicates in the catcher (same notification id twice): ${figures.duplicates}; rows never delivered: ${figures.missing}.`,
  );
  say(`RSS peak: app server ${mb(figures.appServerRssPeakKb)}, worker process ${mb(figures.workerRssPeakKb)}.`);
  say(
    `CPU: ${figures.cpuMsPerMessage.toFixed(1)} ms of worker CPU per message (both processes, sweep included), ` +
      `i.e. about ${(1000 / figures.cpuMsPerMessage).toFixed(0)} messages per CPU-second; load average ${figures.loadAverage.toFixed(1)} on ${os.cpus().length} CPUs.`,
  );
  return figures;
}

type WorkerProcess = ChildProcess & { sent(): number; stop(): Promise<void> };

/** `npm run worker` as a child process, ready once it logs workers.started; counts its sends from its JSON log. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    cwd: root,
    env: { ...process.env, ...env, NODE_PATH: path.join(root, "node_modules") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let sent = 0;
  let pending = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`npm run worker exited with ${code} before it was ready`)));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (line.includes('"msg":"workers.started"')) resolve();
        if (line.includes('"msg":"notification.sent"')) sent++;
      }
    });
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    if (!/Node\.js 20 and below are deprecated/.test(chunk)) process.stderr.write(`[worker] ${chunk}`);
  });
  await ready;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return Object.assign(child, {
    sent: () => sent,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  });
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "reminders", seed: false, echoServerStderr: false }, async (context) => {
    console.log(
      `\nbench/reminders — production build ${path.relative(context.root, context.buildDir) || context.buildDir}, Node ${process.version}, ${os.cpus().length} CPUs`,
    );
    return remindersBench(context, { bookings: Number(process.env.BOOKINGS ?? 10_000) });
  });
}

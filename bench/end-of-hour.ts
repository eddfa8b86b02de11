// bench/end-of-hour: the end of the hour at scale (docs/decisions/0075-lessonspace-calls-take-a-slot-in-postgresql.md,
// 0076-transcripts-downloaded-as-soon-as-announced.md). Two app servers (production build,
// WORKERS_IN_PROCESS=false) and two `npm run worker` processes on one embedded PostgreSQL, the
// Lessonspace stand-in limiting 5 requests a second per key, as Lessonspace does.
//   Setup: 1,000 lessons (BENCH_QUICK: 100) ending within one minute, their tutor and client in the
//          room (user.join), a recorded session in the stand-in for each.
//   1. session.end: user.leave × 2 per lesson, then session.end per lesson (Lessonspace ends a session
//      after its last person left), alternately to the two servers. The session.end carries no
//      timing, so each asks the sessions API (the Lessonspace backlog); a 5xx is retried a second
//      later, as Lessonspace retries.
//   2. transcription.finish per lesson (a stand-in file of 60 minutes of talk, 600 segments): the
//      workers download and store them.
//   (A summaries stage goes here: one sessions-API GET per stored transcript, through the same limiter.)
//   3. Window close: the lessons are moved 16 minutes earlier (what the clock passing the window
//      close looks like to every process), a sweep is queued, outcomes settle and the lesson-record
//      and review e-mails go to the SMTP catcher; then the catcher alone, as the baseline.
// Prints per stage the time from the first event to the last result, CPU per lesson, Lessonspace
// calls per second during the backlog, transcripts stored within 3 minutes, the e-mail rate against
// the catcher's, the dashboard's p95 at c10 during the wave against quiet, and a database check
// (nothing missing, nothing twice), each beside its floor with PASS or FAIL.
//
//   npx tsx bench/end-of-hour.ts      (builds into build-bench when needed; LESSONS=… to change the load)
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import { openQueue, QUEUES } from "../app/.server/queue.ts";
import { signWebhook } from "../tests/stand-ins/lessonspace.ts";
import { ensureBuild, buildDirFromEnv } from "./lib/build.ts";
import { cpuSeconds } from "./lib/processes.ts";
import { addBookings, createBenchViewer } from "./lib/seed.ts";
import { isMain, signIn, startBenchContext, type AppServer, type BenchContext } from "./lib/stack.ts";
import { percentile } from "./lib/stats.ts";
import { startWorkerProcess, type WorkerProcess } from "./reminders.ts";
import { transcriptFile } from "./transcripts.ts";

const RATE = 5;
const SEGMENTS = 600;
const SENDERS = 40;
const STORED_WITHIN_S = 180;
const TIMEOUT_MS = 15 * 60_000;

export type Check = { name: string; value: string; floor: string; pass: boolean };
export type EndOfHourFigures = {
  lessons: number;
  stages: { name: string; seconds: number; detail: string }[];
  checks: Check[];
  ok: boolean;
};

type Lesson = {
  bookingId: string;
  tutor: { id: string; name: string };
  client: { id: string; name: string };
  roomId: string;
  secret: string;
  sessionId: string;
  start: Date;
  end: Date;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts its own stack (the stand-in's limit on, workers apart), runs the stages, stops it. */
export async function endOfHourBench(options: {
  lessons: number;
  dashboardSeconds: number;
}): Promise<EndOfHourFigures> {
  const buildDir = ensureBuild(buildDirFromEnv()).buildDir;
  const context = await startBenchContext({
    name: "end-of-hour",
    seed: false,
    buildDir,
    echoServerStderr: false,
    lessonspaceRateLimitPerSecond: RATE,
    serverEnv: { WORKERS_IN_PROCESS: "false", LESSONSPACE_RATE_PER_SECOND: String(RATE) },
  });
  const extra: AppServer[] = [];
  const workers: WorkerProcess[] = [];
  try {
    const second = await context.startAnotherServer();
    extra.push(second);
    const workerEnv = { ...context.stack.env, NODE_ENV: "production", LESSONSPACE_RATE_PER_SECOND: String(RATE) };
    workers.push(...(await Promise.all([startWorkerProcess(workerEnv), startWorkerProcess(workerEnv)])));
    return await wave(context, [context.server, second], workers, options);
  } finally {
    await Promise.all([...extra.map((s) => s.stop()), ...workers.map((w) => w.stop())]);
    await context.stop();
  }
}

async function wave(
  context: BenchContext,
  servers: AppServer[],
  workers: WorkerProcess[],
  options: { lessons: number; dashboardSeconds: number },
): Promise<EndOfHourFigures> {
  const { db, stack } = context;
  const say = (line: string) => console.log(`  ${line}`);
  const checks: Check[] = [];
  const stages: EndOfHourFigures["stages"] = [];
  const check = (name: string, value: string, floor: string, pass: boolean) =>
    checks.push({ name, value, floor, pass });
  const n = options.lessons;

  // --- Setup: people, lessons, rooms (not timed) ---------------------------------------------
  const run = Date.now().toString(36);
  const pairs = Math.min(50, n);
  const people = Array.from({ length: pairs }, (_, i) => ({
    tutor: { id: randomUUID(), name: `Bench Tutor ${i}` },
    client: { id: randomUUID(), name: `Bench Parent ${i}` },
  }));
  await db.profile.createMany({
    data: people.flatMap(({ tutor, client }, i) => [
      { id: tutor.id, fullName: tutor.name, email: `eoh-tutor-${run}-${i}@bench.test`, roles: ["tutor"] },
      { id: client.id, fullName: client.name, email: `eoh-parent-${run}-${i}@bench.test`, roles: ["client"] },
    ]),
  });
  // Reminders are not this bench's subject: the lessons are running when they are made.
  await db.notificationPreference.createMany({
    data: people.flatMap(({ tutor, client }) =>
      [tutor.id, client.id].flatMap((profileId) =>
        ["reminder_day_before", "reminder_classroom_open"].map((kind) => ({ profileId, kind, enabled: false })),
      ),
    ),
  });
  const now = Date.now();
  const lessons: Lesson[] = Array.from({ length: n }, (_, i) => {
    const { tutor, client } = people[i % pairs]!;
    const end = new Date(now + Math.floor((i * 60_000) / n));
    return {
      bookingId: randomUUID(),
      tutor,
      client,
      roomId: "",
      secret: "",
      sessionId: randomUUID(),
      start: new Date(end.getTime() - 3600_000),
      end,
    };
  });
  await db.booking.createMany({
    data: lessons.map((l, i) => ({
      id: l.bookingId,
      clientId: l.client.id,
      tutorId: l.tutor.id,
      serviceName: `End of hour lesson ${i + 1}`,
      sessionStartTime: l.start,
      sessionDuration: 60,
      status: "Confirmed" as const,
      createdAt: new Date(now - 7 * 24 * 3600_000),
    })),
  });
  for (const lesson of lessons) {
    const room = stack.lessonspace.recordPastSession({
      launchId: `booking-${lesson.bookingId}`,
      name: `Lesson ${lesson.bookingId}`,
      sessionId: lesson.sessionId,
      startTime: new Date(lesson.start.getTime() + 5_000),
      endTime: new Date(lesson.end.getTime() - 20_000),
    });
    lesson.roomId = room.roomId;
    lesson.secret = room.secret;
  }
  await db.lessonspaceSpace.createMany({
    data: lessons.map((l) => ({
      roomId: l.roomId,
      bookingId: l.bookingId,
      launchId: `booking-${l.bookingId}`,
      secret: l.secret,
    })),
  });
  const bookingIds = lessons.map((l) => l.bookingId);
  const sessionIds = lessons.map((l) => l.sessionId);

  let turn = 0;
  let retries = 0;
  /** One signed delivery, to the servers in turn, retried a second later on anything but 2xx. */
  const deliver = async (lesson: Lesson, payload: Record<string, unknown>) => {
    const body = JSON.stringify(payload);
    const id = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const server = servers[turn++ % servers.length]!;
      try {
        const response = await fetch(`${server.url}/api/webhooks/lessonspace`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "x-webhook-id": id,
            "x-webhook-event": String(payload.event),
            "x-webhook-timestamp": new Date().toISOString(),
            "x-webhook-signature": signWebhook(body, lesson.secret),
          },
          body,
        });
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        // Refused or reset: retried like a 5xx.
      }
      if (attempt > 200) throw new Error(`A ${String(payload.event)} delivery was never accepted`);
      retries++;
      await sleep(1_000);
    }
  };
  /** Runs `each` for every lesson, SENDERS at a time (Lessonspace delivers many spaces at once). */
  const forEachLesson = async (each: (lesson: Lesson) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < lessons.length) await each(lessons[next++]!);
      }),
    );
  };
  const user = (lesson: Lesson, who: "tutor" | "client") => ({
    id: lesson[who].id,
    name: lesson[who].name,
    leader: who === "tutor",
  });
  const joinStarted = performance.now();
  await forEachLesson(async (lesson) => {
    for (const who of ["tutor", "client"] as const)
      await deliver(lesson, {
        event: "user.join",
        room: { id: lesson.roomId },
        session: { id: lesson.sessionId },
        user: user(lesson, who),
        timestamp: new Date(lesson.start.getTime() + 5_000).toISOString(),
      });
  });
  say(
    `Setup: ${n.toLocaleString("en-GB")} lessons ending within one minute (${pairs} tutors and parents), ` +
      `${(2 * n).toLocaleString("en-GB")} user.join in ${((performance.now() - joinStarted) / 1000).toFixed(1)} s. ` +
      `Two app servers (pids ${servers.map((s) => s.pid).join(", ")}), two npm run worker (pids ${workers.map((w) => w.pid).join(", ")}).`,
  );

  // The dashboard viewer: a parent of their own with 50 bookings.
  const viewer = await createBenchViewer(context, "End Of Hour Viewer");
  await addBookings(db, { clientId: viewer.id, tutorId: people[0]!.tutor.id, count: 50 });
  const cookie = await signIn(context.appUrl, viewer.email);
  const quiet = await dashboardLoad(servers[0]!.url, cookie, () => true, options.dashboardSeconds * 1000);

  // --- 1. session.end ---------------------------------------------------------------------------
  const cpu = () => ({
    servers: servers.reduce((sum, s) => sum + cpuSeconds(s.pid), 0),
    workers: workers.reduce((sum, w) => sum + cpuSeconds(w.pid!), 0),
  });
  const cpuAtStart = cpu();
  const apiStart = stack.lessonspace.apiCalls.length;
  let waveOver = false;
  const busy = dashboardLoad(servers[0]!.url, cookie, () => waveOver, options.dashboardSeconds * 1000);
  say(`Quiet: dashboard p95 at c10 ${quiet.p95.toFixed(1)} ms (${quiet.requests} requests). Stage 1: session.end…`);
  const endStarted = performance.now();
  retries = 0;
  await forEachLesson(async (lesson) => {
    for (const who of ["tutor", "client"] as const)
      await deliver(lesson, {
        event: "user.leave",
        room: { id: lesson.roomId },
        session: { id: lesson.sessionId },
        user: user(lesson, who),
        timestamp: new Date(lesson.end.getTime() - 25_000).toISOString(),
      });
  });
  // Lessonspace ends a session 30 s after its last person left. No timing in the payload: the
  // servers ask the sessions API for it, SENDERS at a time, the backlog behind the shared limiter.
  const callsFrom = stack.lessonspace.apiCalls.length;
  await forEachLesson((lesson) =>
    deliver(lesson, { event: "session.end", room: { id: lesson.roomId }, session: { id: lesson.sessionId } }),
  );
  const endSeconds = (performance.now() - endStarted) / 1000;
  waveOver = true;
  const during = await busy;
  const calls = stack.lessonspace.apiCalls.slice(Math.max(apiStart, callsFrom));
  const accepted = calls.filter((c) => !c.throttled);
  const throttled = calls.length - accepted.length;
  const callRate =
    accepted.length > 1 ? ((accepted.length - 1) * 1000) / (accepted.at(-1)!.at - accepted[0]!.at) : Number.NaN;
  const busiest = busiestSecond(accepted.map((c) => c.at));
  const cpuAfterEnd = cpu();
  stages.push({
    name: "1. session.end (2 × user.leave + session.end per lesson)",
    seconds: endSeconds,
    detail: `${(3 * n).toLocaleString("en-GB")} deliveries, ${retries} retried after a 5xx; ${accepted.length} sessions-API calls, ${throttled} answered 429`,
  });
  check(
    "Lessonspace calls/s while there is a backlog",
    `${callRate.toFixed(2)}/s (${((callRate / RATE) * 100).toFixed(1)}%)`,
    `≥ ${(0.9 * RATE).toFixed(1)}/s (90% of ${RATE})`,
    callRate >= 0.9 * RATE,
  );
  check(
    "Lessonspace calls in the busiest second; 429s",
    `${busiest}; ${throttled}`,
    `≤ ${RATE}; 0`,
    busiest <= RATE && throttled === 0,
  );
  check(
    "Dashboard p95 at c10: during the wave / quiet",
    `${during.p95.toFixed(1)} / ${quiet.p95.toFixed(1)} ms = ${(during.p95 / quiet.p95).toFixed(2)}×`,
    "≤ 1.5×",
    during.errors === 0 && quiet.errors === 0 && during.p95 <= 1.5 * quiet.p95,
  );

  // --- 2. transcription.finish ------------------------------------------------------------------
  say(`Stage 2: transcription.finish…`);
  const deliveredAt = new Map<string, number>();
  const transcriptStarted = performance.now();
  await forEachLesson(async (lesson) => {
    const url = stack.lessonspace.publishTranscriptFile(
      transcriptFile(lesson.tutor, { id: lesson.client.id, name: lesson.client.name }, SEGMENTS, "zebra"),
    );
    await deliver(lesson, {
      event: "transcription.finish",
      room: { id: lesson.roomId },
      session: { id: lesson.sessionId },
      transcription: { url },
    });
    deliveredAt.set(lesson.sessionId, Date.now());
  });
  const transcriptRows = await waitFor(
    () =>
      db.transcriptFetch.findMany({
        where: { sessionId: { in: sessionIds } },
        select: { sessionId: true, status: true, finishedAt: true },
      }),
    (rows) => rows.length === n && rows.every((r) => r.status !== "pending"),
  );
  const transcriptSeconds = (performance.now() - transcriptStarted) / 1000;
  const within = transcriptRows.filter(
    (r) =>
      r.status === "done" &&
      r.finishedAt &&
      r.finishedAt.getTime() - deliveredAt.get(r.sessionId)! <= STORED_WITHIN_S * 1000,
  ).length;
  const cpuAfterTranscripts = cpu();
  stages.push({
    name: "2. transcription.finish → transcripts stored",
    seconds: transcriptSeconds,
    detail: `${transcriptRows.filter((r) => r.status === "done").length} stored of ${n} (${SEGMENTS} segments each)`,
  });
  check(
    `Transcripts stored within ${STORED_WITHIN_S / 60} minutes of their finish`,
    `${within} of ${n}`,
    `${n} of ${n}`,
    within === n,
  );

  // (Summaries: a stage of their own goes here, timed like the one above.)

  // --- 3. Window close: outcomes and e-mails ------------------------------------------------------
  say(`Stage 3: window close, outcomes and e-mails…`);
  stack.smtp.clear();
  await db.$executeRawUnsafe(
    `UPDATE bookings SET session_start_time = session_start_time - interval '16 minutes' WHERE id = ANY($1::uuid[])`,
    bookingIds,
  );
  const trigger = await openQueue({ databaseUrl: stack.databaseUrl, max: 2, schedule: false, supervise: false });
  const mailStarted = performance.now();
  let rows: { id: string; status: string }[] = [];
  try {
    await trigger.boss.send(QUEUES.sweep, {});
    rows = await waitFor(
      () => db.notification.findMany({ where: { bookingId: { in: bookingIds } }, select: { id: true, status: true } }),
      (found) => found.length >= 2 * n && found.every((r) => r.status !== "queued" && r.status !== "sending"),
    );
  } finally {
    await trigger.stop({ graceful: false });
  }
  const mailSeconds = (performance.now() - mailStarted) / 1000;
  await sleep(3_000); // anything sent twice would have arrived by now
  const cpuAtEnd = cpu();
  const ours = new Set(rows.map((r) => r.id));
  const messages = stack.smtp.messages().filter((m) => ours.has(m.headers["x-entity-ref-id"] ?? ""));
  const times = messages.map((m) => m.receivedAt.getTime()).sort((a, b) => a - b);
  const appRate = times.length > 1 ? ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!) : Number.NaN;
  const sample = messages[0];
  const catcherRate = await catcherAlone(stack.env.SMTP_URL!, messages.length, sample);
  stack.smtp.clear();
  stages.push({
    name: "3. window close → outcomes → e-mails at the catcher",
    seconds: mailSeconds,
    detail: `${messages.length} messages (lesson record to the parent, review prompt to the tutor)`,
  });
  check(
    "E-mail rate: the workers / the catcher alone",
    `${appRate.toFixed(0)} / ${catcherRate.toFixed(0)} messages/s = ${((appRate / catcherRate) * 100).toFixed(0)}%`,
    "≥ 90%",
    appRate >= 0.9 * catcherRate,
  );

  // --- Database check -----------------------------------------------------------------------------
  const [sessions, attendance, fetchesDone, segments, outcomes] = await Promise.all([
    db.lessonspaceSession.count({ where: { bookingId: { in: bookingIds } } }),
    db.lessonspaceAttendance.count({ where: { sessionId: { in: sessionIds } } }),
    db.transcriptFetch.count({ where: { sessionId: { in: sessionIds }, status: "done" } }),
    db.transcriptSegment.count({ where: { sessionId: { in: sessionIds } } }),
    db.booking.count({ where: { id: { in: bookingIds }, outcome: "held" } }),
  ]);
  const perId = new Map<string, number>();
  for (const m of messages)
    perId.set(m.headers["x-entity-ref-id"]!, (perId.get(m.headers["x-entity-ref-id"]!) ?? 0) + 1);
  const mailMissing = rows.filter((r) => !perId.has(r.id)).length;
  const mailTwice = messages.length - perId.size;
  const dbRows: [string, number, number][] = [
    ["sessions", sessions, n],
    ["attendance", attendance, 2 * n],
    ["transcripts (fetches done)", fetchesDone, n],
    ["transcript segments", segments, n * SEGMENTS],
    ["outcomes held", outcomes, n],
    ["notifications", rows.length, 2 * n],
  ];
  for (const [name, found, expected] of dbRows)
    check(
      `Database: ${name}`,
      `${found.toLocaleString("en-GB")} (missing ${Math.max(0, expected - found)}, extra ${Math.max(0, found - expected)})`,
      `${expected.toLocaleString("en-GB")}`,
      found === expected,
    );
  check("E-mails: missing; sent twice", `${mailMissing}; ${mailTwice}`, "0; 0", mailMissing === 0 && mailTwice === 0);

  const perLesson = (seconds: number) => `${((seconds * 1000) / n).toFixed(1)} ms`;
  say("");
  for (const stage of stages)
    say(`${stage.name}: ${stage.seconds.toFixed(1)} s from the first event to the last result; ${stage.detail}.`);
  say(
    `CPU per lesson: app servers ${perLesson(cpuAfterEnd.servers - cpuAtStart.servers)} (session.end) + ` +
      `${perLesson(cpuAfterTranscripts.servers - cpuAfterEnd.servers)} (transcription.finish); ` +
      `workers ${perLesson(cpuAfterTranscripts.workers - cpuAfterEnd.workers)} (transcripts) + ` +
      `${perLesson(cpuAtEnd.workers - cpuAfterTranscripts.workers)} (outcomes and e-mail). Load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs.`,
  );
  say("");
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) say(`${c.pass ? "PASS" : "FAIL"}  ${c.name.padEnd(width)}  ${c.value}  (floor ${c.floor})`);
  return { lessons: n, stages, checks, ok: checks.every((c) => c.pass) };
}

/** The most timestamps within any one second. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Dashboards at concurrency 10 for at least `minMs`, and on until `done()`; p95 in ms. */
async function dashboardLoad(
  url: string,
  cookie: string,
  done: () => boolean,
  minMs: number,
): Promise<{ p95: number; requests: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + minMs;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (Date.now() < until || !done()) {
        const started = performance.now();
        try {
          const response = await fetch(`${url}/`, { headers: { Cookie: cookie } });
          await response.arrayBuffer();
          if (response.status !== 200) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { p95: percentile(latencies, 95), requests: latencies.length, errors };
}

/** Messages per second the catcher takes from one process with ten pooled connections, nothing else running. */
async function catcherAlone(
  smtpUrl: string,
  count: number,
  sample: { subject: string; html: string | null; text: string | null } | undefined,
): Promise<number> {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 10 } as never);
  try {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.max(10, count) }, (_, i) =>
        transport.sendMail({
          from: "classroom@bench.test",
          to: `baseline-${i}@bench.test`,
          subject: sample?.subject ?? "Baseline",
          text: sample?.text ?? "Baseline",
          html: sample?.html ?? undefined,
        }),
      ),
    );
    return (Math.max(10, count) * 1000) / (performance.now() - started);
  } finally {
    transport.close();
  }
}

async function waitFor<T>(probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (check(value) || Date.now() > deadline) return value;
    await sleep(500);
  }
}

if (isMain(import.meta.url)) {
  const quick = process.env.BENCH_QUICK === "1";
  const lessons = Number(process.env.LESSONS ?? (quick ? 100 : 1_000));
  console.log(
    `\nbench/end-of-hour — ${lessons.toLocaleString("en-GB")} lessons, production build ${path.relative(process.cwd(), buildDirFromEnv()) || "."}, Node ${process.version}, ${os.cpus().length} CPUs`,
  );
  const figures = await endOfHourBench({ lessons, dashboardSeconds: quick ? 3 : 10 });
  if (!figures.ok) process.exitCode = 1;
}

// npm run bench: the project's figures beside baselines measured in the same run.
//   1. Page weight of every page (HTML, CSS, JavaScript; raw and as sent gzipped), checked against
//      bench/budget.json, and that each page works with zero bytes of JavaScript.
//   1b. A cheap phone on a poor network (bench/paint.ts): first paint, Join visible, hydration and
//      bytes in Chromium with network and CPU throttled, JavaScript on and off; with it on, the
//      first paint may come at most 10% after the one without.
//   2. Server speed against its limit: autocannon at concurrency 10 and 50 on the signed-in
//      dashboard (50 bookings), the booking page, the launch route and the webhook route, beside
//      two ceilings on the same machine: a bare node:http server sending the same dashboard bytes
//      (HTTP ceiling) and a hand-written node:http + pg dashboard (no-framework ceiling).
//   3. The per-feature benches (dashboard, launch, webhooks, upload, transcripts), called as functions.
//   4. A mixed load-and-soak (dashboards, launches, webhooks) with the server's memory over time.
//   5. The end of the hour on a stack of its own: two servers, two workers, Lessonspace at 5/s (bench/end-of-hour.ts).
// The production build runs in a child process on the embedded PostgreSQL; the load generator runs
// in another; the Supabase and Lessonspace stand-ins (answering at once) run in this one.
//
//   npm run bench                         full run (~11 min: 10 s per speed run, a 5 min soak with pauses for GC)
//   BENCH_QUICK=1 npm run bench           smoke run (~2 min), or: npm run bench -- --quick
//   BENCH_SECONDS=…  BENCH_SOAK_SECONDS=…  BENCH_SOAK_CONNECTIONS=…  to change durations and load
//   BENCH_SKIP=pages,paint,speed,memory,issues,soak,end-of-hour    to leave parts out;  BENCH_REBUILD=1 to force a build
//   BUILD_DIR=…  (default build-bench)    BENCH_DURABLE_DB=1 keeps fsync on in PostgreSQL
//   BENCH_START_FLAGS=0 runs the app server without npm start's Node flags (memory limits), to compare
// Exit code 1 when a page is over its budget or does not work without JavaScript, when any run
// had errors or unexpected statuses, when a per-feature check failed, or when the soak shows steady
// heap growth.
//
// This file reads the settings and runs the parts in order; each part is a module in bench/sections/
// over one shared BenchRun (bench/sections/context.ts): settings, load generator, figures, failures.
import { execSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { demoProfiles } from "../prisma/seed.ts";
import { seedHistoryViewers } from "./dashboard.ts";
import { buildDirFromEnv, ensureBuild, root } from "./lib/build.ts";
import { LoadGenerator } from "./lib/load.ts";
import { addBookings, createWebhookRooms } from "./lib/seed.ts";
import { signIn, startBenchContext } from "./lib/stack.ts";
import {
  DASHBOARD_BOOKINGS,
  loadAverage,
  say,
  WEBHOOK_ROOMS,
  type BenchRun,
  type BenchSettings,
} from "./sections/context.ts";
import { perIssue } from "./sections/issues.ts";
import { memoryAtC50 } from "./sections/memory.ts";
import { pageWeight } from "./sections/pages.ts";
import { firstPaint } from "./sections/paint.ts";
import { endOfHour } from "./sections/end-of-hour.ts";
import { soak } from "./sections/soak.ts";
import { serverSpeed } from "./sections/speed.ts";
import { summary } from "./sections/summary.ts";

// ---------------------------------------------------------------------------------------------
// Settings

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    seconds: { type: "string" },
    "soak-seconds": { type: "string" },
    skip: { type: "string" },
  },
});
const quick = flags.quick || process.env.BENCH_QUICK === "1";
const soakSeconds = Number(flags["soak-seconds"] ?? process.env.BENCH_SOAK_SECONDS ?? (quick ? 20 : 300));
const settings: BenchSettings = {
  quick,
  speedSeconds: Number(flags.seconds ?? process.env.BENCH_SECONDS ?? (quick ? 3 : 10)),
  speedWarmupSeconds: quick ? 1 : 2,
  // Each server's first run is warmed up longer: the app's JIT needs ~2,500 dashboards (about 20 s)
  // before its CPU per request settles (13 → 7 ms), the ceilings' less. Both keep falling slowly for
  // ~10,000 more (app ~5 ms, ceiling ~1.6 ms), with the same ratio between them: not worth minutes here.
  speedFirstWarmupSeconds: quick ? 1 : 20,
  concurrencies: [10, 50],
  dashboardPairs: quick ? 1 : 5,
  soakSeconds,
  soakSliceSeconds: Math.min(soakSeconds, quick ? 5 : 30),
  soakConnections: Number(process.env.BENCH_SOAK_CONNECTIONS ?? 10),
  soakSettleSeconds: quick ? 2 : 10,
  soakJudgedFromSeconds: 120,
  paintRuns: quick ? 1 : 5,
  skip: new Set(
    (flags.skip ?? process.env.BENCH_SKIP ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ),
  issue: quick
    ? {
        dashboardSeconds: 1,
        launchSeconds: 1,
        launchWarmUpMs: 500,
        webhookTotal: 400,
        uploadRounds: 1,
        reminderBookings: 1_000,
        digestFamilies: 200,
      }
    : {
        dashboardSeconds: 5,
        launchSeconds: 5,
        launchWarmUpMs: 1_000,
        webhookTotal: 2_000,
        uploadRounds: 3,
        reminderBookings: 10_000,
        digestFamilies: 10_000,
      },
};

function commitLabel(): string {
  try {
    const commit = execSync("git rev-parse --short HEAD", { cwd: root, encoding: "utf8" }).trim();
    const dirty = execSync("git status --porcelain -- app server.ts prisma", { cwd: root, encoding: "utf8" }).trim();
    return dirty ? `${commit} with uncommitted changes to app/, server.ts or prisma/` : commit;
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------------------------------------
// Start

const run: BenchRun = {
  settings,
  load: new LoadGenerator(),
  ceilings: [],
  results: {},
  failures: [],
  startedAt: new Date(),
  loadAtStart: os.loadavg(),
};

say(
  `Tutorwise Classroom — npm run bench${quick ? " (QUICK smoke run: short durations, figures indicative only)" : ""}`,
);
say(
  `Started ${run.startedAt.toISOString()} on ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`,
);
say(
  `Load average at start (1 / 5 / 15 min): ${loadAverage(run.loadAtStart)}  — the machine is shared; figures move with it.`,
);
say(`Commit ${commitLabel()}`);

const build = ensureBuild(buildDirFromEnv(), say);
say(
  `Build ${path.relative(root, build.buildDir)}: ${build.built ? `built in ${build.seconds.toFixed(1)} s (${build.reason})` : build.reason}`,
);

const context = await startBenchContext({ name: "run", seed: true, buildDir: build.buildDir, echoServerStderr: false });
say(
  `Stack: embedded PostgreSQL${context.ephemeralDatabase ? " with durability off (fsync, synchronous commit; BENCH_DURABLE_DB=1 turns it on)" : " with durability on"}, ` +
    `Supabase and Lessonspace stand-ins in the bench process, app server pid ${context.server.pid} (the compiled server.js, NODE_ENV=production, rate limits lifted).`,
);

try {
  // The viewer of the speed runs: the seed's adult learner with 50 bookings (another tutor's, so
  // the seed tutor's pages stay as the seed made them).
  await addBookings(context.db, {
    clientId: demoProfiles.adult.id,
    tutorId: demoProfiles.otherTutor.id,
    count: DASHBOARD_BOOKINGS - 1,
  });
  // A viewer with 5,000 bookings spread the same way (and one with 50, for the page weight).
  const historyViewers = await seedHistoryViewers(context, demoProfiles.otherTutor.id);
  const cookies = {
    history: await signIn(context.appUrl, historyViewers.large.email),
    adult: await signIn(context.appUrl, demoProfiles.adult.email),
    tutor: await signIn(context.appUrl, demoProfiles.tutor.email),
    parent: await signIn(context.appUrl, demoProfiles.parent.email),
    child: await signIn(context.appUrl, demoProfiles.child.email),
  };
  const webhookRooms = await createWebhookRooms(context.db, WEBHOOK_ROOMS);
  const { skip } = settings;

  if (!skip.has("pages")) run.results.pages = await pageWeight(run, context, cookies);
  if (!skip.has("paint")) run.results.paint = await firstPaint(run, context);
  if (!skip.has("speed")) run.results.speed = await serverSpeed(run, context, cookies, webhookRooms, historyViewers);
  if (!skip.has("memory")) run.results.memory = await memoryAtC50(run, context, cookies, webhookRooms);
  if (!skip.has("issues")) run.results.issue = await perIssue(run, context);
  if (!skip.has("soak")) run.results.soak = await soak(run, context, cookies, webhookRooms);
} catch (error) {
  run.failures.push(
    `the bench itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
} finally {
  await Promise.allSettled([run.load.stop(), ...run.ceilings.map((c) => c.stop())]);
  await context.stop().catch(() => {});
}

// Its own stack (servers apart from workers, the stand-in's limit on), once the shared one has stopped.
if (!settings.skip.has("end-of-hour")) {
  try {
    run.results.endOfHour = await endOfHour(run);
  } catch (error) {
    run.failures.push(
      `the end-of-hour bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

summary(run, context);
process.exitCode = run.failures.length ? 1 : 0;

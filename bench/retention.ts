// bench/retention: the retention job (docs/decisions/0071-retention-of-lesson-data.md) removing
// expired transcripts while people use the app.
//   1. The dashboard alone: GET / for a viewer with 200 bookings, 4 requests in flight, for
//      SECONDS_PER_RUN seconds → p95.
//   2. The same load while the job removes SEGMENTS expired transcript segments (1,000 per
//      transaction) in this process, as a worker would → segments/s, and the dashboard's p95 beside
//      it. Target: the p95 within 1.2× of its run alone.
// Creates its own people, so it can run beside the other benches on the same database.
//
//   npx tsx bench/retention.ts   (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   SEGMENTS=… SECONDS_PER_RUN=… to change the load; BENCH_QUICK=1 for a smaller run.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { addBookings, createBenchViewer } from "./lib/seed.ts";
import { isMain, runStandalone, signIn, type BenchContext } from "./lib/stack.ts";
import { ms, percentile } from "./lib/stats.ts";

export const RETENTION_TARGETS = { p95Ratio: 1.2 } as const;

export type RetentionFigures = {
  segments: number;
  removed: number;
  seconds: number;
  segmentsPerSecond: number;
  alone: { requests: number; p95: number; errors: number };
  beside: { requests: number; p95: number; errors: number };
  p95Ratio: number;
  ok: boolean;
  problems: string[];
};

const SEGMENTS_PER_SESSION = 1_000;

/** GET / with `concurrency` requests in flight until `until()` says stop: each request's time. */
async function dashboardLoad(appUrl: string, cookie: string, concurrency: number, until: () => boolean) {
  const times: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!until()) {
        const started = performance.now();
        const response = await fetch(`${appUrl}/`, { headers: { Cookie: cookie } }).catch(() => null);
        if (response) await response.arrayBuffer();
        if (response?.status === 200) times.push(performance.now() - started);
        else errors++;
      }
    }),
  );
  const sorted = times.sort((a, b) => a - b);
  return { requests: sorted.length, p95: percentile(sorted, 0.95), errors };
}

/** `segments` transcript segments of lessons that started 400 days ago, in sessions of 1,000. */
async function seedExpiredTranscripts(context: BenchContext, segments: number) {
  const { db } = context;
  const tutor = randomUUID();
  const child = randomUUID();
  for (const [id, role] of [
    [tutor, "tutor"],
    [child, "child"],
  ] as const)
    await db.profile.create({
      data: { id, email: `retention-${role}-${id}@bench.test`, fullName: `Retention ${role}` },
    });
  const sessions = Math.ceil(segments / SEGMENTS_PER_SESSION);
  const start = Date.now() - 400 * 24 * 3600_000;
  const bookings = Array.from({ length: sessions }, (_, i) => ({
    id: randomUUID(),
    clientId: child,
    tutorId: tutor,
    serviceName: `Retention lesson ${i + 1}`,
    sessionStartTime: new Date(start - i * 3600_000),
    sessionDuration: 60,
    status: "Completed" as const,
  }));
  await db.booking.createMany({ data: bookings });
  const sessionIds = bookings.map((b) => `retention-${b.id}`);
  await db.lessonspaceSession.createMany({
    data: bookings.map((b, i) => ({ sessionId: sessionIds[i]!, bookingId: b.id, startedAt: b.sessionStartTime })),
  });
  await db.transcriptFetch.createMany({
    data: sessionIds.map((sessionId) => ({
      sessionId,
      url: "https://files.test/t.json",
      status: "done",
      deliveryId: randomUUID(),
    })),
  });
  await db.transcriptSpeaker.createMany({
    data: bookings.map((b, i) => ({
      sessionId: sessionIds[i]!,
      bookingId: b.id,
      speakerKey: child,
      speakerProfileId: child,
      speakerName: "Retention child",
      seconds: 600,
    })),
  });
  let left = segments;
  for (let i = 0; i < sessions; i++) {
    const count = Math.min(SEGMENTS_PER_SESSION, left);
    left -= count;
    await db.transcriptSegment.createMany({
      data: Array.from({ length: count }, (_, position) => ({
        sessionId: sessionIds[i]!,
        bookingId: bookings[i]!.id,
        position,
        speakerProfileId: child,
        speakerName: "Retention child",
        startSeconds: position * 3,
        endSeconds: position * 3 + 2,
        text: `segment ${position} about fractions and the denominator`,
      })),
    });
  }
  await db.$executeRawUnsafe("ANALYZE transcript_segments");
  await db.$executeRawUnsafe("ANALYZE transcript_fetches");
}

export async function retentionBench(
  context: BenchContext,
  options: { segments: number; seconds: number },
): Promise<RetentionFigures> {
  const { stack, appUrl } = context;
  const problems: string[] = [];
  // The job runs in this process, on the stack's database, as a worker would.
  Object.assign(process.env, stack.env);
  const { runRetention } = await import("../app/.server/privacy/retention.ts");

  const viewer = await createBenchViewer(context, "Retention dashboard");
  await addBookings(context.db, { clientId: viewer.id, tutorId: (await anyTutor(context)).id, count: 200 });
  const cookie = await signIn(appUrl, viewer.email);
  await seedExpiredTranscripts(context, options.segments);

  // Warm-up, then the dashboard alone.
  const warmUntil = Date.now() + 2_000;
  await dashboardLoad(appUrl, cookie, 4, () => Date.now() > warmUntil);
  const aloneUntil = Date.now() + options.seconds * 1000;
  const alone = await dashboardLoad(appUrl, cookie, 4, () => Date.now() > aloneUntil);

  // The job beside the same load; the load runs at least as long as the first run.
  let jobDone = false;
  const started = performance.now();
  let ended = started;
  const job = runRetention({ now: new Date() }).finally(() => {
    jobDone = true;
    ended = performance.now();
  });
  const besideUntil = Date.now() + options.seconds * 1000;
  const beside = await dashboardLoad(appUrl, cookie, 4, () => jobDone && Date.now() > besideUntil);
  const counts = await job;
  const jobSeconds = (ended - started) / 1000;

  if (counts.segments < options.segments)
    problems.push(`removed ${counts.segments} of ${options.segments} expired segments`);
  if (alone.errors || beside.errors) problems.push(`${alone.errors + beside.errors} dashboard errors`);
  const p95Ratio = beside.p95 / alone.p95;
  if (p95Ratio > RETENTION_TARGETS.p95Ratio)
    problems.push(`dashboard p95 ${p95Ratio.toFixed(2)}× alone, over ${RETENTION_TARGETS.p95Ratio}×`);

  const figures: RetentionFigures = {
    segments: options.segments,
    removed: counts.segments,
    seconds: jobSeconds,
    segmentsPerSecond: counts.segments / jobSeconds,
    alone,
    beside,
    p95Ratio,
    ok: problems.length === 0,
    problems,
  };
  console.log(
    `  removed ${counts.segments.toLocaleString("en-GB")} segments (${counts.transcripts} transcripts) in ${jobSeconds.toFixed(1)} s: ${Math.round(figures.segmentsPerSecond).toLocaleString("en-GB")} segments/s`,
  );
  console.log(
    `  dashboard alone:        p95 ${ms(alone.p95)} over ${alone.requests} requests (${alone.errors} errors)`,
  );
  console.log(
    `  dashboard beside job:   p95 ${ms(beside.p95)} over ${beside.requests} requests (${beside.errors} errors): ${p95Ratio.toFixed(2)}× alone (target ≤ ${RETENTION_TARGETS.p95Ratio}×)`,
  );
  for (const problem of problems) console.log(`  problem: ${problem}`);
  return figures;
}

async function anyTutor(context: BenchContext) {
  const id = randomUUID();
  await context.db.profile.create({
    data: { id, email: `retention-tutor-${id}@bench.test`, fullName: "Retention tutor" },
  });
  return { id };
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "retention" }, async (context) => {
    console.log(
      `\nbench/retention — production build, Node ${process.version}, ${os.cpus().length} CPUs, embedded PostgreSQL`,
    );
    const quick = process.env.BENCH_QUICK === "1";
    const figures = await retentionBench(context, {
      segments: Number(process.env.SEGMENTS ?? (quick ? 10_000 : 100_000)),
      seconds: Number(process.env.SECONDS_PER_RUN ?? (quick ? 3 : 10)),
    });
    console.log("");
    return figures;
  });
}

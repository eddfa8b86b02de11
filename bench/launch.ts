// bench/launch: the launch route's own overhead. The Lessonspace stand-in answers at
// once, so what is left is ours: session check, booking query, join window, rate-limit counter,
// the Lessonspace round trip over loopback, the room bookkeeping and the answer. Runs against the
// production build (server.ts) in a process of its own, at concurrency 1 and 20, and prints median,
// p95 and requests/s for:
//   - GET /healthz (a reference: what any request costs on this machine),
//   - the stand-in's launch called directly (the floor: what Lessonspace itself costs here),
//   - POST /api/bookings/:id/launch with Accept: application/json,
//   - the Join Lesson form post (303 to the classroom page, with the handover cookie),
//   - GET /bookings/:id/classroom with that cookie (the page Join lands on; no second launch).
//
//   npx tsx bench/launch.ts      (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   SECONDS_PER_RUN=… to measure longer (default 5, after a 1 s warm-up).
import os from "node:os";
import path from "node:path";
import { demoBookingIds, demoProfiles } from "../prisma/seed.ts";
import { LOCAL_LESSONSPACE_KEY } from "../scripts/lib/local-stack.ts";
import { isMain, runStandalone, signIn, type BenchContext } from "./lib/stack.ts";
import { percentile } from "./lib/stats.ts";

type Call = () => Promise<Response>;
export type LaunchRow = {
  label: string;
  concurrency: number;
  requests: number;
  perSecond: number;
  median: number;
  p95: number;
  lessonspaceCalls: number;
  unexpected: Record<string, number>;
};
export type LaunchFigures = { rows: LaunchRow[]; overheadMs: Record<number, number>; ok: boolean };

export const JSON_LAUNCH = "POST launch, Accept: application/json";
const DIRECT = "stand-in launch, called directly";

/** `concurrency` loops call `call` back to back for the run; every latency is kept. */
async function measure(call: Call, expectStatus: number, concurrency: number, seconds: number, warmUpMs: number) {
  await loop(call, concurrency, warmUpMs);
  const { latencies, statuses, elapsed } = await loop(call, concurrency, seconds * 1000);
  latencies.sort((a, b) => a - b);
  const unexpected: Record<string, number> = {};
  for (const status of statuses) if (status !== expectStatus) unexpected[status] = (unexpected[status] ?? 0) + 1;
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    median: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    unexpected,
  };
}

async function loop(call: Call, concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  const statuses: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const response = await call();
        await response.arrayBuffer();
        latencies.push(performance.now() - t);
        statuses.push(response.status);
      }
    }),
  );
  return { latencies, statuses, elapsed: (performance.now() - started) / 1000 };
}

const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(9);

export async function launchBench(
  context: BenchContext,
  options: { seconds: number; concurrencies?: number[]; warmUpMs?: number },
): Promise<LaunchFigures> {
  const { appUrl, stack } = context;
  const concurrencies = options.concurrencies ?? [1, 20];
  const warmUpMs = options.warmUpMs ?? 1_000;
  // The seed's lesson in progress (tutor, parent, child): three people share the load, as a family would.
  const bookingId = demoBookingIds.inProgress;
  const cookies = await Promise.all(
    [demoProfiles.tutor, demoProfiles.parent, demoProfiles.child].map((p) => signIn(appUrl, p.email)),
  );
  let turn = 0;
  const nextCookie = () => cookies[turn++ % cookies.length]!;
  const launchUrl = `${appUrl}/api/bookings/${bookingId}/launch`;

  // One handover cookie per person, as the form post hands it to the classroom page. They live a
  // minute, so they are made again right before the run that uses them.
  let handovers: string[] = [];
  const makeHandovers = async () => {
    handovers = await Promise.all(
      cookies.map(async (cookie) => {
        const response = await fetch(launchUrl, {
          method: "POST",
          headers: { Cookie: cookie, Origin: appUrl },
          redirect: "manual",
        });
        await response.arrayBuffer();
        if (response.status !== 303) throw new Error(`The Join form post answered ${response.status}`);
        const handover = response.headers
          .getSetCookie()
          .find((line) => line.startsWith("tw_classroom_link="))!
          .split(";")[0];
        return `${cookie}; ${handover}`;
      }),
    );
  };
  let pageTurn = 0;

  const directBody = JSON.stringify({
    id: `booking-${bookingId}`,
    name: "Bench lesson",
    user: { id: demoProfiles.child.id, name: demoProfiles.child.fullName, leader: false },
    timeouts: {
      not_before: new Date(Date.now() - 3_600_000).toISOString(),
      not_after: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  const cases: { label: string; expect: number; call: Call; prepare?: () => Promise<void> }[] = [
    // The floor of any request on this machine: the framework and one query.
    { label: "GET /healthz (reference)", expect: 200, call: () => fetch(`${appUrl}/healthz`) },
    {
      label: DIRECT,
      expect: 200,
      call: () =>
        fetch(`${stack.lessonspace.url}/v2/spaces/launch/`, {
          method: "POST",
          headers: { Authorization: `Organisation ${LOCAL_LESSONSPACE_KEY}`, "Content-Type": "application/json" },
          body: directBody,
        }),
    },
    {
      label: JSON_LAUNCH,
      expect: 200,
      call: () =>
        fetch(launchUrl, {
          method: "POST",
          headers: { Cookie: nextCookie(), Origin: appUrl, Accept: "application/json" },
        }),
    },
    {
      label: "POST launch, Join form (303)",
      expect: 303,
      call: () =>
        fetch(launchUrl, { method: "POST", headers: { Cookie: nextCookie(), Origin: appUrl }, redirect: "manual" }),
    },
    {
      label: "GET classroom page, handed-over link",
      expect: 200,
      prepare: makeHandovers,
      call: () =>
        fetch(`${appUrl}/bookings/${bookingId}/classroom`, {
          headers: { Cookie: handovers[pageTurn++ % handovers.length]! },
        }),
    },
  ];

  console.log(
    `${options.seconds} s per run after a ${warmUpMs / 1000} s warm-up; the Lessonspace stand-in answers at once.\n`,
  );
  console.log(
    `${"".padEnd(40)} ${"conc".padStart(4)} ${"requests".padStart(9)} ${"req/s".padStart(8)} ${"median".padStart(9)} ${"p95".padStart(9)} ${"LS calls".padStart(10)}`,
  );
  const rows: LaunchRow[] = [];
  for (const concurrency of concurrencies) {
    for (const { label, expect, call, prepare } of cases) {
      await prepare?.();
      const launchesBefore = stack.lessonspace.launches.length;
      const figures = await measure(call, expect, concurrency, options.seconds, warmUpMs);
      // Warm-up included; the classroom page with a handed-over link should make none.
      const lessonspaceCalls = stack.lessonspace.launches.length - launchesBefore;
      rows.push({ label, concurrency, ...figures, lessonspaceCalls });
      const odd = Object.keys(figures.unexpected).length
        ? `  unexpected statuses: ${JSON.stringify(figures.unexpected)}`
        : "";
      console.log(
        `${label.padEnd(40)} ${String(concurrency).padStart(4)} ${String(figures.requests).padStart(9)} ${figures.perSecond.toFixed(0).padStart(8)} ${ms(figures.median)} ${ms(figures.p95)} ${String(lessonspaceCalls).padStart(10)}${odd}`,
      );
    }
  }
  console.log("");
  const overheadMs: Record<number, number> = {};
  const find = (label: string, c: number) => rows.find((r) => r.label === label && r.concurrency === c)!;
  for (const concurrency of concurrencies) {
    overheadMs[concurrency] = find(JSON_LAUNCH, concurrency).median - find(DIRECT, concurrency).median;
    console.log(
      `Route overhead at concurrency ${concurrency} (median JSON launch minus median direct stand-in call): ${overheadMs[concurrency]!.toFixed(1)} ms`,
    );
  }
  // The stand-in keeps a record of every launch; the bench has read what it needs.
  stack.lessonspace.launches.length = 0;
  return { rows, overheadMs, ok: rows.every((r) => Object.keys(r.unexpected).length === 0) };
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "launch" }, async (context) => {
    console.log(
      `\nbench/launch — production build ${path.relative(context.root, context.buildDir) || context.buildDir}, Node ${process.version}, ${os.cpus().length} CPUs`,
    );
    return launchBench(context, { seconds: Number(process.env.SECONDS_PER_RUN ?? 5) });
  });
}

// bench/dashboard: the dashboard for one viewer with many bookings, and the same page for
// a viewer with 5,000 beside one with 50 (no page's cost grows with history:
// docs/decisions/0030-bounded-dashboard-and-keyset-history.md).
//   1. A viewer with 200 bookings spread over past, present and future (every card state): the
//      median and p95 time of GET / one request at a time, and the HTML size, raw and gzipped.
//   2. Two viewers with the same lessons around now, one with 50 bookings and one with 5,000
//      (the rest further in the past and future): p95 at concurrency 10 (autocannon in its own
//      process) and the HTML size. Targets: 5,000 within 1.2× of 50; HTML under 15 KB gzipped.
//
//   npx tsx bench/dashboard.ts      (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   SECONDS_PER_RUN=… to measure longer (default 5, after a 1 s warm-up); BOOKINGS=… for another count.
import os from "node:os";
import { gzipSync } from "node:zlib";
import { demoProfiles } from "../prisma/seed.ts";
import { addBookings, createBenchViewer } from "./lib/seed.ts";
import { isMain, runStandalone, signIn, type BenchContext } from "./lib/stack.ts";
import { kib, ms, percentile } from "./lib/stats.ts";

/** The targets for the dashboard of a long history (docs/decisions/0037-server-cost-measured-against-a-no-framework-ceiling.md). */
export const HISTORY_TARGETS = { p95Ratio: 1.2, htmlGzipBytes: 15 * 1024 } as const;
export const HISTORY_SIZES = { small: 50, large: 5_000 } as const;

export type HistoryViewer = { email: string; bookings: number };

/**
 * Two viewers with the same lessons around now (addBookings spreads them the same way: 12 hours
 * apart from a third of the count in the past), one with `small` bookings and one with `large`,
 * with the seed's other tutor so that no demo account's pages change.
 */
export async function seedHistoryViewers(
  context: BenchContext,
  tutorId: string,
): Promise<{ small: HistoryViewer; large: HistoryViewer }> {
  const small = await createBenchViewer(context, `History ${HISTORY_SIZES.small}`);
  const large = await createBenchViewer(context, `History ${HISTORY_SIZES.large}`);
  const now = new Date();
  await addBookings(context.db, {
    clientId: small.id,
    tutorId,
    count: HISTORY_SIZES.small,
    now,
    label: "History lesson",
  });
  await addBookings(context.db, {
    clientId: large.id,
    tutorId,
    count: HISTORY_SIZES.large,
    now,
    label: "History lesson",
  });
  // Fresh statistics, as autovacuum would gather them on a live database after such a load.
  await context.db.$executeRawUnsafe("ANALYZE bookings");
  return {
    small: { email: small.email, bookings: HISTORY_SIZES.small },
    large: { email: large.email, bookings: HISTORY_SIZES.large },
  };
}

export type HistoryFigures = {
  small: { bookings: number; load: InterleavedLoad; htmlGzip: number; cards: number };
  large: { bookings: number; load: InterleavedLoad; htmlGzip: number; cards: number };
  p95Ratio: number;
  p95Met: boolean;
  htmlMet: boolean;
};

/** The page as a browser gets it: its size gzipped (the server's own compression) and its cards. */
async function dashboardPage(appUrl: string, cookie: string) {
  const response = await fetch(`${appUrl}/`, { headers: { Cookie: cookie, "Accept-Encoding": "identity" } });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
  return { htmlGzip: gzipSync(html).length, cards: (html.match(/<article /g) ?? []).length };
}

/** Judges figures measured elsewhere (bench/run.ts measures the loads beside its ceilings). */
export function judgeHistory(small: HistoryFigures["small"], large: HistoryFigures["large"]): HistoryFigures {
  const p95Ratio = large.load.p95 / small.load.p95;
  return {
    small,
    large,
    p95Ratio,
    p95Met: p95Ratio <= HISTORY_TARGETS.p95Ratio,
    htmlMet: large.htmlGzip < HISTORY_TARGETS.htmlGzipBytes,
  };
}

export function printHistory(figures: HistoryFigures, say: (line: string) => void = console.log) {
  const row = (f: HistoryFigures["small"]) =>
    `  ${String(f.bookings).padStart(5)} bookings: ${f.load.rps.toFixed(0)} req/s, p50 ${ms(f.load.p50)}, p95 ${ms(f.load.p95)}, ${f.cards} cards, HTML ${kib(f.htmlGzip)} gzip`;
  say(row(figures.small));
  say(row(figures.large));
  say(
    `  p95 with ${figures.large.bookings} bookings = ${figures.p95Ratio.toFixed(2)}× the p95 with ${figures.small.bookings} (target ≤ ${HISTORY_TARGETS.p95Ratio}×): ${figures.p95Met ? "met" : "NOT MET"}; ` +
      `HTML ${kib(figures.large.htmlGzip)} gzip (target < ${kib(HISTORY_TARGETS.htmlGzipBytes)}): ${figures.htmlMet ? "met" : "NOT MET"}.`,
  );
}

export type InterleavedLoad = { requests: number; rps: number; p50: number; p95: number; errors: number };

/**
 * `connections` loops in this process, each sending GET / alternately as each viewer, for `seconds`:
 * both viewers meet the same neighbours at the same moments, so on a shared machine their ratio
 * is far steadier than two runs one after the other.
 */
async function interleaved(
  appUrl: string,
  cookies: [string, string],
  connections: number,
  seconds: number,
  warmupSeconds: number,
) {
  const latencies: [number[], number[]] = [[], []];
  const errors = [0, 0];
  let measuring = false;
  const loop = async (offset: number) => {
    for (let i = offset; ; i++) {
      if (!running) return;
      const which = i % 2;
      const started = performance.now();
      try {
        const response = await fetch(`${appUrl}/`, { headers: { Cookie: cookies[which]!, "Accept-Encoding": "gzip" } });
        await response.arrayBuffer();
        if (response.status !== 200) errors[which]!++;
        else if (measuring) latencies[which]!.push(performance.now() - started);
      } catch {
        errors[which]!++;
      }
    }
  };
  let running = true;
  const loops = Array.from({ length: connections }, (_, i) => loop(i));
  await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  measuring = false;
  running = false;
  await Promise.all(loops);
  return latencies.map((list, i): InterleavedLoad => {
    list.sort((x, y) => x - y);
    return {
      requests: list.length,
      rps: list.length / seconds,
      p50: percentile(list, 0.5),
      p95: percentile(list, 0.95),
      errors: errors[i]!,
    };
  }) as [InterleavedLoad, InterleavedLoad];
}

/** The two viewers' dashboards at concurrency 10, interleaved (see above). */
export async function historyBench(
  context: BenchContext,
  viewers: { small: HistoryViewer; large: HistoryViewer },
  options: { seconds: number; warmupSeconds: number; connections?: number },
): Promise<HistoryFigures> {
  const cookies: [string, string] = [
    await signIn(context.appUrl, viewers.small.email),
    await signIn(context.appUrl, viewers.large.email),
  ];
  const pages = [await dashboardPage(context.appUrl, cookies[0]), await dashboardPage(context.appUrl, cookies[1])];
  const [small, large] = await interleaved(
    context.appUrl,
    cookies,
    options.connections ?? 10,
    options.seconds,
    options.warmupSeconds,
  );
  return judgeHistory(
    { bookings: viewers.small.bookings, load: small!, ...pages[0]! },
    { bookings: viewers.large.bookings, load: large!, ...pages[1]! },
  );
}

export type DashboardFigures = {
  bookings: number;
  cards: number;
  requests: number;
  median: number;
  p95: number;
  htmlBytes: number;
  htmlGzip: number;
};

/** Sequential GET / as `email` (who already has `bookings` bookings) for `seconds`, after a warm-up. */
export async function dashboardBench(
  context: BenchContext,
  options: { email: string; bookings: number; seconds: number; warmUpMs?: number },
): Promise<DashboardFigures> {
  const { appUrl } = context;
  const cookie = await signIn(appUrl, options.email);
  const get = async () => {
    const started = performance.now();
    const response = await fetch(`${appUrl}/`, { headers: { Cookie: cookie } });
    const html = await response.text();
    if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
    return { ms: performance.now() - started, html };
  };
  const first = await get();
  const cards = (first.html.match(/<article /g) ?? []).length;
  const warmUpEnd = performance.now() + (options.warmUpMs ?? 1_000);
  while (performance.now() < warmUpEnd) await get();
  const latencies: number[] = [];
  const end = performance.now() + options.seconds * 1000;
  while (performance.now() < end) latencies.push((await get()).ms);
  latencies.sort((a, b) => a - b);
  const figures = {
    bookings: options.bookings,
    cards,
    requests: latencies.length,
    median: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    htmlBytes: Buffer.byteLength(first.html),
    htmlGzip: gzipSync(first.html).length,
  };
  console.log(
    `GET / for a viewer with ${figures.bookings} bookings (${cards} cards rendered), one request at a time for ${options.seconds} s:`,
  );
  console.log(
    `  requests ${figures.requests}, median ${figures.median.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms`,
  );
  console.log(`  HTML ${figures.htmlBytes} bytes, ${figures.htmlGzip} bytes gzipped`);
  return figures;
}

if (isMain(import.meta.url)) {
  const seconds = Number(process.env.SECONDS_PER_RUN ?? 5);
  const bookings = Number(process.env.BOOKINGS ?? 200);
  await runStandalone({ name: "dashboard" }, async (context) => {
    // The seed's adult learner has one booking; the rest with the seed's tutor.
    await addBookings(context.db, {
      clientId: demoProfiles.adult.id,
      tutorId: demoProfiles.tutor.id,
      count: bookings - 1,
    });
    const viewers = await seedHistoryViewers(context, demoProfiles.otherTutor.id);
    console.log(
      `\nbench/dashboard — production build, Node ${process.version}, ${os.cpus().length} CPUs, embedded PostgreSQL (load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(" / ")})`,
    );
    await dashboardBench(context, { email: demoProfiles.adult.email, bookings, seconds });
    console.log(
      `\nThe dashboard of ${HISTORY_SIZES.large.toLocaleString("en-GB")} bookings beside ${HISTORY_SIZES.small}, 10 connections alternating between the two viewers for ${seconds} s:`,
    );
    const figures = await historyBench(context, viewers, { seconds, warmupSeconds: 1 });
    printHistory(figures);
    console.log("");
    return { ok: figures.small.load.errors === 0 && figures.large.load.errors === 0 };
  });
}

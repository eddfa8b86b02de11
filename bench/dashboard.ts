// bench/dashboard: the dashboard for one viewer with many bookings (issue 3). Gives a viewer 200
// bookings spread over past, present and future (every card state) and prints the median and p95
// time of GET / one request at a time (session check, one scoping query with its batched includes,
// the card rules, server rendering), and the HTML size in bytes, raw and gzipped.
//
//   npx tsx bench/dashboard.ts      (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   SECONDS_PER_RUN=… to measure longer (default 5, after a 1 s warm-up); BOOKINGS=… for another count.
import os from "node:os";
import { gzipSync } from "node:zlib";
import { demoProfiles } from "../prisma/seed.ts";
import { addBookings } from "./lib/seed.ts";
import { isMain, runStandalone, signIn, type BenchContext } from "./lib/stack.ts";
import { percentile } from "./lib/stats.ts";

export type DashboardFigures = { bookings: number; cards: number; requests: number; median: number; p95: number; htmlBytes: number; htmlGzip: number };

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
  console.log(`GET / for a viewer with ${figures.bookings} bookings (${cards} cards rendered), one request at a time for ${options.seconds} s:`);
  console.log(`  requests ${figures.requests}, median ${figures.median.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms`);
  console.log(`  HTML ${figures.htmlBytes} bytes, ${figures.htmlGzip} bytes gzipped`);
  return figures;
}

if (isMain(import.meta.url)) {
  const seconds = Number(process.env.SECONDS_PER_RUN ?? 5);
  const bookings = Number(process.env.BOOKINGS ?? 200);
  await runStandalone({ name: "dashboard" }, async (context) => {
    // The seed's adult learner has one booking; the rest with the seed's tutor.
    await addBookings(context.db, { clientId: demoProfiles.adult.id, tutorId: demoProfiles.tutor.id, count: bookings - 1 });
    console.log(`\nbench/dashboard — production build, Node ${process.version}, ${os.cpus().length} CPUs, embedded PostgreSQL`);
    await dashboardBench(context, { email: demoProfiles.adult.email, bookings, seconds });
    console.log("");
  });
}

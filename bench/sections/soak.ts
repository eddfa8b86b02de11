// 4. Load and soak: mixed load (dashboards, launches, webhooks) in slices on a fresh server, a full
// GC after each, and the trend of memory against requests served.
import { demoBookingIds } from "../../prisma/seed.ts";
import { collectGarbage, inspectorUrlFrom, isInspectorChatter } from "../lib/inspector.ts";
import type { LoadSpec, MeasuredLoad, StaticRequest } from "../lib/load.ts";
import { readStatus } from "../lib/processes.ts";
import type { BenchContext } from "../lib/stack.ts";
import { mb, ms, residualStdDev, slope, table } from "../lib/stats.ts";
import { heading, pct, say, type BenchRun, type Cookies, type WebhookRooms } from "./context.ts";
import type { SoakFigures, SoakSlice } from "./figures.ts";

export async function soak(
  run: BenchRun,
  ctx: BenchContext,
  cookies: Cookies,
  webhookRooms: WebhookRooms,
): Promise<SoakFigures> {
  const { quick, soakSeconds, soakSliceSeconds, soakConnections, soakSettleSeconds, soakJudgedFromSeconds } =
    run.settings;
  heading(
    `4. Load and soak: ${soakSeconds} s of mixed load at concurrency ${soakConnections} (½ dashboards, ¼ launches, ¼ webhooks)`,
  );
  // A fresh server process for the soak, so its memory starts from a clean start. --inspect (loopback,
  // any free port) lets the bench ask V8 for a full GC between slices, from outside the app.
  let inspector: string | null = null;
  const useGc = process.env.BENCH_SOAK_GC !== "0";
  await ctx.restartServer(useGc ? ["--inspect=127.0.0.1:0"] : [], (line) => {
    inspector ??= inspectorUrlFrom(line);
    return isInspectorChatter(line);
  });
  const pid = ctx.server.pid;
  const gc = async (): Promise<number | null> => (inspector ? (await collectGarbage(inspector)).usedBytes : null);
  say(
    `  Fresh app server pid ${pid}${inspector ? " with --inspect on loopback: after each slice the bench asks V8 for a full GC over the inspector protocol and reads the heap" : " (no inspector: RSS only)"}.`,
  );
  say(
    `  Load runs in ${soakSliceSeconds} s slices (RSS sampled every 250 ms), each followed by ${soakSettleSeconds} s idle and the GC; figures per slice below.\n`,
  );

  const launch = (cookie: string): StaticRequest => ({
    method: "POST",
    path: `/api/bookings/${demoBookingIds.inProgress}/launch`,
    headers: { cookie, origin: ctx.appUrl, accept: "application/json" },
  });
  const adult: StaticRequest = { method: "GET", path: "/", headers: { cookie: cookies.adult } };
  const tutor: StaticRequest = { method: "GET", path: "/", headers: { cookie: cookies.tutor } };
  const webhook = { webhook: { rooms: webhookRooms } };
  const mix: LoadSpec["requests"] = [
    adult,
    launch(cookies.tutor),
    tutor,
    webhook,
    adult,
    launch(cookies.parent),
    tutor,
    webhook,
    adult,
    launch(cookies.child),
    tutor,
    webhook,
  ];

  // Between a slice and its GC the server idles for a few seconds: per-request timers (the 8 s
  // Lessonspace and 4 s Auth fetch deadlines) keep their requests' objects alive until they fire,
  // and would make the heap follow the last slice's throughput instead of what is really kept.
  const settle = () => new Promise((resolve) => setTimeout(resolve, soakSettleSeconds * 1000));
  // Warm-up (JIT, caches, pools), then the baseline.
  await run.load.run({ url: ctx.appUrl, connections: soakConnections, seconds: quick ? 2 : 5, requests: mix });
  await settle();
  const heapStart = await gc();
  const rssStart = readStatus(pid).rssKb;
  say(
    `  start (after warm-up${heapStart !== null ? " and a full GC" : ""}): RSS ${mb(rssStart)}${heapStart !== null ? `, V8 heap used ${mb(heapStart / 1024)}` : ""}`,
  );
  const header = [
    "t",
    "requests",
    "req/s",
    "p50",
    "p99",
    "errors",
    "unexpected",
    "server CPU",
    "req/CPU-s",
    "RSS peak",
    "RSS after GC",
    "heap after GC",
  ];
  const widths = [6, 8, 6, 9, 9, 6, 10, 10, 9, 9, 12, 13];
  say(table([header], "  ", widths));

  const slices: SoakSlice[] = [];
  let loadSeconds = 0;
  const soakStarted = performance.now();
  while (loadSeconds < soakSeconds - 0.5) {
    const seconds = Math.max(1, Math.min(soakSliceSeconds, Math.round(soakSeconds - loadSeconds)));
    const result = await run.load.run({ url: ctx.appUrl, connections: soakConnections, seconds, requests: mix }, pid);
    loadSeconds += result.seconds;
    await settle();
    const heap = await gc();
    const slice: SoakSlice = {
      endSeconds: loadSeconds,
      result,
      rssPeakKb: result.rss?.peakKb ?? 0,
      rssAfterGcKb: readStatus(pid).rssKb,
      heapAfterGcBytes: heap,
    };
    slices.push(slice);
    // The stand-in keeps every launch it answered; that memory is the bench's, not the server's.
    ctx.stack.lessonspace.launches.length = 0;
    say(
      table(
        [
          [
            `${slice.endSeconds.toFixed(0)} s`,
            String(result.requests),
            result.rps.toFixed(0),
            ms(result.p50),
            ms(result.p99),
            String(result.errors),
            String(result.unexpected),
            pct(result.serverCpuShare ?? NaN),
            (result.perCpuSecond ?? NaN).toFixed(0),
            mb(slice.rssPeakKb),
            mb(slice.rssAfterGcKb),
            heap !== null ? mb(heap / 1024) : "—",
          ],
        ],
        "  ",
        widths,
      ),
    );
  }

  const requests = slices.reduce((sum, s) => sum + s.result.requests, 0);
  const statuses: Record<string, number> = {};
  for (const s of slices) for (const [k, n] of Object.entries(s.result.statuses)) statuses[k] = (statuses[k] ?? 0) + n;
  const errors = slices.reduce((sum, s) => sum + s.result.errors, 0);
  const unexpected = slices.reduce((sum, s) => sum + s.result.unexpected, 0);
  const weighted = (pick: (r: MeasuredLoad) => number) =>
    slices.reduce((sum, s) => sum + pick(s.result) * s.result.requests, 0) / Math.max(1, requests);
  const last = slices.at(-1)!;
  // A leak grows with the requests served, so the trend is memory after GC against requests served
  // so far (not time: neighbours on a shared machine change the throughput from slice to slice),
  // fitted over the last two thirds (the first third still fills caches, pools and JIT code) and
  // projected over all the soak's requests.
  const skipped = slices.length >= 3 ? Math.floor(slices.length / 3) : 0;
  let served = 0;
  const cumulative = slices.map((s) => (served += s.result.requests) / 1000);
  const trendSlices = slices.slice(skipped);
  const trendX = cumulative.slice(skipped);
  const judged = soakSeconds >= soakJudgedFromSeconds;
  const rssPoints = trendSlices.map((s, i) => ({ x: trendX[i]!, y: s.rssAfterGcKb / 1024 }));
  const rssPerThousand = slope(rssPoints);
  const rssGrowth = rssPerThousand * (requests / 1000);
  const heapPoints =
    heapStart !== null ? trendSlices.map((s, i) => ({ x: trendX[i]!, y: (s.heapAfterGcBytes ?? 0) / 2 ** 20 })) : null;
  const heapPerThousand = heapPoints ? slope(heapPoints) : null;
  const heapGrowth = heapPerThousand !== null ? heapPerThousand * (requests / 1000) : null;
  // Steady growth: the projected climb exceeds 10% of the starting heap (at least 5 MB) and twice
  // the slice-to-slice noise around the line. Without the inspector, RSS after GC (10%, at least 20 MB).
  const heapNoise = heapPoints ? residualStdDev(heapPoints) : 0;
  const heapLimitMb = heapStart !== null ? Math.max(5, (0.1 * heapStart) / 2 ** 20, 2 * heapNoise) : 0;
  const rssLimitMb = Math.max(20, (0.1 * rssStart) / 1024, 2 * residualStdDev(rssPoints));
  const growthFlagged = heapGrowth !== null ? heapGrowth > heapLimitMb : rssGrowth > rssLimitMb;
  const signed = (n: number, digits = 1) => `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`;

  const figures: SoakFigures = {
    seconds: soakSeconds,
    connections: soakConnections,
    requests,
    rps: requests / Math.max(1, loadSeconds),
    p50: weighted((r) => r.p50),
    p99: Math.max(...slices.map((s) => s.result.p99)),
    errors,
    unexpected,
    statuses,
    rssStartKb: rssStart,
    rssEndKb: last.rssAfterGcKb,
    heapStartBytes: heapStart,
    heapEndBytes: last.heapAfterGcBytes,
    heapGrowthMb: heapGrowth,
    rssGrowthMb: rssGrowth,
    growthFlagged,
    judged,
    slices,
  };
  say("");
  say(
    `  ${requests.toLocaleString("en-GB")} requests in ${loadSeconds.toFixed(0)} s of load (${((performance.now() - soakStarted) / 1000).toFixed(0)} s with the pauses), ` +
      `${figures.rps.toFixed(0)} req/s, statuses ${JSON.stringify(statuses)}, ${errors} connection errors.`,
  );
  say(`  p50 ≈ ${ms(figures.p50)} (request-weighted mean of the slices' medians), worst slice p99 ${ms(figures.p99)}.`);
  say(
    `  RSS: start ${mb(rssStart)} → end ${mb(last.rssAfterGcKb)} after GC (peak under load ${mb(Math.max(...slices.map((s) => s.rssPeakKb)))}); ` +
      `trend over slices ${skipped + 1}–${slices.length}: ${signed(rssPerThousand, 3)} MB per 1,000 requests, ${signed(rssGrowth)} MB over the soak's requests.`,
  );
  if (heapStart !== null && heapPerThousand !== null) {
    say(
      `  V8 heap used after full GC: start ${mb(heapStart / 1024)} → end ${mb((last.heapAfterGcBytes ?? 0) / 1024)}; trend over slices ${skipped + 1}–${slices.length}: ` +
        `${signed(heapPerThousand, 3)} MB per 1,000 requests, ${signed(heapGrowth!)} MB over the soak's requests ` +
        `(noise ±${heapNoise.toFixed(1)} MB; steady growth means more than ${heapLimitMb.toFixed(1)} MB).`,
    );
  }
  const verdict = growthFlagged ? "STEADY GROWTH" : "no steady growth";
  say(
    `  Memory: ${verdict}${judged ? "" : ` (not judged: soaks under ${soakJudgedFromSeconds} s are too short to tell)`}.`,
  );
  if (errors || unexpected)
    run.failures.push(`soak: ${errors} errors and ${unexpected} unexpected statuses ${JSON.stringify(statuses)}`);
  if (growthFlagged && judged) {
    run.failures.push(
      `soak: steady memory growth (${heapGrowth !== null ? `heap ${signed(heapGrowth)}` : `RSS ${signed(rssGrowth)}`} MB over ${requests} requests)`,
    );
  }
  return figures;
}

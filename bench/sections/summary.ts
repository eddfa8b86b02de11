// The summary: one table of the run's figures beside their targets and ceilings, the app server's
// unexpected stderr, PASS or FAIL with the reasons, and the figures as JSON in bench/results/.
import { DIGEST_FLOORS } from "../digest.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HISTORY_TARGETS } from "../dashboard.ts";
import { JSON_LAUNCH } from "../launch.ts";
import { PAINT_ALLOWANCE } from "../paint.ts";
import { root } from "../lib/build.ts";
import type { BenchContext } from "../lib/stack.ts";
import { kib, mb, ms, table } from "../lib/stats.ts";
import { SEARCH_P95_FLOOR_MS } from "../transcripts.ts";
import { heading, loadAverage, pct, say, type BenchRun } from "./context.ts";

export function summary(run: BenchRun, ctx: BenchContext): void {
  const { quick, concurrencies } = run.settings;
  const loadAtEnd = os.loadavg();
  heading("Summary");
  const rows: string[][] = [["area", "figure", "beside"]];
  const speed = run.results.speed ?? [];
  const find = (name: string, c: number) => speed.find((r) => r.target === name && r.concurrency === c)?.result;
  for (const c of concurrencies) {
    const ours = find("dashboard (50 bookings)", c);
    const httpCeiling = find("HTTP ceiling (same bytes)", c);
    const sqlCeiling = find("no-framework ceiling", c);
    if (ours && httpCeiling && sqlCeiling) {
      rows.push([
        `dashboard, 50 bookings, c${c}`,
        `${ours.rps.toFixed(0)} req/s, p50 ${ms(ours.p50)}, p95 ${ms(ours.p95)}, p99 ${ms(ours.p99)}`,
        `${pct(ours.rps / httpCeiling.rps)} of HTTP ceiling (${httpCeiling.rps.toFixed(0)} req/s), ${pct(ours.rps / sqlCeiling.rps)} of no-framework (${sqlCeiling.rps.toFixed(0)} req/s, p95 ${ms(sqlCeiling.p95)}); ` +
          `per CPU-s ${(ours.perCpuSecond ?? NaN).toFixed(0)} vs ${(httpCeiling.perCpuSecond ?? NaN).toFixed(0)} and ${(sqlCeiling.perCpuSecond ?? NaN).toFixed(0)} (${pct((ours.perCpuSecond ?? NaN) / (sqlCeiling.perCpuSecond ?? NaN))} of no-framework)` +
          (c === 10 && !run.results.dashboardPairs
            ? `; targets ≥ 60% and ≥ 50%: ${ours.rps / sqlCeiling.rps >= 0.6 ? "met" : "NOT MET"}, ${(ours.perCpuSecond ?? NaN) / (sqlCeiling.perCpuSecond ?? NaN) >= 0.5 ? "met" : "NOT MET"}`
            : ""),
      ]);
    }
  }
  if (run.results.dashboardPairs) {
    const paired = run.results.dashboardPairs;
    rows.push([
      "dashboard vs no-framework, paired c10",
      `median of ${paired.pairs.length} alternating pairs: ${pct(paired.throughput)} of its throughput, ${pct(paired.perCpuSecond)} per CPU second`,
      `targets ≥ 60% and ≥ 50%: ${paired.throughput >= 0.6 ? "met" : "NOT MET"}, ${paired.perCpuSecond >= 0.5 ? "met" : "NOT MET"}`,
    ]);
  }
  if (run.results.renderFloor) {
    const { reactMs, templateMs, rulesMs, documentMs, hydrationMs, bound } = run.results.renderFloor;
    rows.push([
      "dashboard, the stack's floor",
      `${bound.floorMs.toFixed(2)} ms CPU per page at least (ceiling ${bound.ceilingMs.toFixed(2)} − templates ${templateMs.toFixed(2)} + rules ${rulesMs.toFixed(2)} + React ${reactMs.toFixed(2)} + smallest document ${documentMs.toFixed(2)} + hydration data ${hydrationMs.toFixed(2)})`,
      `50% per CPU-s allows ${bound.allowedMs.toFixed(2)} ms: ${bound.reachable ? `${(bound.allowedMs - bound.floorMs).toFixed(2)} ms left above the floor` : "OUT OF REACH with React Router and React SSR"}; app ${bound.appMs.toFixed(2)} ms`,
    ]);
  }
  if (run.results.history) {
    const h = run.results.history;
    rows.push([
      `dashboard, ${h.large.bookings.toLocaleString("en-GB")} vs ${h.small.bookings} bookings, c10 alternating`,
      `p95 ${ms(h.large.load.p95)} vs ${ms(h.small.load.p95)} = ${h.p95Ratio.toFixed(2)}× (target ≤ ${HISTORY_TARGETS.p95Ratio}×: ${h.p95Met ? "met" : "NOT MET"})`,
      `HTML ${kib(h.large.htmlGzip)} gzip with ${h.large.cards} cards (target < ${kib(HISTORY_TARGETS.htmlGzipBytes)}: ${h.htmlMet ? "met" : "NOT MET"})`,
    ]);
  }
  for (const [name, label] of [
    ["booking details", "booking page"],
    ["launch (JSON)", "launch route (JSON)"],
    ["webhook (signed)", "webhook route"],
  ] as const) {
    for (const c of concurrencies) {
      const r = find(name, c);
      if (r) {
        rows.push([
          `${label}, c${c}`,
          `${r.rps.toFixed(0)} req/s, p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, p99 ${ms(r.p99)}`,
          `non-2xx/3xx ${r.non2xx3xx}, errors ${r.errors}; ${(r.perCpuSecond ?? NaN).toFixed(0)} req/CPU-s; server RSS peak ${r.rss ? mb(r.rss.peakKb) : "—"}`,
        ]);
      }
    }
  }
  for (const c of concurrencies) {
    const ceiling = find("no-framework booking page", c);
    if (!ceiling) continue;
    for (const [name, label] of [
      ["booking details", "booking page"],
      ["launch (JSON)", "launch route (JSON)"],
    ] as const) {
      const r = find(name, c);
      if (r) {
        rows.push([
          `${label} vs no-framework booking page, c${c}`,
          `${pct(r.rps / ceiling.rps)} of its throughput, ${pct((r.perCpuSecond ?? NaN) / (ceiling.perCpuSecond ?? NaN))} per CPU second`,
          `${r.rps.toFixed(0)} vs ${ceiling.rps.toFixed(0)} req/s; ${(r.perCpuSecond ?? NaN).toFixed(0)} vs ${(ceiling.perCpuSecond ?? NaN).toFixed(0)} req/CPU-s; markup ${run.results.bookingMarkup?.startsWith("the two pages are identical") ? "identical" : "DIFFERS"}`,
        ]);
      }
    }
  }
  if (run.results.memory) {
    const m = run.results.memory;
    rows.push([
      "server memory, mixed load at c50",
      `RSS peak ${mb(m.rssPeakKb)} (target < ${m.targetMb} MB: ${m.rssPeakKb / 1024 < m.targetMb ? "met" : "NOT MET"}), heap after GC ${mb(m.heapAfterGcBytes / 1024)}`,
      `flags ${m.flags.join(" ") || "none"} (package.json start); ${m.requests} requests, ${m.rps.toFixed(0)} req/s${m.atPeak ? `; at the peak V8 heap ${mb(m.atPeak.heapTotal / 1024)}, external ${mb(m.atPeak.external / 1024)}` : ""}`,
    ]);
  }
  if (run.results.pages) {
    const dash = run.results.pages.find((p) => p.name.startsWith("dashboard (tutor)"));
    const heaviest = [...run.results.pages].sort((a, b) => b.htmlGzip - a.htmlGzip)[0]!;
    const noJs = run.results.pages.filter((p) => p.missingWithoutJs.length === 0).length;
    rows.push([
      "page weight",
      `${run.results.pages.length} pages; HTML gzip ${kib(Math.min(...run.results.pages.map((p) => p.htmlGzip)))}–${kib(heaviest.htmlGzip)} (${heaviest.name}); CSS ${kib(dash?.cssGzip ?? 0)} gzip`,
      `JS when enabled ${kib(Math.min(...run.results.pages.map((p) => p.jsGzip)))}–${kib(Math.max(...run.results.pages.map((p) => p.jsGzip)))} gzip; ${noJs}/${run.results.pages.length} work with 0 B of JS; ${run.results.budgetOverruns?.length ? `${run.results.budgetOverruns.length} OVER BUDGET` : "all within budget"}`,
    ]);
  }
  for (const v of run.results.paint?.verdicts ?? []) {
    const on = run.results.paint!.cases.find((c) => c.phone === v.phone && c.page === v.page && c.javaScript);
    rows.push([
      `first paint, ${v.page}, ${v.phone.split(":")[0]!.split(",")[0]}`,
      `JavaScript on ${v.on.toFixed(0)} ms vs off ${v.off.toFixed(0)} ms = ${v.ratio.toFixed(2)}× (floor ≤ ${(1 + PAINT_ALLOWANCE).toFixed(2)}×: ${run.settings.quick ? "not judged (quick run)" : v.met ? "met" : "NOT MET"})`,
      `hydrated at ${on?.hydrated === null || on?.hydrated === undefined ? "—" : `${on.hydrated.toFixed(0)} ms`}; ${kib(on?.bytes ?? 0)} received with JavaScript; ${v.phone}`,
    ]);
  }
  const issue = run.results.issue;
  if (issue?.dashboard) {
    const d = issue.dashboard;
    rows.push([
      "dashboard, 200 bookings, c1",
      `median ${ms(d.median)}, p95 ${ms(d.p95)} (${d.requests} requests)`,
      `HTML ${kib(d.htmlBytes)}, ${kib(d.htmlGzip)} gzip`,
    ]);
  }
  if (issue?.launch) {
    for (const c of [1, 20]) {
      const r = issue.launch.rows.find((row) => row.label === JSON_LAUNCH && row.concurrency === c);
      if (r) {
        rows.push([
          `launch (JSON), c${c}`,
          `median ${ms(r.median)}, p95 ${ms(r.p95)}, ${r.perSecond.toFixed(0)} req/s`,
          `route overhead over the stand-in ${ms(issue.launch.overheadMs[c] ?? NaN)}`,
        ]);
      }
    }
  }
  if (issue?.webhooks) {
    const w = issue.webhooks;
    rows.push([
      `webhooks, ${w.deliveries} deliveries, c${w.concurrency}`,
      `${w.perSecond.toFixed(0)} deliveries/s (target 500), p50 ${ms(w.p50)}, p95 ${ms(w.p95)}`,
      `${w.perServerCpuSecond.toFixed(0)} per server CPU second; ${w.duplicates} duplicates, ${w.forged} bad signatures; database check ${w.ok ? "passed" : "FAILED"}`,
    ]);
  }
  if (issue?.upload) {
    const u = issue.upload;
    rows.push([
      "upload",
      `50 MB refused (413) in ${u.refusalMs.toFixed(0)} ms; ${u.pngMb.toFixed(0)} MB PNG stored at ${u.pngMbPerSecond.toFixed(1)} MB/s`,
      `peak server memory growth ${u.worstRefusalGrowthMb.toFixed(1)} MB (target < ${u.growthTargetMb} MB)`,
    ]);
  }
  if (issue?.reminders) {
    const r = issue.reminders;
    rows.push([
      `reminders, ${r.bookings.toLocaleString("en-GB")} due, 2 workers`,
      `${r.perSecond.toFixed(0)} messages/s, drained in ${r.drainSeconds.toFixed(1)} s (sweep ${r.sweepSeconds.toFixed(1)} s)`,
      `${r.duplicates} duplicates, ${r.missing} missing; ${r.cpuMsPerMessage.toFixed(1)} CPU-ms/message; RSS peak app server ${mb(r.appServerRssPeakKb)}, worker ${mb(r.workerRssPeakKb)}`,
    ]);
  }
  if (issue?.lateStart) {
    const l = issue.lateStart;
    rows.push([
      `late start, ${l.lessons.toLocaleString("en-GB")} lessons at once, 2 workers`,
      `${l.expected.toLocaleString("en-GB")} alerts decided ${l.decidedSeconds.toFixed(1)} s after the mark (floor ${l.floorSeconds} s)`,
      `drained in ${l.drainedSeconds.toFixed(1)} s (${l.perSecond.toFixed(0)}/s, ${l.cpuMsPerAlert.toFixed(1)} CPU-ms each); ${l.duplicates} duplicates, ${l.undecided} undecided`,
    ]);
  }
  if (issue?.digest) {
    const d = issue.digest;
    rows.push([
      `weekly digest, ${d.families.toLocaleString("en-GB")} families, 2 workers`,
      `${d.perSecond.toFixed(0)} messages/s (floor ${DIGEST_FLOORS.messagesPerSecond}), drained in ${d.drainSeconds.toFixed(1)} s (sweeps ${d.sweepSeconds.toFixed(1)} s)`,
      `${d.duplicates} duplicates, ${d.missing} missing; ${d.cpuMsPerMessage.toFixed(1)} CPU-ms/message (ceiling ${DIGEST_FLOORS.cpuMsPerMessage}): ${d.ok ? "PASS" : "FAIL"}`,
    ]);
  }
  if (issue?.transcripts) {
    const t = issue.transcripts;
    rows.push([
      `transcript ingest, ${t.transcripts} × ${t.segments / t.transcripts}`,
      `${t.segmentsPerSecond.toFixed(0)} segments/s`,
      `${t.segments.toLocaleString("en-GB")} segments in ${t.ingestSeconds.toFixed(1)} s, two bench workers (and the app server's own)`,
    ]);
    rows.push([
      `transcript search, c${t.search.concurrency}`,
      `${t.search.perSecond.toFixed(0)} req/s, p50 ${ms(t.search.p50)}, p95 ${ms(t.search.p95)}`,
      `${t.search.errors} errors; floor p95 < ${SEARCH_P95_FLOOR_MS} ms: ${t.search.floorMet === null ? "not judged (quick run)" : t.search.floorMet ? "met" : "NOT MET"}`,
    ]);
    rows.push([
      `learning record, ${t.record.lessons} lessons, c1`,
      `median ${ms(t.record.median)}, p95 ${ms(t.record.p95)}`,
      `HTML ${kib(t.record.htmlBytes)}, ${kib(t.record.htmlGzip)} gzip`,
    ]);
  }
  if (run.results.soak) {
    const s = run.results.soak;
    rows.push([
      `soak, ${s.seconds} s mixed, c${s.connections}`,
      `${s.requests.toLocaleString("en-GB")} requests, ${s.rps.toFixed(0)} req/s, ${s.errors} errors, ${s.unexpected} unexpected statuses`,
      `RSS ${mb(s.rssStartKb)} → ${mb(s.rssEndKb)}${s.heapStartBytes !== null ? `, heap after GC ${mb(s.heapStartBytes / 1024)} → ${mb((s.heapEndBytes ?? 0) / 1024)} (trend ${(s.heapGrowthMb ?? 0).toFixed(1)} MB)` : ""}: ${s.growthFlagged ? "STEADY GROWTH" : "no steady growth"}${s.judged ? "" : " (not judged)"}`,
    ]);
  }
  rows.push([
    "machine",
    `load average start ${loadAverage(run.loadAtStart)}, end ${loadAverage(loadAtEnd)}`,
    `${os.cpus().length} CPUs shared with the app, PostgreSQL, the load generator and the stand-ins`,
  ]);
  say(table(rows));
  const seconds = (Date.now() - run.startedAt.getTime()) / 1000;
  say(`\nFinished in ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s.`);
  // What the app wrote to stderr beyond the expected (Node 20 notice, refused forged webhooks in 3c).
  const expected = /Node\.js 20 and below are deprecated|\[webhooks\] delivery refused \(bad-signature\)/;
  const other = new Map<string, number>();
  for (const line of ctx.server.stderrLines)
    if (line.trim() && !expected.test(line)) other.set(line, (other.get(line) ?? 0) + 1);
  if (other.size) {
    say(`\nThe app server wrote ${[...other.values()].reduce((a, b) => a + b, 0)} other line(s) to stderr:`);
    for (const [line, n] of [...other].slice(0, 8)) say(`  ${n > 1 ? `${n} × ` : ""}${line.slice(0, 300)}`);
  }
  if (run.failures.length) say(`RESULT: FAIL\n  - ${run.failures.join("\n  - ")}`);
  else {
    const checked = [
      run.results.pages && "every page within budget and working without JavaScript",
      (run.results.speed || run.results.soak) && "no errors or unexpected statuses under load",
      run.results.issue && "every per-issue check passed",
      run.results.soak &&
        (run.results.soak.judged ? "no steady memory growth" : "memory trend not judged (soak too short)"),
    ].filter(Boolean);
    say(`RESULT: PASS (${checked.join("; ")})`);
  }

  const dir = path.join(root, "bench/results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `bench-${run.startedAt.toISOString().replace(/[:.]/g, "-")}${quick ? "-quick" : ""}.json`,
  );
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: run.startedAt,
        quick,
        loadAtStart: run.loadAtStart,
        loadAtEnd,
        failures: run.failures,
        appStderr: Object.fromEntries(other),
        ...run.results,
      },
      null,
      2,
    ),
  );
  say(`Figures as JSON: ${path.relative(root, file)}`);
}

// 2. Server speed against its limit: autocannon at each concurrency on the signed-in dashboard,
// the booking page, the launch route and the webhook route, beside two ceilings on the same
// machine: a bare node:http server sending the same dashboard bytes (HTTP ceiling) and hand-written
// node:http + pg pages (no-framework ceilings). Then the paired dashboard runs, the stack's floor
// and the dashboard of a long history.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoBookingIds } from "../../prisma/seed.ts";
import { historyBench, HISTORY_SIZES, printHistory, type HistoryViewer } from "../dashboard.ts";
import type { LoadSpec, StaticRequest } from "../lib/load.ts";
import { withoutJavaScript } from "../lib/page-weight.ts";
import { spawnServer } from "../lib/processes.ts";
import type { BenchContext } from "../lib/stack.ts";
import { mb, ms, table } from "../lib/stats.ts";
import {
  DASHBOARD_BOOKINGS,
  heading,
  pct,
  say,
  WEBHOOK_ROOMS,
  type BenchRun,
  type Cookies,
  type SpeedRow,
  type WebhookRooms,
} from "./context.ts";
import { describeFloor, floorBound, measureRenderFloor } from "./floor.ts";
import { describePairs, pairedRatios } from "./pairs.ts";

export async function serverSpeed(
  run: BenchRun,
  ctx: BenchContext,
  cookies: Cookies,
  webhookRooms: WebhookRooms,
  historyViewers: { small: HistoryViewer; large: HistoryViewer },
): Promise<SpeedRow[]> {
  const { quick, speedSeconds, speedWarmupSeconds, speedFirstWarmupSeconds, concurrencies, dashboardPairs } =
    run.settings;
  heading(
    `2. Server speed against its limit (autocannon, ${speedSeconds} s per run after ${speedWarmupSeconds} s warm-up, ${speedFirstWarmupSeconds} s before each target's first run; load generator in its own process)`,
  );
  // The exact dashboard bytes the app sends this viewer (no Accept-Encoding, as autocannon sends none).
  const captured = await fetch(`${ctx.appUrl}/`, { headers: { Cookie: cookies.adult, "Accept-Encoding": "identity" } });
  const dashboardHtml = await captured.text();
  if (captured.status !== 200) throw new Error(`The dashboard answered ${captured.status} to the capture`);
  // Inside the bench's own data folder, removed with it whatever happens.
  const htmlFile = path.join(ctx.dataDir, "dashboard.html");
  fs.writeFileSync(htmlFile, dashboardHtml);
  // The page's inline stylesheet, which the hand-written pages send too (without a CSP, so without its nonce).
  const style = (/<style\b[^>]*>[\s\S]*?<\/style>/.exec(dashboardHtml)?.[0] ?? "").replace(/\snonce="[^"]*"/, "");

  const httpCeiling = await spawnServer({
    script: "bench/lib/ceiling-static.ts",
    env: { CEILING_HTML_FILE: htmlFile },
    readyPath: "/",
  });
  run.ceilings.push(httpCeiling);
  const sqlCeiling = await spawnServer({
    script: "bench/lib/ceiling-no-framework.ts",
    env: {
      DATABASE_URL: ctx.stack.databaseUrl,
      SUPABASE_URL: ctx.stack.env.SUPABASE_URL,
      CEILING_STYLE: style,
    },
    readyPath: "/ready",
  });
  run.ceilings.push(sqlCeiling);
  const bookingCeiling = await spawnServer({
    script: "bench/lib/ceiling-booking-page.ts",
    env: {
      DATABASE_URL: ctx.stack.databaseUrl,
      SUPABASE_URL: ctx.stack.env.SUPABASE_URL,
      CEILING_STYLE: style,
    },
    readyPath: "/ready",
  });
  run.ceilings.push(bookingCeiling);
  const bookingPath = `/bookings/${demoBookingIds.adultReady}`;
  const bookingByHand = await (
    await fetch(`${bookingCeiling.url}${bookingPath}`, { headers: { Cookie: cookies.adult } })
  ).text();
  const bookingByApp = await (
    await fetch(`${ctx.appUrl}${bookingPath}`, { headers: { Cookie: cookies.adult } })
  ).text();
  run.results.bookingMarkup = compareMarkup(bookingByApp, bookingByHand);

  // Same markup? Compare the two pages with scripts, nonces and React's text separators removed.
  const handWritten = await (await fetch(`${sqlCeiling.url}/`, { headers: { Cookie: cookies.adult } })).text();
  const app = await (await fetch(`${ctx.appUrl}/`, { headers: { Cookie: cookies.adult } })).text();
  run.results.markup = compareMarkup(app, handWritten);
  say(
    `  HTTP ceiling: bare node:http (pid ${httpCeiling.pid}) sending the captured dashboard, ${dashboardHtml.length.toLocaleString("en-GB")} bytes, for every request.`,
  );
  say(
    `  No-framework ceiling: node:http + pg + template strings (pid ${sqlCeiling.pid}), same viewer, same cookie check (ES256 access token`,
  );
  say(
    `    verified with jose against the Auth JWKS, then the profile row), same rows in 3 hand-written SQL queries, same app/domain card rules;`,
  );
  say(
    `    no React Router, React, Prisma, security middleware, request log or hydration scripts. Its page: ${handWritten.length.toLocaleString("en-GB")} bytes.`,
  );
  say(`    Markup check: ${run.results.markup}`);
  say(
    `  No-framework booking page: the same for GET /bookings/:id (pid ${bookingCeiling.pid}): same cookie check, the booking with its names, its`,
  );
  say(
    `    sessions with attendance, its reviews, the transcript's state and talk time, the record link and wards as the app reads them, in 3–7`,
  );
  say(
    `    hand-written SQL queries (the app's own statements for the booking, the talk time and the wards), the same app/domain rules; the ceiling of the booking page and`,
  );
  say(
    `    the measure of the launch route (bench/lib/ceiling-booking-page.ts). Markup check: ${run.results.bookingMarkup}`,
  );
  say(
    `  Dashboard viewer: ${DASHBOARD_BOOKINGS} bookings (adult learner). Launch: the seed's lesson in progress, JSON, tutor/parent/child in turn,`,
  );
  say(
    `    Lessonspace stand-in answering at once. Webhooks: signed user.join/leave deliveries, unique x-webhook-id, ${WEBHOOK_ROOMS} rooms.\n`,
  );

  const json = (cookie: string): StaticRequest => ({
    method: "POST",
    path: `/api/bookings/${demoBookingIds.inProgress}/launch`,
    headers: { cookie, origin: ctx.appUrl, accept: "application/json" },
  });
  const targets: { name: string; url: string; pid: number; requests: LoadSpec["requests"]; only?: number }[] = [
    {
      name: "dashboard (50 bookings)",
      url: ctx.appUrl,
      pid: ctx.server.pid,
      requests: [{ method: "GET", path: "/", headers: { cookie: cookies.adult } }],
    },
    {
      name: "HTTP ceiling (same bytes)",
      url: httpCeiling.url,
      pid: httpCeiling.pid,
      requests: [{ method: "GET", path: "/" }],
    },
    {
      name: "no-framework ceiling",
      url: sqlCeiling.url,
      pid: sqlCeiling.pid,
      requests: [{ method: "GET", path: "/", headers: { cookie: cookies.adult } }],
    },
    {
      name: "booking details",
      url: ctx.appUrl,
      pid: ctx.server.pid,
      requests: [{ method: "GET", path: bookingPath, headers: { cookie: cookies.adult } }],
    },
    {
      name: "no-framework booking page",
      url: bookingCeiling.url,
      pid: bookingCeiling.pid,
      requests: [{ method: "GET", path: bookingPath, headers: { cookie: cookies.adult } }],
    },
    {
      name: "launch (JSON)",
      url: ctx.appUrl,
      pid: ctx.server.pid,
      requests: [json(cookies.tutor), json(cookies.parent), json(cookies.child)],
    },
    {
      name: "webhook (signed)",
      url: ctx.appUrl,
      pid: ctx.server.pid,
      requests: [{ webhook: { rooms: webhookRooms } }],
    },
  ];
  const rows: SpeedRow[] = [];
  const header = [
    "target",
    "conc",
    "req/s",
    "p50",
    "p95",
    "p99",
    "max",
    "non-2xx/3xx",
    "errors",
    "statuses",
    "server CPU",
    "req/CPU-s",
    "server RSS peak",
  ];
  const line = (row: SpeedRow) => {
    const r = row.result;
    return [
      row.target,
      String(row.concurrency),
      r.rps.toFixed(0),
      ms(r.p50),
      ms(r.p95),
      ms(r.p99),
      ms(r.max),
      String(r.non2xx3xx),
      String(r.errors),
      Object.entries(r.statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(" "),
      pct(r.serverCpuShare ?? NaN),
      (r.perCpuSecond ?? NaN).toFixed(0),
      r.rss ? mb(r.rss.peakKb) : "—",
    ];
  };
  const warmed = new Set<string>();
  for (const concurrency of concurrencies) {
    for (const target of targets) {
      if (target.only !== undefined && target.only !== concurrency) continue;
      const warmupSeconds = warmed.has(target.name) ? speedWarmupSeconds : speedFirstWarmupSeconds;
      warmed.add(target.name);
      const result = await run.load.run(
        { url: target.url, connections: concurrency, seconds: speedSeconds, warmupSeconds, requests: target.requests },
        target.pid,
      );
      const row = { target: target.name, concurrency, result };
      rows.push(row);
      // One line as each run ends, so a long run shows progress; the aligned table follows.
      say(
        `  · ${target.name} c${concurrency}: ${result.rps.toFixed(0)} req/s, p95 ${ms(result.p95)}, ${result.requests} answers, ` +
          `server CPU ${pct(result.serverCpuShare ?? NaN)} of a core, load average ${os.loadavg()[0]!.toFixed(2)}`,
      );
      if (result.requests === 0) {
        // A smoke run's few seconds can end before a busy machine answers anything at c50.
        if (quick)
          say(`    (no answer within ${speedSeconds} s: the machine is too busy for a quick run's figures here)`);
        else run.failures.push(`speed ${target.name} c${concurrency}: no answer within the ${speedSeconds} s run`);
      }
      if (result.unexpected || result.errors) {
        run.failures.push(
          `speed ${target.name} c${concurrency}: ${result.unexpected} unexpected statuses, ${result.errors} errors${result.firstError ? ` (${result.firstError})` : ""}`,
        );
      }
      ctx.stack.lessonspace.launches.length = 0;
    }
  }
  say("");
  say(table([header, ...rows.map(line)]));
  say("");
  say(
    "  server CPU = CPU time the serving process used over the run's length (100% = one whole core); req/CPU-s = answers per",
  );
  say(
    "  CPU second of that process: the framework's cost per request, little moved by neighbours on a shared machine.",
  );
  for (const concurrency of concurrencies) {
    const find = (name: string) => rows.find((r) => r.target === name && r.concurrency === concurrency)!.result;
    const ours = find("dashboard (50 bookings)");
    const httpCeiling = find("HTTP ceiling (same bytes)");
    const sqlCeiling = find("no-framework ceiling");
    say(
      `  Dashboard at c${concurrency}: ${ours.rps.toFixed(0)} req/s = ${pct(ours.rps / httpCeiling.rps)} of the HTTP ceiling, ${pct(ours.rps / sqlCeiling.rps)} of the no-framework ceiling; ` +
        `per CPU second ${pct((ours.perCpuSecond ?? NaN) / (httpCeiling.perCpuSecond ?? NaN))} and ${pct((ours.perCpuSecond ?? NaN) / (sqlCeiling.perCpuSecond ?? NaN))}.`,
    );
  }
  say(
    `  Targets, at c10: at least 60% of the no-framework ceiling's throughput and 50% of its requests per CPU second.`,
  );
  {
    const dashboard = targets.find((t) => t.name === "dashboard (50 bookings)")!;
    const ceiling = targets.find((t) => t.name === "no-framework ceiling")!;
    run.results.dashboardPairs = await pairedRatios(run, dashboard, ceiling, dashboardPairs);
    for (const line of describePairs(run.results.dashboardPairs, speedSeconds)) say(`  ${line}`);
  }
  {
    const c10 = (name: string) => rows.find((r) => r.target === name && r.concurrency === 10)!.result;
    const floor = await measureRenderFloor(ctx, cookies.adult, quick);
    const bound = floorBound(
      floor,
      c10("dashboard (50 bookings)").perCpuSecond ?? NaN,
      c10("no-framework ceiling").perCpuSecond ?? NaN,
    );
    run.results.renderFloor = { ...floor, bound };
    for (const line of describeFloor(floor, bound)) say(`  ${line}`);
  }
  // The same page for 5,000 bookings beside 50, both viewers in turn on the same connections.
  say(
    `\n  Dashboard of a long history: 10 connections alternating between a viewer with ${HISTORY_SIZES.small} and one with ${HISTORY_SIZES.large.toLocaleString("en-GB")} bookings, ${speedSeconds} s:`,
  );
  run.results.history = await historyBench(ctx, historyViewers, {
    seconds: speedSeconds,
    warmupSeconds: speedWarmupSeconds,
  });
  printHistory(run.results.history, (line) => say(`  ${line}`));
  if (run.results.history.small.load.errors || run.results.history.large.load.errors)
    run.failures.push("dashboard history: errors under load");
  for (const concurrency of concurrencies) {
    const find = (name: string) => rows.find((r) => r.target === name && r.concurrency === concurrency)!.result;
    const ceiling = find("no-framework booking page");
    for (const [name, label] of [
      ["booking details", "Booking page"],
      ["launch (JSON)", "Launch route"],
    ] as const) {
      const ours = find(name);
      say(
        `  ${label} at c${concurrency}: ${ours.rps.toFixed(0)} req/s = ${pct(ours.rps / ceiling.rps)} of the no-framework booking page (${ceiling.rps.toFixed(0)} req/s); ` +
          `per CPU second ${(ours.perCpuSecond ?? NaN).toFixed(0)} vs ${(ceiling.perCpuSecond ?? NaN).toFixed(0)} = ${pct((ours.perCpuSecond ?? NaN) / (ceiling.perCpuSecond ?? NaN))}.`,
      );
    }
  }
  await Promise.allSettled(run.ceilings.splice(0).map((c) => c.stop()));
  return rows;
}

function compareMarkup(app: string, handWritten: string): string {
  const normalise = (html: string) =>
    withoutJavaScript(html)
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/\snonce="[^"]*"/g, "")
      // Rendered a moment apart: the seconds until the next card change may differ by one.
      .replace(/(http-equiv="refresh" content=")\d+"/, '$1…"');
  const a = normalise(app);
  const b = normalise(handWritten);
  if (a === b)
    return "the two pages are identical once scripts, module preloads, nonces and React's comment markers are removed.";
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `the pages differ from character ${i} (app: …${a.slice(Math.max(0, i - 40), i + 60)}… / hand-written: …${b.slice(Math.max(0, i - 40), i + 60)}…)`;
}

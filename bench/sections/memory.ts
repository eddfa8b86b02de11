// 2b. Memory at c50: a fresh production server with npm start's flags under mixed load, its memory
// read over the inspector while the load runs and after a full GC.
import { demoBookingIds } from "../../prisma/seed.ts";
import { startScriptFlags } from "../../tests/support/production-server.ts";
import { inspectorUrlFrom, isInspectorChatter } from "../lib/inspector.ts";
import type { LoadSpec, StaticRequest } from "../lib/load.ts";
import { InspectorSession } from "../lib/profile.ts";
import type { BenchContext } from "../lib/stack.ts";
import { mb } from "../lib/stats.ts";
import { heading, RSS_TARGET_MB, say, type BenchRun, type Cookies, type WebhookRooms } from "./context.ts";
import type { MemoryFigures } from "./figures.ts";

export async function memoryAtC50(
  run: BenchRun,
  ctx: BenchContext,
  cookies: Cookies,
  webhookRooms: WebhookRooms,
): Promise<MemoryFigures> {
  const { quick, speedSeconds, speedWarmupSeconds } = run.settings;
  const flags = process.env.BENCH_START_FLAGS === "0" ? [] : startScriptFlags();
  heading(`2b. Memory at c50: the production server with npm start's flags (${flags.join(" ") || "none"}), mixed load`);
  // A fresh server with the inspector on loopback, so the bench can read process.memoryUsage()
  // while the load runs and ask V8 for a full GC afterwards (nothing in the app is involved).
  let inspector: string | null = null;
  await ctx.restartServer(["--inspect=127.0.0.1:0"], (line) => {
    inspector ??= inspectorUrlFrom(line);
    return isInspectorChatter(line);
  });
  const session = await InspectorSession.open(inspector!);
  const launch = (cookie: string): StaticRequest => ({
    method: "POST",
    path: `/api/bookings/${demoBookingIds.inProgress}/launch`,
    headers: { cookie, origin: ctx.appUrl, accept: "application/json" },
  });
  const dashboard: StaticRequest = { method: "GET", path: "/", headers: { cookie: cookies.adult } };
  const booking: StaticRequest = {
    method: "GET",
    path: `/bookings/${demoBookingIds.adultReady}`,
    headers: { cookie: cookies.adult },
  };
  const webhook = { webhook: { rooms: webhookRooms } };
  const mix: LoadSpec["requests"] = [
    dashboard,
    launch(cookies.tutor),
    booking,
    webhook,
    dashboard,
    launch(cookies.parent),
    booking,
    webhook,
    launch(cookies.child),
  ];
  const seconds = speedSeconds * 2;
  const samples: NodeJS.MemoryUsage[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push(await session.memoryUsage().catch(() => null as never));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const result = await run.load.run(
    { url: ctx.appUrl, connections: 50, seconds, warmupSeconds: speedWarmupSeconds, requests: mix },
    ctx.server.pid,
  );
  sampling = false;
  await sampler;
  ctx.stack.lessonspace.launches.length = 0;
  const usable = samples.filter(Boolean);
  const atPeak = usable.length ? usable.reduce((a, b) => (b.rss > a.rss ? b : a)) : null;
  // Idle for the per-request timers (Lessonspace and Auth deadlines) to fire, then a full GC.
  await new Promise((resolve) => setTimeout(resolve, (quick ? 2 : 5) * 1000));
  const gc = await session.collectGarbage();
  const afterGc = await session.memoryUsage();
  session.close();
  const figures: MemoryFigures = {
    flags,
    seconds,
    requests: result.requests,
    rps: result.rps,
    statuses: result.statuses,
    rssPeakKb: Math.max(result.rss?.peakKb ?? 0, (atPeak?.rss ?? 0) / 1024),
    heapAfterGcBytes: gc.usedBytes,
    atPeak,
    afterGc,
    targetMb: RSS_TARGET_MB,
  };
  const m = (bytes: number) => mb(bytes / 1024);
  say(
    `  ${result.requests} requests in ${seconds} s (${result.rps.toFixed(0)} req/s), statuses ${JSON.stringify(result.statuses)}, ${result.errors} errors.`,
  );
  say(
    `  RSS peak ${mb(figures.rssPeakKb)} (target under ${RSS_TARGET_MB} MB: ${figures.rssPeakKb / 1024 < RSS_TARGET_MB ? "met" : "NOT MET"}); heap after a full GC ${m(gc.usedBytes)}; ` +
      `after GC rss ${m(afterGc.rss)}, external ${m(afterGc.external)}.`,
  );
  if (atPeak) {
    say(
      `  At the peak: rss ${m(atPeak.rss)} = V8 heap ${m(atPeak.heapTotal)} (used ${m(atPeak.heapUsed)}) + external ${m(atPeak.external)} (array buffers ${m(atPeak.arrayBuffers)}) ` +
        `+ the rest ${m(atPeak.rss - atPeak.heapTotal - atPeak.external)} (the node binary and code, thread stacks, malloc).`,
    );
  }
  if (result.errors || result.unexpected)
    run.failures.push(
      `memory at c50: ${result.errors} errors and ${result.unexpected} unexpected statuses ${JSON.stringify(result.statuses)}`,
    );
  if (figures.rssPeakKb / 1024 >= RSS_TARGET_MB)
    run.failures.push(`memory at c50: RSS peak ${mb(figures.rssPeakKb)} over the ${RSS_TARGET_MB} MB target`);
  return figures;
}

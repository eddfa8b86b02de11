// bench/profile: where the production server spends its CPU and holds its memory under load
// (docs/decisions/0037-server-cost-measured-against-a-no-framework-ceiling.md). Starts the bench stack, runs the production server with --inspect on loopback, and
// for each target runs autocannon while V8's sampling profiler records, then prints the functions
// with the most self time and the packages they belong to (the .cpuprofile files are written to
// bench/results/ for a flame graph in Chrome DevTools or speedscope). `memory` runs a mixed load at
// c50 while sampling process.memoryUsage(), then prints RSS against heap, external and array
// buffers, the heap after a full GC and a heap snapshot summarised by constructor.
//
//   npx tsx bench/profile.ts [booking,launch,webhook,dashboard,healthz,memory]   (default: all)
//   PROFILE_SECONDS=8  PROFILE_WARMUP_SECONDS=20  PROFILE_CONNECTIONS=10  PROFILE_NODE_FLAGS="--max-old-space-size=…"  BUILD_DIR=…
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoBookingIds, demoProfiles } from "../prisma/seed.ts";
import { buildDirFromEnv, ensureBuild, root } from "./lib/build.ts";
import { inspectorUrlFrom, isInspectorChatter } from "./lib/inspector.ts";
import { LoadGenerator, type LoadSpec, type StaticRequest } from "./lib/load.ts";
import { InspectorSession, summariseCpuProfile, summariseHeapSnapshot } from "./lib/profile.ts";
import { readStatus } from "./lib/processes.ts";
import { addBookings, createWebhookRooms } from "./lib/seed.ts";
import { signIn, startBenchContext } from "./lib/stack.ts";
import { mb, ms, table } from "./lib/stats.ts";

const which = new Set((process.argv[2] ?? "booking,launch,webhook,dashboard,healthz,memory").split(","));
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
// The server's JIT needs ~2,500 dashboards to settle (CPU per request halves over the first 20 s):
// profile the steady state, not the warm-up.
const WARMUP_SECONDS = Number(process.env.PROFILE_WARMUP_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 10);
const MEMORY_CONNECTIONS = Number(process.env.PROFILE_MEMORY_CONNECTIONS ?? 50);
const NODE_FLAGS = (process.env.PROFILE_NODE_FLAGS ?? "").split(" ").filter(Boolean);
const say = (line = "") => console.log(line);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const outDir = path.join(root, "bench/results");
fs.mkdirSync(outDir, { recursive: true });

say(
  `bench/profile — Node ${process.version}, ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" / ")}`,
);
const build = ensureBuild(buildDirFromEnv(), say);
const context = await startBenchContext({
  name: "profile",
  seed: true,
  buildDir: build.buildDir,
  echoServerStderr: false,
});
let inspectorUrl: string | null = null;
await context.restartServer(["--inspect=127.0.0.1:0", ...NODE_FLAGS], (line) => {
  inspectorUrl ??= inspectorUrlFrom(line);
  return isInspectorChatter(line);
});
say(
  `Server pid ${context.server.pid}, build ${path.relative(root, build.buildDir)}, flags: ${["--inspect", ...NODE_FLAGS].join(" ")}`,
);
const load = new LoadGenerator();

try {
  await addBookings(context.db, { clientId: demoProfiles.adult.id, tutorId: demoProfiles.otherTutor.id, count: 49 });
  const cookies = {
    adult: await signIn(context.appUrl, demoProfiles.adult.email),
    tutor: await signIn(context.appUrl, demoProfiles.tutor.email),
    parent: await signIn(context.appUrl, demoProfiles.parent.email),
    child: await signIn(context.appUrl, demoProfiles.child.email),
  };
  const rooms = await createWebhookRooms(context.db, 200);
  const launch = (cookie: string): StaticRequest => ({
    method: "POST",
    path: `/api/bookings/${demoBookingIds.inProgress}/launch`,
    headers: { cookie, origin: context.appUrl, accept: "application/json" },
  });
  const targets: Record<string, LoadSpec["requests"]> = {
    booking: [{ method: "GET", path: `/bookings/${demoBookingIds.adultReady}`, headers: { cookie: cookies.adult } }],
    launch: [launch(cookies.tutor), launch(cookies.parent), launch(cookies.child)],
    webhook: [{ webhook: { rooms } }],
    dashboard: [{ method: "GET", path: "/", headers: { cookie: cookies.adult } }],
    // The least a request through server.ts and React Router costs: one resource route, one SELECT 1.
    healthz: [{ method: "GET", path: "/healthz" }],
  };
  const session = await InspectorSession.open(inspectorUrl!);

  for (const [name, requests] of Object.entries(targets)) {
    if (!which.has(name)) continue;
    await load.run({ url: context.appUrl, connections: CONNECTIONS, seconds: WARMUP_SECONDS, requests });
    await session.startCpuProfile();
    const result = await load.run(
      { url: context.appUrl, connections: CONNECTIONS, seconds: SECONDS, requests },
      context.server.pid,
    );
    const profile = await session.stopCpuProfile();
    context.stack.lessonspace.launches.length = 0;
    const file = path.join(outDir, `profile-${name}-${stamp}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    const summary = summariseCpuProfile(profile, root, 30);
    say(
      `\n=== ${name} at c${CONNECTIONS}: ${result.rps.toFixed(0)} req/s, p50 ${ms(result.p50)}, p95 ${ms(result.p95)}, statuses ${JSON.stringify(result.statuses)}, ` +
        `${(result.perCpuSecond ?? NaN).toFixed(0)} req/CPU-s (server CPU ${((result.serverCpuShare ?? NaN) * 100).toFixed(0)}% of a core)`,
    );
    say(
      `    profile ${path.relative(root, file)}: ${summary.total.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle; ${(summary.total / Math.max(1, result.requests)).toFixed(2)} ms busy per request`,
    );
    say(
      table(
        [
          ["self ms", "share", "area (package)"],
          ...summary.areas.slice(0, 14).map((a) => [a.ms.toFixed(0), `${(a.share * 100).toFixed(1)}%`, a.name]),
        ],
        "    ",
      ),
    );
    say("");
    say(
      table(
        [
          ["self ms", "share", "function", "where"],
          ...summary.functions.map((f) => [
            f.ms.toFixed(0),
            `${(f.share * 100).toFixed(1)}%`,
            f.name.slice(0, 40),
            f.where.slice(0, 90),
          ]),
        ],
        "    ",
      ),
    );
  }

  if (which.has("memory")) {
    const mix: LoadSpec["requests"] = [
      ...targets.dashboard!,
      targets.launch![0]!,
      ...targets.booking!,
      targets.webhook![0]!,
      ...targets.dashboard!,
      targets.launch![1]!,
      targets.webhook![0]!,
      targets.launch![2]!,
    ];
    await session.collectGarbage();
    const idle = await session.memoryUsage();
    say(
      `\n=== memory: mixed load (dashboard, booking page, launch, webhook) at c${MEMORY_CONNECTIONS} for ${SECONDS * 2} s`,
    );
    say(
      `    idle after GC: rss ${mb(idle.rss / 1024)}, heapUsed ${mb(idle.heapUsed / 1024)}, heapTotal ${mb(idle.heapTotal / 1024)}, external ${mb(idle.external / 1024)}, arrayBuffers ${mb(idle.arrayBuffers / 1024)}`,
    );
    const samples: NodeJS.MemoryUsage[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          samples.push(await session.memoryUsage());
        } catch {
          // the server is busy; try again
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const result = await load.run(
      { url: context.appUrl, connections: MEMORY_CONNECTIONS, seconds: SECONDS * 2, requests: mix },
      context.server.pid,
    );
    sampling = false;
    await sampler;
    const peak = (key: keyof NodeJS.MemoryUsage) => Math.max(...samples.map((s) => s[key]));
    const atRssPeak = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
    say(
      `    ${result.rps.toFixed(0)} req/s, statuses ${JSON.stringify(result.statuses)}, RSS peak from /proc ${mb(result.rss?.peakKb ?? 0)}`,
    );
    say(
      `    peaks over ${samples.length} samples: rss ${mb(peak("rss") / 1024)}, heapUsed ${mb(peak("heapUsed") / 1024)}, heapTotal ${mb(peak("heapTotal") / 1024)}, external ${mb(peak("external") / 1024)}, arrayBuffers ${mb(peak("arrayBuffers") / 1024)}`,
    );
    say(
      `    at the RSS peak: rss ${mb(atRssPeak.rss / 1024)} = heapTotal ${mb(atRssPeak.heapTotal / 1024)} (used ${mb(atRssPeak.heapUsed / 1024)}) + external ${mb(atRssPeak.external / 1024)} (arrayBuffers ${mb(atRssPeak.arrayBuffers / 1024)}) + other ${mb((atRssPeak.rss - atRssPeak.heapTotal - atRssPeak.external) / 1024)} (code, stacks, native allocations, wasm outside external)`,
    );
    context.stack.lessonspace.launches.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const gc = await session.collectGarbage();
    const after = await session.memoryUsage();
    say(
      `    after the load, 5 s idle and a full GC: heap used ${mb(gc.usedBytes / 1024)} of ${mb(gc.totalBytes / 1024)}, rss ${mb(after.rss / 1024)} (/proc ${mb(readStatus(context.server.pid).rssKb)}), external ${mb(after.external / 1024)}, arrayBuffers ${mb(after.arrayBuffers / 1024)}`,
    );
    const status = fs.readFileSync(`/proc/${context.server.pid}/status`, "utf8");
    const field = (name: string) =>
      /^(\w+):\s+(\d+) kB/m.exec(status.split("\n").find((l) => l.startsWith(`${name}:`)) ?? "")?.[2] ?? "?";
    say(
      `    /proc status: VmHWM ${field("VmHWM")} kB, RssAnon ${field("RssAnon")} kB, RssFile ${field("RssFile")} kB (the node binary and libraries, shared and reclaimable), threads ${/^Threads:\s+(\d+)/m.exec(status)?.[1]}`,
    );
    // The biggest resident mappings: V8's heap and code, the binary, and anything else large (wasm memory is an anonymous reservation).
    const maps = fs.readFileSync(`/proc/${context.server.pid}/smaps`, "utf8").split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
    const resident = maps
      .map((block) => ({
        head: block.split("\n")[0]!,
        rss: Number(/^Rss:\s+(\d+) kB/m.exec(block)?.[1] ?? 0),
        size: Number(/^Size:\s+(\d+) kB/m.exec(block)?.[1] ?? 0),
      }))
      .sort((a, b) => b.rss - a.rss)
      .slice(0, 8);
    for (const m of resident)
      say(
        `      ${String(m.rss).padStart(7)} kB resident of ${String(m.size).padStart(8)} kB  ${m.head.split(/\s+/).slice(5).join(" ") || "[anonymous]"}`,
      );
    if (process.env.PROFILE_HEAP_SNAPSHOT !== "0") {
      const text = await session.heapSnapshot();
      const heap = summariseHeapSnapshot(text, 25);
      say(`\n    heap snapshot: ${mb(heap.totalBytes / 1024)} in objects`);
      say(
        table(
          [["type", "count", "self"], ...heap.byType.map((r) => [r.type, String(r.count), mb(r.selfBytes / 1024)])],
          "    ",
        ),
      );
      say("");
      say(
        table(
          [
            ["type", "constructor / kind", "count", "self"],
            ...heap.byConstructor.map((r) => [r.type, r.name, String(r.count), mb(r.selfBytes / 1024)]),
          ],
          "    ",
        ),
      );
    }
  }
  session.close();
  const lines = new Map<string, number>();
  for (const line of context.server.stderrLines)
    if (line.trim() && !/Node\.js 20 and below/.test(line))
      lines.set(line.slice(0, 240), (lines.get(line.slice(0, 240)) ?? 0) + 1);
  if (lines.size) {
    say(`\nThe server wrote to stderr:`);
    for (const [line, n] of [...lines].slice(0, 10)) say(`  ${n} × ${line}`);
  }
} finally {
  await load.stop();
  await context.stop();
}

// bench/dashboard: the dashboard for one viewer with 200 bookings (issue 3). Runs the production
// build (server.ts) in a process of its own against the embedded stack, gives the seed's adult
// learner 200 bookings spread over past, present and future (every card state), and prints the
// median and p95 time of GET / (session check, one scoping query with its batched includes,
// the card rules, server rendering), and the HTML size in bytes, raw and gzipped.
//
//   npx react-router build && npx tsx bench/dashboard.ts       (BUILD_DIR=… for another build folder)
//   SECONDS_PER_RUN=… to measure longer (default 5, after a 1 s warm-up); BOOKINGS=… for another count.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../app/generated/prisma/client.ts";
import { demoProfiles, DEMO_PASSWORD } from "../prisma/seed.ts";
import { startLocalStack } from "../scripts/lib/local-stack.ts";

const SECONDS_PER_RUN = Number(process.env.SECONDS_PER_RUN ?? 5);
const BOOKINGS = Number(process.env.BOOKINGS ?? 200);
const WARM_UP_MS = 1_000;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const buildDir = path.resolve(process.env.BUILD_DIR ?? path.join(root, "build"));
if (!fs.existsSync(path.join(buildDir, "server/index.js"))) {
  console.error(`No production build in ${buildDir}: run \`npx react-router build\` first (or set BUILD_DIR).`);
  process.exit(1);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port: found } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(found));
    });
  });
}

async function waitForHealth(appUrl: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${appUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("The production server did not become healthy within 30 s");
}

const port = await freePort();
const appUrl = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-bench-dashboard-"));
const stack = await startLocalStack({ dataDir, appUrl, seed: true, ephemeral: true, log: () => {} });
let server: ChildProcess | null = null;

try {
  // 200 bookings of the seed's adult learner with the seed's tutor: a third past (some with a
  // Lessonspace session), a few around now, the rest ahead; some cancelled.
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: stack.databaseUrl }) });
  const now = Date.now();
  const rows = Array.from({ length: BOOKINGS }, (_, i) => {
    const offsetMinutes = (i - Math.floor(BOOKINGS / 3)) * 12 * 60 + (i % 7) * 5;
    const past = offsetMinutes < -90;
    return {
      clientId: demoProfiles.adult.id,
      tutorId: demoProfiles.tutor.id,
      serviceName: `Bench lesson ${i + 1}`,
      sessionStartTime: new Date(now + offsetMinutes * 60_000),
      sessionDuration: 60,
      status: i % 11 === 0 ? ("Cancelled" as const) : past ? ("Completed" as const) : ("Confirmed" as const),
      durationActual: past ? 3300 + i : null,
      recordingUrl: past && i % 2 === 0 ? "https://lessonspace.example/playback/" : null,
    };
  });
  const created = await db.booking.createManyAndReturn({ data: rows, select: { id: true, sessionStartTime: true } });
  await db.lessonspaceSession.createMany({
    data: created
      .filter((b, i) => i % 3 === 0 && b.sessionStartTime.getTime() < now)
      .map((b) => ({ sessionId: `bench-${b.id}`, bookingId: b.id, startedAt: b.sessionStartTime, endedAt: new Date(b.sessionStartTime.getTime() + 3_300_000) })),
  });
  await db.$disconnect();

  server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: root,
    env: { ...process.env, ...stack.env, NODE_ENV: "production", PORT: String(port), BUILD_DIR: buildDir, NODE_PATH: path.join(root, "node_modules"), SIGN_IN_RATE_LIMIT_PER_MINUTE: "100000000" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForHealth(appUrl);

  const signIn = await fetch(`${appUrl}/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: appUrl },
    body: new URLSearchParams({ email: demoProfiles.adult.email, password: DEMO_PASSWORD, redirectTo: "/" }),
    redirect: "manual",
  });
  if (signIn.status !== 302) throw new Error(`Sign-in answered ${signIn.status}`);
  const cookie = signIn.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");

  const get = async () => {
    const started = performance.now();
    const response = await fetch(`${appUrl}/`, { headers: { Cookie: cookie } });
    const html = await response.text();
    if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
    return { ms: performance.now() - started, html };
  };
  const first = await get();
  const cards = (first.html.match(/<article /g) ?? []).length;
  const warmUpEnd = performance.now() + WARM_UP_MS;
  while (performance.now() < warmUpEnd) await get();
  const latencies: number[] = [];
  const end = performance.now() + SECONDS_PER_RUN * 1000;
  while (performance.now() < end) latencies.push((await get()).ms);
  latencies.sort((a, b) => a - b);

  console.log(`\nbench/dashboard — production build, Node ${process.version}, ${os.cpus().length} CPUs, embedded PostgreSQL`);
  console.log(`GET / for a viewer with ${BOOKINGS} bookings (${cards} cards rendered), one request at a time for ${SECONDS_PER_RUN} s:`);
  console.log(`  requests ${latencies.length}, median ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms`);
  console.log(`  HTML ${Buffer.byteLength(first.html)} bytes, ${gzipSync(first.html).length} bytes gzipped\n`);
} finally {
  server?.kill("SIGTERM");
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

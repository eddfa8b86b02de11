// bench/launch: the launch route's own overhead (issue 4). The Lessonspace stand-in answers at
// once, so what is left is ours: session check, booking query, join window, rate-limit counter,
// the Lessonspace round trip over loopback, the room bookkeeping and the answer. Runs the
// production build (server.ts) in a process of its own against the embedded stack, at
// concurrency 1 and 20, and prints median, p95 and requests/s for:
//   - GET /healthz (a reference: what any request costs on this machine),
//   - the stand-in's launch called directly (the floor: what Lessonspace itself costs here),
//   - POST /api/bookings/:id/launch with Accept: application/json,
//   - the Join Lesson form post (303 to the classroom page, with the handover cookie),
//   - GET /bookings/:id/classroom with that cookie (the page Join lands on; no second launch).
//
//   npx react-router build && npx tsx bench/launch.ts       (BUILD_DIR=… for another build folder)
//   SECONDS_PER_RUN=… to measure longer (default 5, after a 1 s warm-up).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { demoBookingIds, demoProfiles, DEMO_PASSWORD } from "../prisma/seed.ts";
import { LOCAL_LESSONSPACE_KEY, startLocalStack } from "../scripts/lib/local-stack.ts";

const SECONDS_PER_RUN = Number(process.env.SECONDS_PER_RUN ?? 5);
const WARM_UP_MS = 1_000;
const CONCURRENCIES = [1, 20];

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const buildDir = path.resolve(process.env.BUILD_DIR ?? path.join(root, "build"));
if (!fs.existsSync(path.join(buildDir, "server/index.js"))) {
  console.error(`No production build in ${buildDir}: run \`npx react-router build\` first (or set BUILD_DIR).`);
  process.exit(1);
}

type Call = () => Promise<Response>;
type Figures = { requests: number; perSecond: number; median: number; p95: number; unexpected: Record<string, number> };

/** `concurrency` loops call `call` back to back for the run; every latency is kept. */
async function measure(call: Call, expectStatus: number, concurrency: number): Promise<Figures> {
  await loop(call, concurrency, WARM_UP_MS);
  const { latencies, statuses, seconds } = await loop(call, concurrency, SECONDS_PER_RUN * 1000);
  latencies.sort((a, b) => a - b);
  const unexpected: Record<string, number> = {};
  for (const status of statuses) if (status !== expectStatus) unexpected[status] = (unexpected[status] ?? 0) + 1;
  return { requests: latencies.length, perSecond: latencies.length / seconds, median: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), unexpected };
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
  return { latencies, statuses, seconds: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${appUrl}/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: appUrl },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, redirectTo: "/" }),
    redirect: "manual",
  });
  if (response.status !== 302) throw new Error(`Sign-in as ${email} answered ${response.status}`);
  return response.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
}

async function waitForHealth(): Promise<void> {
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

const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(9);

// ---------------------------------------------------------------------------------------------
const port = await freePort();
const appUrl = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-bench-launch-"));
const stack = await startLocalStack({ dataDir, appUrl, seed: true, ephemeral: true, log: () => {} });
let server: ChildProcess | null = null;

try {
  server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: root,
    env: {
      ...process.env,
      ...stack.env,
      NODE_ENV: "production",
      PORT: String(port),
      BUILD_DIR: buildDir,
      NODE_PATH: path.join(root, "node_modules"),
      // The bench is one family launching thousands of times a minute: lift the limits.
      LAUNCH_RATE_LIMIT_PER_MINUTE: "100000000",
      SIGN_IN_RATE_LIMIT_PER_MINUTE: "100000000",
    },
    // One log line per request is part of the production cost; nobody needs to read them here.
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForHealth();

  // The seed's lesson in progress (tutor, parent, child): three people share the load, as a family would.
  const bookingId = demoBookingIds.inProgress;
  const cookies = await Promise.all([demoProfiles.tutor, demoProfiles.parent, demoProfiles.child].map((p) => signIn(p.email)));
  let turn = 0;
  const nextCookie = () => cookies[turn++ % cookies.length]!;
  const launchUrl = `${appUrl}/api/bookings/${bookingId}/launch`;

  // One handover cookie per person, as the form post hands it to the classroom page. They live a
  // minute, so they are made again right before the run that uses them.
  let handovers: string[] = [];
  const makeHandovers = async () => {
    handovers = await Promise.all(
      cookies.map(async (cookie) => {
        const response = await fetch(launchUrl, { method: "POST", headers: { Cookie: cookie, Origin: appUrl }, redirect: "manual" });
        if (response.status !== 303) throw new Error(`The Join form post answered ${response.status}`);
        const handover = response.headers.getSetCookie().find((line) => line.startsWith("tw_classroom_link="))!.split(";")[0];
        return `${cookie}; ${handover}`;
      }),
    );
  };
  let pageTurn = 0;

  const directBody = JSON.stringify({
    id: `booking-${bookingId}`,
    name: "Bench lesson",
    user: { id: demoProfiles.child.id, name: demoProfiles.child.fullName, leader: false },
    timeouts: { not_before: new Date(Date.now() - 3_600_000).toISOString(), not_after: new Date(Date.now() + 3_600_000).toISOString() },
  });
  const cases: { label: string; expect: number; call: Call; prepare?: () => Promise<void> }[] = [
    {
      // The floor of any request on this machine: the framework and one query.
      label: "GET /healthz (reference)",
      expect: 200,
      call: () => fetch(`${appUrl}/healthz`),
    },
    {
      label: "stand-in launch, called directly",
      expect: 200,
      call: () =>
        fetch(`${stack.lessonspace.url}/v2/spaces/launch/`, {
          method: "POST",
          headers: { Authorization: `Organisation ${LOCAL_LESSONSPACE_KEY}`, "Content-Type": "application/json" },
          body: directBody,
        }),
    },
    {
      label: "POST launch, Accept: application/json",
      expect: 200,
      call: () => fetch(launchUrl, { method: "POST", headers: { Cookie: nextCookie(), Origin: appUrl, Accept: "application/json" } }),
    },
    {
      label: "POST launch, Join form (303)",
      expect: 303,
      call: () => fetch(launchUrl, { method: "POST", headers: { Cookie: nextCookie(), Origin: appUrl }, redirect: "manual" }),
    },
    {
      label: "GET classroom page, handed-over link",
      expect: 200,
      prepare: makeHandovers,
      call: () => fetch(`${appUrl}/bookings/${bookingId}/classroom`, { headers: { Cookie: handovers[pageTurn++ % handovers.length]! } }),
    },
  ];

  console.log(`\nbench/launch — production build ${path.relative(root, buildDir) || buildDir}, Node ${process.version}, ${os.cpus().length} CPUs`);
  console.log(`${SECONDS_PER_RUN} s per run after a ${WARM_UP_MS / 1000} s warm-up; the Lessonspace stand-in answers at once.\n`);
  console.log(`${"".padEnd(40)} ${"conc".padStart(4)} ${"requests".padStart(9)} ${"req/s".padStart(8)} ${"median".padStart(9)} ${"p95".padStart(9)} ${"LS calls".padStart(10)}`);
  const medians = new Map<string, number>();
  let failures = 0;
  for (const concurrency of CONCURRENCIES) {
    for (const { label, expect, call, prepare } of cases) {
      await prepare?.();
      const launchesBefore = stack.lessonspace.launches.length;
      const figures = await measure(call, expect, concurrency);
      // Warm-up included; the classroom page with a handed-over link should make none.
      const lessonspaceCalls = stack.lessonspace.launches.length - launchesBefore;
      medians.set(`${label}@${concurrency}`, figures.median);
      const odd = Object.keys(figures.unexpected).length ? `  unexpected statuses: ${JSON.stringify(figures.unexpected)}` : "";
      if (odd) failures++;
      console.log(
        `${label.padEnd(40)} ${String(concurrency).padStart(4)} ${String(figures.requests).padStart(9)} ${figures.perSecond.toFixed(0).padStart(8)} ${ms(figures.median)} ${ms(figures.p95)} ${String(lessonspaceCalls).padStart(10)}${odd}`,
      );
    }
  }
  console.log("");
  for (const concurrency of CONCURRENCIES) {
    const own = medians.get(`POST launch, Accept: application/json@${concurrency}`)! - medians.get(`stand-in launch, called directly@${concurrency}`)!;
    console.log(`Route overhead at concurrency ${concurrency} (median JSON launch minus median direct stand-in call): ${own.toFixed(1)} ms`);
  }
  if (failures) process.exitCode = 1;
} finally {
  server?.kill("SIGTERM");
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

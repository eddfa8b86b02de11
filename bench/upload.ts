// bench/upload: what a snapshot upload costs the production server (issue 6, DESIGN.md section 7).
// Posts a 50 MB body (refused while streaming at 10 MB) and a valid 8 MB PNG to the production
// build running in a child process, and prints time to refusal, upload throughput and the
// server's peak memory growth, read from /proc/<pid>/status.
//
//   npx react-router build && npx tsx bench/upload.ts        (BUILD_DIR=… for another build folder)
//   ROUNDS=5 for more rounds; target: peak growth under 30 MB for the 50 MB refusal.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../app/generated/prisma/client.ts";
import { DEMO_PASSWORD, demoProfiles } from "../prisma/seed.ts";
import { startLocalStack } from "../scripts/lib/local-stack.ts";
import { makePng, makePngOfSize } from "../tests/integration/artifacts-images.ts";

const MB = 1024 * 1024;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TARGET_GROWTH_MB = 30;
let peakWasReset = false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const buildDir = path.resolve(process.env.BUILD_DIR ?? path.join(root, "build"));
if (!fs.existsSync(path.join(buildDir, "server/index.js"))) {
  console.error(`No production build in ${buildDir}: run \`npx react-router build\` first (or set BUILD_DIR).`);
  process.exit(1);
}

// A build folder outside the checkout (BUILD_DIR=/tmp/…) has no package.json saying "ESM" and no
// node_modules above it: give it both, or Node cannot load the server bundle.
if (!buildDir.startsWith(root + path.sep)) {
  const manifest = path.join(buildDir, "package.json");
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{"type":"module"}\n');
  const modules = path.join(buildDir, "node_modules");
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(root, "node_modules"), modules);
}

const port = await freePort();
const appUrl = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-bench-upload-"));
const stack = await startLocalStack({ dataDir, appUrl, seed: true, ephemeral: true, log: () => {} });
let server: ChildProcess | null = null;

try {
  server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: root,
    env: { ...process.env, ...stack.env, NODE_ENV: "production", PORT: String(port), BUILD_DIR: buildDir },
    stdio: ["ignore", process.env.BENCH_SERVER_LOG ? "inherit" : "ignore", "inherit"],
  });
  const pid = server.pid!;
  await waitForHealth();

  const cookie = await signIn(demoProfiles.tutor.email);
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: stack.databaseUrl }) });
  const booking = await db.booking.create({
    data: {
      id: randomUUID(),
      clientId: demoProfiles.parent.id,
      tutorId: demoProfiles.tutor.id,
      studentId: demoProfiles.child.id,
      serviceName: "Upload benchmark",
      sessionStartTime: new Date(Date.now() - 2 * 60 * 60_000),
      sessionDuration: 60,
      status: "Completed",
    },
  });
  // Not started yet: the upload is refused (403) before its body is read.
  const upcoming = await db.booking.create({
    data: {
      id: randomUUID(),
      clientId: demoProfiles.parent.id,
      tutorId: demoProfiles.tutor.id,
      serviceName: "Upload benchmark (upcoming)",
      sessionStartTime: new Date(Date.now() + 24 * 60 * 60_000),
      sessionDuration: 60,
      status: "Confirmed",
    },
  });
  await db.$disconnect();
  const uploadUrl = `${appUrl}/bookings/${booking.id}/snapshot/upload`;
  const refusedUrl = `${appUrl}/bookings/${upcoming.id}/snapshot/upload`;

  // Warm up: load every module on both paths so the figures measure uploads, not first use.
  for (let i = 0; i < 2; i++) {
    await postPng(uploadUrl, cookie, makePng(64, 64));
    await postStreamed(uploadUrl, cookie, 12 * MB);
    await postStreamed(refusedUrl, cookie, 12 * MB);
  }

  const refusals: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) refusals.push(await measure(pid, () => postStreamed(uploadUrl, cookie, 50 * MB)));
  const declared: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    declared.push(await measure(pid, () => postStreamed(uploadUrl, cookie, 50 * MB, { declareLength: true })));
  }
  const forbidden: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) forbidden.push(await measure(pid, () => postStreamed(refusedUrl, cookie, 50 * MB)));
  const png = makePngOfSize(8 * MB);
  const uploads: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) uploads.push(await measure(pid, () => postPng(uploadUrl, cookie, png)));

  const wrong = [
    ...refusals.filter((s) => s.status !== 413),
    ...declared.filter((s) => s.status !== 413),
    ...forbidden.filter((s) => s.status !== 403),
    ...uploads.filter((s) => s.status !== 303),
  ];
  console.log(`\nbench/upload — production build ${path.relative(root, buildDir) || buildDir}, Node ${process.version}, ${ROUNDS} rounds each\n`);
  console.log(row("case", "status", "time (ms)", "throughput", "peak RSS growth"));
  for (const sample of refusals) {
    console.log(row("50 MB chunked, refused", String(sample.status), sample.ms.toFixed(0), "—", `${sample.growthMb.toFixed(1)} MB`));
  }
  for (const sample of declared) {
    console.log(row("50 MB with length, refused", String(sample.status), sample.ms.toFixed(0), "—", `${sample.growthMb.toFixed(1)} MB`));
  }
  for (const sample of forbidden) {
    console.log(row("50 MB body, not allowed", String(sample.status), sample.ms.toFixed(0), "—", `${sample.growthMb.toFixed(1)} MB`));
  }
  for (const sample of uploads) {
    const throughput = `${(png.length / MB / (sample.ms / 1000)).toFixed(1)} MB/s`;
    console.log(row(`${(png.length / MB).toFixed(1)} MB PNG, stored`, String(sample.status), sample.ms.toFixed(0), throughput, `${sample.growthMb.toFixed(1)} MB`));
  }
  const worstRefusal = Math.max(...refusals.map((s) => s.growthMb), ...declared.map((s) => s.growthMb));
  console.log(
    `\nTime to refusal, chunked (median): ${median(refusals.map((s) => s.ms)).toFixed(0)} ms, the 413 arriving after ${median(refusals.map((s) => s.sentMbAtAnswer)).toFixed(1)} MB were sent (the parser stops at 10 MB; the rest is drained unread).`,
  );
  console.log(
    `Time to refusal, Content-Length declared (median): ${median(declared.map((s) => s.ms)).toFixed(0)} ms, after ${median(declared.map((s) => s.sentMbAtAnswer)).toFixed(1)} MB were sent.`,
  );
  console.log(
    `Refusal before reading (lesson not started, median): ${median(forbidden.map((s) => s.ms)).toFixed(0)} ms, after ${median(forbidden.map((s) => s.sentMbAtAnswer)).toFixed(1)} MB were sent.`,
  );
  console.log(`Upload throughput (median): ${(png.length / MB / (median(uploads.map((s) => s.ms)) / 1000)).toFixed(1)} MB/s for a ${(png.length / MB).toFixed(1)} MB PNG.`);
  console.log(
    `Peak server memory growth for the 50 MB refusal: ${worstRefusal.toFixed(1)} MB (target < ${TARGET_GROWTH_MB} MB): ${worstRefusal < TARGET_GROWTH_MB ? "met" : "NOT met"}.`,
  );
  if (wrong.length) {
    console.error(`Unexpected statuses: ${wrong.map((s) => s.status).join(", ")}`);
    process.exitCode = 1;
  }
} finally {
  server?.kill("SIGTERM");
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

type Sample = { status: number; ms: number; growthMb: number; sentMbAtAnswer: number };
type Posted = { status: number; sentBytes: number };

/** Samples the server's resident memory while `run` is in flight; growth is peak minus the start. */
async function measure(pid: number, run: () => Promise<Posted & { ms: number; sentAtAnswer: number }>): Promise<Sample> {
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the previous request's garbage settle
  const baseline = rssKb(pid).rss;
  resetPeak(pid);
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssKb(pid).rss);
  }, 2);
  try {
    const result = await run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const hwm = rssKb(pid).hwm;
    // VmHWM catches peaks between samples when the kernel lets us reset it; else the samples count.
    peak = Math.max(peak, hwm > 0 && peakWasReset ? hwm : 0);
    return { status: result.status, ms: result.ms, growthMb: (peak - baseline) / 1024, sentMbAtAnswer: result.sentAtAnswer / MB };
  } finally {
    clearInterval(timer);
  }
}

function resetPeak(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    peakWasReset = true;
  } catch {
    peakWasReset = false;
  }
}

function rssKb(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

/** A multipart body of `bytes` zeros, generated as it is sent, so the bench holds none of it. */
async function postStreamed(url: string, cookie: string, bytes: number, options: { declareLength?: boolean } = {}) {
  const boundary = `----bench${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="snapshot"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = new Uint8Array(256 * 1024);
  let sent = 0;
  let headSent = false;
  let tailSent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!headSent) {
        headSent = true;
        controller.enqueue(head);
      } else if (sent < bytes) {
        const size = Math.min(chunk.length, bytes - sent);
        sent += size;
        controller.enqueue(size === chunk.length ? chunk : chunk.subarray(0, size));
      } else if (!tailSent) {
        tailSent = true;
        controller.enqueue(tail);
      } else controller.close();
    },
  });
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    body,
    duplex: "half",
    redirect: "manual",
    headers: {
      Cookie: cookie,
      Origin: appUrl,
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      // Browsers declare the length of a form post; without it the body arrives chunked.
      ...(options.declareLength ? { "Content-Length": String(head.length + bytes + tail.length) } : {}),
    },
  } as RequestInit);
  const ms = performance.now() - started;
  const sentAtAnswer = sent;
  await response.arrayBuffer();
  return { status: response.status, ms, sentAtAnswer, sentBytes: sent };
}

async function postPng(url: string, cookie: string, png: Uint8Array) {
  const form = new FormData();
  form.append("snapshot", new File([new Uint8Array(png)], "whiteboard.png", { type: "image/png" }));
  const started = performance.now();
  const response = await fetch(url, { method: "POST", body: form, redirect: "manual", headers: { Cookie: cookie, Origin: appUrl } });
  const ms = performance.now() - started;
  await response.arrayBuffer();
  return { status: response.status, ms, sentAtAnswer: png.length, sentBytes: png.length };
}

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${appUrl}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: appUrl },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, redirectTo: "/" }),
  });
  if (response.status !== 302) throw new Error(`Sign-in failed with ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

async function waitForHealth(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`The server exited with code ${server?.exitCode}`);
    try {
      if ((await fetch(`${appUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("The server did not become healthy within 30 s");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function row(...cells: string[]): string {
  const widths = [28, 8, 11, 12, 16];
  return cells.map((cell, i) => cell.padEnd(widths[i] ?? 12)).join(" ");
}

// bench/upload: what a snapshot upload costs the production server (docs/decisions/0021-snapshot-upload.md).
// Posts a 50 MB body (refused while streaming at 10 MB) and a valid 8 MB PNG to the production
// build running in a child process, and prints time to refusal, upload throughput and the
// server's peak memory growth, read from /proc/<pid>/status.
//
//   npx tsx bench/upload.ts      (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   ROUNDS=5 for more rounds; target: peak growth under 30 MB for the 50 MB refusal.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { demoProfiles } from "../prisma/seed.ts";
import { makePng, makePngOfSize } from "../tests/integration/artifacts-images.ts";
import { readStatus, resetPeakRss } from "./lib/processes.ts";
import { isMain, runStandalone, signIn, type BenchContext } from "./lib/stack.ts";
import { median } from "./lib/stats.ts";

const MB = 1024 * 1024;
const TARGET_GROWTH_MB = 30;

export type UploadFigures = {
  /** Median time until the 413 for a chunked 50 MB body. */
  refusalMs: number;
  refusalSentMb: number;
  declaredRefusalMs: number;
  forbiddenMs: number;
  worstRefusalGrowthMb: number;
  growthTargetMb: number;
  pngMb: number;
  pngMbPerSecond: number;
  pngMs: number;
  /** Peak growth for the 50 MB refusal under the target. */
  growthMet: boolean;
  /** Every answer had the expected status. */
  ok: boolean;
};

export async function uploadBench(context: BenchContext, options: { rounds: number }): Promise<UploadFigures> {
  const { appUrl, db } = context;
  const pid = context.server.pid;
  const ROUNDS = options.rounds;
  let peakWasReset = false;
  const cookie = await signIn(appUrl, demoProfiles.tutor.email);
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
  console.log(`${ROUNDS} rounds each\n`);
  console.log(row("case", "status", "time (ms)", "throughput", "peak RSS growth"));
  for (const sample of refusals) {
    console.log(
      row(
        "50 MB chunked, refused",
        String(sample.status),
        sample.ms.toFixed(0),
        "—",
        `${sample.growthMb.toFixed(1)} MB`,
      ),
    );
  }
  for (const sample of declared) {
    console.log(
      row(
        "50 MB with length, refused",
        String(sample.status),
        sample.ms.toFixed(0),
        "—",
        `${sample.growthMb.toFixed(1)} MB`,
      ),
    );
  }
  for (const sample of forbidden) {
    console.log(
      row(
        "50 MB body, not allowed",
        String(sample.status),
        sample.ms.toFixed(0),
        "—",
        `${sample.growthMb.toFixed(1)} MB`,
      ),
    );
  }
  for (const sample of uploads) {
    const throughput = `${(png.length / MB / (sample.ms / 1000)).toFixed(1)} MB/s`;
    console.log(
      row(
        `${(png.length / MB).toFixed(1)} MB PNG, stored`,
        String(sample.status),
        sample.ms.toFixed(0),
        throughput,
        `${sample.growthMb.toFixed(1)} MB`,
      ),
    );
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
  console.log(
    `Upload throughput (median): ${(png.length / MB / (median(uploads.map((s) => s.ms)) / 1000)).toFixed(1)} MB/s for a ${(png.length / MB).toFixed(1)} MB PNG.`,
  );
  console.log(
    `Peak server memory growth for the 50 MB refusal: ${worstRefusal.toFixed(1)} MB (target < ${TARGET_GROWTH_MB} MB): ${worstRefusal < TARGET_GROWTH_MB ? "met" : "NOT met"}.`,
  );
  if (wrong.length) console.error(`Unexpected statuses: ${wrong.map((s) => s.status).join(", ")}`);
  const png8 = png.length / MB;
  return {
    refusalMs: median(refusals.map((s) => s.ms)),
    refusalSentMb: median(refusals.map((s) => s.sentMbAtAnswer)),
    declaredRefusalMs: median(declared.map((s) => s.ms)),
    forbiddenMs: median(forbidden.map((s) => s.ms)),
    worstRefusalGrowthMb: worstRefusal,
    growthTargetMb: TARGET_GROWTH_MB,
    pngMb: png8,
    pngMbPerSecond: png8 / (median(uploads.map((s) => s.ms)) / 1000),
    pngMs: median(uploads.map((s) => s.ms)),
    growthMet: worstRefusal < TARGET_GROWTH_MB,
    ok: wrong.length === 0,
  };

  /** Samples the server's resident memory while `run` is in flight; growth is peak minus the start. */
  async function measure(
    pid: number,
    run: () => Promise<Posted & { ms: number; sentAtAnswer: number }>,
  ): Promise<Sample> {
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the previous request's garbage settle
    const baseline = readStatus(pid).rssKb;
    peakWasReset = resetPeakRss(pid);
    let peak = baseline;
    const timer = setInterval(() => {
      peak = Math.max(peak, readStatus(pid).rssKb);
    }, 2);
    try {
      const result = await run();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const hwm = readStatus(pid).hwmKb;
      // VmHWM catches peaks between samples when the kernel lets us reset it; else the samples count.
      peak = Math.max(peak, hwm > 0 && peakWasReset ? hwm : 0);
      return {
        status: result.status,
        ms: result.ms,
        growthMb: (peak - baseline) / 1024,
        sentMbAtAnswer: result.sentAtAnswer / MB,
      };
    } finally {
      clearInterval(timer);
    }
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
    const response = await fetch(url, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { Cookie: cookie, Origin: appUrl },
    });
    const ms = performance.now() - started;
    await response.arrayBuffer();
    return { status: response.status, ms, sentAtAnswer: png.length, sentBytes: png.length };
  }
}

type Sample = { status: number; ms: number; growthMb: number; sentMbAtAnswer: number };
type Posted = { status: number; sentBytes: number };

function row(...cells: string[]): string {
  const widths = [28, 8, 11, 12, 16];
  return cells.map((cell, i) => cell.padEnd(widths[i] ?? 12)).join(" ");
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "upload" }, async (context) => {
    console.log(
      `\nbench/upload — production build ${path.relative(context.root, context.buildDir) || context.buildDir}, Node ${process.version}`,
    );
    return uploadBench(context, { rounds: Number(process.env.ROUNDS ?? 3) });
  });
}

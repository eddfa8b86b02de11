// Transcript downloads as workers run them (docs/decisions/0076-transcripts-downloaded-as-soon-as-announced.md):
// announced transcripts are fetched within seconds, at most TRANSCRIPT_CONCURRENCY at once per
// worker, by any number of workers together; a worker killed mid-download leaves its row to
// another once the lease ends, and the transcript is stored once. Real PostgreSQL, real HTTP.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { startTranscriptDownloads, type TranscriptDownloads } from "~/.server/transcripts/downloads";
import type { TranscriptOutcome } from "~/.server/transcripts/ingest";
import { parseTranscriptOrigins, type OriginPattern } from "~/domain/transcript-origins";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { callAction, createBooking, createProfile, type TestProfile } from "../support/app.ts";

const LEASE_MS = 2 * 60_000;
let tutor: TestProfile;
let parent: TestProfile;

/** A transcript host whose answers the test controls: each request waits for `answerAfter`. */
type Host = { origin: string; patterns: OriginPattern[]; inFlight: number; most: number; requests: number };
let host: Host;
let answerAfter: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 300));
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  host.requests += 1;
  host.inFlight += 1;
  host.most = Math.max(host.most, host.inFlight);
  void answerAfter().then(() => {
    host.inFlight -= 1;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify([
        { start_time: 0, end_time: 30, user: { id: tutor.id, name: "Tara" }, breakout_id: null, text: "Fractions." },
        { start_time: 31, end_time: 40, user: { id: "9", name: "Guest" }, breakout_id: null, text: "Halves." },
      ]),
    );
  });
});

beforeAll(async () => {
  [tutor, parent] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
  ]);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const parsed = parseTranscriptOrigins(origin, { production: false });
  if (!parsed.ok) throw new Error(parsed.problem);
  host = { origin, patterns: parsed.patterns, inFlight: 0, most: 0, requests: 0 };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A lesson with a room and a session, whose transcription.finish the webhook route records. */
async function announcedLesson(): Promise<string> {
  const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id });
  const roomId = randomUUID();
  const secret = `space-secret-${randomUUID()}`;
  const sessionId = randomUUID();
  await db.lessonspaceSpace.create({
    data: { roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret },
  });
  await db.lessonspaceSession.create({ data: { sessionId, bookingId: booking.id, startedAt: new Date() } });
  const body = JSON.stringify({
    event: "transcription.finish",
    room: { id: roomId },
    session: { id: sessionId },
    transcription: { url: `${host.origin}/${sessionId}.json?X-Amz-Signature=secret` },
  });
  const result = await callAction(webhookRoute, "/api/webhooks/lessonspace", {
    body,
    headers: {
      "Content-Type": "application/json",
      "x-webhook-id": randomUUID(),
      "x-webhook-event": "transcription.finish",
      "x-webhook-signature": signWebhook(body, secret),
    },
  });
  expect(result.status).toBe(200);
  return sessionId;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("Timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const done = (sessionIds: string[]) =>
  db.transcriptFetch.count({ where: { sessionId: { in: sessionIds }, status: "done" } });

describe("downloads in workers", () => {
  it("two workers fetch announced transcripts within seconds, at most their concurrency each, each stored once", async () => {
    host.most = 0;
    // Downloads wait until every lesson is announced, so the lanes are full when they start.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    answerAfter = () => gate.then(() => new Promise((resolve) => setTimeout(resolve, 300)));
    const workers = [1, 2].map(() =>
      startTranscriptDownloads({ concurrency: 2, pollMs: 200, fetchOptions: { origins: host.patterns } }),
    );
    let mostPerWorker = 0;
    const sampler = setInterval(() => {
      for (const worker of workers) mostPerWorker = Math.max(mostPerWorker, worker.running());
    }, 10);
    try {
      const sessions: string[] = [];
      for (let i = 0; i < 12; i++) sessions.push(await announcedLesson());
      const announcedAt = Date.now();
      open();
      await waitFor(async () => (await done(sessions)) === 12, 15_000);
      // 12 downloads of 300 ms, four at a time: about a second (ten allowed on a busy machine), where
      // the old batch of five a minute took over two minutes.
      expect(Date.now() - announcedAt).toBeLessThan(10_000);
      expect(mostPerWorker).toBe(2);
      expect(host.most).toBe(4);
      const segments = await db.transcriptSegment.groupBy({
        by: ["sessionId"],
        where: { sessionId: { in: sessions } },
        _count: true,
      });
      expect(segments.map((row) => row._count)).toEqual(Array(12).fill(2));
      const rows = await db.transcriptFetch.findMany({ where: { sessionId: { in: sessions } } });
      expect(rows.every((row) => row.attempts === 1)).toBe(true);
    } finally {
      clearInterval(sampler);
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  }, 30_000);

  it("a worker killed mid-download: another takes the row once the lease ends, and the transcript is stored once", async () => {
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    answerAfter = () => hanging;
    const requestsBefore = host.requests;
    const seen: TranscriptOutcome[] = [];
    const doomed = startTranscriptDownloads({
      concurrency: 1,
      pollMs: 100,
      fetchOptions: { origins: host.patterns, deadlineMs: 60_000 },
      onOutcome: (outcome) => seen.push(outcome),
    });
    let survivor: TranscriptDownloads | null = null;
    try {
      const sessionId = await announcedLesson();
      await waitFor(async () => host.requests > requestsBefore, 5_000);
      // The worker dies: it claims nothing more, and its download never finishes in time.
      await doomed.stop(0);
      answerAfter = () => Promise.resolve();
      // Another worker, before the lease ends, leaves the row alone…
      const early = startTranscriptDownloads({ concurrency: 1, pollMs: 100, fetchOptions: { origins: host.patterns } });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await early.stop();
      expect(await db.transcriptFetch.findUniqueOrThrow({ where: { sessionId } })).toMatchObject({
        status: "pending",
        attempts: 1,
      });
      // …and takes it once the lease has ended.
      survivor = startTranscriptDownloads({
        concurrency: 1,
        pollMs: 100,
        now: () => new Date(Date.now() + LEASE_MS + 1_000),
        fetchOptions: { origins: host.patterns },
        onOutcome: (outcome) => seen.push(outcome),
      });
      await waitFor(async () => (await done([sessionId])) === 1, 10_000);
      // The dead worker's download finally answers: it stores nothing.
      release();
      await waitFor(async () => seen.length === 2, 10_000);
      expect(seen.map((o) => o.kind).sort()).toEqual(["lost-claim", "stored"]);
      expect(await db.transcriptSegment.count({ where: { sessionId } })).toBe(2);
      expect(await db.transcriptSpeaker.count({ where: { sessionId } })).toBe(2);
      expect(await db.transcriptFetch.findUniqueOrThrow({ where: { sessionId } })).toMatchObject({
        status: "done",
        attempts: 2,
      });
    } finally {
      release();
      await survivor?.stop();
    }
  }, 30_000);
});

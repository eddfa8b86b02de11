// transcription.finish → transcript_fetches → fetchDueTranscripts → transcript_segments, on real
// PostgreSQL with the Lessonspace stand-in serving the files, including every bad input of
// docs/decisions/0047-transcripts-fetched-by-a-job-within-limits.md and 0048-transcript-files-whole-or-segment.md.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "~/.server/db";
import { fetchDueTranscripts, MAX_ATTEMPTS } from "~/.server/transcripts/ingest";
import { parseTranscriptOrigins } from "~/domain/transcript-origins";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { callAction, createBooking, createProfile, type TestProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

let tutor: TestProfile;
let parent: TestProfile;
let child: TestProfile;
let otherFamilyChild: TestProfile;

beforeAll(async () => {
  [tutor, parent, child, otherFamilyChild] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
    createProfile({ fullName: "Olive Other" }),
  ]);
});

afterEach(() => {
  testStandIns.lessonspace.setTranscriptFault(null);
  testStandIns.lessonspace.transcriptRequests.length = 0;
  vi.restoreAllMocks();
});

type Lesson = { bookingId: string; roomId: string; secret: string; sessionId: string };

/** A booking with a room and a finished session, as launch and session.end leave it. */
async function lessonWithSession(): Promise<Lesson> {
  const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
  const roomId = randomUUID();
  const secret = `space-secret-${randomUUID()}`;
  const sessionId = randomUUID();
  await db.lessonspaceSpace.create({
    data: { roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret },
  });
  await db.lessonspaceSession.create({
    data: {
      sessionId,
      bookingId: booking.id,
      startedAt: new Date("2026-11-25T15:00:00Z"),
      endedAt: new Date("2026-11-25T15:55:00Z"),
      durationSeconds: 3300,
    },
  });
  return { bookingId: booking.id, roomId, secret, sessionId };
}

function finishBody(lesson: Lesson, url: string, sessionId = lesson.sessionId) {
  return JSON.stringify({
    event: "transcription.finish",
    room: { id: lesson.roomId },
    session: { id: sessionId },
    transcription: { url },
  });
}

function deliver(lesson: Lesson, body: string, id = randomUUID()) {
  return callAction(webhookRoute, "/api/webhooks/lessonspace", {
    body,
    headers: {
      "Content-Type": "application/json",
      "x-webhook-id": id,
      "x-webhook-event": "transcription.finish",
      "x-webhook-signature": signWebhook(body, lesson.secret),
    },
  });
}

const segment = (userId: string, name: string, start: number, end: number, text: string) => ({
  start_time: start,
  end_time: end,
  user: { id: userId, name },
  breakout_id: null,
  text,
});

const goodTranscript = () => [
  segment(tutor.id, "Tara Tutor", 0, 30, "Today we look at photosynthesis."),
  segment(child.id, "Charlie Child", 31, 45, "Plants make sugar from sunlight."),
  segment("1001", "Grandma (guest)", 46, 50, "Well done Charlie!"),
  segment(otherFamilyChild.id, "Olive Other", 51, 52, "Hello?"),
];

/** Announces `file` for a new lesson and returns the lesson. */
async function announced(file: string | Uint8Array | { url: string }): Promise<Lesson> {
  const lesson = await lessonWithSession();
  const url =
    typeof file === "object" && "url" in file ? file.url : testStandIns.lessonspace.publishTranscriptFile(file);
  const result = await deliver(lesson, finishBody(lesson, url));
  expect(result.status).toBe(200);
  return lesson;
}

async function fetchRow(lesson: Lesson) {
  return db.transcriptFetch.findUniqueOrThrow({ where: { sessionId: lesson.sessionId } });
}

async function segmentsOf(lesson: Lesson) {
  return db.transcriptSegment.findMany({ where: { sessionId: lesson.sessionId }, orderBy: { position: "asc" } });
}

/** Runs the job until this lesson's fetch is no longer due now (other files' rows may be claimed too). */
async function runJob(now = new Date()) {
  return fetchDueTranscripts(now, 50);
}

async function expectFailedWithNothingStored(lesson: Lesson, problem: RegExp) {
  const row = await fetchRow(lesson);
  expect(row.status).toBe("failed");
  expect(row.lastError).toMatch(problem);
  expect(await segmentsOf(lesson)).toEqual([]);
  expect(await db.transcriptSpeaker.count({ where: { sessionId: lesson.sessionId } })).toBe(0);
}

describe("transcription.finish", () => {
  it("is recorded with a pending fetch and downloads nothing during the request", async () => {
    const lesson = await announced(JSON.stringify(goodTranscript()));
    const row = await fetchRow(lesson);
    expect(row).toMatchObject({ status: "pending", attempts: 0, lastError: null });
    expect(testStandIns.lessonspace.transcriptRequests).toEqual([]);
    const event = await db.webhookEvent.findFirstOrThrow({ where: { roomId: lesson.roomId } });
    expect(event).toMatchObject({ event: "transcription.finish", outcome: "applied: Transcript to fetch." });
  });

  it("a second transcription.finish for the same session changes nothing", async () => {
    const lesson = await announced(JSON.stringify(goodTranscript()));
    const before = await fetchRow(lesson);
    const other = testStandIns.lessonspace.publishTranscriptFile("[]");
    const again = await deliver(lesson, finishBody(lesson, other));
    expect(again.status).toBe(200);
    expect(again.data).toMatchObject({ outcome: "ignored" });
    expect(await fetchRow(lesson)).toEqual(before);
  });

  it("a retried delivery (same x-webhook-id) is a duplicate", async () => {
    const lesson = await lessonWithSession();
    const body = finishBody(lesson, testStandIns.lessonspace.publishTranscriptFile("[]"));
    const id = randomUUID();
    expect((await deliver(lesson, body, id)).data).toMatchObject({ outcome: "applied" });
    expect((await deliver(lesson, body, id)).data).toMatchObject({ outcome: "duplicate" });
    expect(await db.transcriptFetch.count({ where: { sessionId: lesson.sessionId } })).toBe(1);
  });

  it("without a URL it is 422 and records nothing", async () => {
    const lesson = await lessonWithSession();
    const body = JSON.stringify({
      event: "transcription.finish",
      room: { id: lesson.roomId },
      session: { id: lesson.sessionId },
    });
    const result = await deliver(lesson, body);
    expect(result.status).toBe(422);
    expect(await db.transcriptFetch.count({ where: { sessionId: lesson.sessionId } })).toBe(0);
    expect(await db.webhookEvent.count({ where: { roomId: lesson.roomId } })).toBe(0);
  });

  it("with a bad signature it is 401 and records nothing", async () => {
    const lesson = await lessonWithSession();
    const body = finishBody(lesson, testStandIns.lessonspace.publishTranscriptFile("[]"));
    const result = await callAction(webhookRoute, "/api/webhooks/lessonspace", {
      body,
      headers: {
        "Content-Type": "application/json",
        "x-webhook-id": randomUUID(),
        "x-webhook-signature": signWebhook(body, "wrong"),
      },
    });
    expect(result.status).toBe(401);
    expect(await db.transcriptFetch.count({ where: { sessionId: lesson.sessionId } })).toBe(0);
  });
});

describe("fetching a transcript", () => {
  it("stores every segment, matched to this lesson's people by user id; others keep their Lessonspace name", async () => {
    const lesson = await announced(JSON.stringify(goodTranscript()));
    const outcomes = await runJob();
    expect(outcomes).toContainEqual({ sessionId: lesson.sessionId, kind: "stored", segments: 4, dropped: 0 });
    expect(await fetchRow(lesson)).toMatchObject({
      status: "done",
      attempts: 1,
      segmentCount: 4,
      droppedSegments: 0,
      lastError: null,
    });
    const stored = await segmentsOf(lesson);
    expect(stored.map((s) => [s.speakerProfileId, s.speakerName, s.startSeconds, s.endSeconds, s.bookingId])).toEqual([
      [tutor.id, "Tara Tutor", 0, 30, lesson.bookingId],
      [child.id, "Charlie Child", 31, 45, lesson.bookingId],
      [null, "Grandma (guest)", 46, 50, lesson.bookingId],
      // One of our profiles, but not of this lesson: never linked.
      [null, "Olive Other", 51, 52, lesson.bookingId],
    ]);
    // Talk time per speaker is stored with the segments (union of each speaker's intervals).
    const speakers = await db.transcriptSpeaker.findMany({
      where: { sessionId: lesson.sessionId },
      orderBy: { seconds: "desc" },
    });
    expect(speakers.map((s) => [s.speakerKey, s.seconds])).toEqual([
      [tutor.id, 30],
      [child.id, 14],
      ["name:Grandma (guest)", 4],
      ["name:Olive Other", 1],
    ]);
    // Nothing is left to do: a second run claims nothing for this session.
    expect((await runJob()).map((o) => o.sessionId)).not.toContain(lesson.sessionId);
  });

  it("the generated tsvector finds words by stem", async () => {
    const lesson = await announced(JSON.stringify(goodTranscript()));
    await runJob();
    const found = await db.$queryRaw<{ text: string }[]>`
      SELECT text FROM transcript_segments WHERE session_id = ${lesson.sessionId} AND search_vector @@ websearch_to_tsquery('english', 'plant sugars')`;
    expect(found).toEqual([{ text: "Plants make sugar from sunlight." }]);
  });

  it("refuses a URL on another host without requesting it", async () => {
    const lesson = await announced({ url: "https://evil.example/transcript.json" });
    expect(await runJob()).toContainEqual({
      sessionId: lesson.sessionId,
      kind: "failed",
      problem: expect.stringContaining("outside LESSONSPACE_TRANSCRIPT_ORIGINS"),
    });
    await expectFailedWithNothingStored(
      lesson,
      /outside LESSONSPACE_TRANSCRIPT_ORIGINS: https:\/\/evil\.example\/transcript\.json/,
    );
  });

  it("refuses http: even on an allowed host name", async () => {
    const lesson = await announced({ url: "http://bucket.s3.amazonaws.com/t.json?X-Amz-Signature=secret" });
    await runJob();
    await expectFailedWithNothingStored(
      lesson,
      /outside LESSONSPACE_TRANSCRIPT_ORIGINS: http:\/\/bucket\.s3\.amazonaws\.com\/t\.json\.$/,
    );
    // The pre-signed query is a credential: never logged or kept in the error.
    expect((await fetchRow(lesson)).lastError).not.toContain("secret");
  });

  it("refuses a redirect to an internal address and never follows it", async () => {
    const lesson = await announced(JSON.stringify(goodTranscript()));
    testStandIns.lessonspace.setTranscriptFault({
      kind: "redirect",
      location: "http://169.254.169.254/latest/meta-data/",
    });
    await runJob();
    await expectFailedWithNothingStored(lesson, /A redirect points outside .*169\.254\.169\.254/);
  });

  it("refuses a redirect to loopback on another port", async () => {
    const lesson = await announced(JSON.stringify(goodTranscript()));
    testStandIns.lessonspace.setTranscriptFault({ kind: "redirect", location: "http://127.0.0.1:1/secret" });
    await runJob();
    await expectFailedWithNothingStored(lesson, /A redirect points outside/);
  });

  it("follows a redirect that stays on the allowlist", async () => {
    const target = testStandIns.lessonspace.publishTranscriptFile(JSON.stringify(goodTranscript()));
    const lesson = await announced("[]");
    testStandIns.lessonspace.setTranscriptFault({ kind: "redirect", location: target, times: 1 });
    await runJob();
    expect(await fetchRow(lesson)).toMatchObject({ status: "done", segmentCount: 4 });
  });

  it("refuses an oversized file streamed without Content-Length (counted while reading)", async () => {
    const lesson = await announced("[]");
    testStandIns.lessonspace.setTranscriptFault({ kind: "oversized" });
    await runJob();
    await expectFailedWithNothingStored(lesson, /larger than 5 MB/);
  });

  it("refuses an oversized file by its Content-Length", async () => {
    const lesson = await announced(`[${" ".repeat(5 * 1024 * 1024 + 10)}]`);
    await runJob();
    await expectFailedWithNothingStored(lesson, /larger than 5 MB/);
  });

  it("refuses a file that is not JSON, for good", async () => {
    const lesson = await announced("[]");
    testStandIns.lessonspace.setTranscriptFault({ kind: "not-json" });
    await runJob();
    await expectFailedWithNothingStored(lesson, /not JSON/);
    testStandIns.lessonspace.setTranscriptFault(null);
    expect((await runJob(new Date(Date.now() + 24 * 3600_000))).map((o) => o.sessionId)).not.toContain(
      lesson.sessionId,
    );
  });

  it("refuses a file whose entries are not segments, storing none of it", async () => {
    const lesson = await announced(JSON.stringify([...goodTranscript(), { hello: "world" }]));
    await runJob();
    await expectFailedWithNothingStored(lesson, /Segment 4 is not a transcript segment/);
  });

  it("drops segments with negative, reversed or absurd times, stores the rest and says how many", async () => {
    const lesson = await announced(
      JSON.stringify([
        segment(child.id, "Charlie Child", -5, 3, "negative"),
        segment(child.id, "Charlie Child", 40, 20, "reversed"),
        segment(child.id, "Charlie Child", 10, 90_000, "absurd"),
        segment(child.id, "Charlie Child", 10, 20, "fine"),
      ]),
    );
    await runJob();
    const row = await fetchRow(lesson);
    expect(row).toMatchObject({ status: "done", segmentCount: 1, droppedSegments: 3 });
    expect(row.lastError).toMatch(
      /Dropped 3 segment\(s\): segment 0: negative time; segment 1: ends before it starts; segment 2: later than 24 hours/,
    );
    expect((await segmentsOf(lesson)).map((s) => s.text)).toEqual(["fine"]);
  });

  it("fails a file in which every segment has impossible times", async () => {
    const lesson = await announced(JSON.stringify([segment(child.id, "Charlie Child", -5, -1, "negative")]));
    await runJob();
    await expectFailedWithNothingStored(lesson, /No usable segment/);
  });

  it("an expired link (403) is marked expired for good, with nothing stored", async () => {
    const lesson = await announced({ url: testStandIns.lessonspace.publishTranscriptFile("[]", { ttlMs: -1 }) });
    expect(await runJob()).toContainEqual(expect.objectContaining({ sessionId: lesson.sessionId, kind: "expired" }));
    const row = await fetchRow(lesson);
    expect(row).toMatchObject({ status: "expired", lastError: expect.stringMatching(/answered 403/) });
    expect(row.finishedAt).not.toBeNull();
    expect(await segmentsOf(lesson)).toEqual([]);
    // Nothing asks for the link again.
    const requests = testStandIns.lessonspace.transcriptRequests.length;
    expect(await runJob(new Date(Date.now() + 24 * 3600_000))).not.toContainEqual(
      expect.objectContaining({ sessionId: lesson.sessionId }),
    );
    expect(testStandIns.lessonspace.transcriptRequests.length).toBe(requests);
  });

  it("host answering 500, then up: retried after the backoff, then stored", async () => {
    const lesson = await announced(JSON.stringify(goodTranscript()));
    testStandIns.lessonspace.setTranscriptFault({ kind: "500", times: 1 });
    const now = new Date();
    expect(await runJob(now)).toContainEqual({
      sessionId: lesson.sessionId,
      kind: "retry",
      problem: "The download host answered 500.",
    });
    const row = await fetchRow(lesson);
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: "The download host answered 500." });
    expect(row.nextAttemptAt.getTime()).toBe(now.getTime() + 30_000);
    expect(await segmentsOf(lesson)).toEqual([]);
    // Not due yet: nothing happens.
    expect((await runJob(new Date(now.getTime() + 29_000))).map((o) => o.sessionId)).not.toContain(lesson.sessionId);
    await runJob(new Date(now.getTime() + 30_000));
    expect(await fetchRow(lesson)).toMatchObject({ status: "done", attempts: 2, segmentCount: 4 });
  });

  it("host down (connection refused) is retried, and after the last attempt the fetch fails", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const parsed = parseTranscriptOrigins(origin, { production: false });
    if (!parsed.ok) throw new Error(parsed.problem);
    const lesson = await announced({ url: `${origin}/t.json` });
    let now = Date.now();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcomes = await fetchDueTranscripts(new Date(now), 50, { origins: parsed.patterns });
      const mine = outcomes.find((o) => o.sessionId === lesson.sessionId);
      expect(mine?.kind).toBe(attempt < MAX_ATTEMPTS ? "retry" : "failed");
      now += 3600_000;
    }
    await expectFailedWithNothingStored(lesson, /could not be reached/);
    expect((await fetchRow(lesson)).attempts).toBe(MAX_ATTEMPTS);
  });

  it("a download slower than the deadline is retried later", async () => {
    const slow = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    try {
      const parsed = parseTranscriptOrigins(origin, { production: false });
      if (!parsed.ok) throw new Error(parsed.problem);
      const lesson = await announced({ url: `${origin}/t.json` });
      const outcomes = await fetchDueTranscripts(new Date(), 50, { origins: parsed.patterns, deadlineMs: 300 });
      expect(outcomes.find((o) => o.sessionId === lesson.sessionId)).toEqual({
        sessionId: lesson.sessionId,
        kind: "retry",
        problem: "The download timed out.",
      });
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("two workers at once store each transcript exactly once", async () => {
    const lessons = await Promise.all(Array.from({ length: 8 }, () => announced(JSON.stringify(goodTranscript()))));
    const now = new Date();
    const [a, b] = await Promise.all([fetchDueTranscripts(now, 50), fetchDueTranscripts(now, 50)]);
    const handled = [...a, ...b].filter((o) => lessons.some((l) => l.sessionId === o.sessionId));
    expect(handled).toHaveLength(8);
    expect(new Set(handled.map((o) => o.sessionId)).size).toBe(8);
    for (const lesson of lessons) {
      expect(await fetchRow(lesson)).toMatchObject({ status: "done", attempts: 1 });
      expect(await segmentsOf(lesson)).toHaveLength(4);
    }
  });
});

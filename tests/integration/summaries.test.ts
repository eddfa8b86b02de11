// transcript stored → summary_fetches → fetchDueSummaries → lesson_summaries, on real PostgreSQL with
// the Lessonspace stand-in answering the summaries
// (docs/decisions/0063-lessonspace-summaries-api-contract.md, 0052-lesson-notes-homework-and-summaries.md).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { fetchDueSummaries, recordSummaryFetch } from "~/.server/lessonspace/summaries";
import { fetchDueTranscripts } from "~/.server/transcripts/ingest";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { callAction, createBooking, createProfile, type TestProfile } from "../support/app.ts";
import { logsFromNow } from "../support/logs.ts";
import { testStandIns } from "../support/stand-ins.ts";

let tutor: TestProfile;
let parent: TestProfile;
let child: TestProfile;

beforeAll(async () => {
  [tutor, parent, child] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
  ]);
});

/**
 * The shared limiter's hold-off after a 429 runs on the database's clock, not the test's injected
 * one: when a test moves its clock past a Retry-After, the hold-off has to be forgotten with it.
 */
async function forgetLimiterHoldOff() {
  await db.$executeRaw`DELETE FROM lessonspace_call_slots`;
}

afterEach(async () => {
  testStandIns.lessonspace.setFault(null);
  testStandIns.lessonspace.setLatency(0);
  testStandIns.lessonspace.setSummaryReadyAfterMs(3000);
  await forgetLimiterHoldOff();
});

type Lesson = { bookingId: string; roomId: string; secret: string; sessionId: string };

const SUMMARY = "Tara Tutor: Today we add fractions.\nCharlie Child: A half is two quarters?";

/**
 * A lesson held in Lessonspace (the stand-in keeps the finished session, who was there and what
 * they said) and known to us (space and session rows, as launch and session.end leave them).
 */
async function heldLesson(options: { summarise?: boolean; endedAt?: Date } = {}): Promise<Lesson> {
  const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
  const roomId = randomUUID();
  const secret = `space-secret-${randomUUID()}`;
  const sessionId = randomUUID();
  const endTime = options.endedAt ?? new Date(Date.now() - 3600_000);
  const startTime = new Date(endTime.getTime() - 55 * 60_000);
  testStandIns.lessonspace.recordPastSession({
    launchId: `booking-${booking.id}`,
    name: "GCSE Maths",
    sessionId,
    startTime,
    endTime,
    people: [
      { userId: tutor.id, name: "Tara Tutor", leader: true },
      { userId: child.id, name: "Charlie Child" },
    ],
    utterances: [
      { userId: tutor.id, name: "Tara Tutor", startSeconds: 0, endSeconds: 4, text: "Today we add fractions. Ready?" },
      { userId: child.id, name: "Charlie Child", startSeconds: 5, endSeconds: 8, text: "A half is two quarters? Yes" },
    ],
    summarise: options.summarise ?? true,
  });
  await db.lessonspaceSpace.create({
    data: { roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret },
  });
  await db.lessonspaceSession.create({
    data: { sessionId, bookingId: booking.id, startedAt: startTime, endedAt: endTime, durationSeconds: 3300 },
  });
  return { bookingId: booking.id, roomId, secret, sessionId };
}

function announce(lesson: Lesson, id = randomUUID()) {
  const url = testStandIns.lessonspace.publishTranscriptFile(
    JSON.stringify([
      { start_time: 0, end_time: 4, user: { id: tutor.id, name: "Tara Tutor" }, breakout_id: null, text: "Fractions." },
    ]),
  );
  const body = JSON.stringify({
    event: "transcription.finish",
    room: { id: lesson.roomId },
    session: { id: lesson.sessionId },
    transcription: { url },
  });
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

/** transcription.finish delivered and the transcript job run: answers the time the transcript was stored. */
async function transcriptStored(lesson: Lesson): Promise<Date> {
  expect((await announce(lesson)).status).toBe(200);
  const now = new Date();
  const outcomes = await fetchDueTranscripts(now, 50);
  expect(outcomes).toContainEqual(expect.objectContaining({ sessionId: lesson.sessionId, kind: "stored" }));
  return now;
}

/** Runs the summary job at `now`; answers what happened to this lesson's fetch (undefined: not claimed). */
async function runJob(lesson: Lesson, now: Date) {
  const outcomes = await fetchDueSummaries(now, 50);
  return outcomes.find((outcome) => outcome.sessionId === lesson.sessionId);
}

const fetchRow = (lesson: Lesson) => db.summaryFetch.findUniqueOrThrow({ where: { sessionId: lesson.sessionId } });
const summaryRow = (lesson: Lesson) => db.lessonSummary.findUnique({ where: { sessionId: lesson.sessionId } });
const requestsFor = (lesson: Lesson) =>
  testStandIns.lessonspace.summaryRequests.filter((id) => id === lesson.sessionId).length;
const after = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000);

describe("a stored transcript", () => {
  it("records a summary fetch, due at once, in the same transaction", async () => {
    const lesson = await heldLesson();
    const now = await transcriptStored(lesson);
    expect(await fetchRow(lesson)).toMatchObject({ status: "pending", attempts: 0, throttled: 0, nextAttemptAt: now });
    expect(requestsFor(lesson)).toBe(0);
  });

  it("a duplicate transcription.finish leads to one summary fetch, asked for once", async () => {
    const lesson = await heldLesson();
    expect((await announce(lesson)).status).toBe(200);
    expect((await announce(lesson)).data).toMatchObject({ outcome: "ignored" });
    const now = new Date();
    await fetchDueTranscripts(now, 50);
    // Recording it again (a transcript stored twice) changes nothing either.
    expect(await db.$transaction((tx) => recordSummaryFetch(tx, { sessionId: lesson.sessionId, now }))).toBe(false);
    expect(await db.summaryFetch.count({ where: { sessionId: lesson.sessionId } })).toBe(1);
    await runJob(lesson, now);
    await runJob(lesson, after(now, 3600));
    expect(requestsFor(lesson)).toBe(1);
    expect(await db.lessonSummary.count({ where: { sessionId: lesson.sessionId } })).toBe(1);
  });
});

describe("fetching a summary", () => {
  it("stores Lessonspace's text for the booking as plain text, and asks no more", async () => {
    const lesson = await heldLesson();
    const now = await transcriptStored(lesson);
    const logs = logsFromNow();
    expect(await runJob(lesson, now)).toEqual({ sessionId: lesson.sessionId, kind: "stored", truncated: false });
    expect(await summaryRow(lesson)).toEqual({
      sessionId: lesson.sessionId,
      bookingId: lesson.bookingId,
      text: SUMMARY,
      source: "lessonspace",
      fetchedAt: now,
    });
    expect(await fetchRow(lesson)).toMatchObject({ status: "done", attempts: 1, finishedAt: now, lastError: null });
    expect(logs()).toContainEqual(
      expect.objectContaining({ msg: "summary.stored", sessionId: lesson.sessionId, chars: SUMMARY.length }),
    );
    expect(await runJob(lesson, after(now, 24 * 3600))).toBeUndefined();
    expect(requestsFor(lesson)).toBe(1);
  });

  it("not ready: asked again after 1, then 2 more minutes, not before; stored once ready", async () => {
    const lesson = await heldLesson({ endedAt: new Date() });
    testStandIns.lessonspace.setSummaryReadyAfterMs(3600_000);
    const t0 = await transcriptStored(lesson);
    expect(await runJob(lesson, t0)).toMatchObject({ kind: "retry" });
    expect(await fetchRow(lesson)).toMatchObject({
      status: "pending",
      attempts: 1,
      nextAttemptAt: after(t0, 60),
      lastError: "Lessonspace is still summarising the session.",
    });
    expect(await runJob(lesson, after(t0, 59))).toBeUndefined();
    expect(await runJob(lesson, after(t0, 60))).toMatchObject({ kind: "retry" });
    expect((await fetchRow(lesson)).nextAttemptAt).toEqual(after(t0, 180));
    expect(await runJob(lesson, after(t0, 179))).toBeUndefined();
    testStandIns.lessonspace.setSummaryReadyAfterMs(0);
    expect(await runJob(lesson, after(t0, 180))).toMatchObject({ kind: "stored" });
    expect(await fetchRow(lesson)).toMatchObject({ status: "done", attempts: 3 });
    expect((await summaryRow(lesson))?.text).toBe(SUMMARY);
    expect(requestsFor(lesson)).toBe(3);
  });

  it("never ready: gives up after SUMMARY_MAX_TRIES (8) tries over an hour, with a log line", async () => {
    const lesson = await heldLesson({ endedAt: new Date() });
    testStandIns.lessonspace.setSummaryReadyAfterMs(24 * 3600_000);
    const t0 = await transcriptStored(lesson);
    const logs = logsFromNow();
    const triedAt: number[] = [];
    for (let now = t0; ; now = (await fetchRow(lesson)).nextAttemptAt) {
      triedAt.push((now.getTime() - t0.getTime()) / 1000);
      const outcome = await runJob(lesson, now);
      if (outcome?.kind !== "retry") {
        expect(outcome).toEqual({
          sessionId: lesson.sessionId,
          kind: "gave-up",
          reason: "Lessonspace is still summarising the session.",
        });
        break;
      }
    }
    expect(triedAt).toEqual([0, 60, 180, 420, 900, 1800, 2700, 3600]);
    expect(await fetchRow(lesson)).toMatchObject({ status: "gave-up", attempts: 8 });
    expect(await summaryRow(lesson)).toBeNull();
    expect(logs()).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "summary.gave-up",
        sessionId: lesson.sessionId,
        tries: 8,
        reason: "Lessonspace is still summarising the session.",
      }),
    );
    expect(await runJob(lesson, after(t0, 48 * 3600))).toBeUndefined();
    expect(requestsFor(lesson)).toBe(8);
  });

  it("429 with Retry-After: next attempt not before it, not counted as a try, then stored", async () => {
    const lesson = await heldLesson();
    const t0 = await transcriptStored(lesson);
    testStandIns.lessonspace.setFault({ kind: "429", scope: "summaries", retryAfterSeconds: 120, times: 1 });
    expect(await runJob(lesson, t0)).toEqual({
      sessionId: lesson.sessionId,
      kind: "retry",
      reason: "Lessonspace is busy.",
    });
    expect(await fetchRow(lesson)).toMatchObject({
      status: "pending",
      attempts: 1,
      throttled: 1,
      nextAttemptAt: after(t0, 120),
    });
    expect(await runJob(lesson, after(t0, 119))).toBeUndefined();
    await forgetLimiterHoldOff();
    expect(await runJob(lesson, after(t0, 120))).toMatchObject({ kind: "stored" });
    expect((await summaryRow(lesson))?.text).toBe(SUMMARY);
  });

  it("Lessonspace down (500): retried after a minute, then stored", async () => {
    const lesson = await heldLesson();
    const t0 = await transcriptStored(lesson);
    testStandIns.lessonspace.setFault({ kind: "500", scope: "summaries", times: 1 });
    expect(await runJob(lesson, t0)).toMatchObject({ kind: "retry", reason: "Lessonspace answered 500." });
    expect(await fetchRow(lesson)).toMatchObject({ attempts: 1, throttled: 0, nextAttemptAt: after(t0, 60) });
    expect(await summaryRow(lesson)).toBeNull();
    expect(await runJob(lesson, after(t0, 60))).toMatchObject({ kind: "stored" });
  });

  it("an answer that is not JSON is a counted try, not a summary", async () => {
    const lesson = await heldLesson();
    const t0 = await transcriptStored(lesson);
    testStandIns.lessonspace.setFault({ kind: "bad-json", scope: "summaries", times: 1 });
    expect(await runJob(lesson, t0)).toMatchObject({ kind: "retry" });
    expect(await summaryRow(lesson)).toBeNull();
  });

  it("a space launched without summarise: Lessonspace has none, so no summary row and no more asking", async () => {
    const lesson = await heldLesson({ summarise: false });
    const now = await transcriptStored(lesson);
    const logs = logsFromNow();
    expect(await runJob(lesson, now)).toEqual({
      sessionId: lesson.sessionId,
      kind: "none",
      reason: "No summary for this session (not_requested).",
    });
    expect(await fetchRow(lesson)).toMatchObject({ status: "none", finishedAt: now });
    expect(await summaryRow(lesson)).toBeNull();
    expect(logs()).toContainEqual(expect.objectContaining({ msg: "summary.none", sessionId: lesson.sessionId }));
    expect(await runJob(lesson, after(now, 3600))).toBeUndefined();
  });

  it("a session deleted while Lessonspace answers is one we no longer know: ignored and logged", async () => {
    const lesson = await heldLesson();
    const now = await transcriptStored(lesson);
    testStandIns.lessonspace.setLatency(800);
    const logs = logsFromNow();
    const running = runJob(lesson, now);
    // Claimed (the request is on its way, held by the latency), then the lesson's session goes.
    while ((await fetchRow(lesson)).attempts === 0) await sleep(20);
    await db.lessonspaceSession.delete({ where: { sessionId: lesson.sessionId } });
    expect(await running).toEqual({ sessionId: lesson.sessionId, kind: "unknown-session" });
    expect(await summaryRow(lesson)).toBeNull();
    expect(await db.lessonSummary.count({ where: { bookingId: lesson.bookingId } })).toBe(0);
    expect(logs()).toContainEqual(
      expect.objectContaining({ level: "warn", msg: "summary.unknown-session", sessionId: lesson.sessionId }),
    );
  });

  it("two workers at once ask Lessonspace once per session and store each summary once", async () => {
    const lessons = await Promise.all(Array.from({ length: 4 }, () => heldLesson()));
    for (const lesson of lessons) await transcriptStored(lesson);
    const now = new Date();
    await Promise.all([fetchDueSummaries(now, 50), fetchDueSummaries(now, 50)]);
    for (const lesson of lessons) {
      expect(requestsFor(lesson)).toBe(1);
      expect(await fetchRow(lesson)).toMatchObject({ status: "done", attempts: 1 });
      expect((await summaryRow(lesson))?.text).toBe(SUMMARY);
    }
  });
});

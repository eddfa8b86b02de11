// The Lessonspace stand-in's session summaries (docs/decisions/0063-lessonspace-summaries-api-contract.md):
// the contract the app's summary job is tested against, so it must hold.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLessonspaceStandIn, type LessonspaceStandIn } from "./lessonspace";

const KEY = "test-org-key";
const tutor = { id: "11111111-1111-4111-8111-111111111111", name: "Tess Tutor", leader: true };
const student = { id: "22222222-2222-4222-8222-222222222222", name: "Sam Student", leader: false };

let clock = Date.parse("2026-11-25T15:00:00Z");
let ls: LessonspaceStandIn;

beforeAll(async () => {
  ls = await startLessonspaceStandIn({
    apiKey: KEY,
    rateLimitPerSecond: 0,
    now: () => new Date(clock),
    summaryReadyAfterMs: 60_000,
  });
});
afterEach(async () => {
  await ls.idle();
  ls.reset();
  ls.setSummaryReadyAfterMs(60_000);
});
afterAll(() => ls.stop());

function launch(body: Record<string, unknown>) {
  return fetch(`${ls.url}/v2/spaces/launch/`, {
    method: "POST",
    headers: { authorization: `Organisation ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((r) => r.json() as Promise<{ client_url: string; room_id: string; session_id: string }>);
}

function say(clientUrl: string, text: string) {
  const u = new URL(clientUrl);
  return fetch(`${u.origin}${u.pathname}/say`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: u.searchParams.get("token")!, text }),
    redirect: "manual",
  });
}

function summary(sessionId: string, key = KEY, org = "1") {
  return fetch(`${ls.url}/v2/organisations/${org}/sessions/${sessionId}/summary/`, {
    headers: { authorization: `Organisation ${key}` },
  });
}

const flags = { record_av: true, transcribe: true, summarise: true };

/** A lesson held in the classroom: both join, each says something, it lasts `seconds`, then ends. */
async function holdLesson(id: string, options: { seconds: number; people?: number; launch?: object }) {
  const asTutor = await launch({ id, user: tutor, ...flags, ...options.launch });
  await fetch(asTutor.client_url);
  await say(asTutor.client_url, "Today we add fractions. First, a common denominator!");
  if ((options.people ?? 2) > 1) {
    const asStudent = await launch({ id, user: student, ...flags, ...options.launch });
    await fetch(asStudent.client_url);
    await say(asStudent.client_url, "So a half is two quarters? I think so");
    await say(asStudent.client_url, "Then three quarters.");
  }
  clock += options.seconds * 1000;
  await ls.endSession(asTutor.room_id);
  return asTutor.session_id;
}

describe("GET …/sessions/<uuid>/summary/", () => {
  it("answers pending until the summary is made, then the summary: each speaker's first sentences", async () => {
    const sessionId = await holdLesson("booking-sum-ready", { seconds: 301 });
    const pending = await summary(sessionId);
    expect(pending.status).toBe(200);
    expect(await pending.json()).toEqual({ session_id: sessionId, status: "pending", summary: null });
    clock += 59_999;
    expect((await (await summary(sessionId)).json()).status).toBe("pending");
    clock += 1;
    expect(await (await summary(sessionId)).json()).toEqual({
      session_id: sessionId,
      status: "completed",
      summary: "Tess Tutor: Today we add fractions.\nSam Student: So a half is two quarters? Then three quarters.",
    });
    expect(ls.summaryRequests).toEqual([sessionId, sessionId, sessionId]);
  });

  it("is pending while the session runs", async () => {
    const asTutor = await launch({ id: "booking-sum-live", user: tutor, ...flags });
    await fetch(asTutor.client_url);
    expect((await (await summary(asTutor.session_id)).json()).status).toBe("pending");
  });

  it("the delay is configurable; 0 answers at once", async () => {
    ls.setSummaryReadyAfterMs(0);
    const sessionId = await holdLesson("booking-sum-instant", { seconds: 400 });
    expect((await (await summary(sessionId)).json()).status).toBe("completed");
  });

  it.each([
    ["a session of 300 s or less", "too_short", { seconds: 300 }],
    ["a session of one person", "single_user", { seconds: 900, people: 1 }],
    ["a space launched without summarise", "not_requested", { seconds: 900, launch: { summarise: false } }],
  ] as const)("%s has none: unavailable with its reason", async (_name, reason, options) => {
    const sessionId = await holdLesson(`booking-sum-${reason}`, options);
    clock += 3600_000;
    expect(await (await summary(sessionId)).json()).toEqual({
      session_id: sessionId,
      status: "unavailable",
      reason,
      summary: null,
    });
  });

  it("summarise is what the space had when the session started", async () => {
    const asTutor = await launch({ id: "booking-sum-switch", user: tutor, ...flags });
    await fetch(asTutor.client_url);
    // A later launch switches it off for the space, not for the session already running.
    const asStudent = await launch({ id: "booking-sum-switch", user: student, ...flags, summarise: false });
    await fetch(asStudent.client_url);
    clock += 600_000;
    await ls.endSession(asTutor.room_id);
    clock += 60_000;
    expect((await (await summary(asTutor.session_id)).json()).status).toBe("completed");
  });

  it("a session Lessonspace does not know is 404 with a detail", async () => {
    const res = await summary("33333333-3333-4333-8333-333333333333");
    expect([res.status, await res.json()]).toEqual([404, { detail: "Not found." }]);
  });

  it("needs the key and the right organisation", async () => {
    const sessionId = await holdLesson("booking-sum-key", { seconds: 400 });
    expect((await summary(sessionId, "wrong")).status).toBe(401);
    expect((await summary(sessionId, KEY, "2")).status).toBe(404);
  });

  it("a past session recorded with people, what they said and summarise is summarised too (the demo)", async () => {
    const sessionId = "44444444-4444-4444-8444-444444444444";
    ls.recordPastSession({
      launchId: "booking-sum-past",
      name: "GCSE Maths",
      sessionId,
      startTime: new Date(clock - 3600_000),
      endTime: new Date(clock - 60_000),
      people: [
        { userId: tutor.id, name: tutor.name, leader: true },
        { userId: student.id, name: student.name },
      ],
      utterances: [
        { userId: tutor.id, name: tutor.name, startSeconds: 5, endSeconds: 9, text: "Hello! Simultaneous equations." },
        { userId: student.id, name: student.name, startSeconds: 10, endSeconds: 12, text: "Two unknowns?" },
      ],
      summarise: true,
    });
    expect((await (await summary(sessionId)).json()).summary).toBe("Tess Tutor: Hello!\nSam Student: Two unknowns?");
  });
});

describe("faults on the summary route", () => {
  it("429 with the Retry-After asked for, then recovers", async () => {
    const sessionId = await holdLesson("booking-sum-429", { seconds: 400 });
    ls.setFault({ kind: "429", scope: "summaries", retryAfterSeconds: 120, times: 1 });
    const throttled = await summary(sessionId);
    expect([throttled.status, throttled.headers.get("retry-after")]).toEqual([429, "120"]);
    expect((await summary(sessionId)).status).toBe(200);
  });

  it("500, then recovers", async () => {
    const sessionId = await holdLesson("booking-sum-500", { seconds: 400 });
    ls.setFault({ kind: "500", scope: "summaries", times: 1 });
    const failed = await summary(sessionId);
    expect([failed.status, await failed.json()]).toEqual([500, { detail: "Internal error" }]);
    expect((await summary(sessionId)).status).toBe(200);
  });

  it("the summaries scope leaves the other endpoints alone; the api scope breaks summaries too", async () => {
    const sessionId = await holdLesson("booking-sum-scope", { seconds: 400 });
    ls.setFault({ kind: "500", scope: "summaries" });
    const session = await fetch(`${ls.url}/v2/organisations/1/sessions/${sessionId}/`, {
      headers: { authorization: `Organisation ${KEY}` },
    });
    expect(session.status).toBe(200);
    expect((await summary(sessionId)).status).toBe(500);
    ls.setFault({ kind: "500", scope: "api", times: 1 });
    expect((await summary(sessionId)).status).toBe(500);
    expect((await summary(sessionId)).status).toBe(200);
  });
});

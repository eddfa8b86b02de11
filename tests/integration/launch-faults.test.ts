// Lessonspace misbehaving: every fault becomes a readable page with a fitting status, no row
// changes, and the API key appears in no page and no log line.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// A short deadline so that "no answer" is quick to test; env is read on first use. One family
// launches many times here; the launch limit is tested in launch-rate-limit.test.ts.
vi.hoisted(() => {
  process.env.LESSONSPACE_TIMEOUT_MS = "300";
  process.env.LAUNCH_RATE_LIMIT_PER_MINUTE = "1000";
});

import type { FaultKind } from "../stand-ins/lessonspace.ts";
import { logsFromNow, type LogLine } from "../support/logs.ts";
import { testStandIns } from "../support/stand-ins.ts";
import {
  classroomRoute,
  createFamily,
  createOpenLesson,
  errorPageText,
  launchesFor,
  launchRoute,
  openClassroom,
  postLaunchForm,
  postLaunchJson,
  storedState,
  type Family,
} from "./launch-support.ts";

const API_KEY = "test-lessonspace-key";
let family: Family;
let logged: () => LogLine[];

beforeAll(async () => {
  logged = logsFromNow();
  family = await createFamily();
});

afterEach(() => testStandIns.lessonspace.setFault(null));

const faults: { kind: FaultKind; status: number; text: RegExp[]; code: string }[] = [
  {
    kind: "500",
    status: 503,
    code: "provider-unavailable",
    text: [/The classroom is unavailable right now/, /could not reach our classroom provider/, /Try again in a minute/],
  },
  {
    kind: "429",
    status: 429,
    code: "provider-busy",
    text: [/The classroom is busy right now/, /Try again in 1 second\b/],
  },
  {
    kind: "401",
    status: 502,
    code: "provider-refused",
    text: [/We could not open the classroom/, /on our side, not yours/],
  },
  { kind: "bad-json", status: 502, code: "provider-refused", text: [/We could not open the classroom/] },
  {
    kind: "hang",
    status: 504,
    code: "provider-timeout",
    text: [/The classroom took too long to answer/, /Try again in a minute/],
  },
];

describe("Lessonspace faults on Join Lesson", () => {
  for (const fault of faults) {
    it(`Lessonspace ${fault.kind} → ${fault.status} page, the booking row unchanged`, async () => {
      const lesson = await createOpenLesson(family);
      const before = await storedState(lesson.id);
      testStandIns.lessonspace.setFault({ kind: fault.kind });
      const started = performance.now();
      const result = await postLaunchForm(lesson.id, family.cookies.parent);
      const elapsed = performance.now() - started;
      expect(result.status).toBe(fault.status);
      const text = errorPageText(launchRoute, result);
      for (const pattern of fault.text) expect(text).toMatch(pattern);
      expect(text).toMatch(/Try again/);
      expect(text).toMatch(/Back to your lessons/);
      expect(text).not.toContain(API_KEY);
      expect(JSON.stringify(result.data)).not.toContain(API_KEY);
      expect(launchesFor(lesson.id)).toHaveLength(1);
      expect(await storedState(lesson.id)).toEqual(before);
      if (fault.kind === "hang") expect(elapsed).toBeLessThan(3_000);
    });
  }

  it("Lessonspace's 429 passes its Retry-After on to the person", async () => {
    const lesson = await createOpenLesson(family);
    testStandIns.lessonspace.setFault({ kind: "429" });
    const result = await postLaunchForm(lesson.id, family.cookies.parent);
    expect(result.status).toBe(429);
    expect(result.headers.get("Retry-After")).toBe("1");
    expect(launchRoute.headers({ errorHeaders: result.headers } as never)).toEqual({ "Retry-After": "1" });
  });

  it("a refused key does not say which key or setting is wrong", async () => {
    const lesson = await createOpenLesson(family);
    testStandIns.lessonspace.setFault({ kind: "401" });
    const result = await postLaunchForm(lesson.id, family.cookies.parent);
    const text = errorPageText(launchRoute, result);
    expect(text).not.toMatch(/key|credential|LESSONSPACE|token|401/i);
  });

  it("the JSON variant answers the same status and a JSON error", async () => {
    const lesson = await createOpenLesson(family);
    const before = await storedState(lesson.id);
    testStandIns.lessonspace.setFault({ kind: "500" });
    const result = await postLaunchJson(lesson.id, family.cookies.parent);
    expect(result.status).toBe(503);
    expect(result.body.error?.code).toBe("provider-unavailable");
    expect(await storedState(lesson.id)).toEqual(before);
  });

  it("a booking that already has its room keeps it unchanged when a later launch fails", async () => {
    const lesson = await createOpenLesson(family);
    expect((await postLaunchJson(lesson.id, family.cookies.tutor)).status).toBe(200);
    const before = await storedState(lesson.id);
    expect(before.booking?.meetingProviderId).not.toBeNull();
    testStandIns.lessonspace.setFault({ kind: "bad-json" });
    expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(502);
    expect(await storedState(lesson.id)).toEqual(before);
  });

  it("after a fault clears, pressing Join again works", async () => {
    const lesson = await createOpenLesson(family);
    testStandIns.lessonspace.setFault({ kind: "500", times: 1 });
    expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(503);
    expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(303);
  });
});

describe("Lessonspace faults on the classroom page", () => {
  it("a reload while Lessonspace is down shows the 503 page with a way to try again", async () => {
    const lesson = await createOpenLesson(family);
    testStandIns.lessonspace.setFault({ kind: "500" });
    const result = await openClassroom(lesson.id, family.cookies.child);
    expect(result.status).toBe(503);
    const text = errorPageText(classroomRoute, result);
    expect(text).toMatch(/The classroom is unavailable right now/);
    expect(text).toMatch(/Try again/);
  });

  it("a hang on the classroom page is a 504", async () => {
    const lesson = await createOpenLesson(family);
    testStandIns.lessonspace.setFault({ kind: "hang" });
    const result = await openClassroom(lesson.id, family.cookies.child);
    expect(result.status).toBe(504);
  });
});

describe("keys stay secret", () => {
  it("no log line written during these tests holds the Lessonspace key", async () => {
    // Runs last in this file: every fault above has logged by now.
    expect(logged().some((line) => line.msg === "lessonspace.launch-failed")).toBe(true);
    expect(logged().filter((line) => JSON.stringify(line).includes(API_KEY))).toEqual([]);
  });

  it("the stand-in saw the key only in the Authorization header, which our request carried", async () => {
    const lesson = await createOpenLesson(family);
    await postLaunchJson(lesson.id, family.cookies.tutor);
    const [launch] = launchesFor(lesson.id);
    expect(launch!.authorized).toBe(true);
    expect(JSON.stringify(launch!.body)).not.toContain(API_KEY);
  });
});

// Lessonspace faults that launch-faults.test.ts leaves out: slow (answering only after
// our deadline) and down (nothing listening: connection refused). Either way Join Lesson answers
// its error page within the deadline and no row changes; once Lessonspace is back, Join works.
import { afterAll, describe, expect, it, vi } from "vitest";

// A short deadline keeps "slower than the deadline" quick; env is read on first use. One family
// launches many times here; the launch limit is tested in launch-rate-limit.test.ts.
const TIMEOUT_MS = vi.hoisted(() => {
  process.env.LESSONSPACE_TIMEOUT_MS = "400";
  process.env.LAUNCH_RATE_LIMIT_PER_MINUTE = "1000";
  return 400;
});

import { setTimeout as sleep } from "node:timers/promises";
import { startLessonspaceStandIn } from "../stand-ins/lessonspace.ts";
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
} from "./launch-support.ts";

// What a person may wait for an error page: the deadline, and a little for our own work.
const WITHIN_MS = TIMEOUT_MS + 1_500;

async function timed<T>(work: Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work;
  return { result, ms: performance.now() - started };
}

describe("Lessonspace answering only after our deadline", () => {
  it("Join Lesson shows the 'took too long' page within the deadline, and the late answer changes no row", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const before = await storedState(lesson.id);
    testStandIns.lessonspace.setLatency(TIMEOUT_MS + 600);
    try {
      const { result, ms } = await timed(postLaunchForm(lesson.id, family.cookies.parent));
      expect(ms).toBeLessThan(WITHIN_MS);
      expect(result.status).toBe(504);
      expect(errorPageText(launchRoute, result)).toMatch(
        /The classroom took too long to answer.*Try again in a minute/,
      );
      // Lessonspace does answer in the end (and makes the space); we stopped listening, so nothing is stored.
      expect(launchesFor(lesson.id)).toHaveLength(1);
      await expect
        .poll(() => testStandIns.lessonspace.spaces.has(`booking-${lesson.id}`), { timeout: 5_000 })
        .toBe(true);
      expect(await storedState(lesson.id)).toEqual(before);
    } finally {
      testStandIns.lessonspace.setLatency(0);
    }
    // Pressing Join again joins the space Lessonspace made for the late request: same id, same room.
    expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(303);
    const after = await storedState(lesson.id);
    expect(after.booking?.meetingProviderId).toBe(testStandIns.lessonspace.spaces.get(`booking-${lesson.id}`)?.roomId);
  });

  it("the JSON variant and the classroom page answer 504 within the deadline, the row unchanged", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const before = await storedState(lesson.id);
    testStandIns.lessonspace.setLatency(TIMEOUT_MS + 600);
    try {
      const json = await timed(postLaunchJson(lesson.id, family.cookies.child));
      expect(json.ms).toBeLessThan(WITHIN_MS);
      expect(json.result.status).toBe(504);
      expect(json.result.body.error?.code).toBe("provider-timeout");
      const page = await timed(openClassroom(lesson.id, family.cookies.tutor));
      expect(page.ms).toBeLessThan(WITHIN_MS);
      expect(page.result.status).toBe(504);
      expect(errorPageText(classroomRoute, page.result)).toMatch(/The classroom took too long to answer/);
      // Let the late answers arrive before looking at the rows.
      await sleep(800);
      expect(await storedState(lesson.id)).toEqual(before);
    } finally {
      testStandIns.lessonspace.setLatency(0);
    }
  });
});

// Last in this file: it stops this file's Lessonspace stand-in (and starts another on its port).
describe("Lessonspace down (connection refused)", () => {
  afterAll(() => testStandIns.lessonspace.stop());

  it("Join Lesson, its JSON variant and the classroom page answer 503 within the deadline, no row changes, and Join works once it is back", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const before = await storedState(lesson.id);
    const port = Number(new URL(testStandIns.lessonspace.url).port);
    await testStandIns.lessonspace.stop();

    const form = await timed(postLaunchForm(lesson.id, family.cookies.parent));
    expect(form.ms).toBeLessThan(WITHIN_MS);
    expect(form.result.status).toBe(503);
    const text = errorPageText(launchRoute, form.result);
    expect(text).toMatch(/The classroom is unavailable right now/);
    expect(text).toMatch(/Try again/);
    expect(text).toMatch(/Back to your lessons/);
    const json = await postLaunchJson(lesson.id, family.cookies.tutor);
    expect(json.status).toBe(503);
    expect(json.body.error?.code).toBe("provider-unavailable");
    const page = await openClassroom(lesson.id, family.cookies.child);
    expect(page.status).toBe(503);
    expect(errorPageText(classroomRoute, page)).toMatch(/The classroom is unavailable right now/);
    expect(await storedState(lesson.id)).toEqual(before);

    // Lessonspace is back on the same address: the same button works.
    testStandIns.lessonspace = await startLessonspaceStandIn({
      apiKey: "test-lessonspace-key",
      organisationId: "1",
      rateLimitPerSecond: 0,
      port,
    });
    const again = await postLaunchForm(lesson.id, family.cookies.parent);
    expect(again.status).toBe(303);
    expect((await storedState(lesson.id)).booking?.meetingProviderId).not.toBeNull();
  });
});

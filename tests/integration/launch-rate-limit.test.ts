// The per-person launch limit and the per IP+email sign-in limit, with counters in PostgreSQL.
import pg from "pg";
import { describe, expect, it, vi } from "vitest";

// Small limits so the tests stay short; env is read on first use.
vi.hoisted(() => {
  process.env.LAUNCH_RATE_LIMIT_PER_MINUTE = "3";
  process.env.SIGN_IN_RATE_LIMIT_PER_MINUTE = "3";
});

import * as signInRoute from "~/routes/sign-in";
import { callAction, createProfile, TEST_PASSWORD } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import {
  createFamily,
  createOpenLesson,
  errorPageText,
  launchesFor,
  launchRoute,
  minutesFromNow,
  openClassroom,
  postLaunchForm,
  postLaunchJson,
  storedState,
} from "./launch-support.ts";

async function rateLimitRow(key: string): Promise<{ points: number } | undefined> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ points: number }>("SELECT points FROM rate_limits WHERE key = $1", [key]);
    return rows[0];
  } finally {
    await client.end();
  }
}

describe("launch rate limit (per person, per minute)", () => {
  it("over the limit: a friendly 429 page with Retry-After, Lessonspace not called, nothing written", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    for (let i = 0; i < 3; i++) expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(303);
    const before = await storedState(lesson.id);

    const result = await postLaunchForm(lesson.id, family.cookies.parent);
    expect(result.status).toBe(429);
    const retryAfter = Number(result.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(launchRoute.headers({ errorHeaders: result.headers } as never)).toEqual({
      "Retry-After": String(retryAfter),
    });
    const text = errorPageText(launchRoute, result);
    expect(text).toMatch(/Please wait a moment/);
    expect(text).toMatch(/opened the classroom many times in the last minute/);
    expect(text).toMatch(new RegExp(`Try again in ${retryAfter} seconds?`));
    expect(launchesFor(lesson.id)).toHaveLength(3);
    expect(await storedState(lesson.id)).toEqual(before);
  });

  it("the limit is per person: the tutor still joins while the parent waits", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    for (let i = 0; i < 4; i++) await postLaunchForm(lesson.id, family.cookies.parent);
    expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(429);
    expect((await postLaunchForm(lesson.id, family.cookies.tutor)).status).toBe(303);
  });

  it("the classroom page and the JSON variant count too, and answer 429 the same way", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    for (let i = 0; i < 3; i++) expect((await openClassroom(lesson.id, family.cookies.child)).status).toBe(200);
    const page = await openClassroom(lesson.id, family.cookies.child);
    expect(page.status).toBe(429);
    expect(page.headers.get("Retry-After")).toMatch(/^\d+$/);
    const json = await postLaunchJson(lesson.id, family.cookies.child);
    expect(json.status).toBe(429);
    expect(json.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(json.body.error?.code).toBe("too-many-launches");
  });

  it("refusals do not use up the allowance: a lesson not open yet can be tried again and again", async () => {
    const family = await createFamily();
    const later = await createOpenLesson(family, { sessionStartTime: minutesFromNow(120) });
    for (let i = 0; i < 5; i++) expect((await postLaunchForm(later.id, family.cookies.parent)).status).toBe(409);
    const open = await createOpenLesson(family);
    expect((await postLaunchForm(open.id, family.cookies.parent)).status).toBe(303);
  });

  it("the counter lives in PostgreSQL, shared by every app server", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await postLaunchForm(lesson.id, family.cookies.tutor);
    await postLaunchForm(lesson.id, family.cookies.tutor);
    expect(await rateLimitRow(`launch:${family.tutor.id}`)).toEqual({ points: 2 });
  });
});

describe("sign-in rate limit (failed attempts per IP and email)", () => {
  const fromIp = (ip: string) => ({ "X-Forwarded-For": ip });

  function attempt(email: string, password: string, ip = "203.0.113.7") {
    return callAction(signInRoute, "/sign-in", { form: { email, password, redirectTo: "/" }, headers: fromIp(ip) });
  }

  it("after too many wrong passwords even the right one gets a 429 with Retry-After, and Auth is not asked", async () => {
    const person = await createProfile();
    for (let i = 0; i < 3; i++) expect((await attempt(person.email, "wrong")).status).toBe(401);
    testStandIns.supabase.resetRequests();
    const result = await attempt(person.email, TEST_PASSWORD);
    expect(result.status).toBe(429);
    expect(Number(result.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(signInRoute.headers({ actionHeaders: result.headers } as never)).toEqual({
      "Retry-After": result.headers.get("Retry-After"),
    });
    expect(JSON.stringify(result.data)).toMatch(/Too many sign-in attempts for this email/);
    expect(result.headers.getSetCookie()).toEqual([]);
    expect(testStandIns.supabase.requests.filter((r) => r.path.startsWith("/auth/v1/token"))).toEqual([]);
  });

  it("the same email from another IP address can still sign in", async () => {
    const person = await createProfile();
    for (let i = 0; i < 3; i++) await attempt(person.email, "wrong", "203.0.113.8");
    expect((await attempt(person.email, TEST_PASSWORD, "203.0.113.8")).status).toBe(429);
    expect((await attempt(person.email, TEST_PASSWORD, "198.51.100.4")).status).toBe(302);
  });

  it("successful sign-ins never count: a family signing in and out all day is never limited", async () => {
    const person = await createProfile();
    for (let i = 0; i < 6; i++) expect((await attempt(person.email, TEST_PASSWORD)).status).toBe(302);
  });

  it("a successful sign-in forgets earlier typos", async () => {
    const person = await createProfile();
    await attempt(person.email, "wrong", "192.0.2.10");
    await attempt(person.email, "wrong", "192.0.2.10");
    expect((await attempt(person.email, TEST_PASSWORD, "192.0.2.10")).status).toBe(302);
    await attempt(person.email, "wrong", "192.0.2.10");
    await attempt(person.email, "wrong", "192.0.2.10");
    expect((await attempt(person.email, TEST_PASSWORD, "192.0.2.10")).status).toBe(302);
  });

  it("the email is matched without regard to case", async () => {
    const person = await createProfile();
    for (let i = 0; i < 3; i++) await attempt(person.email.toUpperCase(), "wrong", "192.0.2.11");
    expect((await attempt(person.email, TEST_PASSWORD, "192.0.2.11")).status).toBe(429);
  });
});

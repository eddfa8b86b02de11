// Faults against the real production server, on a stack of this file's own:
//  - PostgreSQL stopped under load: pages answer the 503 page, webhooks 5xx, the health check 503;
//    after a restart on the same port and data everything works again, and no delivery is lost
//    (one refused during the outage and retried afterwards applies exactly once).
//  - Supabase Auth down for a server process that has not cached the Auth keys yet: pages fail
//    closed to sign-in with a message, and show nobody's lessons.
// The browser part runs with JavaScript on (client-side navigation) and off (full page loads).
import { randomUUID } from "node:crypto";
import { expect, test, type BrowserContext } from "@playwright/test";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { signIn, startProductionStack, type ProductionStack } from "./quality-server.ts";

test.describe.configure({ mode: "serial" });

let stack: ProductionStack;
let people: Record<"tutor" | "parent" | "child", { id: string; email: string; fullName: string }>;
let cookies: Record<"tutor" | "parent" | "child", string>;
let booking: { id: string; serviceName: string };
let space: { roomId: string; secret: string };

test.beforeAll(async () => {
  test.setTimeout(120_000);
  // Lessonspace's retries, compressed: about 16 s in all, well beyond the outage below.
  stack = await startProductionStack({ lessonspaceRetryDelaysMs: [250, 500, 1000, 2000, 4000, 8000] });
  const { app, db } = stack;
  people = {
    tutor: await stack.createPerson("Tara Fault", ["tutor"]),
    parent: await stack.createPerson("Paula Fault", ["client"]),
    child: await stack.createPerson("Charlie Fault", ["student"]),
  };
  await db.profileGraph.create({
    data: {
      sourceProfileId: people.parent.id,
      targetProfileId: people.child.id,
      relationshipType: "GUARDIAN",
      status: "ACTIVE",
    },
  });
  booking = await db.booking.create({
    data: {
      clientId: people.parent.id,
      tutorId: people.tutor.id,
      studentId: people.child.id,
      serviceName: "Outage Maths",
      sessionStartTime: new Date(Date.now() - 5 * 60_000),
      sessionDuration: 60,
      status: "Confirmed",
    },
  });
  cookies = {
    tutor: await signIn(app.url, people.tutor.email),
    parent: await signIn(app.url, people.parent.email),
    child: await signIn(app.url, people.child.email),
  };
  // The tutor and the child join the classroom: Lessonspace sends session.start and two user.join.
  for (const who of ["tutor", "child"] as const) {
    const launch = await fetch(`${app.url}/api/bookings/${booking.id}/launch`, {
      method: "POST",
      headers: { Accept: "application/json", Origin: app.url, Cookie: cookies[who] },
    });
    expect(launch.status).toBe(200);
    const { url } = (await launch.json()) as { url: string };
    expect((await fetch(url)).status).toBe(200);
  }
  await stack.lessonspace.idle();
  expect(stack.lessonspace.deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
  space = await db.lessonspaceSpace.findUniqueOrThrow({
    where: { bookingId: booking.id },
    select: { roomId: true, secret: true },
  });
});

test.afterAll(async () => {
  await stack?.stop();
});

type Sample = {
  kind: "page" | "webhook";
  path: string;
  status: number;
  started: number;
  finished: number;
  body: string;
};
type Delivery = { id: string; event: string; body: string };

function delivery(event: string, payload: Record<string, unknown>): Delivery {
  return { id: randomUUID(), event, body: JSON.stringify({ event, room: { id: space.roomId }, ...payload }) };
}

function deliver(item: Delivery): Promise<Response> {
  return fetch(`${stack.app.url}/api/webhooks/lessonspace`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "x-webhook-id": item.id,
      "x-webhook-event": item.event,
      "x-webhook-timestamp": new Date().toISOString(),
      "x-webhook-signature": signWebhook(item.body, space.secret),
    },
    body: item.body,
  });
}

/** Status and body; a connection that failed without an answer is status 0. */
async function answer(request: Promise<Response>): Promise<{ status: number; body: string }> {
  try {
    const response = await request;
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

/** A few people reloading their pages and Lessonspace posting events, until stopped. */
function startLoad() {
  const samples: Sample[] = [];
  const sent: Delivery[] = [];
  let running = true;
  const pageLoop = async (path: string, cookie: string) => {
    while (running) {
      const started = performance.now();
      const { status, body } = await answer(
        fetch(`${stack.app.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" }),
      );
      samples.push({ kind: "page", path, status, started, finished: performance.now(), body });
    }
  };
  const webhookLoop = async () => {
    while (running) {
      const item = delivery("chat.message", { message: { text: "Hello" } });
      sent.push(item);
      const started = performance.now();
      const { status, body } = await answer(deliver(item));
      samples.push({ kind: "webhook", path: item.id, status, started, finished: performance.now(), body });
    }
  };
  const loops = [
    pageLoop("/", cookies.parent),
    pageLoop(`/bookings/${booking.id}`, cookies.tutor),
    pageLoop("/", cookies.child),
    webhookLoop(),
    webhookLoop(),
  ];
  runningLoad = {
    samples,
    sent,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
  return runningLoad;
}

let runningLoad: { samples: Sample[]; sent: Delivery[]; stop(): Promise<void> } | undefined;

// However a test ends, its load stops before the stack does.
test.afterEach(async () => {
  await runningLoad?.stop();
});

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  await expect.poll(check, { message: what, timeout: timeoutMs, intervals: [50] }).toBe(true);
}

function cookieList(cookie: string, url: string) {
  return cookie.split("; ").map((pair) => {
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
  });
}

async function personContext(context: BrowserContext, who: keyof typeof cookies) {
  await context.addCookies(cookieList(cookies[who], stack.app.url));
}

test("PostgreSQL stopped under load: 503 pages, 5xx webhooks, 503 health; after restart all works and no delivery is lost", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const { app, db, lessonspace } = stack;
  await personContext(page.context(), "parent");
  await page.goto(`${app.url}/`);
  await expect(page.getByRole("heading", { name: "Your lessons" })).toBeVisible();

  const load = startLoad();
  await until(() => load.samples.length >= 30, "some load before the outage");

  const stopping = performance.now();
  await stack.stopPostgres();
  const down = performance.now();
  // Lessonspace ends the lesson during the outage: its user.leave and session.end are refused and retried.
  const lessonEnded = lessonspace.endSession(space.roomId);
  const refusedDuringOutage = delivery("session.start", {
    session: { id: randomUUID(), start_time: new Date().toISOString() },
  });

  const health = await fetch(`${app.url}/healthz`);
  expect(health.status).toBe(503);
  expect(await health.json()).toEqual({ status: "database-unreachable" });
  const dashboard = await fetch(`${app.url}/`, { headers: { Cookie: cookies.parent } });
  expect(dashboard.status).toBe(503);
  expect(dashboard.headers.get("Content-Type")).toMatch(/^text\/html/);
  expect(dashboard.headers.get("Retry-After")).toBe("30");
  expect(await dashboard.text()).toContain("Tutorwise is briefly unavailable");
  const refused = await deliver(refusedDuringOutage);
  expect(refused.status).toBe(503);
  expect(refused.headers.get("Retry-After")).toBe("30");

  // In the browser: a link followed during the outage (a client-side navigation with JavaScript,
  // a full page load without) shows the same page, and so does a fresh visit.
  await page.getByRole("link", { name: "Lesson details" }).click();
  await expect(page.getByRole("heading", { name: "Tutorwise is briefly unavailable" })).toBeVisible();
  const visit = await page.goto(`${app.url}/bookings/${booking.id}`);
  expect(visit?.status()).toBe(503);
  await expect(page.getByRole("heading", { name: "Tutorwise is briefly unavailable" })).toBeVisible();

  await until(
    () => lessonspace.deliveries.some((attempt) => attempt.event === "user.leave" && attempt.status === 503),
    "Lessonspace meeting the outage",
  );
  await until(() => load.samples.filter((sample) => sample.started > down).length >= 30, "load during the outage");

  const restarting = performance.now();
  await stack.startPostgres();
  await until(async () => (await fetch(`${app.url}/healthz`)).status === 200, "the health check recovering");
  const up = performance.now();
  await until(() => load.samples.filter((sample) => sample.started > up).length >= 30, "load after the restart");
  await load.stop();

  // Under load, every answer was a success or a 503, never a 500 or a hang: whatever finished
  // before PostgreSQL began to stop succeeded, whatever ran wholly within the outage was a 503
  // (pages with the readable page), and whatever started after the health check recovered succeeded.
  const samples = load.samples;
  expect(samples.filter((sample) => sample.status !== 200 && sample.status !== 503)).toEqual([]);
  const before = samples.filter((sample) => sample.finished < stopping);
  const during = samples.filter((sample) => sample.started > down && sample.finished < restarting);
  const after = samples.filter((sample) => sample.started > up);
  expect(before.length).toBeGreaterThanOrEqual(30);
  expect(before.filter((sample) => sample.status !== 200)).toEqual([]);
  expect(during.length).toBeGreaterThanOrEqual(30);
  expect(during.filter((sample) => sample.status !== 503)).toEqual([]);
  // Three people reload their pages throughout: each page answered in the outage shows the readable page.
  const pagesDuring = during.filter((sample) => sample.kind === "page");
  expect(pagesDuring.length).toBeGreaterThanOrEqual(3);
  expect(new Set(pagesDuring.map((sample) => sample.path))).toEqual(new Set(["/", `/bookings/${booking.id}`]));
  for (const sample of pagesDuring) expect(sample.body).toContain("Tutorwise is briefly unavailable");
  expect(after.length).toBeGreaterThanOrEqual(30);
  expect(after.filter((sample) => sample.status !== 200)).toEqual([]);
  expect(stack.app.alive()).toBe(true);

  // Retried after the outage, as Lessonspace would: each refused delivery applies once, a second copy changes nothing.
  const retried = await deliver(refusedDuringOutage);
  expect(retried.status).toBe(200);
  expect(await retried.json()).toMatchObject({ outcome: "applied" });
  const again = await deliver(refusedDuringOutage);
  expect(await again.json()).toMatchObject({ outcome: "duplicate" });
  const refusedLoad = load.sent.filter((item) =>
    load.samples.some((sample) => sample.path === item.id && sample.status !== 200),
  );
  expect(refusedLoad.length).toBeGreaterThan(0);
  for (const item of refusedLoad) expect((await deliver(item)).status).toBe(200);

  // Lessonspace's own retries got the end of the lesson through.
  await lessonEnded;
  const attempts = lessonspace.deliveries;
  const stillRefused = [...new Set(attempts.map((attempt) => attempt.id))].filter(
    (id) => attempts.filter((a) => a.id === id).at(-1)!.status !== 200,
  );
  expect(stillRefused).toEqual([]);
  expect(attempts.filter((attempt) => attempt.status !== 200).length).toBeGreaterThan(0);

  // Nothing lost, nothing twice: one webhook_events row per delivery, whoever sent it.
  const allIds = [
    ...load.sent.map((item) => item.id),
    refusedDuringOutage.id,
    ...attempts.map((attempt) => attempt.id),
  ];
  const rows = await db.webhookEvent.findMany({ where: { deliveryId: { in: allIds } }, select: { deliveryId: true } });
  expect(rows.map((row) => row.deliveryId).sort()).toEqual([...new Set(allIds)].sort());
  const sessions = await db.lessonspaceSession.findMany({
    where: { bookingId: booking.id },
    include: { attendance: true },
  });
  expect(sessions).toHaveLength(2);
  const lesson = sessions.find((session) => session.endedAt !== null)!;
  expect(lesson.attendance.map((row) => row.profileId).sort()).toEqual([people.tutor.id, people.child.id].sort());
  expect(lesson.attendance.every((row) => row.leftAt !== null)).toBe(true);
  const stored = await db.booking.findUniqueOrThrow({ where: { id: booking.id } });
  expect(stored.durationActual).toBe(lesson.durationSeconds);

  // And the browser is back in business.
  await page.goto(`${app.url}/bookings/${booking.id}`);
  await expect(page.getByRole("heading", { level: 1, name: booking.serviceName })).toBeVisible();
  await expect(page.getByRole("region", { name: "Attendance" })).toContainText(people.child.fullName);
});

test("Supabase Auth down for a fresh server process (no keys cached): pages go to sign-in with a message and show nobody's lessons", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const { supabase } = stack;
  supabase.resetRequests();
  supabase.setAuthDown(true);
  // A new instance behind the load balancer: it has never fetched the Auth server's keys.
  const fresh = await stack.startApp();
  try {
    for (const who of ["parent", "tutor"] as const) {
      const started = Date.now();
      const visit = await fetch(`${fresh.url}/`, { headers: { Cookie: cookies[who] }, redirect: "manual" });
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(visit.status).toBe(302);
      expect(visit.headers.get("Location")).toBe("/sign-in?redirectTo=%2F&notice=auth-unavailable");
      // Nothing was refused, so the session cookies are kept for when Auth is back.
      expect(visit.headers.getSetCookie().filter((line) => /max-age=0/i.test(line))).toEqual([]);
      const lesson = await fetch(`${fresh.url}/bookings/${booking.id}`, {
        headers: { Cookie: cookies[who] },
        redirect: "manual",
      });
      expect(lesson.status).toBe(302);
      expect(await lesson.text()).not.toContain(booking.serviceName);
    }
    expect(
      supabase.requests.some((request) => request.path.endsWith("/.well-known/jwks.json") && request.status === 503),
    ).toBe(true);

    // In the browser: the parent lands on the sign-in page, which says why, and shows no one's lessons.
    await page.context().addCookies(cookieList(cookies.parent, fresh.url));
    await page.goto(`${fresh.url}/`);
    await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2F&notice=auth-unavailable$/);
    await expect(page.getByRole("status")).toHaveText(
      "We could not confirm your session because the sign-in service is unreachable. Please sign in again.",
    );
    const text = await page.locator("body").innerText();
    for (const secret of [booking.serviceName, people.parent.fullName, people.tutor.fullName, people.child.fullName])
      expect(text).not.toContain(secret);

    // Signing in again while Auth is down says so, and signs no one in.
    await page.getByLabel("Email").fill(people.parent.email);
    await page.getByLabel("Password").fill("quality-password-2026");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText(
      "We could not reach the sign-in service. Please try again in a minute.",
    );
    await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  } finally {
    supabase.setAuthDown(false);
  }
  // Auth is back: the same cookie opens the same person's lessons on the same fresh process.
  const back = await fetch(`${fresh.url}/`, { headers: { Cookie: cookies.parent } });
  expect(back.status).toBe(200);
  expect(await back.text()).toContain(booking.serviceName);
});

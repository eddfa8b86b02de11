// Observability (docs/decisions/0057-one-logger-with-a-request-id.md), on the production server's real stdout: one JSON "request" line per request
// (its id, method, route, status, time), the same id the response carried in X-Request-Id and on
// every other line logged while handling it, and
// nothing secret or personal anywhere in what the server wrote: no query strings, cookies,
// tokens, passwords, emails, Lessonspace client_url links, space secrets or webhook signatures.
// The health check, for the load balancer, answers 200 with the database up and 503 with it down.
import { expect, test, type Response } from "@playwright/test";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { LESSONSPACE_KEY, PASSWORD, startProductionStack, type ProductionStack } from "./quality-server.ts";

test.describe.configure({ mode: "serial" });

let stack: ProductionStack;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startProductionStack();
});

test.afterAll(async () => {
  await stack?.stop();
});

const LOG_KEYS = ["level", "time", "requestId", "method", "route", "status", "ms", "msg"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Seen = { id: string; method: string; path: string; status: number };

/** Answers from our server (it tags each with X-Request-Id), wherever the browser sent them from. */
function collectAnswers(responses: Seen[], appUrl: string) {
  return async (response: Response) => {
    const url = new URL(response.url());
    if (url.origin !== appUrl) return;
    const id = await response.headerValue("x-request-id");
    // The stylesheet and icon come from the browser's cache after the first page: same answer, same id.
    if (!id || responses.some((seen) => seen.id === id)) return;
    responses.push({ id, method: response.request().method(), path: url.pathname, status: response.status() });
  };
}

test("a parent's visit and a lesson's webhooks: one JSON log line per request, no query strings, no secrets", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const { app, db, lessonspace } = stack;
  const tutor = await stack.createPerson("Tara Logs", ["tutor"]);
  const parent = await stack.createPerson("Paula Logs", ["client"]);
  const child = await stack.createPerson("Charlie Logs", ["student"]);
  await db.profileGraph.create({
    data: { sourceProfileId: parent.id, targetProfileId: child.id, relationshipType: "GUARDIAN", status: "ACTIVE" },
  });
  const booking = await db.booking.create({
    data: {
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      serviceName: "Logging Maths",
      sessionStartTime: new Date(Date.now() - 5 * 60_000),
      sessionDuration: 60,
      status: "Confirmed",
    },
  });
  const firstLine = app.output.length;
  const firstDelivery = lessonspace.deliveries.length;
  const answers: Seen[] = [];
  page.context().on("response", collectAnswers(answers, app.url));

  // Query strings can carry tokens (password-reset links, OAuth codes): none may reach the log.
  const queryTokens = ["reset-token-5f1d9c", "oauth-code-77ab"];
  await page.goto(`${app.url}/sign-in?redirectTo=%2F&token=${queryTokens[0]}`);
  await page.getByLabel("Email").fill(parent.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your lessons" })).toBeVisible();
  await page.goto(`${app.url}/?code=${queryTokens[1]}`);
  await page.getByRole("link", { name: "Lesson details" }).click();
  await expect(page.getByRole("heading", { level: 1, name: booking.serviceName })).toBeVisible();

  // Join Lesson: the classroom tab frames the child's personal client_url.
  const [classroom] = await Promise.all([
    page.context().waitForEvent("page"),
    page.getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  await expect(classroom.getByText(`You are ${child.fullName}`)).toBeVisible();
  const clientUrl = (await classroom.locator("iframe.classroom-frame").getAttribute("src"))!;
  expect(clientUrl).toContain("token=");
  await expect(classroom.frameLocator("iframe.classroom-frame").locator("#me")).toContainText(child.fullName);
  await classroom.close();

  // Lessonspace's webhooks for that join, and the end of the lesson.
  const space = await db.lessonspaceSpace.findUniqueOrThrow({ where: { bookingId: booking.id } });
  await lessonspace.endSession(space.roomId);
  const deliveries = lessonspace.deliveries.slice(firstDelivery);
  expect(deliveries.map((delivery) => delivery.event).sort()).toEqual([
    "session.end",
    "session.start",
    "user.join",
    "user.leave",
  ]);
  expect(deliveries.every((delivery) => delivery.status === 200)).toBe(true);

  // Every answer the browser saw has its line; every webhook delivery too; nothing else was logged.
  await expect
    .poll(() => stack.app.requestLog().length - logLinesBefore(firstLine))
    .toBe(answers.length + deliveries.length);
  const log = stack.app.requestLog().slice(logLinesBefore(firstLine));
  for (const entry of log) {
    expect(Object.keys(entry)).toEqual(LOG_KEYS);
    expect(entry.level).toBe("info");
    expect(entry.requestId).toMatch(UUID);
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
    expect(typeof entry.ms).toBe("number");
    expect(entry.ms as number).toBeGreaterThanOrEqual(0);
    expect(entry.route).toMatch(/^\/[^?#]*$/);
  }
  expect(new Set(log.map((entry) => entry.requestId)).size).toBe(log.length);
  for (const answer of answers) {
    const lines = log.filter((entry) => entry.requestId === answer.id);
    expect(lines, `${answer.method} ${answer.path}`).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: answer.method, route: answer.path, status: answer.status });
  }
  const webhookLines = log.filter((entry) => entry.route === "/api/webhooks/lessonspace");
  expect(webhookLines.map((entry) => [entry.method, entry.status])).toEqual(deliveries.map(() => ["POST", 200]));
  // A line written deep inside a request (the session end's extension point, in the webhook's
  // transaction) carries that request's id; every line with an id belongs to a request of the log.
  const sessionEnded = app.log().filter((entry) => entry.msg === "proof-of-value: session ended");
  expect(sessionEnded).toHaveLength(1);
  expect(webhookLines.map((entry) => entry.requestId)).toContain(sessionEnded[0]!.requestId);
  const requestIds = new Set(app.requestLog().map((entry) => entry.requestId));
  for (const entry of app.log().filter((line) => "requestId" in line))
    expect(requestIds.has(entry.requestId), String(entry.msg)).toBe(true);
  // The visit itself is there, by route and status.
  // (With JavaScript, React Router sends the sign-in form to /sign-in.data.)
  expect(log).toContainEqual(
    expect.objectContaining({ method: "POST", route: expect.stringMatching(/^\/sign-in(\.data)?$/) }),
  );
  expect(log).toContainEqual(
    expect.objectContaining({ method: "POST", route: `/api/bookings/${booking.id}/launch`, status: 303 }),
  );
  expect(log).toContainEqual(
    expect.objectContaining({ method: "GET", route: `/bookings/${booking.id}/classroom`, status: 200 }),
  );

  // Nothing secret or personal in anything the server wrote, log or not.
  const cookies = (await page.context().cookies(app.url))
    .map((cookie) => cookie.value)
    .filter((value) => value.length >= 16);
  expect(cookies.length).toBeGreaterThan(0);
  const clientToken = new URL(clientUrl).searchParams.get("token")!;
  const secrets = [
    ...queryTokens,
    ...cookies,
    clientUrl,
    clientToken,
    PASSWORD,
    parent.email,
    child.email,
    space.secret,
    LESSONSPACE_KEY,
    stack.env.SUPABASE_SERVICE_ROLE_KEY!,
    ...deliveries.map((delivery) => signWebhook(delivery.body, space.secret)),
  ];
  const written = app.output.join("\n");
  for (const secret of secrets)
    expect(written.includes(secret), `the server wrote ${secret.slice(0, 24)}…`).toBe(false);
  expect(written).not.toMatch(/\?[\w%-]+=/);
});

test("the health check answers 200 with the database up and 503 with it down, and the log says so", async () => {
  const { app } = stack;
  const health = async () => {
    const response = await fetch(`${app.url}/healthz`);
    return {
      id: response.headers.get("x-request-id"),
      status: response.status,
      body: await response.json(),
      cache: response.headers.get("cache-control"),
    };
  };
  const up = await health();
  expect(up).toMatchObject({ status: 200, body: { status: "ok" }, cache: "no-store" });
  await stack.stopPostgres();
  let down: Awaited<ReturnType<typeof health>>;
  try {
    down = await health();
  } finally {
    await stack.startPostgres();
  }
  expect(down).toMatchObject({ status: 503, body: { status: "database-unreachable" }, cache: "no-store" });
  await expect.poll(async () => (await health()).status).toBe(200);
  await expect
    .poll(() => app.requestLog().find((entry) => entry.requestId === down!.id))
    .toMatchObject({ route: "/healthz", status: 503 });
  expect(app.requestLog().find((entry) => entry.requestId === up.id)).toMatchObject({
    route: "/healthz",
    status: 200,
  });
});

/** How many request-log lines the server had written before output line `index`. */
function logLinesBefore(index: number): number {
  return stack.app.output
    .slice(0, index)
    .filter((line) => line.startsWith("{") && (JSON.parse(line) as { msg?: string }).msg === "request").length;
}

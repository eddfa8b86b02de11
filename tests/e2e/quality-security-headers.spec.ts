// Security headers and cross-site form posts, against the production server: every
// HTML page carries the CSP (framing only the Lessonspace origins, scripts only with this
// response's nonce), nosniff, a referrer policy and frame protection; signed-in pages are never
// cached or indexed; every form route refuses a post from another site or origin, in each way a
// browser can send one, while the webhook route still takes a signed delivery from Lessonspace.
import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type APIResponse, type Page } from "@playwright/test";
import { makePng } from "../integration/artifacts-images.ts";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { createDemoBooking, db, DEMO_PASSWORD, demoProfiles, signInAs } from "./fixtures.ts";
import { cancelLesson, pagesFor } from "./quality-pages.ts";
import { startAppProcess } from "./quality-server.ts";

const HOUR = 60 * 60_000;
const FOREIGN = "https://evil.example";

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

/** Checks one HTML response's headers and body; returns its CSP nonce. */
function expectProtectedHtml(where: string, headers: Record<string, string>, html: string): string {
  expect(headers["content-type"], where).toMatch(/^text\/html/);
  const csp = directives(headers["content-security-policy"] ?? "");
  expect(csp.get("default-src"), where).toEqual(["'self'"]);
  // Framing: only the Lessonspace classroom origins, and nobody may frame us.
  expect(csp.get("frame-src"), where).toEqual(process.env.LESSONSPACE_FRAME_ORIGINS!.split(/\s+/));
  expect(csp.get("frame-ancestors"), where).toEqual(["'none'"]);
  // Scripts: our own files and inline scripts carrying this response's nonce, nothing else.
  const scriptSrc = csp.get("script-src") ?? [];
  const nonces = scriptSrc.filter((token) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(token));
  expect(nonces, where).toHaveLength(1);
  expect(
    scriptSrc.filter((token) => !nonces.includes(token)),
    where,
  ).toEqual(["'self'"]);
  // Styles: our own, and the page's one inline stylesheet, carrying the same nonce.
  expect(csp.get("style-src"), where).toEqual(["'self'", nonces[0]]);
  expect(csp.get("object-src"), where).toEqual(["'none'"]);
  expect(csp.get("base-uri"), where).toEqual(["'none'"]);
  expect(csp.get("form-action"), where).toEqual(["'self'"]);
  expect(headers["x-content-type-options"], where).toBe("nosniff");
  expect(headers["referrer-policy"], where).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"], where).toBe("DENY");
  // Pages show one person's lessons: no shared cache keeps them, no search engine lists them.
  expect(headers["cache-control"], where).toBe("private, no-store");
  expect(headers["x-robots-tag"], where).toBe("noindex");
  // Every inline script the page relies on carries the nonce, so none needs 'unsafe-inline'.
  const nonce = nonces[0]!.slice("'nonce-".length, -1);
  // Every page is server-rendered with its route manifest and hydration scripts: none means the
  // check below would pass without looking at anything.
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, `${where}: inline scripts to check`).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, where).toContain(`nonce="${nonce}"`);
  const styles = html.match(/<style\b[^>]*>/g) ?? [];
  expect(styles, `${where}: the inline stylesheet`).toHaveLength(1);
  for (const tag of styles) expect(tag, where).toContain(`nonce="${nonce}"`);
  return nonce;
}

/** Content Security Policy reports and script errors in the page (JavaScript on). */
function cspComplaints(page: Page): string[] {
  const complaints: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) complaints.push(message.text());
  });
  page.on("pageerror", (error) => complaints.push(error.message));
  return complaints;
}

test("signed-out pages (sign-in, 404) carry the CSP, nosniff, referrer policy, frame protection and no-store", async ({
  page,
}) => {
  for (const path of ["/sign-in", `/no-such-page-${randomUUID()}`]) {
    const response = (await page.goto(path))!;
    expectProtectedHtml(path, await response.allHeaders(), await response.text());
  }
});

test("every page a signed-in person opens carries them too, with a fresh nonce each time, and the CSP blocks nothing of ours", async ({
  page,
}) => {
  // Some twenty pages (the /lessons pages included) on a shared 2-core machine: more than 30 s at times.
  test.setTimeout(90_000);
  const complaints = cspComplaints(page);
  const { pages, lessons } = await pagesFor("tutor");
  // The tutor's 23 pages (quality-pages.ts): a shorter list would leave pages unchecked.
  expect(pages.length).toBeGreaterThanOrEqual(23);
  await signInAs(page, demoProfiles.tutor.email);
  const seen = new Set<string>();
  for (const entry of pages) {
    const response = (await page.goto(entry.path))!;
    expect(response.status(), entry.name).toBe(entry.status);
    const nonce = expectProtectedHtml(entry.name, await response.allHeaders(), await response.text());
    expect(seen.has(nonce), `${entry.name} reuses a nonce`).toBe(false);
    seen.add(nonce);
  }
  // The launch error page, in the tab Join Lesson opens.
  await page.goto(`/bookings/${lessons.ready.id}`);
  await cancelLesson(lessons.ready.id);
  const [launched] = await Promise.all([
    page
      .context()
      .waitForEvent("response", (response) => response.url().endsWith(`/api/bookings/${lessons.ready.id}/launch`)),
    page.getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  expect(launched.status()).toBe(409);
  expectProtectedHtml("launch error page", await launched.allHeaders(), await launched.text());
  expect(complaints).toEqual([]);
});

test("non-HTML answers (the health check) still say nosniff, without a page CSP", async ({ page }) => {
  const health = await page.request.get("/healthz");
  expect(health.status()).toBe(200);
  expect(health.headers()["x-content-type-options"]).toBe("nosniff");
  expect(health.headers()["content-security-policy"]).toBeUndefined();
});

// ---- Cross-site form posts ----------------------------------------------------------------

type Attempt = { name: string; headers: Record<string, string> };

/** The ways a post from somewhere else reaches us. Ours is http://127.0.0.1:<E2E_PORT>. */
function foreignAttempts(baseURL: string): Attempt[] {
  const ours = new URL(baseURL);
  // Same site (same host, schemes and ports aside) but another origin: another app on another port.
  const sameSiteOther = `${ours.protocol}//${ours.hostname}:${Number(ours.port) + 1}`;
  return [
    {
      name: "Sec-Fetch-Site cross-site with a foreign Origin",
      headers: { "Sec-Fetch-Site": "cross-site", Origin: FOREIGN },
    },
    { name: "Sec-Fetch-Site cross-site with no Origin", headers: { "Sec-Fetch-Site": "cross-site" } },
    { name: "only a foreign Origin (an old browser)", headers: { Origin: FOREIGN } },
    { name: "only a foreign Referer (an old browser)", headers: { Referer: `${FOREIGN}/page` } },
    { name: "same site but another origin", headers: { "Sec-Fetch-Site": "same-site", Origin: sameSiteOther } },
    { name: "Origin null (a sandboxed frame)", headers: { "Sec-Fetch-Site": "cross-site", Origin: "null" } },
  ];
}

function ownOrigin(baseURL: string): Record<string, string> {
  return { "Sec-Fetch-Site": "same-origin", Origin: new URL(baseURL).origin };
}

type Body = {
  form?: Record<string, string>;
  multipart?: Record<string, string | { name: string; mimeType: string; buffer: Buffer }>;
};

async function post(
  request: APIRequestContext,
  path: string,
  body: Body,
  headers: Record<string, string>,
): Promise<APIResponse> {
  return request.post(path, { ...body, headers, maxRedirects: 0 });
}

async function expectRefused(response: APIResponse, where: string) {
  expect(response.status(), where).toBe(403);
  expect(await response.text(), where).toContain("This form was sent from another site");
  expect(response.headers()["set-cookie"], `${where} sets no cookie`).toBeUndefined();
}

async function signInByRequest(request: APIRequestContext, baseURL: string, email: string) {
  const response = await post(
    request,
    "/sign-in",
    { form: { email, password: DEMO_PASSWORD, redirectTo: "/" } },
    ownOrigin(baseURL),
  );
  expect(response.status()).toBe(302);
}

type FormRoute = {
  route: string;
  /** Who posts, and what: a valid form that would succeed from our own page. */
  signedInAs: string | null;
  setUp(): Promise<{ path: string; body: Body; unchanged(): Promise<void>; changed(): Promise<void> }>;
};

const formRoutes: FormRoute[] = [
  {
    route: "sign-in",
    signedInAs: null,
    async setUp() {
      return {
        path: "/sign-in",
        body: { form: { email: demoProfiles.adult.email, password: DEMO_PASSWORD, redirectTo: "/" } },
        async unchanged() {},
        async changed() {},
      };
    },
  },
  {
    route: "time zone",
    signedInAs: demoProfiles.adult.email,
    async setUp() {
      const { timeZone } = await db().profile.findUniqueOrThrow({ where: { id: demoProfiles.adult.id } });
      const current = () =>
        db()
          .profile.findUniqueOrThrow({ where: { id: demoProfiles.adult.id } })
          .then((p) => p.timeZone);
      // Posting the zone it already has keeps the shared demo profile as it was.
      return {
        path: "/settings/time-zone",
        body: { form: { timeZone, returnTo: "/" } },
        unchanged: async () => expect(await current()).toBe(timeZone),
        changed: async () => expect(await current()).toBe(timeZone),
      };
    },
  },
  {
    route: "notification settings",
    // The second family's parent: no other spec depends on her e-mail choices.
    signedInAs: demoProfiles.otherParent.email,
    async setUp() {
      const profileId = demoProfiles.otherParent.id;
      const choices = () =>
        db().notificationPreference.findMany({
          where: { profileId },
          select: { kind: true, enabled: true },
          orderBy: { kind: "asc" },
        });
      const before = await choices();
      return {
        path: "/settings/notifications",
        body: { form: { enabled: "reminder_classroom_open" } },
        unchanged: async () => expect(await choices()).toEqual(before),
        changed: async () => {
          expect(await choices()).toEqual([
            { kind: "learner_late", enabled: false },
            { kind: "lesson_record", enabled: false },
            { kind: "reminder_classroom_open", enabled: true },
            { kind: "reminder_day_before", enabled: false },
            { kind: "tutor_reminded", enabled: false },
            { kind: "weekly_digest", enabled: false },
          ]);
          // Back to the default (everything on) for the demo.
          await db().notificationPreference.deleteMany({ where: { profileId } });
        },
      };
    },
  },
  {
    route: "student assignment",
    signedInAs: demoProfiles.parent.email,
    async setUp() {
      const booking = await createDemoBooking({ studentId: null, sessionStartTime: new Date(Date.now() + 2 * HOUR) });
      const student = () =>
        db()
          .booking.findUniqueOrThrow({ where: { id: booking.id } })
          .then((b) => b.studentId);
      return {
        path: `/bookings/${booking.id}/student`,
        body: { form: { studentId: demoProfiles.child.id, returnTo: "/" } },
        unchanged: async () => expect(await student()).toBeNull(),
        changed: async () => expect(await student()).toBe(demoProfiles.child.id),
      };
    },
  },
  {
    route: "launch",
    signedInAs: demoProfiles.parent.email,
    async setUp() {
      const booking = await createDemoBooking();
      const room = () =>
        db()
          .booking.findUniqueOrThrow({ where: { id: booking.id } })
          .then((b) => b.meetingProviderId);
      return {
        path: `/api/bookings/${booking.id}/launch`,
        body: { form: {} },
        unchanged: async () => expect(await room()).toBeNull(),
        changed: async () => expect(await room()).not.toBeNull(),
      };
    },
  },
  {
    route: "snapshot upload",
    signedInAs: demoProfiles.tutor.email,
    async setUp() {
      const booking = await createDemoBooking({
        sessionStartTime: new Date(Date.now() - 3 * HOUR),
        status: "Completed",
      });
      const artifacts = () =>
        db()
          .booking.findUniqueOrThrow({ where: { id: booking.id } })
          .then((b) => b.sessionArtifacts as Record<string, unknown>);
      return {
        path: `/bookings/${booking.id}/snapshot/upload`,
        body: { multipart: { snapshot: { name: "whiteboard.png", mimeType: "image/png", buffer: makePng(32, 24) } } },
        unchanged: async () => expect(await artifacts()).toEqual({}),
        changed: async () => expect(await artifacts()).toHaveProperty("whiteboard_snapshot_path"),
      };
    },
  },
  {
    route: "review",
    signedInAs: demoProfiles.parent.email,
    async setUp() {
      const booking = await createDemoBooking({
        sessionStartTime: new Date(Date.now() - 3 * HOUR),
        status: "Completed",
      });
      const reviews = () => db().review.count({ where: { bookingId: booking.id } });
      return {
        path: `/bookings/${booking.id}/review`,
        body: { form: { rating: "4", comment: "Forged?" } },
        unchanged: async () => expect(await reviews()).toBe(0),
        changed: async () => expect(await reviews()).toBe(1),
      };
    },
  },
  {
    route: "sign-out",
    signedInAs: demoProfiles.adult.email,
    async setUp() {
      return { path: "/sign-out", body: { form: {} }, async unchanged() {}, async changed() {} };
    },
  },
];

for (const formRoute of formRoutes) {
  test(`the ${formRoute.route} form refuses posts from another site or origin (403, nothing changed) and takes one from ours`, async ({
    playwright,
    baseURL,
  }) => {
    // A client of its own: its cookie jar holds this test's session only.
    const request = await playwright.request.newContext({ baseURL });
    try {
      if (formRoute.signedInAs) await signInByRequest(request, baseURL!, formRoute.signedInAs);
      const { path, body, unchanged, changed } = await formRoute.setUp();
      for (const attempt of foreignAttempts(baseURL!)) {
        await expectRefused(await post(request, path, body, attempt.headers), `${formRoute.route}, ${attempt.name}`);
        await unchanged();
      }
      // A refused sign-out leaves the session working.
      if (formRoute.signedInAs) expect((await request.get("/", { maxRedirects: 0 })).status()).toBe(200);

      const accepted = await post(request, path, body, ownOrigin(baseURL!));
      expect([302, 303], `${formRoute.route} from our own origin`).toContain(accepted.status());
      await changed();
      if (formRoute.route === "sign-in") expect(accepted.headers()["set-cookie"]).toContain("sb-");
      if (formRoute.route === "sign-out")
        expect((await request.get("/", { maxRedirects: 0 })).headers().location).toMatch(/^\/sign-in/);
    } finally {
      await request.dispose();
    }
  });
}

test("a form on another site, submitted in the browser, is refused; the same form on a same-site other origin too", async ({
  page,
  baseURL,
}) => {
  await signInAs(page, demoProfiles.adult.email);
  const { timeZone } = await db().profile.findUniqueOrThrow({ where: { id: demoProfiles.adult.id } });
  const other = timeZone === "Asia/Tokyo" ? "Europe/Paris" : "Asia/Tokyo";
  const ours = new URL(baseURL!);
  // The browser itself sets Sec-Fetch-Site and Origin here; nothing in the request is made up.
  for (const origin of [FOREIGN, `${ours.protocol}//${ours.hostname}:${Number(ours.port) + 1}`]) {
    await page.route(`${origin}/**`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><title>Win a prize</title><form method="post" action="${ours.origin}/settings/time-zone"><input type="hidden" name="timeZone" value="${other}"><button>Claim</button></form>`,
      }),
    );
    await page.goto(`${origin}/prize`);
    const [answer] = await Promise.all([
      page.waitForResponse(`${ours.origin}/settings/time-zone`),
      page.getByRole("button", { name: "Claim" }).click(),
    ]);
    expect(answer.status(), origin).toBe(403);
    expect(
      await db()
        .profile.findUniqueOrThrow({ where: { id: demoProfiles.adult.id } })
        .then((p) => p.timeZone),
      origin,
    ).toBe(timeZone);
  }
});

test("the webhook route still takes a signed delivery from Lessonspace's servers, whatever Origin it claims", async ({
  request,
}) => {
  const booking = await createDemoBooking({ sessionStartTime: new Date(Date.now() - 10 * 60_000) });
  const roomId = randomUUID();
  const secret = `secret-${randomUUID()}`;
  await db().lessonspaceSpace.create({
    data: { roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret },
  });
  const sessionId = randomUUID();
  const body = JSON.stringify({
    event: "session.start",
    room: { id: roomId },
    session: { id: sessionId, start_time: new Date().toISOString() },
  });
  const headers = {
    "Content-Type": "application/json",
    "Sec-Fetch-Site": "cross-site",
    Origin: FOREIGN,
    "x-webhook-id": randomUUID(),
    "x-webhook-event": "session.start",
    "x-webhook-timestamp": new Date().toISOString(),
  };

  // Not signed: refused for that reason (401), not for its origin.
  const unsigned = await request.post("/api/webhooks/lessonspace", { data: body, headers });
  expect(unsigned.status()).toBe(401);

  const signed = await request.post("/api/webhooks/lessonspace", {
    data: body,
    headers: { ...headers, "x-webhook-signature": signWebhook(body, secret) },
  });
  expect(signed.status()).toBe(200);
  expect(await signed.json()).toMatchObject({ outcome: "applied" });
  expect(await db().lessonspaceSession.findUnique({ where: { sessionId } })).toMatchObject({ bookingId: booking.id });
});

test("behind a TLS-terminating load balancer, forms posted from the public https origin are taken and foreign ones refused", async () => {
  // The server sees http://127.0.0.1:<port>; people use https://classroom.test (APP_URL). Same
  // database and stand-ins as the shared Playwright server, so the demo accounts sign in.
  const publicUrl = "https://classroom.test";
  // No workers in it: they would send the shared run's e-mails with this server's address in them.
  const app = await startAppProcess(
    {
      NODE_ENV: "production",
      LESSONSPACE_FRAME_ORIGINS: process.env.LESSONSPACE_FRAME_ORIGINS!,
      WORKERS_IN_PROCESS: "false",
    },
    { publicUrl },
  );
  try {
    const signInFrom = (headers: Record<string, string>) =>
      fetch(`${app.url}/sign-in`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ email: demoProfiles.adult.email, password: DEMO_PASSWORD, redirectTo: "/" }),
      });
    const fromPublic = await signInFrom({ "Sec-Fetch-Site": "same-origin", Origin: publicUrl });
    expect(fromPublic.status).toBe(302);
    // Secure cookies: the public address is https.
    expect(fromPublic.headers.getSetCookie().every((line) => /;\s*Secure/i.test(line))).toBe(true);
    const fromElsewhere = await signInFrom({ "Sec-Fetch-Site": "cross-site", Origin: FOREIGN });
    expect(fromElsewhere.status).toBe(403);
    expect(fromElsewhere.headers.getSetCookie()).toEqual([]);
  } finally {
    await app.stop();
  }
});

// The Lessonspace stand-in must keep the documented contract (docs/decisions/0027-stand-ins-for-outside-services.md), because
// dev mode, integration tests and Playwright trust it in place of the real service.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signWebhook, startLessonspaceStandIn } from "./lessonspace";
import type { LessonspaceStandIn } from "./lessonspace";

const KEY = "test-org-key";

// ---------------------------------------------------------------- helpers

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  json: any;
}

/** A tiny webhook receiver that records what it gets and answers `respond()`'s status. */
async function startReceiver() {
  const received: Received[] = [];
  let respond: (r: Received) => number | Promise<number> = () => 204;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const entry: Received = { path: req.url ?? "", headers: req.headers, raw, json: JSON.parse(raw) };
      received.push(entry);
      const status = await respond(entry);
      if (!res.destroyed) res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    hooks: {
      session: { start: `${url}/hooks`, end: `${url}/hooks` },
      user: { join: `${url}/hooks`, leave: `${url}/hooks` },
    },
    respondWith(fn: typeof respond) {
      respond = fn;
    },
    events: () => received.map((r) => r.json.event as string),
    clear() {
      received.length = 0;
      respond = () => 204;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function launch(standIn: LessonspaceStandIn, body: unknown, key = KEY, path = "/v2/spaces/launch/") {
  return fetch(`${standIn.url}${path}`, {
    method: "POST",
    headers: { authorization: `Organisation ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function launchOk(standIn: LessonspaceStandIn, body: Record<string, unknown>) {
  const res = await launch(standIn, body);
  expect([200, 201]).toContain(res.status);
  return (await res.json()) as {
    client_url: string;
    room_id: string;
    secret: string;
    session_id: string;
    user_id: number;
    room_settings: object;
  };
}

function api(standIn: LessonspaceStandIn, path: string, key = KEY) {
  return fetch(`${standIn.url}${path}`, { headers: { authorization: `Organisation ${key}` } });
}

function postForm(url: string, token: string) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }),
    redirect: "manual",
  });
}

/** The token and the form actions of a client_url, as a browser would find them. */
function roomOf(clientUrl: string) {
  const u = new URL(clientUrl);
  const token = u.searchParams.get("token")!;
  return {
    token,
    leave: () => postForm(`${u.origin}${u.pathname}/leave`, token),
    end: () => postForm(`${u.origin}${u.pathname}/end`, token),
  };
}

function refreshUrl(base: string, html: string): string {
  const m = /http-equiv="refresh" content="\d+; url=([^"]+)"/.exec(html);
  expect(m).not.toBeNull();
  return new URL(m![1]!.replaceAll("&#38;", "&"), base).toString();
}

function hmacHex(raw: string, secret: string) {
  return createHmac("sha256", secret).update(raw, "utf8").digest("hex");
}

const hourMs = 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- shared instance

let ls: LessonspaceStandIn;
let rx: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  rx = await startReceiver();
  ls = await startLessonspaceStandIn({
    apiKey: KEY,
    rateLimitPerSecond: 0,
    retryDelaysMs: [10, 10, 10],
    refreshSeconds: 3,
    pageSize: 2,
  });
});
afterEach(async () => {
  await ls.idle();
  ls.reset();
  rx.clear();
});
afterAll(async () => {
  await ls.stop();
  await rx.close();
});

const tutor = { id: "11111111-1111-4111-8111-111111111111", name: "Tess Tutor", leader: true };
const student = { id: "22222222-2222-4222-8222-222222222222", name: "Sam Student", leader: false };

// ---------------------------------------------------------------- launch

describe("POST /v2/spaces/launch/", () => {
  it("creates the space with 201, then answers 200 with the same room and secret", async () => {
    const first = await launch(ls, { id: "booking-a", name: "Algebra", user: tutor });
    expect(first.status).toBe(201);
    const a = await first.json();
    expect(a.room_settings).toEqual({
      record_av: false,
      record_content: false,
      waiting_room: false,
      transcribe: false,
      summarise: false,
    });
    expect(a.room_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof a.secret).toBe("string");
    expect(a.client_url).toMatch(new RegExp(`^${ls.url}/room/${a.room_id}\\?token=`));
    expect(typeof a.session_id).toBe("string");
    expect(typeof a.user_id).toBe("number");

    const second = await launch(ls, { id: "booking-a", name: "Algebra", user: student });
    expect(second.status).toBe(200);
    const b = await second.json();
    expect(b.room_id).toBe(a.room_id);
    expect(b.secret).toBe(a.secret);
    expect(b.session_id).toBe(a.session_id); // no session has started yet
    expect(b.client_url).not.toBe(a.client_url); // the link is per person
    expect(b.user_id).not.toBe(a.user_id);
  });

  it("names the space after its id when no name is given", async () => {
    await launchOk(ls, { id: "booking-unnamed" });
    expect(ls.spaces.get("booking-unnamed")?.name).toBe("booking-unnamed");
  });

  it("refuses a wrong or missing key with 401 Invalid token", async () => {
    const bad = await launch(ls, { id: "booking-a" }, "wrong");
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ detail: "Invalid token." });
    const missing = await fetch(`${ls.url}/v2/spaces/launch/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "booking-a" }),
    });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ detail: "Invalid token." });
    expect(ls.spaces.size).toBe(0);
  });

  it("answers 404 without the trailing slash, so the mistake shows", async () => {
    const res = await launch(ls, { id: "booking-a" }, KEY, "/v2/spaces/launch");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not found." });
    expect(ls.spaces.size).toBe(0);
    expect(ls.launches.at(-1)).toMatchObject({ path: "/v2/spaces/launch", status: 404 });
  });

  it.each([
    ["no id", { name: "x" }, "id"],
    ["an id over 64 characters", { id: "b".repeat(65) }, "id"],
    ["a user without a name", { id: "b", user: { id: "u" } }, "user.name"],
    ["a timeout that is not ISO 8601", { id: "b", timeouts: { not_before: "tomorrow" } }, "timeouts.not_before"],
    [
      "not_after before not_before",
      { id: "b", timeouts: { not_before: "2026-11-25T16:00:00Z", not_after: "2026-11-25T15:00:00Z" } },
      "timeouts.not_after",
    ],
    [
      "a webhook URL that is not http(s)",
      { id: "b", webhooks: { session: { end: "ftp://example.com/x" } } },
      "webhooks.session.end",
    ],
    ["a non-boolean record_av", { id: "b", record_av: "yes" }, "record_av"],
    ["a body that is not an object", ["b"], "non_field_errors"],
  ])("answers 400 with a detail for %s", async (_label, body, field) => {
    const res = await launch(ls, body);
    expect(res.status).toBe(400);
    const json = await res.json();
    expect(typeof json.detail).toBe("string");
    expect(json.detail).toContain(field);
    expect(ls.spaces.size).toBe(0);
  });

  it("accepts an id of exactly 64 characters", async () => {
    const res = await launch(ls, { id: "b".repeat(64) });
    expect(res.status).toBe(201);
  });

  it("answers 400 for malformed JSON and 415 for a body that is not JSON", async () => {
    const malformed = await fetch(`${ls.url}/v2/spaces/launch/`, {
      method: "POST",
      headers: { authorization: `Organisation ${KEY}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).detail).toMatch(/JSON parse error/);
    const form = await fetch(`${ls.url}/v2/spaces/launch/`, {
      method: "POST",
      headers: { authorization: `Organisation ${KEY}` },
      body: new URLSearchParams({ id: "b" }),
    });
    expect(form.status).toBe(415);
  });

  it("converges concurrent first launches of one id on one room", async () => {
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        launch(ls, { id: "booking-race", user: { id: `u${i}`, name: `User ${i}` } }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(11);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(new Set(bodies.map((b) => b.room_id)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.secret)).size).toBe(1);
    expect(ls.spaces.size).toBe(1);
  });

  it("logs every launch with the key redacted", async () => {
    await launchOk(ls, { id: "booking-log", user: tutor });
    await launch(ls, { id: "booking-log" }, "wrong");
    expect(ls.launches).toHaveLength(2);
    const [ok, bad] = ls.launches;
    expect(ok).toMatchObject({
      path: "/v2/spaces/launch/",
      authorized: true,
      status: 201,
      body: { id: "booking-log", user: tutor },
    });
    expect(ok!.headers.authorization).toBe("[redacted]");
    expect(JSON.stringify(ls.launches)).not.toContain(KEY);
    expect(bad).toMatchObject({ authorized: false, status: 401 });
  });

  it("replaces the webhooks when a launch sends them and keeps them when it does not", async () => {
    await launchOk(ls, { id: "booking-wh", webhooks: { session: { end: "http://a.example/end" } } });
    await launchOk(ls, { id: "booking-wh" });
    expect(ls.spaces.get("booking-wh")!.webhooks).toEqual({ session: { end: "http://a.example/end" } });
    await launchOk(ls, { id: "booking-wh", webhooks: { user: { join: "http://b.example/join" } } });
    expect(ls.spaces.get("booking-wh")!.webhooks).toEqual({ user: { join: "http://b.example/join" } });
  });
});

// ---------------------------------------------------------------- classroom page

describe("classroom page at client_url", () => {
  it("shows the space, the user's name and role, and who else is present", async () => {
    const t = await launchOk(ls, { id: "booking-room", name: "GCSE Maths", user: tutor });
    const s = await launchOk(ls, { id: "booking-room", user: student });

    const tutorPage = await fetch(t.client_url);
    expect(tutorPage.status).toBe(200);
    const tutorHtml = await tutorPage.text();
    expect(tutorHtml).toContain("GCSE Maths");
    expect(tutorHtml).toMatch(/Tess Tutor<\/strong> <span class="badge">Leader/);
    expect(tutorHtml).toContain("Nobody else is here yet.");

    const studentHtml = await (await fetch(s.client_url)).text();
    expect(studentHtml).toMatch(/Sam Student<\/strong> <span class="badge participant">Participant/);
    expect(studentHtml).toMatch(/<ul id="others"><li>Tess Tutor <span class="badge">Leader/);

    // The tutor's page refreshes itself and now lists the student.
    const refreshed = await (await fetch(refreshUrl(t.client_url, tutorHtml))).text();
    expect(refreshed).toMatch(/<li>Sam Student <span class="badge participant">Participant/);
  });

  it("can be framed: no X-Frame-Options or frame-ancestors", async () => {
    const t = await launchOk(ls, { id: "booking-frame", user: tutor });
    const res = await fetch(t.client_url);
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(res.headers.get("content-security-policy") ?? "").not.toContain("frame-ancestors");
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("escapes names", async () => {
    const t = await launchOk(ls, {
      id: "booking-xss",
      name: "<b>Maths</b>",
      user: { id: "x", name: `<script>alert(1)</script>` },
    });
    const html = await (await fetch(t.client_url)).text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<b>Maths");
    expect(html).toContain("&#60;script&#62;");
  });

  it("refuses a forged token, a token for another room, and no token", async () => {
    const t = await launchOk(ls, { id: "booking-forge", user: student });
    const other = await launchOk(ls, { id: "booking-other", user: student });
    const url = new URL(t.client_url);
    const [payload, sig] = url.searchParams.get("token")!.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, leader: true })).toString("base64url");

    const forged = await fetch(`${url.origin}${url.pathname}?token=${promoted}.${sig}`);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("This link is not valid");

    const otherToken = new URL(other.client_url).searchParams.get("token")!;
    expect((await fetch(`${url.origin}${url.pathname}?token=${otherToken}`)).status).toBe(403);
    expect((await fetch(`${url.origin}${url.pathname}`)).status).toBe(403);
    expect((await postForm(`${url.origin}${url.pathname}/end`, `${promoted}.${sig}`)).status).toBe(403);
    expect(ls.spaces.get("booking-forge")!.sessions).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- webhooks

describe("webhooks", () => {
  it("joining sends session.start then user.join, signed with the space secret", async () => {
    const t = await launchOk(ls, { id: "booking-join", user: tutor, webhooks: rx.hooks });
    await fetch(t.client_url);
    await ls.idle();
    expect(rx.events()).toEqual(["session.start", "user.join"]);
    const [start, join] = rx.received;
    for (const r of rx.received) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers["x-webhook-event"]).toBe(r.json.event);
      expect(r.headers["x-webhook-timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(r.headers["x-webhook-signature"]).toBe(hmacHex(r.raw, t.secret));
    }
    expect(start!.json).toEqual({
      event: "session.start",
      room: { id: t.room_id },
      session: { id: t.session_id, start_time: expect.any(String) },
      timestamp: expect.any(String),
    });
    expect(join!.json).toEqual({
      event: "user.join",
      room: { id: t.room_id },
      session: { id: t.session_id },
      user: { id: tutor.id, name: tutor.name, leader: true },
      timestamp: start!.json.timestamp,
    });
    // Reloading the page is not a second join.
    await fetch(t.client_url);
    await ls.idle();
    expect(rx.events()).toEqual(["session.start", "user.join"]);
  });

  it("Leave sends user.leave; the last one out ends the session; a later join starts a new one", async () => {
    const t = await launchOk(ls, { id: "booking-leave", user: tutor, webhooks: rx.hooks, record_av: true });
    const s = await launchOk(ls, { id: "booking-leave", user: student });
    await fetch(t.client_url);
    await fetch(s.client_url);

    const left = await roomOf(s.client_url).leave();
    expect(left.status).toBe(303);
    const leftPage = await fetch(new URL(left.headers.get("location")!, ls.url));
    expect(await leftPage.text()).toContain("You have left the lesson");
    await ls.idle();
    expect(rx.events()).toEqual(["session.start", "user.join", "user.join", "user.leave"]);
    expect(rx.received.at(-1)!.json.user).toEqual({ id: student.id, name: student.name, leader: false });

    await roomOf(t.client_url).leave();
    await ls.idle();
    expect(rx.events().slice(4)).toEqual(["user.leave", "session.end"]);
    const end = rx.received.at(-1)!;
    expect(end.json).toEqual({
      event: "session.end",
      room: { id: t.room_id },
      session: { id: t.session_id, start_time: expect.any(String), end_time: expect.any(String) },
      recording: { available: true },
    });
    expect(Date.parse(end.json.session.end_time)).toBeGreaterThanOrEqual(Date.parse(end.json.session.start_time));
    for (const r of rx.received) expect(r.headers["x-webhook-signature"]).toBe(signWebhook(r.raw, t.secret));
    expect(new Set(rx.received.map((r) => r.headers["x-webhook-id"])).size).toBe(rx.received.length);

    // Leaving twice sends nothing more.
    await roomOf(t.client_url).leave();
    await ls.idle();
    expect(rx.received).toHaveLength(6);

    const again = await launchOk(ls, { id: "booking-leave", user: tutor });
    expect(again.session_id).not.toBe(t.session_id);
    await fetch(again.client_url);
    await ls.idle();
    expect(rx.received[6]!.json).toMatchObject({ event: "session.start", session: { id: again.session_id } });
  });

  it("End lesson makes everyone leave, then ends the session; open pages stop rejoining", async () => {
    const t = await launchOk(ls, { id: "booking-end", user: tutor, webhooks: rx.hooks });
    const s = await launchOk(ls, { id: "booking-end", user: student });
    const tutorHtml = await (await fetch(t.client_url)).text();
    await fetch(s.client_url);

    const ended = await roomOf(s.client_url).end();
    expect(ended.status).toBe(303);
    expect(await (await fetch(new URL(ended.headers.get("location")!, ls.url))).text()).toContain(
      "The lesson has ended",
    );
    await ls.idle();
    expect(rx.events()).toEqual(["session.start", "user.join", "user.join", "user.leave", "user.leave", "session.end"]);
    expect(
      rx.received
        .slice(3, 5)
        .map((r) => r.json.user.id)
        .sort(),
    ).toEqual([tutor.id, student.id].sort());

    const refreshed = await fetch(refreshUrl(t.client_url, tutorHtml));
    expect(await refreshed.text()).toContain("The lesson has ended");
    await ls.idle();
    expect(rx.received).toHaveLength(6);
    expect(ls.spaces.get("booking-end")!.activeSession).toBeNull();
  });

  it("endSession(roomId) is End lesson, and resolves once the webhooks are delivered", async () => {
    const t = await launchOk(ls, { id: "booking-api-end", user: tutor, webhooks: rx.hooks });
    await fetch(t.client_url);
    await ls.endSession(t.room_id);
    expect(rx.events()).toEqual(["session.start", "user.join", "user.leave", "session.end"]);
    await expect(ls.endSession("00000000-0000-4000-8000-000000000000")).rejects.toThrow(/no space/);
  });

  it("retries a failed delivery with the same x-webhook-id, keeping later events in order", async () => {
    let failures = 2;
    rx.respondWith((r) => (r.json.event === "session.start" && failures-- > 0 ? 500 : 200));
    const t = await launchOk(ls, { id: "booking-retry", user: tutor, webhooks: rx.hooks });
    await fetch(t.client_url);
    await ls.idle();
    expect(rx.events()).toEqual(["session.start", "session.start", "session.start", "user.join"]);
    const ids = rx.received.slice(0, 3).map((r) => r.headers["x-webhook-id"]);
    expect(new Set(ids).size).toBe(1);
    expect(rx.received.slice(0, 3).map((r) => r.raw)).toEqual(Array(3).fill(rx.received[0]!.raw));
    expect(ls.deliveries.map((d) => [d.event, d.attempt, d.status])).toEqual([
      ["session.start", 1, 500],
      ["session.start", 2, 500],
      ["session.start", 3, 200],
      ["user.join", 1, 200],
    ]);
  });

  it("gives up after the last retry and still delivers the next event", async () => {
    rx.respondWith((r) => (r.json.event === "session.start" ? 503 : 200));
    const t = await launchOk(ls, { id: "booking-giveup", user: tutor, webhooks: rx.hooks });
    await fetch(t.client_url);
    await ls.idle();
    // retryDelaysMs has three entries: one try and three retries.
    expect(rx.events()).toEqual(["session.start", "session.start", "session.start", "session.start", "user.join"]);
  });

  it("treats a receiver slower than the timeout as a failure and retries", async () => {
    const slow = await startLessonspaceStandIn({
      apiKey: KEY,
      rateLimitPerSecond: 0,
      retryDelaysMs: [10],
      webhookTimeoutMs: 100,
    });
    try {
      let first = true;
      rx.respondWith(async () => {
        if (first) {
          first = false;
          await new Promise((r) => setTimeout(r, 400));
        }
        return 200;
      });
      const t = await launchOk(slow, {
        id: "booking-slow",
        user: tutor,
        webhooks: { session: { start: rx.hooks.session.start } },
      });
      await fetch(t.client_url);
      await slow.idle();
      expect(slow.deliveries.map((d) => [d.attempt, d.status])).toEqual([
        [1, null],
        [2, 200],
      ]);
      expect(slow.deliveries[0]!.error).toBeTruthy();
    } finally {
      await slow.stop();
    }
  });

  it("delivers through opts.fetchImpl when given", async () => {
    const seen: string[] = [];
    const custom = await startLessonspaceStandIn({
      apiKey: KEY,
      fetchImpl: async (input, init) => {
        seen.push(`${init?.method} ${String(input)} ${new Headers(init?.headers).get("x-webhook-event")}`);
        return new Response(null, { status: 204 });
      },
    });
    try {
      const t = await launchOk(custom, {
        id: "booking-fetch",
        user: tutor,
        webhooks: { user: { join: "http://app.invalid/hook" } },
      });
      await fetch(t.client_url);
      await custom.idle();
      expect(seen).toEqual(["POST http://app.invalid/hook user.join"]);
    } finally {
      await custom.stop();
    }
  });

  it("signWebhook is lowercase hex HMAC-SHA256 of the exact bytes", () => {
    const body = '{"event":"session.end","room":{"id":"r"}}';
    expect(signWebhook(body, "s3cret")).toBe(createHmac("sha256", "s3cret").update(body).digest("hex"));
    expect(signWebhook(body, "s3cret")).toMatch(/^[0-9a-f]{64}$/);
    expect(signWebhook(`${body} `, "s3cret")).not.toBe(signWebhook(body, "s3cret"));
  });
});

// ---------------------------------------------------------------- sessions API and recordings

describe("sessions API and playback", () => {
  async function runSession(id: string, user = tutor) {
    const t = await launchOk(ls, { id, user, record_av: true, record_content: true });
    await fetch(t.client_url);
    await ls.endSession(t.room_id);
    return t;
  }

  it("lists sessions by launch_id, paginated", async () => {
    const first = await runSession("booking-s");
    await runSession("booking-s");
    await runSession("booking-s");
    await runSession("booking-unrelated");

    const page1 = await (await api(ls, `/v2/organisations/1/sessions/?launch_id=booking-s`)).json();
    expect(page1.count).toBe(3);
    expect(page1.results).toHaveLength(2);
    expect(page1.previous).toBeNull();
    expect(page1.next).toBe(`${ls.url}/v2/organisations/1/sessions/?launch_id=booking-s&page=2`);
    const page2 = await (await fetch(page1.next, { headers: { authorization: `Organisation ${KEY}` } })).json();
    expect(page2.results).toHaveLength(1);
    expect(page2.next).toBeNull();
    expect(page2.previous).toContain("page=1");
    const all = [...page1.results, ...page2.results];
    expect(new Set(all.map((s: any) => s.uuid)).size).toBe(3);
    expect(all.map((s: any) => s.uuid)).toContain(first.session_id);
    for (const s of all) {
      expect(s).toMatchObject({ room_id: first.room_id, launch_id: "booking-s", recording_available: true });
      expect(s.start_time).toMatch(/Z$/);
      expect(s.end_time).toMatch(/Z$/);
    }
    expect((await api(ls, `/v2/organisations/1/sessions/?launch_id=booking-s&page=3`)).status).toBe(404);
    const none = await (await api(ls, `/v2/organisations/1/sessions/?launch_id=nothing`)).json();
    expect(none).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it("answers one session, with its times, attendees and recording flag", async () => {
    const t = await runSession("booking-detail");
    const res = await api(ls, `/v2/organisations/1/sessions/${t.session_id}/`);
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s).toMatchObject({
      uuid: t.session_id,
      room_id: t.room_id,
      recording_available: true,
      duration: expect.any(Number),
    });
    expect(s.users).toEqual([expect.objectContaining({ id: tutor.id, name: tutor.name, leader: true })]);
    expect((await api(ls, `/v2/organisations/1/sessions/00000000-0000-4000-8000-000000000000/`)).status).toBe(404);
  });

  it("gives a recording_url that serves the video", async () => {
    const t = await runSession("booking-rec");
    const playback = await api(ls, `/v2/organisations/1/sessions/${t.session_id}/playback/`);
    expect(playback.status).toBe(200);
    const { recording_url } = await playback.json();
    expect(recording_url).toMatch(new RegExp(`^${ls.url}/recordings/${t.session_id}\\?expires=\\d+&sig=[0-9a-f]{64}$`));
    const video = await fetch(recording_url); // no key needed
    expect(video.status).toBe(200);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(
      (
        await fetch(
          recording_url.replace(/sig=(.)/, (_match: string, first: string) => `sig=${first === "0" ? "1" : "0"}`),
        )
      ).status,
    ).toBe(403);
  });

  it("has no playback while the session runs or when nothing was recorded", async () => {
    const t = await launchOk(ls, { id: "booking-live", user: tutor });
    await fetch(t.client_url);
    const live = await api(ls, `/v2/organisations/1/sessions/${t.session_id}/playback/`);
    expect(live.status).toBe(404);
    expect(await live.json()).toEqual({ detail: "Not found." });
    expect((await (await api(ls, `/v2/organisations/1/sessions/${t.session_id}/`)).json()).end_time).toBeNull();

    const n = await launchOk(ls, { id: "booking-norec", user: tutor, record_av: false, record_content: false });
    await fetch(n.client_url);
    await ls.endSession(n.room_id);
    expect((await api(ls, `/v2/organisations/1/sessions/${n.session_id}/playback/`)).status).toBe(404);
  });

  it("needs the key and the right organisation", async () => {
    expect((await api(ls, `/v2/organisations/1/sessions/`, "wrong")).status).toBe(401);
    expect((await api(ls, `/v2/organisations/2/sessions/`)).status).toBe(404);
    expect((await api(ls, `/v2/organisations/1/sessions`)).status).toBe(404); // no trailing slash
  });
});

// ---------------------------------------------------------------- time: timeouts, recording delay and expiry

describe("with a controlled clock", () => {
  let clock = Date.parse("2026-11-25T15:00:00Z");
  let timed: LessonspaceStandIn;
  beforeAll(async () => {
    timed = await startLessonspaceStandIn({
      apiKey: KEY,
      rateLimitPerSecond: 0,
      now: () => new Date(clock),
      recordingAvailableAfterMs: 60_000,
      recordingUrlTtlMs: hourMs,
    });
  });
  afterAll(() => timed.stop());

  it("refuses the client_url before not_before and after not_after", async () => {
    rx.clear();
    const start = clock;
    const t = await launchOk(timed, {
      id: "booking-window",
      user: student,
      timeouts: { not_before: iso(start + hourMs), not_after: iso(start + 2 * hourMs) },
      webhooks: rx.hooks,
    });
    const early = await fetch(t.client_url);
    expect(early.status).toBe(403);
    expect(await early.text()).toContain("This link is not valid yet");
    expect(timed.spaces.get("booking-window")!.sessions).toHaveLength(0);

    clock = start + hourMs; // opening instant is inside
    expect((await fetch(t.client_url)).status).toBe(200);

    clock = start + 2 * hourMs + 1000;
    const late = await fetch(t.client_url);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain("This link has expired");
    await timed.idle();
    // Whoever was still in is let out when the link expires.
    expect(rx.events()).toEqual(["session.start", "user.join", "user.leave", "session.end"]);
    for (const r of rx.received) expect(r.headers["x-webhook-signature"]).toBe(signWebhook(r.raw, t.secret));
  });

  it("makes the recording available only after the delay, and its link expires", async () => {
    const t = await launchOk(timed, { id: "booking-delay", user: tutor });
    await fetch(t.client_url);
    await timed.endSession(t.room_id);
    const path = `/v2/organisations/1/sessions/${t.session_id}/playback/`;
    expect((await api(timed, path)).status).toBe(404);
    expect((await (await api(timed, `/v2/organisations/1/sessions/${t.session_id}/`)).json()).recording_available).toBe(
      false,
    );

    clock += 60_000;
    const { recording_url } = await (await api(timed, path)).json();
    expect((await fetch(recording_url)).status).toBe(200);

    clock += hourMs;
    const expired = await fetch(recording_url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("expired");
  });
});

// ---------------------------------------------------------------- faults, latency, rate limit

describe("fault switches", () => {
  it("500 answers Internal error", async () => {
    ls.setFault({ kind: "500" });
    const res = await launch(ls, { id: "booking-f" });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: "Internal error" });
    expect(ls.spaces.size).toBe(0);
  });

  it("429 answers throttled with Retry-After", async () => {
    ls.setFault({ kind: "429" });
    const res = await launch(ls, { id: "booking-f" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await res.json()).toEqual({ detail: "Request was throttled." });
  });

  it("401 answers Invalid token even with the right key", async () => {
    ls.setFault({ kind: "401" });
    const res = await launch(ls, { id: "booking-f" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Invalid token." });
  });

  it("bad-json answers 200 with a body that does not parse", async () => {
    ls.setFault({ kind: "bad-json" });
    const res = await launch(ls, { id: "booking-f" });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
    expect(ls.spaces.size).toBe(0);
  });

  it("hang never answers; the caller's timeout is what ends it", async () => {
    ls.setFault({ kind: "hang" });
    await expect(launch_(ls, { id: "booking-f" }, AbortSignal.timeout(200))).rejects.toThrow();
    expect(ls.launches.at(-1)!.status).toBeNull();
    expect(ls.spaces.size).toBe(0);
  });

  it("hang is released by stop()", async () => {
    const own = await startLessonspaceStandIn({ apiKey: KEY });
    own.setFault({ kind: "hang" });
    const pending = launch_(own, { id: "booking-f" });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await own.stop();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("times: fails that many requests, then recovers; null clears", async () => {
    ls.setFault({ kind: "500", times: 2 });
    expect((await launch(ls, { id: "booking-f" })).status).toBe(500);
    expect((await launch(ls, { id: "booking-f" })).status).toBe(500);
    expect((await launch(ls, { id: "booking-f" })).status).toBe(201);
    ls.setFault({ kind: "500" });
    ls.setFault(null);
    expect((await launch(ls, { id: "booking-f" })).status).toBe(200);
  });

  it("breaks only launch unless scope is api", async () => {
    ls.setFault({ kind: "500" });
    expect((await api(ls, `/v2/organisations/1/sessions/`)).status).toBe(200);
    ls.setFault({ kind: "500", scope: "api" });
    expect((await api(ls, `/v2/organisations/1/sessions/`)).status).toBe(500);
  });

  it("setLatency delays the launch answer", async () => {
    ls.setLatency(150);
    const t0 = performance.now();
    expect((await launch(ls, { id: "booking-slow" })).status).toBe(201);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

function launch_(standIn: LessonspaceStandIn, body: unknown, signal?: AbortSignal) {
  return fetch(`${standIn.url}/v2/spaces/launch/`, {
    method: "POST",
    headers: { authorization: `Organisation ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

describe("rate limit", () => {
  it("answers 429 past 5 launches a second per key, and recovers", async () => {
    const limited = await startLessonspaceStandIn({ apiKey: KEY });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await launch(limited, { id: `booking-${i}` })).status);
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
      const refused = await launch(limited, { id: "booking-x" });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(await refused.json()).toEqual({ detail: "Request was throttled." });
      await new Promise((r) => setTimeout(r, 1050));
      expect((await launch(limited, { id: "booking-x" })).status).toBe(201);
    } finally {
      await limited.stop();
    }
  });

  it("is one limit per key across the API: launches and session reads share it, and every call is logged", async () => {
    const limited = await startLessonspaceStandIn({ apiKey: KEY });
    try {
      const read = () =>
        fetch(`${limited.url}/v2/organisations/1/sessions/?launch_id=x`, {
          headers: { Authorization: `Organisation ${KEY}` },
        }).then((r) => r.status);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await launch(limited, { id: `booking-${i}` })).status);
      for (let i = 0; i < 3; i++) statuses.push(await read());
      expect(statuses).toEqual([201, 201, 201, 200, 200, 429]);
      expect(limited.apiCalls.map((c) => [c.method, c.throttled])).toEqual([
        ["POST", false],
        ["POST", false],
        ["POST", false],
        ["GET", false],
        ["GET", false],
        ["GET", true],
      ]);
    } finally {
      await limited.stop();
    }
  });

  it("a 429 fault answers the Retry-After it was given (seconds or an HTTP date)", async () => {
    const date = new Date(Date.now() + 5_000).toUTCString();
    ls.setFault({ kind: "429", times: 1, retryAfter: date });
    const refused = await launch(ls, { id: "booking-date" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(date);
    expect((await launch(ls, { id: "booking-date" })).status).toBe(201);
  });

  it("is configurable, and 0 disables it", async () => {
    const two = await startLessonspaceStandIn({ apiKey: KEY, rateLimitPerSecond: 2 });
    try {
      const statuses = await Promise.all([1, 2, 3].map((i) => launch(two, { id: `b${i}` }).then((r) => r.status)));
      expect(statuses.sort()).toEqual([201, 201, 429]);
    } finally {
      await two.stop();
    }
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => launch(ls, { id: `burst-${i}` }).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 201)).toBe(true);
  });
});

describe("reset", () => {
  it("forgets spaces, logs, faults and latency", async () => {
    await launchOk(ls, { id: "booking-reset" });
    ls.setFault({ kind: "500" });
    ls.setLatency(500);
    ls.reset();
    expect(ls.spaces.size).toBe(0);
    expect(ls.launches).toHaveLength(0);
    const t0 = performance.now();
    expect((await launch(ls, { id: "booking-reset" })).status).toBe(201);
    expect(performance.now() - t0).toBeLessThan(400);
  });
});

// ---------------------------------------------------------------- transcription

describe("transcription", () => {
  const hooksWithTranscript = () => ({ ...rx.hooks, transcription: { finish: `${rx.url}/hooks` } });

  function say(clientUrl: string, text: string, seconds?: string) {
    const u = new URL(clientUrl);
    const body = new URLSearchParams({ token: u.searchParams.get("token")!, text, ...(seconds ? { seconds } : {}) });
    return fetch(`${u.origin}${u.pathname}/say`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
  }

  it("remembers transcribe per launch: a launch that omits it switches it off", async () => {
    await launchOk(ls, { id: "booking-tr", transcribe: true });
    expect(ls.spaces.get("booking-tr")!.transcribe).toBe(true);
    await launchOk(ls, { id: "booking-tr" });
    expect(ls.spaces.get("booking-tr")!.transcribe).toBe(false);
  });

  it("remembers summarise per launch and answers it in room_settings", async () => {
    const asked = { id: "booking-sum", record_av: true, transcribe: true, summarise: true };
    const first = await (await launch(ls, asked)).json();
    expect(first.room_settings).toMatchObject({ record_av: true, transcribe: true, summarise: true });
    expect(ls.spaces.get("booking-sum")!.summarise).toBe(true);
    const second = await (await launch(ls, { id: "booking-sum", record_av: true, transcribe: true })).json();
    expect(second.room_settings).toMatchObject({ transcribe: true, summarise: false });
    expect(ls.spaces.get("booking-sum")!.summarise).toBe(false);
  });

  it("refuses summarise without transcribe and record_av, and changes nothing", async () => {
    const refused = await launch(ls, { id: "booking-sum-bad", record_av: true, summarise: true });
    expect(refused.status).toBe(400);
    expect((await refused.json()).detail).toMatch(/summarise requires/);
    expect(ls.spaces.has("booking-sum-bad")).toBe(false);
    expect((await launch(ls, { id: "booking-sum-bad", transcribe: true, summarise: true })).status).toBe(400);
  });

  it("refuses a transcribe that is not a boolean", async () => {
    expect((await launch(ls, { id: "booking-tr-bad", transcribe: "yes" })).status).toBe(400);
  });

  it("the classroom has a plain say form; what is said is kept with the speaker and the offset from the session start", async () => {
    const t = await launchOk(ls, { id: "booking-say", user: tutor, transcribe: true, webhooks: hooksWithTranscript() });
    const html = await (await fetch(t.client_url)).text();
    expect(html).toMatch(/<form method="post" action="\/room\/[^"]+\/say"/);
    const said = await say(t.client_url, "What is a fraction?", "4");
    expect(said.status).toBe(303);
    const page = await (await fetch(new URL(said.headers.get("location")!, ls.url))).text();
    expect(page).toContain("What is a fraction?");
    const [utterance] = ls.spaces.get("booking-say")!.activeSession!.utterances;
    expect(utterance).toMatchObject({ userId: tutor.id, name: tutor.name, text: "What is a fraction?" });
    expect(utterance!.endSeconds - utterance!.startSeconds).toBeCloseTo(4, 6); // seconds are fractional: float subtraction
    expect(utterance!.startSeconds).toBeGreaterThanOrEqual(0);
  });

  it("after session.end with two people it sends a signed transcription.finish whose URL serves the segments", async () => {
    const t = await launchOk(ls, { id: "booking-fin", user: tutor, transcribe: true, webhooks: hooksWithTranscript() });
    const s = await launchOk(ls, {
      id: "booking-fin",
      user: student,
      transcribe: true,
      webhooks: hooksWithTranscript(),
    });
    await fetch(t.client_url);
    await fetch(s.client_url);
    await say(t.client_url, "Tell me about photosynthesis", "3");
    await say(s.client_url, "Plants make sugar from light", "5");
    await roomOf(t.client_url).end();
    await ls.idle();
    expect(rx.events().slice(-2)).toEqual(["session.end", "transcription.finish"]);
    const finish = rx.received.at(-1)!;
    expect(finish.headers["x-webhook-event"]).toBe("transcription.finish");
    expect(finish.headers["x-webhook-signature"]).toBe(hmacHex(finish.raw, t.secret));
    expect(finish.json).toMatchObject({
      room: { id: t.room_id },
      session: { id: t.session_id },
      transcription: { url: expect.stringContaining("/transcripts/") },
    });
    const file = await fetch(finish.json.transcription.url);
    expect(file.status).toBe(200);
    const segments = await file.json();
    expect(segments).toEqual([
      {
        start_time: expect.any(Number),
        end_time: expect.any(Number),
        user: { id: tutor.id, name: tutor.name },
        breakout_id: null,
        text: "Tell me about photosynthesis",
      },
      {
        start_time: expect.any(Number),
        end_time: expect.any(Number),
        user: { id: student.id, name: student.name },
        breakout_id: null,
        text: "Plants make sugar from light",
      },
    ]);
    expect(segments[1].end_time - segments[1].start_time).toBe(5);
  });

  it("sends no transcription.finish for a session of one person, or when transcription is off", async () => {
    const alone = await launchOk(ls, {
      id: "booking-alone",
      user: tutor,
      transcribe: true,
      webhooks: hooksWithTranscript(),
    });
    await fetch(alone.client_url);
    await ls.endSession(alone.room_id);
    const off = await launchOk(ls, { id: "booking-off", user: tutor, webhooks: hooksWithTranscript() });
    const offStudent = await launchOk(ls, { id: "booking-off", user: student, webhooks: hooksWithTranscript() });
    await fetch(off.client_url);
    await fetch(offStudent.client_url);
    await ls.endSession(off.room_id);
    expect(rx.events()).not.toContain("transcription.finish");
  });

  it("a space launched without transcribe makes no transcript even when two people speak, and keeps each launch's flags", async () => {
    const asked = { id: "booking-quiet", record_av: true, transcribe: false, webhooks: hooksWithTranscript() };
    const t = await launchOk(ls, { ...asked, user: tutor });
    const s = await launchOk(ls, { ...asked, user: student });
    await fetch(t.client_url);
    await fetch(s.client_url);
    await say(t.client_url, "Shall we look at fractions?", "3");
    await say(s.client_url, "Yes please, a half and a quarter", "4");
    expect(ls.spaces.get("booking-quiet")!.activeSession!.transcribed).toBe(false);
    await roomOf(t.client_url).end();
    await ls.idle();
    expect(rx.events()).toContain("session.end");
    expect(rx.events()).not.toContain("transcription.finish");
    expect(ls.spaces.get("booking-quiet")!.launchFlags.map(({ at: _, ...flags }) => flags)).toEqual([
      { recordAv: true, transcribe: false, summarise: false },
      { recordAv: true, transcribe: false, summarise: false },
    ]);
    // The next lesson's launch asks again: the space remembers what each launch said.
    await launchOk(ls, { ...asked, user: tutor, transcribe: true, summarise: true });
    expect(ls.spaces.get("booking-quiet")!.launchFlags.at(-1)).toMatchObject({ transcribe: true, summarise: true });
  });

  it("a transcript link expires, and an unknown one is 404", async () => {
    const url = ls.publishTranscriptFile("[]", { ttlMs: -1 });
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("expired");
    expect((await fetch(`${ls.url}/transcripts/nope.json`)).status).toBe(404);
  });

  it("fault switches: 500, not JSON, a redirect elsewhere, an oversized body without Content-Length", async () => {
    const url = ls.publishTranscriptFile("[]");
    ls.setTranscriptFault({ kind: "500", times: 1 });
    expect((await fetch(url)).status).toBe(500);
    expect((await fetch(url)).status).toBe(200);
    ls.setTranscriptFault({ kind: "not-json", times: 1 });
    await expect((await fetch(url)).json()).rejects.toThrow();
    ls.setTranscriptFault({ kind: "redirect", times: 1 });
    const redirected = await fetch(url, { redirect: "manual" });
    expect([redirected.status, redirected.headers.get("location")]).toEqual([
      302,
      "http://169.254.169.254/latest/meta-data/",
    ]);
    ls.setTranscriptFault({ kind: "oversized", times: 1 });
    const big = await fetch(url);
    expect(big.headers.get("content-length")).toBeNull();
    expect((await big.arrayBuffer()).byteLength).toBeGreaterThan(6 * 1024 * 1024);
    expect(ls.transcriptRequests).toHaveLength(5);
  });
});

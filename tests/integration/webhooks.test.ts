import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "~/.server/db";
import { playbackReference } from "~/.server/lessonspace/client";
import { lessonspaceWebhookListener } from "~/.server/lessonspace/webhook-endpoint";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import {
  APP_URL,
  callAction,
  createBooking,
  createProfile,
  type RouteResult,
  type TestProfile,
} from "../support/app.ts";
import { databaseServerUrl } from "../support/database.ts";
import { logsFromNow } from "../support/logs.ts";
import { testStandIns } from "../support/stand-ins.ts";

// The organisation-wide key must be in the environment before the app reads it (on first import).
const ORG_SECRET = vi.hoisted(() => {
  process.env.LESSONSPACE_SECRET = "organisation-wide-webhook-key";
  return "organisation-wide-webhook-key";
});

const PATH = "/api/webhooks/lessonspace";

let tutor: TestProfile;
let client: TestProfile;
let student: TestProfile;

beforeAll(async () => {
  [tutor, client, student] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
  ]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  delete process.env.LESSONSPACE_SECRET;
});

/**
 * Every case runs twice: through the React Router route (`npm run dev`) and over HTTP through the
 * node:http listener the production server answers this path with (server.ts).
 */
const ENTRIES = ["route action", "production listener"] as const;
type Entry = (typeof ENTRIES)[number];
let entry: Entry = "route action";
let listenerUrl = "";

beforeAll(async () => {
  const server = http.createServer((req, res) => void lessonspaceWebhookListener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  listenerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A request over real HTTP (node:http, so that Content-Length is ours to set), as a Response. */
function postToListener(
  path: string,
  body: string | undefined,
  headers: Record<string, string>,
  method = "POST",
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${listenerUrl}${path}`, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(response.headers))
          if (typeof value === "string") answer.set(name, value);
        resolve(new Response(Buffer.concat(chunks), { status: response.statusCode, headers: answer }));
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** What callAction gives, for an answer over HTTP. */
async function asRouteResult(response: Response): Promise<RouteResult> {
  const json = (response.headers.get("Content-Type") ?? "").includes("json");
  return {
    status: response.status,
    headers: response.headers,
    data: json ? await response.clone().json() : await response.clone().text(),
    response,
  };
}

type Space = { bookingId: string; roomId: string; secret: string };

/** A booking with a Lessonspace room, as the launch route leaves it. */
async function bookingWithSpace(): Promise<Space> {
  const booking = await createBooking({ clientId: client.id, tutorId: tutor.id, studentId: student.id });
  const roomId = randomUUID();
  const secret = `space-secret-${randomUUID()}`;
  await db.lessonspaceSpace.create({
    data: { roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret },
  });
  await db.booking.update({ where: { id: booking.id }, data: { meetingProviderId: roomId } });
  return { bookingId: booking.id, roomId, secret };
}

type DeliveryOptions = {
  secret?: string;
  signature?: string | null;
  id?: string | null;
  event?: string;
  headers?: Record<string, string>;
};

function deliver(body: string, options: DeliveryOptions = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...options.headers };
  if (options.id !== null) headers["x-webhook-id"] = options.id ?? randomUUID();
  if (options.event) headers["x-webhook-event"] = options.event;
  const signature = options.signature === undefined ? signWebhook(body, options.secret ?? "") : options.signature;
  if (signature !== null) headers["x-webhook-signature"] = signature;
  if (entry === "production listener") {
    return postToListener(PATH, body, { "Content-Length": String(Buffer.byteLength(body)), ...headers }).then(
      asRouteResult,
    );
  }
  return callAction(webhookRoute, PATH, { body, headers });
}

const at = (minutes: number, seconds = 0) => new Date(Date.UTC(2026, 10, 25, 15, minutes, seconds));
const iso = (date: Date) => date.toISOString().replace(/\.000Z$/, "Z");

const payload = {
  sessionStart: (roomId: string, sessionId: string, startedAt: Date) =>
    JSON.stringify({
      event: "session.start",
      room: { id: roomId },
      session: { id: sessionId, start_time: iso(startedAt) },
      timestamp: iso(startedAt),
    }),
  sessionEnd: (roomId: string, sessionId: string, startedAt: Date, endedAt: Date, recording = true) =>
    JSON.stringify({
      event: "session.end",
      room: { id: roomId },
      session: { id: sessionId, start_time: iso(startedAt), end_time: iso(endedAt) },
      recording: { available: recording },
    }),
  user: (action: "join" | "leave", roomId: string, sessionId: string, userId: string, when: Date) =>
    JSON.stringify({
      event: `user.${action}`,
      room: { id: roomId },
      session: { id: sessionId },
      user: { id: userId, name: "Someone", leader: false },
      timestamp: iso(when),
    }),
};

/** Everything a delivery for this booking could have changed. */
async function stateOf(space: Space) {
  const [events, sessions, attendance, booking] = await Promise.all([
    db.webhookEvent.findMany({
      where: { roomId: space.roomId },
      select: { deliveryId: true, event: true, outcome: true, processedAt: true },
      orderBy: { receivedAt: "asc" },
    }),
    db.lessonspaceSession.findMany({
      where: { bookingId: space.bookingId },
      select: { sessionId: true, startedAt: true, endedAt: true, durationSeconds: true, recordingAvailable: true },
      orderBy: { startedAt: "asc" },
    }),
    db.lessonspaceAttendance.findMany({
      where: { session: { bookingId: space.bookingId } },
      select: { sessionId: true, profileId: true, joinedAt: true, leftAt: true, secondsPresent: true },
      orderBy: [{ sessionId: "asc" }, { profileId: "asc" }],
    }),
    db.booking.findUniqueOrThrow({
      where: { id: space.bookingId },
      select: { durationActual: true, recordingUrl: true, status: true },
    }),
  ]);
  return { events, sessions, attendance, booking };
}

const untouched = {
  events: [],
  sessions: [],
  attendance: [],
  booking: { durationActual: null, recordingUrl: null, status: "Confirmed" },
};

async function totalWebhookEvents() {
  return db.webhookEvent.count();
}

describe.each(ENTRIES)("through the %s", (through) => {
  beforeAll(() => {
    entry = through;
  });

  describe("refused deliveries change nothing", () => {
    it("a missing signature is 401", async () => {
      const space = await bookingWithSpace();
      const before = await totalWebhookEvents();
      const result = await deliver(payload.sessionEnd(space.roomId, randomUUID(), at(0), at(50)), { signature: null });
      expect(result.status).toBe(401);
      expect(await stateOf(space)).toEqual(untouched);
      expect(await totalWebhookEvents()).toBe(before);
    });

    it("a truncated signature is 401", async () => {
      const space = await bookingWithSpace();
      const body = payload.sessionEnd(space.roomId, randomUUID(), at(0), at(50));
      const result = await deliver(body, { signature: signWebhook(body, space.secret).slice(0, 40) });
      expect(result.status).toBe(401);
      expect(await stateOf(space)).toEqual(untouched);
    });

    it("a signature made with a wrong key is 401", async () => {
      const space = await bookingWithSpace();
      const result = await deliver(payload.sessionEnd(space.roomId, randomUUID(), at(0), at(50)), {
        secret: "not-the-secret",
      });
      expect(result.status).toBe(401);
      expect(await stateOf(space)).toEqual(untouched);
    });

    it("a signature made with another room's secret is 401", async () => {
      const space = await bookingWithSpace();
      const other = await bookingWithSpace();
      const result = await deliver(payload.sessionEnd(space.roomId, randomUUID(), at(0), at(50)), {
        secret: other.secret,
      });
      expect(result.status).toBe(401);
      expect(await stateOf(space)).toEqual(untouched);
      expect(await stateOf(other)).toEqual(untouched);
    });

    it("the same body re-serialized with other whitespace fails the signature: 401", async () => {
      const space = await bookingWithSpace();
      const body = payload.sessionEnd(space.roomId, randomUUID(), at(0), at(50));
      const reformatted = JSON.stringify(JSON.parse(body), null, 2);
      const result = await deliver(reformatted, { signature: signWebhook(body, space.secret) });
      expect(result.status).toBe(401);
      expect(await stateOf(space)).toEqual(untouched);
    });

    it("an empty body is 400", async () => {
      const before = await totalWebhookEvents();
      const result = await deliver("", { secret: "anything" });
      expect(result.status).toBe(400);
      expect(await totalWebhookEvents()).toBe(before);
    });

    it("a body that is not JSON is 400", async () => {
      const before = await totalWebhookEvents();
      const result = await deliver("event=session.end&room=1", { secret: ORG_SECRET });
      expect(result.status).toBe(400);
      expect(result.data).toEqual({ error: "The body is not JSON." });
      expect(await totalWebhookEvents()).toBe(before);
    });

    it("JSON that names no room is 400", async () => {
      const before = await totalWebhookEvents();
      const result = await deliver(JSON.stringify({ event: "session.end", session: { id: "s" } }), {
        secret: ORG_SECRET,
      });
      expect(result.status).toBe(400);
      expect(await totalWebhookEvents()).toBe(before);
    });

    it("an unknown room is 404, even when signed with the organisation key", async () => {
      const before = await totalWebhookEvents();
      const roomId = randomUUID();
      const sessionIds = [randomUUID(), randomUUID()];
      const signed = await deliver(payload.sessionEnd(roomId, sessionIds[0]!, at(0), at(50)), { secret: ORG_SECRET });
      expect(signed.status).toBe(404);
      // Documented choice: an unknown room is 404 whatever the signature (room ids are unguessable).
      const forged = await deliver(payload.sessionEnd(roomId, sessionIds[1]!, at(0), at(50)), { secret: "forged" });
      expect(forged.status).toBe(404);
      expect(await totalWebhookEvents()).toBe(before);
      expect(await db.lessonspaceSession.count({ where: { sessionId: { in: sessionIds } } })).toBe(0);
    });

    it("a body over 64 KB by its Content-Length is 413, before reading it", async () => {
      const space = await bookingWithSpace();
      const body = JSON.stringify({ event: "chat.message", room: { id: space.roomId }, text: "x".repeat(70_000) });
      const result = await deliver(body, {
        secret: space.secret,
        headers: { "Content-Length": String(Buffer.byteLength(body)) },
      });
      expect(result.status).toBe(413);
      expect(await stateOf(space)).toEqual(untouched);
    });

    it("an endless body without Content-Length is 413 and is not read past the limit", async () => {
      const space = await bookingWithSpace();
      let pulled = 0;
      const chunk = new Uint8Array(16 * 1024).fill(0x20);
      if (entry === "production listener") {
        // Over HTTP, chunked: the answer must come while the body is still being sent.
        const outcome = await new Promise<{ status: number; ended: boolean }>((resolve, reject) => {
          let ended = false;
          const headers = {
            "x-webhook-signature": "0".repeat(64),
            "x-webhook-id": randomUUID(),
            "Transfer-Encoding": "chunked",
          };
          const request = http.request(`${listenerUrl}${PATH}`, { method: "POST", headers, agent: false });
          request.on("response", (response) => {
            response.resume();
            resolve({ status: response.statusCode ?? 0, ended });
            request.destroy();
          });
          request.on("error", (error) => (ended ? undefined : reject(error)));
          const pump = () => {
            while (pulled < 64 * 1024 * 1024) {
              pulled += chunk.byteLength;
              if (!request.write(chunk)) return void request.once("drain", pump);
            }
            ended = true; // a safeguard: 64 MB sent and still no answer
            request.end();
          };
          pump();
        });
        expect(outcome).toEqual({ status: 413, ended: false });
        expect(await stateOf(space)).toEqual(untouched);
        return;
      }
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const request = new Request(new URL(PATH, APP_URL), {
        method: "POST",
        headers: { "x-webhook-signature": "0".repeat(64), "x-webhook-id": randomUUID() },
        body: endless,
        duplex: "half",
      } as RequestInit);
      const response = (await webhookRoute.action({ request, params: {}, context: undefined } as never)) as Response;
      expect(response.status).toBe(413);
      expect(pulled).toBeLessThanOrEqual(64 * 1024 + 2 * chunk.byteLength);
      expect(await stateOf(space)).toEqual(untouched);
    });

    it("a body that breaks off while being sent is refused, records nothing, and the next delivery is taken", async () => {
      const space = await bookingWithSpace();
      const body = payload.sessionStart(space.roomId, randomUUID(), at(0));
      const signature = signWebhook(body, space.secret);
      if (entry === "production listener") {
        // The sender promises the whole body, sends a third of it and hangs up.
        await new Promise<void>((resolve) => {
          const headers = {
            "x-webhook-signature": signature,
            "x-webhook-id": randomUUID(),
            "Content-Length": String(Buffer.byteLength(body)),
          };
          const request = http.request(`${listenerUrl}${PATH}`, { method: "POST", headers, agent: false });
          request.on("error", () => resolve());
          request.on("close", () => resolve());
          request.write(body.slice(0, Math.floor(body.length / 3)), () => setTimeout(() => request.destroy(), 50));
        });
      } else {
        const broken = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(body.slice(0, 20)));
            controller.error(new Error("connection reset"));
          },
        });
        const request = new Request(new URL(PATH, APP_URL), {
          method: "POST",
          headers: { "x-webhook-signature": signature, "x-webhook-id": randomUUID() },
          body: broken,
          duplex: "half",
        } as RequestInit);
        const response = (await webhookRoute.action({ request, params: {}, context: undefined } as never)) as Response;
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: "The body could not be read." });
      }
      expect(await stateOf(space)).toEqual(untouched);
      const next = await deliver(body, { secret: space.secret });
      expect(next.status).toBe(200);
      expect((await stateOf(space)).events).toHaveLength(1);
    });

    it("a signed body of exactly 64 KB is accepted", async () => {
      const space = await bookingWithSpace();
      const skeleton = JSON.stringify({ event: "chat.message", room: { id: space.roomId }, text: "" });
      const body = skeleton.replace('"text":""', `"text":"${"x".repeat(64 * 1024 - Buffer.byteLength(skeleton))}"`);
      expect(Buffer.byteLength(body)).toBe(64 * 1024);
      const result = await deliver(body, { secret: space.secret });
      expect(result.status).toBe(200);
    });

    it("a signed event that lacks what it needs is 422", async () => {
      const space = await bookingWithSpace();
      const body = JSON.stringify({ event: "session.end", room: { id: space.roomId }, session: {} });
      const result = await deliver(body, { secret: space.secret });
      expect(result.status).toBe(422);
      expect(await stateOf(space)).toEqual(untouched);
    });

    it("a non-POST request is 405", async () => {
      const response =
        entry === "production listener" ? await postToListener(PATH, undefined, {}, "GET") : webhookRoute.loader();
      expect(response.status).toBe(405);
      expect(response.headers.get("Allow")).toBe("POST");
    });
  });

  describe("accepted signatures", () => {
    it("the answer is JSON that no cache keeps (and, from the production listener, carries the root's security headers)", async () => {
      const space = await bookingWithSpace();
      const result = await deliver(payload.sessionStart(space.roomId, randomUUID(), at(0)), { secret: space.secret });
      expect(result.status).toBe(200);
      expect(result.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(result.headers.get("Cache-Control")).toBe("no-store");
      expect(result.data).toEqual({ outcome: "applied", detail: "Session started." });
      if (entry === "production listener") {
        expect(result.headers.get("X-Content-Type-Options")).toBe("nosniff");
        expect(result.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
      }
    });

    it("a base64 signature of the space secret is accepted", async () => {
      const space = await bookingWithSpace();
      const sessionId = randomUUID();
      const body = payload.sessionStart(space.roomId, sessionId, at(0));
      const base64 = Buffer.from(signWebhook(body, space.secret), "hex").toString("base64");
      const result = await deliver(body, { signature: base64 });
      expect(result.status).toBe(200);
      expect((await stateOf(space)).sessions).toEqual([
        { sessionId, startedAt: at(0), endedAt: null, durationSeconds: null, recordingAvailable: false },
      ]);
    });

    it("a signature with LESSONSPACE_SECRET is accepted for a known room", async () => {
      const space = await bookingWithSpace();
      const sessionId = randomUUID();
      const result = await deliver(payload.sessionStart(space.roomId, sessionId, at(0)), { secret: ORG_SECRET });
      expect(result.status).toBe(200);
      expect((await stateOf(space)).sessions.map((s) => s.sessionId)).toEqual([sessionId]);
    });

    it("after a relaunch stores a new secret, a delivery signed with it is accepted at once (the remembered secret is re-checked against the row)", async () => {
      const space = await bookingWithSpace();
      const first = randomUUID();
      // The room's secret is now remembered by this process…
      expect((await deliver(payload.sessionStart(space.roomId, first, at(0)), { secret: space.secret })).status).toBe(
        200,
      );
      // …and a launch stores the one Lessonspace issued since.
      const renewed = `space-secret-${randomUUID()}`;
      await db.lessonspaceSpace.update({ where: { roomId: space.roomId }, data: { secret: renewed } });
      const second = randomUUID();
      expect((await deliver(payload.sessionStart(space.roomId, second, at(30)), { secret: renewed })).status).toBe(200);
      // A wrong key is still refused, and changes nothing.
      const forged = await deliver(payload.sessionStart(space.roomId, randomUUID(), at(40)), {
        secret: "not-the-secret",
      });
      expect(forged.status).toBe(401);
      expect((await stateOf(space)).sessions.map((s) => s.sessionId).sort()).toEqual([first, second].sort());
    });

    it("the response sets no cookie", async () => {
      const space = await bookingWithSpace();
      const result = await deliver(payload.sessionStart(space.roomId, randomUUID(), at(0)), { secret: space.secret });
      expect(result.status).toBe(200);
      expect(result.headers.getSetCookie()).toEqual([]);
    });
  });

  describe("session.end", () => {
    it("stores the session, the booking's actual duration and the recording reference", async () => {
      const space = await bookingWithSpace();
      const sessionId = randomUUID();
      const id = randomUUID();
      const result = await deliver(payload.sessionEnd(space.roomId, sessionId, at(0, 4), at(58, 40)), {
        secret: space.secret,
        id,
      });
      expect(result.status).toBe(200);
      expect(result.data).toEqual({ outcome: "applied", detail: "Session ended." });
      const state = await stateOf(space);
      expect(state.sessions).toEqual([
        {
          sessionId,
          startedAt: at(0, 4),
          endedAt: at(58, 40),
          durationSeconds: 58 * 60 + 36,
          recordingAvailable: true,
        },
      ]);
      expect(state.booking).toEqual({
        durationActual: 58 * 60 + 36,
        recordingUrl: playbackReference(sessionId),
        status: "Confirmed",
      });
      expect(state.events).toEqual([
        { deliveryId: id, event: "session.end", outcome: "applied: Session ended.", processedAt: expect.any(Date) },
      ]);
    });

    it("a session without a recording sets the duration but no recording reference", async () => {
      const space = await bookingWithSpace();
      const result = await deliver(payload.sessionEnd(space.roomId, randomUUID(), at(0), at(30), false), {
        secret: space.secret,
      });
      expect(result.status).toBe(200);
      expect((await stateOf(space)).booking).toEqual({ durationActual: 1800, recordingUrl: null, status: "Confirmed" });
    });

    it("two sessions in one booking: the actual duration is their sum, the recording the longer one's", async () => {
      const space = await bookingWithSpace();
      const [first, second] = [randomUUID(), randomUUID()];
      expect(
        (await deliver(payload.sessionEnd(space.roomId, first, at(0), at(40)), { secret: space.secret })).status,
      ).toBe(200);
      expect(
        (await deliver(payload.sessionEnd(space.roomId, second, at(42), at(52)), { secret: space.secret })).status,
      ).toBe(200);
      const state = await stateOf(space);
      expect(state.sessions.map((s) => [s.sessionId, s.durationSeconds])).toEqual([
        [first, 2400],
        [second, 600],
      ]);
      expect(state.booking).toEqual({
        durationActual: 3000,
        recordingUrl: playbackReference(first),
        status: "Confirmed",
      });
    });

    it("a session that ends before it starts is stored without a duration and left out of the total", async () => {
      const space = await bookingWithSpace();
      const [good, bad] = [randomUUID(), randomUUID()];
      await deliver(payload.sessionEnd(space.roomId, good, at(0), at(30)), { secret: space.secret });
      const result = await deliver(payload.sessionEnd(space.roomId, bad, at(40), at(35)), { secret: space.secret });
      expect(result.status).toBe(200);
      expect(result.data).toMatchObject({ outcome: "applied", detail: expect.stringContaining("refused") });
      const state = await stateOf(space);
      expect(state.sessions).toEqual([
        { sessionId: good, startedAt: at(0), endedAt: at(30), durationSeconds: 1800, recordingAvailable: true },
        { sessionId: bad, startedAt: at(40), endedAt: at(35), durationSeconds: null, recordingAvailable: true },
      ]);
      expect(state.booking).toEqual({
        durationActual: 1800,
        recordingUrl: playbackReference(good),
        status: "Confirmed",
      });
    });

    it("a session over 24 hours is stored without a duration and leaves the actual duration unknown", async () => {
      const space = await bookingWithSpace();
      const sessionId = randomUUID();
      const end = new Date(at(0).getTime() + (24 * 3600 + 1) * 1000);
      const result = await deliver(payload.sessionEnd(space.roomId, sessionId, at(0), end), { secret: space.secret });
      expect(result.status).toBe(200);
      const state = await stateOf(space);
      expect(state.sessions).toEqual([
        { sessionId, startedAt: at(0), endedAt: end, durationSeconds: null, recordingAvailable: true },
      ]);
      expect(state.booking.durationActual).toBeNull();
    });

    it("does not change the booking status (the booking system owns it)", async () => {
      const space = await bookingWithSpace();
      await deliver(payload.sessionEnd(space.roomId, randomUUID(), at(0), at(30)), { secret: space.secret });
      expect((await stateOf(space)).booking.status).toBe("Confirmed");
    });

    it("closes the attendance of someone whose leave never arrived at the session end", async () => {
      const space = await bookingWithSpace();
      const sessionId = randomUUID();
      await deliver(payload.user("join", space.roomId, sessionId, student.id, at(1)), { secret: space.secret });
      await deliver(payload.sessionEnd(space.roomId, sessionId, at(0), at(31)), { secret: space.secret });
      expect((await stateOf(space)).attendance).toEqual([
        { sessionId, profileId: student.id, joinedAt: at(1), leftAt: at(31), secondsPresent: 1800 },
      ]);
    });

    it("calls the proof-of-value extension point once per applied session end, not for its replay", async () => {
      const space = await bookingWithSpace();
      const sessionId = randomUUID();
      const logged = logsFromNow();
      const id = randomUUID();
      const body = payload.sessionEnd(space.roomId, sessionId, at(0), at(30));
      await deliver(body, { secret: space.secret, id });
      await deliver(body, { secret: space.secret, id });
      const calls = logged().filter(
        (line) => line.msg === "proof-of-value: session ended" && line.sessionId === sessionId,
      );
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        bookingId: space.bookingId,
        sessionId,
        durationSeconds: 1800,
        bookingDurationSeconds: 1800,
      });
    });
  });

  describe("attendance", () => {
    it("user.join before session.start creates the session, and session.start then records its start", async () => {
      const space = await bookingWithSpace();
      const sessionId = randomUUID();
      expect(
        (await deliver(payload.user("join", space.roomId, sessionId, tutor.id, at(0, 1)), { secret: space.secret }))
          .status,
      ).toBe(200);
      let state = await stateOf(space);
      expect(state.sessions).toEqual([
        { sessionId, startedAt: null, endedAt: null, durationSeconds: null, recordingAvailable: false },
      ]);
      expect(state.attendance).toEqual([
        { sessionId, profileId: tutor.id, joinedAt: at(0, 1), leftAt: null, secondsPresent: 0 },
      ]);

      expect(
        (await deliver(payload.sessionStart(space.roomId, sessionId, at(0)), { secret: space.secret })).status,
      ).toBe(200);
      state = await stateOf(space);
      expect(state.sessions).toEqual([
        { sessionId, startedAt: at(0), endedAt: null, durationSeconds: null, recordingAvailable: false },
      ]);
    });

    it("sums the visits of each person, tutor and student separately", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const steps = [
        payload.sessionStart(space.roomId, s, at(0)),
        payload.user("join", space.roomId, s, tutor.id, at(0)),
        payload.user("join", space.roomId, s, student.id, at(2)),
        payload.user("leave", space.roomId, s, student.id, at(20)),
        payload.user("join", space.roomId, s, student.id, at(23)),
        payload.user("leave", space.roomId, s, student.id, at(55)),
        payload.user("leave", space.roomId, s, tutor.id, at(58)),
        payload.sessionEnd(space.roomId, s, at(0), at(58)),
      ];
      for (const body of steps) expect((await deliver(body, { secret: space.secret })).status).toBe(200);
      const state = await stateOf(space);
      const byProfile = Object.fromEntries(state.attendance.map((row) => [row.profileId, row.secondsPresent]));
      expect(byProfile).toEqual({ [tutor.id]: 58 * 60, [student.id]: (18 + 32) * 60 });
      expect(state.booking.durationActual).toBe(58 * 60);
    });

    it("a user who is not one of our profiles is recorded as received and otherwise ignored", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const unknownUuid = randomUUID();
      const guest = await deliver(payload.user("join", space.roomId, s, "1001", at(0)), { secret: space.secret });
      const stranger = await deliver(payload.user("join", space.roomId, s, unknownUuid, at(0)), {
        secret: space.secret,
      });
      expect([guest.status, stranger.status]).toEqual([200, 200]);
      expect(guest.data).toMatchObject({ outcome: "ignored" });
      const state = await stateOf(space);
      expect(state.sessions).toEqual([]);
      expect(state.attendance).toEqual([]);
      expect(state.events.map((e) => e.outcome)).toEqual([
        "ignored: The user is not one of our profiles.",
        "ignored: Unknown profile.",
      ]);
    });

    it("a session id that belongs to another booking is not moved or counted", async () => {
      const space = await bookingWithSpace();
      const other = await bookingWithSpace();
      const s = randomUUID();
      await deliver(payload.sessionEnd(other.roomId, s, at(0), at(10)), { secret: other.secret });
      const result = await deliver(payload.sessionEnd(space.roomId, s, at(0), at(50)), { secret: space.secret });
      expect(result.data).toMatchObject({ outcome: "ignored" });
      expect((await stateOf(space)).sessions).toEqual([]);
      expect((await stateOf(other)).booking.durationActual).toBe(600);
    });
  });

  describe("other events", () => {
    it("an unknown event type answers 200, is logged in webhook_events, and changes nothing else", async () => {
      const space = await bookingWithSpace();
      const id = randomUUID();
      const body = JSON.stringify({
        event: "chat.message",
        room: { id: space.roomId },
        session: { id: randomUUID() },
        message: "hi",
      });
      const result = await deliver(body, { secret: space.secret, id, event: "chat.message" });
      expect(result.status).toBe(200);
      expect(result.data).toEqual({ outcome: "ignored", detail: "No handling for chat.message." });
      expect(await stateOf(space)).toEqual({
        ...untouched,
        events: [
          {
            deliveryId: id,
            event: "chat.message",
            outcome: "ignored: No handling for chat.message.",
            processedAt: expect.any(Date),
          },
        ],
      });
    });
  });

  describe("replays", () => {
    it("a delivery replayed sequentially is applied once and the replay answers 200", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const id = randomUUID();
      await deliver(payload.user("join", space.roomId, s, tutor.id, at(0)), { secret: space.secret });
      const leave = payload.user("leave", space.roomId, s, tutor.id, at(30));
      const first = await deliver(leave, { secret: space.secret, id });
      const again = await deliver(leave, { secret: space.secret, id });
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(again.data).toEqual({ outcome: "duplicate", detail: "Already received." });
      const state = await stateOf(space);
      expect(state.attendance).toEqual([
        { sessionId: s, profileId: tutor.id, joinedAt: at(0), leftAt: at(30), secondsPresent: 1800 },
      ]);
      expect(state.events.filter((e) => e.deliveryId === id)).toHaveLength(1);
    });

    it("a delivery replayed concurrently is applied once and every copy answers 200", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const id = randomUUID();
      const body = payload.sessionEnd(space.roomId, s, at(0), at(45));
      const results = await Promise.all(Array.from({ length: 8 }, () => deliver(body, { secret: space.secret, id })));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(results.filter((r) => (r.data as { outcome: string }).outcome === "applied")).toHaveLength(1);
      const state = await stateOf(space);
      expect(state.events).toHaveLength(1);
      expect(state.sessions).toHaveLength(1);
      expect(state.booking.durationActual).toBe(2700);
    });

    it("a join replayed concurrently, before its session exists, is applied once and every copy answers 200", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const id = randomUUID();
      const body = payload.user("join", space.roomId, s, student.id, at(3));
      const results = await Promise.all(Array.from({ length: 8 }, () => deliver(body, { secret: space.secret, id })));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(results.map((r) => (r.data as { outcome: string }).outcome).sort()).toEqual([
        "applied",
        ...Array(7).fill("duplicate"),
      ]);
      const state = await stateOf(space);
      expect(state.events).toEqual([
        { deliveryId: id, event: "user.join", outcome: "applied: Joined.", processedAt: expect.any(Date) },
      ]);
      expect(state.sessions).toEqual([
        { sessionId: s, startedAt: null, endedAt: null, durationSeconds: null, recordingAvailable: false },
      ]);
      expect(state.attendance).toEqual([
        { sessionId: s, profileId: student.id, joinedAt: at(3), leftAt: null, secondsPresent: 0 },
      ]);
    });

    it("six people joining a session nobody has mentioned yet, all at once: one session row, six attendance rows, every answer 200", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const others = await Promise.all([1, 2, 3].map((i) => createProfile({ fullName: `Guest ${i}` })));
      const people = [tutor, client, student, ...others];
      // Without the room lock, every copy would try to create the session row and all but one would fail.
      const results = await Promise.all(
        people.map((p, i) => deliver(payload.user("join", space.roomId, s, p.id, at(0, i)), { secret: space.secret })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
      expect(results.map((r) => (r.data as { outcome: string }).outcome)).toEqual(Array(6).fill("applied"));
      const state = await stateOf(space);
      expect(state.sessions).toHaveLength(1);
      expect(state.events).toHaveLength(6);
      expect(new Map(state.attendance.map((row) => [row.profileId, row.joinedAt]))).toEqual(
        new Map(people.map((p, i) => [p.id, at(0, i)])),
      );
    });

    it("a join for a session of another booking is recorded as received and counts nothing", async () => {
      const space = await bookingWithSpace();
      const other = await bookingWithSpace();
      const s = randomUUID();
      await deliver(payload.sessionStart(other.roomId, s, at(0)), { secret: other.secret });
      const result = await deliver(payload.user("join", space.roomId, s, tutor.id, at(1)), { secret: space.secret });
      expect(result.data).toEqual({ outcome: "ignored", detail: "The session belongs to another booking." });
      const state = await stateOf(space);
      expect(state.attendance).toEqual([]);
      expect(state.events.map((e) => e.outcome)).toEqual(["ignored: The session belongs to another booking."]);
      expect((await stateOf(other)).sessions).toEqual([
        { sessionId: s, startedAt: at(0), endedAt: null, durationSeconds: null, recordingAvailable: false },
      ]);
    });

    it("the same event under a new delivery id cannot count attendance twice", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const join = payload.user("join", space.roomId, s, student.id, at(0));
      const leave = payload.user("leave", space.roomId, s, student.id, at(10));
      for (const body of [join, leave, join, leave])
        expect((await deliver(body, { secret: space.secret })).status).toBe(200);
      expect((await stateOf(space)).attendance).toEqual([
        { sessionId: s, profileId: student.id, joinedAt: at(0), leftAt: at(10), secondsPresent: 600 },
      ]);
    });

    it("without x-webhook-id, identical bytes are the same delivery", async () => {
      const space = await bookingWithSpace();
      const body = payload.sessionEnd(space.roomId, randomUUID(), at(0), at(10));
      const first = await deliver(body, { secret: space.secret, id: null });
      const again = await deliver(body, { secret: space.secret, id: null });
      expect([first.data, again.data]).toMatchObject([{ outcome: "applied" }, { outcome: "duplicate" }]);
      expect((await stateOf(space)).events).toHaveLength(1);
    });
  });

  describe("outages", () => {
    it("a database error mid-transaction answers 503, leaves no trace, and the retry applies once", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const id = randomUUID();
      const body = payload.sessionEnd(space.roomId, s, at(0), at(30));
      // The failure strikes after webhook_events was written: proves the two are one transaction.
      await db.$executeRawUnsafe(
        `CREATE OR REPLACE FUNCTION fail_session_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated outage'; END $$`,
      );
      await db.$executeRawUnsafe(
        `CREATE TRIGGER fail_session_write BEFORE INSERT OR UPDATE ON lessonspace_sessions FOR EACH ROW EXECUTE FUNCTION fail_session_write()`,
      );
      const logged = logsFromNow();
      try {
        const failed = await deliver(body, { secret: space.secret, id });
        expect(failed.status).toBe(503);
        expect(failed.headers.get("Retry-After")).toBe("30");
        expect(logged()).toContainEqual(
          expect.objectContaining({ level: "error", msg: "webhook.apply-failed", roomId: space.roomId }),
        );
        expect(await stateOf(space)).toEqual(untouched);
      } finally {
        await db.$executeRawUnsafe(`DROP TRIGGER fail_session_write ON lessonspace_sessions`);
      }
      const retried = await deliver(body, { secret: space.secret, id });
      expect(retried.status).toBe(200);
      const again = await deliver(body, { secret: space.secret, id });
      expect(again.data).toMatchObject({ outcome: "duplicate" });
      const state = await stateOf(space);
      expect(state.events).toHaveLength(1);
      expect(state.booking.durationActual).toBe(1800);
    });

    it("a database error while a join is written answers 503, leaves no trace, and the retry applies once", async () => {
      const space = await bookingWithSpace();
      const s = randomUUID();
      const id = randomUUID();
      const body = payload.user("join", space.roomId, s, tutor.id, at(1));
      // The session row and the webhook_events row are written in the same statement as the failing one.
      await db.$executeRawUnsafe(
        `CREATE OR REPLACE FUNCTION fail_attendance_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated outage'; END $$`,
      );
      await db.$executeRawUnsafe(
        `CREATE TRIGGER fail_attendance_write BEFORE INSERT OR UPDATE ON lessonspace_attendance FOR EACH ROW EXECUTE FUNCTION fail_attendance_write()`,
      );
      try {
        const failed = await deliver(body, { secret: space.secret, id });
        expect(failed.status).toBe(503);
        expect(await stateOf(space)).toEqual(untouched);
      } finally {
        await db.$executeRawUnsafe(`DROP TRIGGER fail_attendance_write ON lessonspace_attendance`);
      }
      const retried = await deliver(body, { secret: space.secret, id });
      expect(retried.data).toEqual({ outcome: "applied", detail: "Joined." });
      expect((await deliver(body, { secret: space.secret, id })).data).toMatchObject({ outcome: "duplicate" });
      const state = await stateOf(space);
      expect(state.events).toHaveLength(1);
      expect(state.attendance).toEqual([
        { sessionId: s, profileId: tutor.id, joinedAt: at(1), leftAt: null, secondsPresent: 0 },
      ]);
    });

    it("an unreachable database answers 503, and the retry once it is back applies the delivery", async () => {
      const space = await bookingWithSpace();
      const id = randomUUID();
      const body = payload.sessionEnd(space.roomId, randomUUID(), at(0), at(20));
      const admin = new pg.Client({ connectionString: databaseServerUrl() });
      await admin.connect();
      const name = new URL(process.env.DATABASE_URL!).pathname.slice(1);
      try {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [name],
        );
        await untilNoConnections(admin, name);
        const started = performance.now();
        const failed = await deliver(body, { secret: space.secret, id });
        expect(failed.status).toBe(503);
        expect(performance.now() - started).toBeLessThan(10_000);
      } finally {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
        await admin.end();
      }
      const retried = await deliver(body, { secret: space.secret, id });
      expect(retried.status).toBe(200);
      const state = await stateOf(space);
      expect(state.events).toEqual([
        { deliveryId: id, event: "session.end", outcome: "applied: Session ended.", processedAt: expect.any(Date) },
      ]);
      expect(state.booking.durationActual).toBe(1200);
    });
  });

  /** Waits until every connection to the database is gone, and our pool has heard of it. */
  async function untilNoConnections(admin: pg.Client, name: string) {
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [name]);
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  describe("session.end without timing: the sessions API fills it in", () => {
    /** A real session in the Lessonspace stand-in, ended, for a booking of ours. */
    async function realSession() {
      const space = await bookingWithSpace();
      const launch = await fetch(`${testStandIns.lessonspace.url}/v2/spaces/launch/`, {
        method: "POST",
        headers: { Authorization: "Organisation test-lessonspace-key", "Content-Type": "application/json" },
        body: JSON.stringify({
          id: `lookup-${space.bookingId}`,
          name: "Lookup",
          user: { id: tutor.id, name: tutor.fullName, leader: true },
        }),
      });
      const launched = (await launch.json()) as { client_url: string; room_id: string };
      await (await fetch(launched.client_url)).text();
      await testStandIns.lessonspace.endSession(launched.room_id);
      const info = await fetch(
        `${testStandIns.lessonspace.url}/v2/organisations/1/sessions/?launch_id=lookup-${space.bookingId}`,
        {
          headers: { Authorization: "Organisation test-lessonspace-key" },
        },
      );
      const session = ((await info.json()) as { results: { uuid: string; start_time: string; end_time: string }[] })
        .results[0]!;
      return { space, session };
    }

    it("reads start, end and recording from Lessonspace", async () => {
      const { space, session } = await realSession();
      const body = JSON.stringify({ event: "session.end", room: { id: space.roomId }, session: { id: session.uuid } });
      const result = await deliver(body, { secret: space.secret });
      expect(result.status).toBe(200);
      const state = await stateOf(space);
      const seconds = Math.round((Date.parse(session.end_time) - Date.parse(session.start_time)) / 1000);
      expect(state.sessions).toEqual([
        {
          sessionId: session.uuid,
          startedAt: new Date(session.start_time),
          endedAt: new Date(session.end_time),
          durationSeconds: seconds,
          recordingAvailable: true,
        },
      ]);
      expect(state.booking).toEqual({
        durationActual: seconds,
        recordingUrl: playbackReference(session.uuid),
        status: "Confirmed",
      });
    });

    it("Lessonspace failing answers 503 with nothing recorded, and the retry applies", async () => {
      const { space, session } = await realSession();
      const id = randomUUID();
      const body = JSON.stringify({ event: "session.end", room: { id: space.roomId }, session: { id: session.uuid } });
      testStandIns.lessonspace.setFault({ kind: "500", scope: "api", times: 1 });
      const failed = await deliver(body, { secret: space.secret, id });
      expect(failed.status).toBe(503);
      expect(await stateOf(space)).toEqual(untouched);
      const retried = await deliver(body, { secret: space.secret, id });
      expect(retried.status).toBe(200);
      expect((await stateOf(space)).sessions).toHaveLength(1);
    });

    it("Lessonspace not answering still gets Lessonspace a 503 well within 10 seconds", async () => {
      const { space, session } = await realSession();
      const body = JSON.stringify({ event: "session.end", room: { id: space.roomId }, session: { id: session.uuid } });
      testStandIns.lessonspace.setFault({ kind: "hang", scope: "api", times: 1 });
      const started = performance.now();
      const result = await deliver(body, { secret: space.secret });
      expect(result.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(await stateOf(space)).toEqual(untouched);
    });
  });
});

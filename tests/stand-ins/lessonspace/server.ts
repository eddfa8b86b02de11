// The Lessonspace stand-in's HTTP server: the documented API (launch, sessions, playback),
// the classroom page behind client_url, recordings, and switches to make it misbehave.
import { randomBytes, randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import { messagePage, roomPage } from "./classroom";
import type { ClientTokenClaims } from "./crypto";
import { newSigningKey, signClientToken, signRecording, verifyClientToken, verifyRecording } from "./crypto";
import type { LaunchInput, SessionState, SpaceState } from "./spaces";
import { isoSeconds, participantKey, SpaceRegistry } from "./spaces";
import type { WebhookDelivery } from "./webhooks";
import { WebhookDispatcher } from "./webhooks";

export interface LessonspaceStandInOptions {
  apiKey: string;
  port?: number; // default 0: any free port
  hostname?: string; // default 127.0.0.1
  organisationId?: string; // default "1"
  fetchImpl?: typeof fetch; // delivers webhooks; default global fetch
  rateLimitPerSecond?: number; // per key and endpoint, like Lessonspace's ~5/s; 0 disables. Default 5
  retryDelaysMs?: number[]; // one entry per retry after a failed delivery. Default [200, 500, 1000, 2000, 4000]
  webhookTimeoutMs?: number; // a delivery slower than this fails and is retried. Default 30 000
  sessionEndDelayMs?: number; // Lessonspace waits ~30 s after the last person leaves. Default 0
  recordingAvailableAfterMs?: number; // playback answers 404 until this long after the session ended. Default 0
  recordingUrlTtlMs?: number; // lifetime of a recording_url. Default 3 hours
  refreshSeconds?: number; // classroom page auto-refresh (to show who is present); 0 disables. Default 5
  pageSize?: number; // sessions list page size. Default 20
  now?: () => Date; // clock for timestamps, timeouts and expiries. Default real time
  transcriptUrlTtlMs?: number; // lifetime of a transcript download URL. Default 1 hour
}

/** How /transcripts/<token>.json misbehaves, for the app's fetch tests. */
export interface TranscriptFault {
  kind: "not-json" | "oversized" | "500" | "redirect";
  location?: string; // for "redirect": where to (default http://169.254.169.254/latest/meta-data/)
  times?: number; // how many downloads fail this way before it clears; default forever
}

export type FaultKind = "500" | "429" | "401" | "bad-json" | "hang";

export interface Fault {
  kind: FaultKind;
  times?: number; // how many requests fail this way before the fault clears; default forever
  scope?: "launch" | "api"; // "api" also breaks the sessions and playback endpoints. Default "launch"
}

export interface LaunchRecord {
  at: Date;
  path: string; // "/v2/spaces/launch/" (or the no-slash mistake, answered 404)
  headers: Record<string, string>; // lowercased; authorization shown as "[redacted]"
  authorized: boolean; // whether the Authorization header carried the right key
  body: unknown; // parsed JSON, or the raw text when it was not JSON
  status: number | null; // null while unanswered (latency, "hang")
}

export interface LessonspaceStandIn {
  url: string; // API base, the app's LESSONSPACE_API_URL
  organisationId: string;
  launches: LaunchRecord[];
  deliveries: WebhookDelivery[];
  spaces: Map<string, SpaceState>; // launch id -> space
  setFault(fault: Fault | null): void;
  setLatency(ms: number): void;
  /** Same as pressing "End lesson"; resolves once its webhooks were delivered (or given up). */
  endSession(roomId: string): Promise<void>;
  /** Resolves when no webhook is queued or being retried. */
  idle(): Promise<void>;
  /** Serves `body` at a fresh pre-signed-style URL (/transcripts/<token>.json) and answers the URL. */
  publishTranscriptFile(body: string | Uint8Array, options?: { ttlMs?: number }): string;
  setTranscriptFault(fault: TranscriptFault | null): void;
  /** Paths of every transcript download request, answered or not. */
  transcriptRequests: string[];
  /** Stores a finished, recorded session (no webhooks): demo data for the embedded default. */
  recordPastSession(input: { launchId: string; name: string; sessionId: string; startTime: Date; endTime: Date }): {
    roomId: string;
    secret: string;
  };
  reset(): void;
  stop(): Promise<void>;
}

const RECORDING_BYTES = Buffer.from("000000186674797069736f6d0000020069736f6d6d703431", "hex"); // an mp4 "ftyp" box

const isoDateTime = z.iso.datetime({ offset: true });
const hookUrl = z.union([z.url({ protocol: /^https?$/ }), z.literal(""), z.null()]);

const LaunchBody = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(255).nullish(),
  user: z
    .object({
      id: z.union([z.string().min(1), z.number()]).transform(String),
      name: z.string().min(1).max(255),
      email: z.union([z.email(), z.literal("")]).nullish(),
      leader: z.boolean().optional(),
      role: z.string().optional(),
    })
    .nullish(),
  timeouts: z
    .object({ not_before: isoDateTime.nullish(), not_after: isoDateTime.nullish() })
    .refine((t) => !t.not_before || !t.not_after || Date.parse(t.not_before) < Date.parse(t.not_after), {
      message: "not_before must be earlier than not_after.",
      path: ["not_after"],
    })
    .nullish(),
  record_av: z.boolean().optional(),
  record_content: z.boolean().optional(),
  allow_guests: z.boolean().optional(),
  transcribe: z.boolean().optional(),
  webhooks: z.record(z.string(), z.record(z.string(), hookUrl).nullish()).nullish(),
});

/** Sliding one-second window per bucket; refused requests do not count. */
class RateLimiter {
  private hits = new Map<string, number[]>();
  constructor(private readonly perSecond: number) {}
  check(bucket: string): { ok: true } | { ok: false; retryAfter: number } {
    if (this.perSecond <= 0) return { ok: true };
    const t = performance.now();
    const recent = (this.hits.get(bucket) ?? []).filter((h) => t - h < 1000);
    if (recent.length >= this.perSecond) {
      this.hits.set(bucket, recent);
      return { ok: false, retryAfter: Math.max(1, Math.ceil((1000 - (t - recent[0]!)) / 1000)) };
    }
    recent.push(t);
    this.hits.set(bucket, recent);
    return { ok: true };
  }
  clear(): void {
    this.hits.clear();
  }
}

function detail(c: Context, status: number, text: string, headers: Record<string, string> = {}): Response {
  return c.json({ detail: text }, status as 400, headers);
}

function zodDetail(error: z.ZodError): { detail: string; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "non_field_errors";
    (errors[key] ??= []).push(issue.message);
  }
  const detailText = Object.entries(errors)
    .map(([k, msgs]) => `${k}: ${msgs.join(" ")}`)
    .join("; ");
  return { detail: detailText, errors };
}

export async function startLessonspaceStandIn(opts: LessonspaceStandInOptions): Promise<LessonspaceStandIn> {
  const organisationId = opts.organisationId ?? "1";
  const now = opts.now ?? (() => new Date());
  const refreshSeconds = opts.refreshSeconds ?? 5;
  const pageSize = opts.pageSize ?? 20;
  const recordingAvailableAfterMs = opts.recordingAvailableAfterMs ?? 0;
  const recordingUrlTtlMs = opts.recordingUrlTtlMs ?? 3 * 60 * 60 * 1000;
  const signingKey = newSigningKey();
  const launches: LaunchRecord[] = [];
  const deliveries: WebhookDelivery[] = [];
  const limiter = new RateLimiter(opts.rateLimitPerSecond ?? 5);
  const dispatcher = new WebhookDispatcher({
    fetchImpl: opts.fetchImpl ?? ((input, init) => fetch(input, init)),
    retryDelaysMs: opts.retryDelaysMs ?? [200, 500, 1000, 2000, 4000],
    timeoutMs: opts.webhookTimeoutMs ?? 30_000,
    log: deliveries,
  });
  const registry = new SpaceRegistry(dispatcher, now, opts.sessionEndDelayMs ?? 0);
  const lifetime = new AbortController(); // aborted by stop(): releases hanging requests
  const transcriptUrlTtlMs = opts.transcriptUrlTtlMs ?? 60 * 60 * 1000;
  const transcriptFiles = new Map<string, { body: string | Uint8Array; expiresAt: number }>();
  const transcriptRequests: string[] = [];
  let transcriptFault: (TranscriptFault & { remaining: number }) | null = null;
  function publishTranscriptFile(body: string | Uint8Array, ttlMs = transcriptUrlTtlMs): string {
    const token = randomBytes(18).toString("base64url");
    transcriptFiles.set(token, { body, expiresAt: now().getTime() + ttlMs });
    return `${baseUrl}/transcripts/${token}.json?X-Amz-Expires=${Math.round(ttlMs / 1000)}`;
  }
  registry.publishTranscript = (session) =>
    publishTranscriptFile(
      JSON.stringify(
        session.utterances.map((u) => ({
          start_time: u.startSeconds,
          end_time: u.endSeconds,
          user: { id: u.userId ?? String(u.lessonspaceUserId), name: u.name },
          breakout_id: u.breakoutId,
          text: u.text,
        })),
      ),
    );
  let fault: (Fault & { remaining: number }) | null = null;
  let latencyMs = 0;
  let baseUrl = "";

  const isAuthorized = (c: Context) => c.req.header("authorization")?.trim() === `Organisation ${opts.apiKey}`;
  const unauthorized = (c: Context) => detail(c, 401, "Invalid token.", { "WWW-Authenticate": "Organisation" });
  const throttled = (c: Context, retryAfter: number) =>
    detail(c, 429, "Request was throttled.", { "Retry-After": String(retryAfter) });

  /** The fault to apply to this request, if any, counting it against `times`. */
  function takeFault(route: "launch" | "api"): FaultKind | null {
    if (fault === null || (route === "api" && fault.scope !== "api")) return null;
    const kind = fault.kind;
    if (--fault.remaining <= 0) fault = null;
    return kind;
  }

  async function answerFault(c: Context, kind: FaultKind): Promise<Response> {
    switch (kind) {
      case "500":
        return detail(c, 500, "Internal error");
      case "429":
        return throttled(c, 1);
      case "401":
        return unauthorized(c);
      case "bad-json":
        return c.body("<!doctype html><title>Bad gateway</title><h1>Upstream hiccup</h1>", 200, {
          "content-type": "application/json",
        });
      case "hang":
        await new Promise<void>((resolve) => {
          if (lifetime.signal.aborted || c.req.raw.signal.aborted) return resolve();
          lifetime.signal.addEventListener("abort", () => resolve(), { once: true });
          c.req.raw.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        return c.body(null, 503);
    }
  }

  function recordLaunch(c: Context): LaunchRecord {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => {
      headers[name] = name === "authorization" ? "[redacted]" : value;
    });
    const record: LaunchRecord = {
      at: now(),
      path: c.req.path,
      headers,
      authorized: isAuthorized(c),
      body: undefined,
      status: null,
    };
    launches.push(record);
    return record;
  }

  function clientUrl(space: SpaceState, input: LaunchInput, lessonspaceUserId: number): string {
    const claims: ClientTokenClaims = {
      room: space.roomId,
      space: space.launchId,
      uid: input.user?.id ?? null,
      lsuid: lessonspaceUserId,
      gid: randomUUID(),
      name: input.user?.name ?? "Guest",
      email: input.user?.email || null,
      leader: input.user?.leader ?? false,
      not_before: input.timeouts?.not_before ?? null,
      not_after: input.timeouts?.not_after ?? null,
      iat: now().toISOString(),
    };
    return `${baseUrl}/room/${space.roomId}?token=${signClientToken(claims, signingKey)}`;
  }

  async function handleLaunch(c: Context, record: LaunchRecord): Promise<Response> {
    const text = await c.req.text();
    try {
      record.body = JSON.parse(text);
    } catch {
      record.body = text;
    }
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: lifetime.signal }).catch(() => undefined);
    const faultKind = takeFault("launch");
    if (faultKind) return answerFault(c, faultKind);
    if (!record.authorized) return unauthorized(c);
    const limit = limiter.check(`launch:${opts.apiKey}`);
    if (!limit.ok) return throttled(c, limit.retryAfter);
    const contentType = c.req.header("content-type") ?? "";
    if (!/^application\/json\b/i.test(contentType))
      return detail(c, 415, `Unsupported media type "${contentType}" in request.`);
    if (typeof record.body === "string")
      return detail(c, 400, "JSON parse error - the request body is not valid JSON.");
    const parsed = LaunchBody.safeParse(record.body);
    if (!parsed.success) return c.json(zodDetail(parsed.error), 400);
    const input = parsed.data as LaunchInput;
    // No await between looking the space up and creating it: concurrent first launches converge.
    const { space, created, lessonspaceUserId } = registry.launch(input);
    return c.json(
      {
        client_url: clientUrl(space, input, lessonspaceUserId),
        api_base: baseUrl,
        room_id: space.roomId,
        secret: space.secret,
        session_id: registry.currentSessionId(space),
        user_id: lessonspaceUserId,
        room_settings: {},
      },
      created ? 201 : 200,
    );
  }

  /** Common gate of the organisation API: faults, key, organisation. */
  function apiGate(c: Context): Response | Promise<Response> | null {
    const faultKind = takeFault("api");
    if (faultKind) return answerFault(c, faultKind);
    if (!isAuthorized(c)) return unauthorized(c);
    if (c.req.param("org") !== organisationId) return detail(c, 404, "Not found.");
    return null;
  }

  function recordingReady(session: SessionState): boolean {
    return (
      session.endTime !== null &&
      session.recordingEnabled &&
      now().getTime() >= session.endTime.getTime() + recordingAvailableAfterMs
    );
  }

  function sessionJson(space: SpaceState, session: SessionState) {
    return {
      uuid: session.id,
      name: session.name,
      room_id: space.roomId,
      launch_id: space.launchId,
      space: { uuid: space.roomId, launch_id: space.launchId, name: space.name },
      start_time: isoSeconds(session.startTime),
      end_time: session.endTime ? isoSeconds(session.endTime) : null,
      duration: session.endTime ? Math.round((session.endTime.getTime() - session.startTime.getTime()) / 1000) : null,
      recording_available: recordingReady(session),
      playback_url: `${baseUrl}/v2/organisations/${organisationId}/sessions/${session.id}/playback/`,
      users: [...session.participants.values()].map((p) => ({
        id: p.userId ?? String(p.lessonspaceUserId),
        lessonspace_id: p.lessonspaceUserId,
        name: p.name,
        email: p.email,
        leader: p.leader,
        joined_at: isoSeconds(p.visits[0]!.joinedAt),
        left_at: p.visits.at(-1)?.leftAt ? isoSeconds(p.visits.at(-1)!.leftAt!) : null,
      })),
    };
  }

  function roomLink(roomId: string, token: string, sessionId?: string): string {
    return `/room/${roomId}?token=${token}${sessionId ? `&s=${sessionId}` : ""}`;
  }

  function page(c: Context, status: number, htmlText: string): Response {
    // Frameable on purpose, like Lessonspace's classroom: no X-Frame-Options, no frame-ancestors.
    return c.html(htmlText, status as 200, { "Cache-Control": "no-store" });
  }

  /** A classroom token for this room, or a 403 page. */
  function roomClaims(
    c: Context,
    roomId: string,
    token: string | undefined,
  ): { claims: ClientTokenClaims; space: SpaceState } | Response {
    const claims = verifyClientToken(token, signingKey);
    if (claims === null || claims.room !== roomId) {
      return page(
        c,
        403,
        messagePage(
          "This link is not valid",
          "The classroom link is damaged or was not made for this room. Ask for a new link from the lesson page.",
        ),
      );
    }
    const space = registry.byRoomId(roomId);
    if (space === undefined) return page(c, 404, messagePage("Room not found", "This classroom does not exist."));
    return { claims, space };
  }

  const app = new Hono();

  app.post("/v2/spaces/launch/", async (c) => {
    const record = recordLaunch(c);
    const res = await handleLaunch(c, record);
    record.status = lifetime.signal.aborted || c.req.raw.signal.aborted ? null : res.status;
    return res;
  });
  app.post("/v2/spaces/launch", (c) => {
    // Every Lessonspace URL ends with a slash; forgetting it is a mistake worth seeing.
    const record = recordLaunch(c);
    record.status = 404;
    return detail(c, 404, "Not found.");
  });
  app.on(["GET", "PUT", "PATCH", "DELETE"], "/v2/spaces/launch/", (c) =>
    detail(c, 405, `Method "${c.req.method}" not allowed.`, { Allow: "POST, OPTIONS" }),
  );

  app.get("/v2/hello/", (c) => {
    if (!isAuthorized(c)) return unauthorized(c);
    return c.json({ response: "The sun is shining and so are you 🌞" });
  });

  app.get("/v2/organisations/:org/sessions/", async (c) => {
    const gate = apiGate(c);
    if (gate) return gate;
    const limit = limiter.check(`sessions:${opts.apiKey}`);
    if (!limit.ok) return throttled(c, limit.retryAfter);
    const launchId = c.req.query("launch_id");
    const spaceIds = c.req.queries("space");
    const sessions = [...registry.spaces.values()]
      .filter((s) => launchId === undefined || s.launchId === launchId)
      .filter((s) => spaceIds === undefined || spaceIds.includes(s.roomId))
      .flatMap((s) => s.sessions.map((session) => ({ space: s, session })))
      .sort((a, b) => b.session.startTime.getTime() - a.session.startTime.getTime());
    const pageParam = c.req.query("page") ?? "1";
    const pageNo = /^\d+$/.test(pageParam) ? Number(pageParam) : NaN;
    const pages = Math.max(1, Math.ceil(sessions.length / pageSize));
    if (!(pageNo >= 1 && pageNo <= pages)) return detail(c, 404, "Invalid page.");
    const link = (n: number) => {
      const u = new URL(c.req.url);
      const target = new URL(`${baseUrl}${u.pathname}${u.search}`);
      target.searchParams.set("page", String(n));
      return target.toString();
    };
    return c.json({
      count: sessions.length,
      next: pageNo < pages ? link(pageNo + 1) : null,
      previous: pageNo > 1 ? link(pageNo - 1) : null,
      results: sessions
        .slice((pageNo - 1) * pageSize, pageNo * pageSize)
        .map(({ space, session }) => sessionJson(space, session)),
    });
  });

  app.get("/v2/organisations/:org/sessions/:uuid/", async (c) => {
    const gate = apiGate(c);
    if (gate) return gate;
    const found = registry.findSession(c.req.param("uuid"));
    if (!found) return detail(c, 404, "Not found.");
    return c.json(sessionJson(found.space, found.session));
  });

  app.get("/v2/organisations/:org/sessions/:uuid/playback/", async (c) => {
    const gate = apiGate(c);
    if (gate) return gate;
    const found = registry.findSession(c.req.param("uuid"));
    if (!found || !recordingReady(found.session)) return detail(c, 404, "Not found.");
    const expires = Math.floor((now().getTime() + recordingUrlTtlMs) / 1000);
    const sig = signRecording(found.session.id, expires, signingKey);
    return c.json({ recording_url: `${baseUrl}/recordings/${found.session.id}?expires=${expires}&sig=${sig}` });
  });

  app.get("/recordings/:session", (c) => {
    const sessionId = c.req.param("session");
    const verdict = verifyRecording(sessionId, c.req.query("expires"), c.req.query("sig"), signingKey, now().getTime());
    if (verdict !== "ok") {
      const text =
        verdict === "expired"
          ? "This recording link has expired. Open the recording again from the lesson page."
          : "This recording link is not valid.";
      return page(c, 403, messagePage("Recording unavailable", text));
    }
    if (!registry.findSession(sessionId))
      return page(c, 404, messagePage("Recording not found", "This recording does not exist."));
    return c.body(new Uint8Array(RECORDING_BYTES), 200, {
      "content-type": "video/mp4",
      "content-length": String(RECORDING_BYTES.length),
      "cache-control": "private, no-store",
    });
  });

  app.get("/room/:roomId", (c) => {
    const roomId = c.req.param("roomId");
    const token = c.req.query("token") ?? "";
    const found = roomClaims(c, roomId, token);
    if (found instanceof Response) return found;
    const { claims, space } = found;
    const at = now().getTime();
    if (claims.not_after && at > Date.parse(claims.not_after)) {
      registry.leave(space, claims); // like Lessonspace, the room closes on whoever is still in it
      return page(
        c,
        403,
        messagePage(
          "This link has expired",
          `The classroom closed at ${claims.not_after}. Go back to the lesson page.`,
        ),
      );
    }
    if (claims.not_before && at < Date.parse(claims.not_before)) {
      return page(
        c,
        403,
        messagePage("This link is not valid yet", `The classroom opens at ${claims.not_before}. Come back then.`),
      );
    }
    const rejoin = roomLink(roomId, token);
    const seenSession = c.req.query("s");
    let session: SessionState;
    if (seenSession !== undefined) {
      // An auto-refresh of an open page only redraws it; it never joins again.
      const active = space.activeSession;
      if (active === null || active.id !== seenSession) {
        return page(c, 200, messagePage("The lesson has ended", "This session is over.", rejoin));
      }
      if (!active.present.has(participantKey(claims))) {
        return page(c, 200, messagePage("You have left the lesson", "You are no longer in the classroom.", rejoin));
      }
      session = active;
    } else {
      session = registry.join(space, claims);
    }
    const me = session.participants.get(participantKey(claims))!;
    return page(
      c,
      200,
      roomPage({ space, session, me, token, refreshUrl: roomLink(roomId, token, session.id), refreshSeconds }),
    );
  });

  app.post("/room/:roomId/leave", async (c) => {
    const roomId = c.req.param("roomId");
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const found = roomClaims(c, roomId, token);
    if (found instanceof Response) return found;
    registry.leave(found.space, found.claims);
    return c.redirect(`/room/${roomId}/left?token=${token}`, 303);
  });

  app.post("/room/:roomId/end", async (c) => {
    const roomId = c.req.param("roomId");
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const found = roomClaims(c, roomId, token);
    if (found instanceof Response) return found;
    registry.end(found.space);
    return c.redirect(`/room/${roomId}/ended?token=${token}`, 303);
  });

  // "Saying" something: a plain form, so it works without JavaScript. Back to the room page.
  app.post("/room/:roomId/say", async (c) => {
    const roomId = c.req.param("roomId");
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const found = roomClaims(c, roomId, token);
    if (found instanceof Response) return found;
    const text = typeof form.text === "string" ? form.text.trim().slice(0, 2000) : "";
    const seconds =
      typeof form.seconds === "string" && /^\d{1,4}(\.\d+)?$/.test(form.seconds) ? Number(form.seconds) : undefined;
    const session = found.space.activeSession;
    if (text && registry.say(found.space, found.claims, text, seconds) === null) {
      return page(
        c,
        409,
        messagePage("You are not in the lesson", "Join the lesson before speaking.", roomLink(roomId, token)),
      );
    }
    return c.redirect(session ? roomLink(roomId, token, session.id) : roomLink(roomId, token), 303);
  });

  // Pre-signed-style transcript download: the token is the credential, and it expires.
  app.get("/transcripts/:file", async (c) => {
    transcriptRequests.push(c.req.path);
    const f = transcriptFault;
    if (f) {
      if (--f.remaining <= 0) transcriptFault = null;
      switch (f.kind) {
        case "500":
          return c.text("Internal error", 500);
        case "not-json":
          return c.body("<html><body>AccessDenied</body></html>", 200, { "content-type": "application/json" });
        case "redirect":
          return c.redirect(f.location ?? "http://169.254.169.254/latest/meta-data/", 302);
        case "oversized": {
          // 6 MB of a valid-looking array, streamed without Content-Length: only counting finds it.
          const chunk = new TextEncoder().encode(
            `${JSON.stringify({ start_time: 0, end_time: 1, user: { id: "x", name: "x" }, breakout_id: null, text: "x".repeat(900) })},`,
          );
          let sent = 0;
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("["));
            },
            pull(controller) {
              if (sent > 6 * 1024 * 1024) {
                controller.enqueue(new TextEncoder().encode("{}]"));
                controller.close();
                return;
              }
              sent += chunk.length;
              controller.enqueue(chunk);
            },
          });
          return new Response(stream, { status: 200, headers: { "content-type": "application/json" } });
        }
      }
    }
    const match = /^([A-Za-z0-9_-]+)\.json$/.exec(c.req.param("file"));
    const file = match ? transcriptFiles.get(match[1]!) : undefined;
    if (!file)
      return c.body('<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>', 404, {
        "content-type": "application/xml",
      });
    if (now().getTime() > file.expiresAt) {
      return c.body(
        '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        403,
        { "content-type": "application/xml" },
      );
    }
    return c.body(typeof file.body === "string" ? file.body : new Uint8Array(file.body), 200, {
      "content-type": "application/json",
    });
  });

  app.get("/room/:roomId/left", (c) => {
    const roomId = c.req.param("roomId");
    const token = c.req.query("token") ?? "";
    const found = roomClaims(c, roomId, token);
    if (found instanceof Response) return found;
    return page(c, 200, messagePage("You have left the lesson", "You can close this window.", roomLink(roomId, token)));
  });

  app.get("/room/:roomId/ended", (c) => {
    const roomId = c.req.param("roomId");
    const token = c.req.query("token") ?? "";
    const found = roomClaims(c, roomId, token);
    if (found instanceof Response) return found;
    return page(
      c,
      200,
      messagePage("The lesson has ended", "Thank you. You can close this window.", roomLink(roomId, token)),
    );
  });

  app.notFound((c) =>
    c.req.path.startsWith("/v2/")
      ? detail(c, 404, "Not found.")
      : page(c, 404, messagePage("Not found", "There is nothing here.")),
  );
  app.onError((err, c) => {
    console.error("[lessonspace stand-in]", err);
    return detail(c, 500, "Internal error");
  });

  const hostname = opts.hostname ?? "127.0.0.1";
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname }, () => resolve(s as Server)) as Server;
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

  return {
    url: baseUrl,
    organisationId,
    launches,
    deliveries,
    spaces: registry.spaces,
    transcriptRequests,
    publishTranscriptFile: (body, options) => publishTranscriptFile(body, options?.ttlMs),
    setTranscriptFault(f) {
      transcriptFault = f === null ? null : { ...f, remaining: f.times ?? Number.POSITIVE_INFINITY };
    },
    setFault(f) {
      fault = f === null ? null : { ...f, remaining: f.times ?? Number.POSITIVE_INFINITY };
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    async endSession(roomId) {
      const space = registry.byRoomId(roomId);
      if (space === undefined) throw new Error(`Lessonspace stand-in: no space with room_id ${roomId}`);
      registry.end(space);
      await dispatcher.drain(space.launchId);
    },
    idle: () => dispatcher.drain(),
    recordPastSession(input) {
      const space = registry.recordPastSession(input);
      return { roomId: space.roomId, secret: space.secret };
    },
    reset() {
      dispatcher.abort();
      registry.clear();
      launches.length = 0;
      deliveries.length = 0;
      limiter.clear();
      fault = null;
      transcriptFault = null;
      transcriptFiles.clear();
      transcriptRequests.length = 0;
      latencyMs = 0;
    },
    async stop() {
      lifetime.abort();
      dispatcher.abort();
      registry.clearTimers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// The state every part of the Lessonspace stand-in shares, in one object: what launches and
// deliveries were seen, the spaces, the switches (fault, latency) and the answers all parts give.
import type { Context } from "hono";
import type { SpaceRegistry } from "./spaces";
import type { WebhookDelivery, WebhookDispatcher } from "./webhooks";

export type FaultKind = "500" | "429" | "401" | "bad-json" | "hang";

export interface Fault {
  kind: FaultKind;
  times?: number; // how many requests fail this way before the fault clears; default forever
  scope?: "launch" | "api" | "summaries"; // "api" also breaks the sessions, playback and summary endpoints; "summaries" only the summary one. Default "launch"
  retryAfterSeconds?: number; // the Retry-After of a "429", in seconds. Default 1
  retryAfter?: string; // the Retry-After of a "429" as sent (seconds or an HTTP date); wins over retryAfterSeconds
}

/** How /transcripts/<token>.json misbehaves, for the app's fetch tests. */
export interface TranscriptFault {
  kind: "not-json" | "oversized" | "500" | "redirect";
  location?: string; // for "redirect": where to (default http://169.254.169.254/latest/meta-data/)
  times?: number; // how many downloads fail this way before it clears; default forever
}

export interface LaunchRecord {
  at: Date;
  path: string; // "/v2/spaces/launch/" (or the no-slash mistake, answered 404)
  headers: Record<string, string>; // lowercased; authorization shown as "[redacted]"
  authorized: boolean; // whether the Authorization header carried the right key
  body: unknown; // parsed JSON, or the raw text when it was not JSON
  status: number | null; // null while unanswered (latency, "hang")
}

/** One request to the API that reached the rate limit (launch, sessions, playback), and whether it was refused. */
export interface ApiCall {
  at: number; // Date.now() on arrival
  method: string;
  path: string;
  throttled: boolean;
}

export interface LessonspaceState {
  apiKey: string;
  organisationId: string;
  now: () => Date;
  /** Set once the server listens; read on every request. */
  baseUrl: string;
  /** Signs classroom tokens and recording links. */
  signingKey: Buffer;
  registry: SpaceRegistry;
  dispatcher: WebhookDispatcher;
  limiter: RateLimiter;
  /** Aborted by stop(): releases hanging requests. */
  lifetime: AbortController;
  launches: LaunchRecord[];
  deliveries: WebhookDelivery[];
  apiCalls: ApiCall[];
  fault: (Fault & { remaining: number }) | null;
  latencyMs: number;
  settings: {
    refreshSeconds: number;
    pageSize: number;
    recordingAvailableAfterMs: number;
    recordingUrlTtlMs: number;
    transcriptUrlTtlMs: number;
    summaryReadyAfterMs: number;
    summaryMinSessionSeconds: number;
  };
  /** Session ids of every summary request that passed the gate. */
  summaryRequests: string[];
  transcripts: {
    files: Map<string, { body: string | Uint8Array; expiresAt: number }>;
    requests: string[];
    fault: (TranscriptFault & { remaining: number }) | null;
  };
}

/** Sliding one-second window per bucket; refused requests do not count. */
export class RateLimiter {
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

/** The API's error shape: {detail}. */
export function detail(c: Context, status: number, text: string, headers: Record<string, string> = {}): Response {
  return c.json({ detail: text }, status as 400, headers);
}

export function isAuthorized(state: LessonspaceState, c: Context): boolean {
  return c.req.header("authorization")?.trim() === `Organisation ${state.apiKey}`;
}

export function unauthorized(c: Context): Response {
  return detail(c, 401, "Invalid token.", { "WWW-Authenticate": "Organisation" });
}

export function throttled(c: Context, retryAfter: number): Response {
  return detail(c, 429, "Request was throttled.", { "Retry-After": String(retryAfter) });
}

/** Lessonspace's limit is per key across the whole API: one bucket for launch, sessions and playback. */
export function admit(state: LessonspaceState, c: Context): Response | null {
  const limit = state.limiter.check(`api:${state.apiKey}`);
  state.apiCalls.push({ at: Date.now(), method: c.req.method, path: c.req.path, throttled: !limit.ok });
  return limit.ok ? null : throttled(c, limit.retryAfter);
}

/** A page of the classroom site (room, recordings, messages). */
export function page(c: Context, status: number, htmlText: string): Response {
  // Frameable on purpose, like Lessonspace's classroom: no X-Frame-Options, no frame-ancestors.
  return c.html(htmlText, status as 200, { "Cache-Control": "no-store" });
}

import { z } from "zod";
import type { LaunchFlags, RoomSettings } from "~/domain/launch-flags";
import type { SummaryAnswer } from "~/domain/lesson-summary";
import { env } from "../env";
import { lessonspaceCallSlots } from "./call-slots";

/**
 * LessonspaceService: everything we send to Lessonspace, in one place (docs/decisions/0015-one-room-per-booking.md).
 * Services return outcomes; routes choose pages. The API key never leaves this module.
 */

export type LaunchRequest = {
  /** Ours and deterministic, so every launch for a booking converges on one space. */
  launchId: string;
  spaceName: string;
  user: { id: string; name: string; email?: string; leader: boolean };
  notBefore: Date;
  notAfter: Date;
  webhookUrl: string;
  /** From launchFlagsOf, the same for every launch of the space. */
  flags: LaunchFlags;
};

export type LaunchSuccess = {
  ok: true;
  created: boolean;
  clientUrl: string;
  roomId: string;
  secret: string;
  sessionId: string | null;
  /** What Lessonspace says the space will do; null when the answer has none. */
  roomSettings: RoomSettings | null;
};

export type LessonspaceFailure = {
  ok: false;
  /** unavailable: 5xx, timeout or network; rate-limited: 429; misconfigured: 401/403; rejected: other 4xx or a body we cannot read. */
  kind: "unavailable" | "timeout" | "rate-limited" | "misconfigured" | "rejected";
  retryAfterSeconds?: number;
  detail: string;
};

const launchResponseSchema = z.object({
  client_url: z.url(),
  room_id: z.string().min(1),
  secret: z.string().min(1),
  session_id: z.string().nullish(),
  user_id: z.union([z.string(), z.number()]).nullish(),
  room_settings: z
    .object({
      record_av: z.boolean().optional(),
      transcribe: z.boolean().optional(),
      summarise: z.boolean().optional(),
    })
    .nullish()
    .catch(null),
});

export function launchIdFor(bookingId: string): string {
  return `booking-${bookingId}`;
}

export async function launchSpace(request: LaunchRequest): Promise<LaunchSuccess | LessonspaceFailure> {
  const { recordAv, transcribe, summarise } = request.flags;
  const body = {
    id: request.launchId,
    name: request.spaceName,
    user: { id: request.user.id, name: request.user.name, email: request.user.email, leader: request.user.leader },
    timeouts: { not_before: request.notBefore.toISOString(), not_after: request.notAfter.toISOString() },
    record_av: recordAv,
    record_content: true,
    allow_guests: false,
    // Applied per launch: omitting it switches transcription off for the space
    // (docs/decisions/0019-every-launch-sends-the-full-settings.md).
    transcribe: transcribe,
    summarise: summarise,
    // Every launch sends the full set: a later launch replaces the space's webhooks.
    webhooks: {
      session: { start: request.webhookUrl, end: request.webhookUrl },
      user: { join: request.webhookUrl, leave: request.webhookUrl },
      ...(transcribe ? { transcription: { finish: request.webhookUrl } } : {}),
    },
  };
  const result = await call("POST", "/v2/spaces/launch/", body);
  if (!result.ok) return result;
  const parsed = launchResponseSchema.safeParse(result.json);
  if (!parsed.success)
    return { ok: false, kind: "rejected", detail: "Lessonspace answered with an unexpected launch response." };
  return {
    ok: true,
    created: result.status === 201,
    clientUrl: parsed.data.client_url,
    roomId: parsed.data.room_id,
    secret: parsed.data.secret,
    sessionId: parsed.data.session_id ?? null,
    roomSettings: parsed.data.room_settings ?? null,
  };
}

const sessionSchema = z.object({
  uuid: z.string().optional(),
  start_time: z.string().nullish(),
  end_time: z.string().nullish(),
  recording_available: z.boolean().nullish(),
});
export type LessonspaceSessionInfo = { startTime: Date | null; endTime: Date | null; recordingAvailable: boolean };

/** One session's timing, for webhook payloads that arrive without it (a job may wait longer for its turn). */
export async function getSession(
  sessionId: string,
  options: { wait?: CallWait } = {},
): Promise<LessonspaceSessionInfo | LessonspaceFailure> {
  const result = await call(
    "GET",
    `${organisationPath()}/sessions/${encodeURIComponent(sessionId)}/`,
    undefined,
    options,
  );
  if (!result.ok) return result;
  const parsed = sessionSchema.safeParse(result.json);
  if (!parsed.success) return { ok: false, kind: "rejected", detail: "Unexpected session response." };
  return {
    startTime: parseDate(parsed.data.start_time),
    endTime: parseDate(parsed.data.end_time),
    recordingAvailable: parsed.data.recording_available ?? false,
  };
}

/** The stable reference we store in bookings.recording_url: the session's playback endpoint. */
export function playbackReference(sessionId: string): string {
  return `${env().LESSONSPACE_API_URL}${organisationPath()}/sessions/${encodeURIComponent(sessionId)}/playback/`;
}

export type PlaybackOutcome = { ok: true; url: string } | { ok: false; kind: "not-ready" } | LessonspaceFailure;

/** A fresh, short-lived recording link for a stored playback reference. */
const playbackSchema = z.object({ recording_url: z.url().nullish() });

export async function freshRecordingUrl(reference: string): Promise<PlaybackOutcome> {
  const base = `${env().LESSONSPACE_API_URL}${organisationPath()}/sessions/`;
  // Only follow references we made ourselves: the key must never be sent elsewhere.
  if (!reference.startsWith(base)) return { ok: false, kind: "rejected", detail: "Unknown recording reference." };
  const result = await call("GET", reference.slice(env().LESSONSPACE_API_URL.length));
  if (!result.ok) return result.status === 404 ? { ok: false, kind: "not-ready" } : result;
  const parsed = playbackSchema.safeParse(result.json);
  if (!parsed.success || !parsed.data.recording_url) return { ok: false, kind: "not-ready" };
  return { ok: true, url: parsed.data.recording_url };
}

/**
 * One session's summary (docs/decisions/0063-lessonspace-summaries-api-contract.md): 200 with
 * `status` "completed" (and `summary`), "pending", or "unavailable"/"failed" (there will be none);
 * a 404 is read as "not ready yet", like playback's, and the job's tries bound it.
 */
const summarySchema = z.object({
  session_id: z.string().nullish(),
  status: z.string(),
  summary: z.string().nullish(),
  reason: z.string().nullish(),
});

/** Asked by a job only, so it may wait its turn under the shared limit (docs/decisions/0075-lessonspace-calls-take-a-slot-in-postgresql.md). */
export async function getSummary(sessionId: string): Promise<SummaryAnswer> {
  const result = await call(
    "GET",
    `${organisationPath()}/sessions/${encodeURIComponent(sessionId)}/summary/`,
    undefined,
    { wait: "job" },
  );
  if (!result.ok) {
    if (result.status === 404) return { kind: "not-ready", detail: "Lessonspace answered 404 for the summary." };
    if (result.kind === "rate-limited")
      return { kind: "rate-limited", retryAfterSeconds: result.retryAfterSeconds ?? 30, detail: result.detail };
    return { kind: result.kind, detail: result.detail };
  }
  const parsed = summarySchema.safeParse(result.json);
  if (!parsed.success) return { kind: "rejected", detail: "Unexpected summary response." };
  const { status, summary, reason } = parsed.data;
  if (status === "completed" && typeof summary === "string")
    return { kind: "ready", text: summary, sessionId: parsed.data.session_id ?? null };
  if (status === "pending" || status === "processing")
    return { kind: "not-ready", detail: "Lessonspace is still summarising the session." };
  if (status === "unavailable" || status === "failed")
    return { kind: "none", detail: `No summary for this session (${(reason ?? status).slice(0, 80)}).` };
  return { kind: "rejected", detail: `Unexpected summary status "${status.slice(0, 40)}".` };
}

function organisationPath() {
  return `/v2/organisations/${encodeURIComponent(env().LESSONSPACE_ORGANISATION_ID)}`;
}

function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

type CallResult = { ok: true; status: number; json: unknown } | (LessonspaceFailure & { status?: number });

/**
 * How long a call may wait for its turn under the shared rate limit
 * (docs/decisions/0075-lessonspace-calls-take-a-slot-in-postgresql.md). "interactive" (a person
 * waiting on a page, a webhook delivery): a brief wait for a slot, and a 429 is answered at once
 * (with its Retry-After) for the page's retry path. "job": a longer wait, and after a 429 the call
 * is tried again once the Retry-After has passed, while the wait allows.
 */
export type CallWait = "interactive" | "job";
export const SLOT_WAIT_MS: Record<CallWait, number> = { interactive: 2_000, job: 60_000 };

/**
 * Every request to Lessonspace's API passes here: it takes a slot from the limiter every process
 * shares, and a 429 makes every process wait out its Retry-After. Past the caller's wait it answers
 * "rate-limited" with the seconds to wait.
 */
async function call(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  { wait = "interactive" }: { wait?: CallWait } = {},
): Promise<CallResult> {
  const slots = lessonspaceCallSlots();
  const giveUpAt = Date.now() + SLOT_WAIT_MS[wait];
  for (;;) {
    const slot = await slots.take(giveUpAt - Date.now());
    if (!slot.ok)
      return {
        ok: false,
        kind: "rate-limited",
        retryAfterSeconds: slot.retryAfterSeconds,
        detail: "Lessonspace is busy.",
      };
    const result = await send(method, path, body);
    if (result.ok || result.kind !== "rate-limited") return result;
    await slots.holdOff(result.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
    if (wait === "interactive") return result;
  }
}

async function send(method: "GET" | "POST", path: string, body?: unknown): Promise<CallResult> {
  const config = env();
  let response: Response;
  let text: string;
  try {
    // One deadline for the headers and the body: a server that stalls mid-answer is a timeout too.
    response = await fetch(`${config.LESSONSPACE_API_URL}${path}`, {
      method,
      headers: {
        Authorization: `Organisation ${config.LESSONSPACE_API_KEY}`,
        Accept: "application/json",
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(config.LESSONSPACE_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return timedOut
      ? { ok: false, kind: "timeout", detail: "Lessonspace did not answer in time." }
      : { ok: false, kind: "unavailable", detail: "Lessonspace could not be reached." };
  }
  if (response.status === 429) {
    return {
      ok: false,
      status: 429,
      kind: "rate-limited",
      retryAfterSeconds: retryAfterSeconds(response.headers.get("Retry-After")),
      detail: "Lessonspace is busy.",
    };
  }
  if (response.status === 401 || response.status === 403) {
    return {
      ok: false,
      status: response.status,
      kind: "misconfigured",
      detail: "Lessonspace refused our credentials.",
    };
  }
  if (response.status >= 500)
    return {
      ok: false,
      status: response.status,
      kind: "unavailable",
      detail: `Lessonspace answered ${response.status}.`,
    };
  if (!response.ok)
    return { ok: false, status: response.status, kind: "rejected", detail: `Lessonspace answered ${response.status}.` };
  try {
    return { ok: true, status: response.status, json: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      status: response.status,
      kind: "rejected",
      detail: "Lessonspace answered with something that is not JSON.",
    };
  }
}

const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** Retry-After in seconds or as an HTTP date; a missing or odd value means "about half a minute". */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (!header) return DEFAULT_RETRY_AFTER_SECONDS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(header);
  if (Number.isFinite(date)) return Math.max(1, Math.ceil((date - now) / 1000));
  return DEFAULT_RETRY_AFTER_SECONDS;
}

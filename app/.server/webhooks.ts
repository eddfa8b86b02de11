import { createHash } from "node:crypto";
import {
  applyJoin,
  applyLeave,
  bookingDurationSeconds,
  closeAtSessionEnd,
  NO_PRESENCE,
  representativeRecording,
  sessionDurationSeconds,
  type Presence,
} from "~/domain/lesson-attendance";
import { findRoomId, MAX_BODY_BYTES, needsSessionLookup, parseWebhookEvent, type WebhookEvent } from "~/domain/webhook-payload";
import { verifyWebhookSignature } from "~/domain/webhook-signature";
import { db, type Db } from "./db";
import { env } from "./env";
import { getSession, playbackReference, type LessonspaceSessionInfo } from "./lessonspace";
import { onSessionEnded } from "./proof-of-value";
import { recordTranscriptFetch } from "./transcripts";

/**
 * Lessonspace webhook ingestion (spec 4.2, DESIGN.md section 6). Order of checks, each answered
 * without touching the database beyond the one read it needs:
 *   no signature → unsigned; not JSON / no room.id → malformed; room we never launched →
 *   unknown-room; signature not made with that space's secret (or LESSONSPACE_SECRET) → bad-signature.
 * An unknown room is reported as such whatever the signature: room ids are random UUIDs that only
 * Lessonspace and the room's participants see, so the answer reveals nothing guessable, and it tells
 * an operator "we lost this room" rather than "the secret is wrong".
 * Only then is the delivery recorded in webhook_events (by x-webhook-id) and applied, both in one
 * transaction: a crash leaves neither, so Lessonspace's retry applies the event exactly once.
 */

/** The client handed to an interactive transaction's callback. */
export type Transaction = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export type WebhookOutcome =
  | { kind: "applied" | "ignored" | "duplicate"; deliveryId: string; detail: string }
  | { kind: "unsigned" | "bad-signature" | "unknown-room" }
  | { kind: "malformed" | "unprocessable" | "unavailable"; detail: string };

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too-large" | "unreadable" };

/**
 * The raw body, read once, refusing anything over `limit` bytes: first by the declared length,
 * then by counting while reading, so a lying or missing Content-Length never makes us buffer more.
 */
export async function readLimitedBody(request: Request, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) return { ok: false, reason: "too-large" };
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        void reader.cancel().catch(() => undefined);
        return { ok: false, reason: "too-large" };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

// Lessonspace waits 30 s for an answer; we answer well within 10 s whatever is slow behind us.
const SESSION_LOOKUP_DEADLINE_MS = 3_000;
const TRANSACTION_OPTIONS = { maxWait: 1_500, timeout: 3_000 };
const OVERALL_DEADLINE_MS = 6_000;
const MAX_DELIVERY_ID_LENGTH = 200;

export async function ingestLessonspaceWebhook(input: { body: Uint8Array; headers: Headers; now: Date }): Promise<WebhookOutcome> {
  const { body, headers, now } = input;
  const signature = headers.get("x-webhook-signature");
  if (!signature?.trim()) return { kind: "unsigned" };

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return { kind: "malformed", detail: "The body is not JSON." };
  }
  const roomId = findRoomId(json);
  if (roomId === null) return { kind: "malformed", detail: "The body does not name a room." };

  // From here on every step may wait on the database or Lessonspace. If the deadline passes while
  // a transaction is still running, it either commits (the retry is then a duplicate) or rolls
  // back (the retry applies it): both are right, so answering 503 early is safe.
  const timedOut: WebhookOutcome = { kind: "unavailable", detail: "Timed out." };
  return withDeadline(verifyAndApply(roomId, json, body, signature, headers, now), OVERALL_DEADLINE_MS, timedOut).catch(
    (error: unknown): WebhookOutcome => {
      console.error("[webhooks] could not apply a Lessonspace delivery:", error instanceof Error ? error.message : error);
      return { kind: "unavailable", detail: "The database is unavailable." };
    },
  );
}

async function verifyAndApply(
  roomId: string,
  json: unknown,
  body: Uint8Array,
  signature: string,
  headers: Headers,
  now: Date,
): Promise<WebhookOutcome> {
  const space = await db.lessonspaceSpace.findUnique({ where: { roomId }, select: { secret: true, bookingId: true } });
  if (space === null) return { kind: "unknown-room" };
  const keys = [space.secret, env().LESSONSPACE_SECRET].filter((key): key is string => Boolean(key));
  if (!verifyWebhookSignature(body, signature, keys)) return { kind: "bad-signature" };

  const deliveryId = deliveryIdOf(headers, body);
  if (deliveryId === null) return { kind: "malformed", detail: "x-webhook-id is too long." };
  const parsed = parseWebhookEvent(json, { event: headers.get("x-webhook-event"), timestamp: headers.get("x-webhook-timestamp") });
  if (!parsed.ok) return { kind: "unprocessable", detail: parsed.problem };
  const event = parsed.value;

  // Missing timing is read from the sessions API outside the transaction, so no lock waits on it.
  let lookup: LessonspaceSessionInfo | null = null;
  if (event.kind === "session.end" && needsSessionLookup(event)) {
    // A retry needs no lookup: answer it before asking Lessonspace (the transaction re-checks).
    if (await db.webhookEvent.findUnique({ where: { deliveryId }, select: { id: true } })) {
      return { kind: "duplicate", deliveryId, detail: "Already received." };
    }
    const found = await withDeadline(getSession(event.sessionId), SESSION_LOOKUP_DEADLINE_MS, null);
    if (found === null || "ok" in found) {
      return { kind: "unavailable", detail: `Lessonspace did not tell us session ${event.sessionId}'s timing.` };
    }
    lookup = found;
  }

  return db.$transaction(async (tx) => {
    // One room's deliveries are applied one at a time, on every app server: attendance and the
    // booking totals are read-modify-write.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`lessonspace-room:${roomId}`}, 0))`;
    const recorded = await tx.webhookEvent.createMany({
      data: [{ deliveryId, event: event.event, roomId, outcome: "processing" }],
      skipDuplicates: true,
    });
    // A concurrent copy of this delivery committed first: answer 200 without applying it again.
    if (recorded.count === 0) return { kind: "duplicate", deliveryId, detail: "Already received." } as const;
    const result = await applyEvent(tx, event, { bookingId: space.bookingId, deliveryId, lookup, now });
    await tx.webhookEvent.update({
      where: { deliveryId },
      data: { outcome: `${result.kind}: ${result.detail}`, processedAt: now },
    });
    if (result.kind === "ignored") console.info(`[webhooks] ${event.event} for room ${roomId} ignored: ${result.detail}`);
    return { ...result, deliveryId };
  }, TRANSACTION_OPTIONS);
}

function deliveryIdOf(headers: Headers, body: Uint8Array): string | null {
  const given = headers.get("x-webhook-id")?.trim();
  if (given) return given.length <= MAX_DELIVERY_ID_LENGTH ? given : null;
  // Lessonspace always sends one; without it, identical bytes are the same delivery.
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

type Applied = { kind: "applied" | "ignored"; detail: string };
type Context = { bookingId: string; deliveryId: string; lookup: LessonspaceSessionInfo | null; now: Date };

function applyEvent(tx: Transaction, event: WebhookEvent, context: Context): Promise<Applied> {
  switch (event.kind) {
    case "session.start":
      return applySessionStart(tx, event, context);
    case "session.end":
      return applySessionEnd(tx, event, context);
    case "user.join":
    case "user.leave":
      return applyPresence(tx, event, context);
    case "transcription.finish":
      return applyTranscriptionFinish(tx, event, context);
    case "other":
      return Promise.resolve({ kind: "ignored", detail: `No handling for ${event.event}.` });
  }
}

/** The session row, created on first mention (user.join may arrive before session.start). */
async function ensureSession(tx: Transaction, sessionId: string, bookingId: string) {
  const existing = await tx.lessonspaceSession.findUnique({ where: { sessionId } });
  if (existing) return existing.bookingId === bookingId ? existing : null;
  return tx.lessonspaceSession.create({ data: { sessionId, bookingId } });
}

const OTHER_BOOKING: Applied = { kind: "ignored", detail: "The session belongs to another booking." };

async function applySessionStart(
  tx: Transaction,
  event: Extract<WebhookEvent, { kind: "session.start" }>,
  { bookingId, now }: Context,
): Promise<Applied> {
  const session = await ensureSession(tx, event.sessionId, bookingId);
  if (session === null) return OTHER_BOOKING;
  if (session.startedAt === null) {
    await tx.lessonspaceSession.update({ where: { sessionId: event.sessionId }, data: { startedAt: event.startedAt ?? now } });
  }
  return { kind: "applied", detail: "Session started." };
}

async function applyPresence(
  tx: Transaction,
  event: Extract<WebhookEvent, { kind: "user.join" | "user.leave" }>,
  { bookingId, now }: Context,
): Promise<Applied> {
  const profileId = event.profileId;
  if (profileId === null) return { kind: "ignored", detail: "The user is not one of our profiles." };
  const profile = await tx.profile.findUnique({ where: { id: profileId }, select: { id: true } });
  if (profile === null) return { kind: "ignored", detail: "Unknown profile." };
  const session = await ensureSession(tx, event.sessionId, bookingId);
  if (session === null) return OTHER_BOOKING;
  const key = { sessionId_profileId: { sessionId: event.sessionId, profileId } };
  const current = await tx.lessonspaceAttendance.findUnique({ where: key });
  const before: Presence = current ?? NO_PRESENCE;
  const at = event.at ?? now;
  const after = event.kind === "user.join" ? applyJoin(before, at) : applyLeave(before, at);
  if (current !== null && samePresence(before, after)) {
    return { kind: "ignored", detail: `Stale or repeated ${event.kind}.` };
  }
  await tx.lessonspaceAttendance.upsert({
    where: key,
    create: { sessionId: event.sessionId, profileId, ...after },
    update: after,
  });
  return { kind: "applied", detail: event.kind === "user.join" ? "Joined." : "Left." };
}

async function applySessionEnd(
  tx: Transaction,
  event: Extract<WebhookEvent, { kind: "session.end" }>,
  { bookingId, deliveryId, lookup }: Context,
): Promise<Applied> {
  const session = await ensureSession(tx, event.sessionId, bookingId);
  if (session === null) return OTHER_BOOKING;
  const startedAt = event.startedAt ?? lookup?.startTime ?? session.startedAt;
  const endedAt = event.endedAt ?? lookup?.endTime ?? session.endedAt;
  const recordingAvailable = event.recordingAvailable ?? lookup?.recordingAvailable ?? false;
  const durationSeconds = sessionDurationSeconds(startedAt, endedAt);
  await tx.lessonspaceSession.update({
    where: { sessionId: event.sessionId },
    data: { startedAt, endedAt, durationSeconds, recordingAvailable },
  });

  if (endedAt !== null) {
    const open = await tx.lessonspaceAttendance.findMany({ where: { sessionId: event.sessionId } });
    for (const row of open) {
      const closed = closeAtSessionEnd(row, endedAt);
      if (!samePresence(row, closed)) await tx.lessonspaceAttendance.update({ where: { id: row.id }, data: closed });
    }
  }

  const sessions = await tx.lessonspaceSession.findMany({
    where: { bookingId },
    select: { sessionId: true, durationSeconds: true, endedAt: true, recordingAvailable: true },
  });
  const total = bookingDurationSeconds(sessions);
  const recording = representativeRecording(sessions);
  // bookings.status is left alone: it belongs to the booking system (payments, disputes), a
  // session can end and another start within the same lesson, and the join window already reads
  // a lesson whose time is over as completed.
  await tx.booking.update({
    where: { id: bookingId },
    data: { durationActual: total, ...(recording ? { recordingUrl: playbackReference(recording.sessionId) } : {}) },
  });

  await onSessionEnded(tx, {
    bookingId,
    sessionId: event.sessionId,
    startedAt,
    endedAt,
    durationSeconds,
    bookingDurationSeconds: total,
    recordingAvailable,
    deliveryId,
  });
  if (durationSeconds === null && startedAt !== null && endedAt !== null) {
    return { kind: "applied", detail: "Session ended; its duration was refused as impossible (end before start or over 24 hours)." };
  }
  return { kind: "applied", detail: "Session ended." };
}

/** Only records what to download: the file is fetched later by a job (app/.server/transcripts.ts). */
async function applyTranscriptionFinish(
  tx: Transaction,
  event: Extract<WebhookEvent, { kind: "transcription.finish" }>,
  { bookingId, deliveryId, now }: Context,
): Promise<Applied> {
  const session = await ensureSession(tx, event.sessionId, bookingId);
  if (session === null) return OTHER_BOOKING;
  const created = await recordTranscriptFetch(tx, { sessionId: event.sessionId, url: event.transcriptUrl, deliveryId, now });
  return created
    ? { kind: "applied", detail: "Transcript to fetch." }
    : { kind: "ignored", detail: "This session's transcript was already announced." };
}

function samePresence(a: Presence, b: Presence): boolean {
  return (
    a.secondsPresent === b.secondsPresent &&
    (a.joinedAt?.getTime() ?? null) === (b.joinedAt?.getTime() ?? null) &&
    (a.leftAt?.getTime() ?? null) === (b.leftAt?.getTime() ?? null)
  );
}

function withDeadline<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

import { createHash } from "node:crypto";
import {
  applyJoin,
  applyLeave,
  bookingDurationSeconds,
  closeAtSessionEnd,
  NO_PRESENCE,
  representativeRecording,
  type RecordedSession,
  sessionDurationSeconds,
  type Presence,
} from "~/domain/lesson-attendance";
import {
  findRoomId,
  MAX_BODY_BYTES,
  needsSessionLookup,
  parseWebhookEvent,
  type WebhookEvent,
} from "~/domain/webhook-payload";
import { verifyWebhookSignature } from "~/domain/webhook-signature";
import type pg from "pg";
import { Prisma } from "~/generated/prisma/client";
import { db, pool, sql, type Transaction } from "../db";
import { columnsOf } from "../sql-columns";
import { env } from "../env";
import { logger } from "../logger";
import { getSession, playbackReference, type LessonspaceSessionInfo } from "./client";
import { onSessionEnded } from "./proof-of-value";
import { jobDbFor } from "../queue";
import { inlineValues } from "./sql-inline";
import { recordTranscriptFetch } from "../transcripts/ingest";
import { declaredTooLarge, readAtMost } from "../read-limited";

/**
 * Lessonspace webhook ingestion (docs/decisions/0016-webhook-deliveries-checked-recorded-applied-once.md). Order of checks, each answered
 * without touching the database beyond the one read it needs:
 *   no signature → unsigned; not JSON / no room.id → malformed; room we never launched →
 *   unknown-room; signature not made with that space's secret (or LESSONSPACE_SECRET) → bad-signature.
 * An unknown room is reported as such whatever the signature: room ids are random UUIDs that only
 * Lessonspace and the room's participants see, so the answer reveals nothing guessable, and it tells
 * an operator "we lost this room" rather than "the secret is wrong".
 * Only then is the delivery recorded in webhook_events (by x-webhook-id) and applied, both in one
 * transaction: a crash leaves neither, so Lessonspace's retry applies the event exactly once.
 */

export type WebhookOutcome =
  | { kind: "applied" | "ignored" | "duplicate"; deliveryId: string; detail: string }
  | { kind: "unsigned" | "bad-signature" | "unknown-room" }
  | { kind: "malformed" | "unprocessable" | "unavailable"; detail: string };

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too-large" | "unreadable" };

/** The request headers, from a WHATWG Request or a node:http one (webhook-endpoint.ts). */
export type HeaderReader = Pick<Headers, "get">;

/** The raw body, read once, refusing anything over `limit` bytes (app/.server/read-limited.ts). */
export async function readLimitedBody(request: Request, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  if (declaredTooLarge(request.headers.get("Content-Length"), limit)) return { ok: false, reason: "too-large" };
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const read = await readAtMost(request.body, limit);
  return read.ok || read.reason === "too-large" ? read : { ok: false, reason: "unreadable" };
}

// Lessonspace waits 30 s for an answer; we answer well within 10 s whatever is slow behind us.
const SESSION_LOOKUP_DEADLINE_MS = 3_000;
const TRANSACTION_OPTIONS = { maxWait: 1_500, timeout: 3_000 };
const OVERALL_DEADLINE_MS = 6_000;
const MAX_DELIVERY_ID_LENGTH = 200;

export async function ingestLessonspaceWebhook(input: {
  body: Uint8Array;
  headers: HeaderReader;
  now: Date;
}): Promise<WebhookOutcome> {
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
      logger.error({ roomId, err: error }, "webhook.apply-failed");
      return { kind: "unavailable", detail: "The database is unavailable." };
    },
  );
}

/**
 * Rooms' secrets and bookings, remembered by this process: every delivery names its room, and the
 * lookup was one of each delivery's round trips to PostgreSQL. A space never changes its booking;
 * its secret only when a launch stores a new one from Lessonspace: a delivery signed with the new
 * one is re-checked against the row, and the old one stops working within SPACE_MEMORY_MS (every
 * app server forgets it by then). Unknown rooms are not remembered (a room may be created a moment
 * later). Full means start afresh.
 */
const SPACES_REMEMBERED = 10_000;
const SPACE_MEMORY_MS = 60_000;
type KnownSpace = { secret: string; bookingId: string; readAt: number };
const knownSpaces = new Map<string, KnownSpace>();

/** Wall-clock time, not the request's (tests inject lesson clocks far from now). */
function rememberedSpace(roomId: string): KnownSpace | undefined {
  const space = knownSpaces.get(roomId);
  return space && Date.now() - space.readAt < SPACE_MEMORY_MS ? space : undefined;
}

type SpaceRow = { secret: string; booking_id: string };

export const SPACE_COLUMNS = columnsOf<SpaceRow>()(["secret", "booking_id"]);

export const spaceSql = (roomId: string) =>
  Prisma.sql`SELECT secret, booking_id FROM lessonspace_spaces WHERE room_id = ${roomId}`;

async function readSpace(roomId: string): Promise<KnownSpace | undefined> {
  const [row] = await sql<SpaceRow>(spaceSql(roomId));
  if (row === undefined) {
    knownSpaces.delete(roomId);
    return undefined;
  }
  if (knownSpaces.size >= SPACES_REMEMBERED) knownSpaces.clear();
  const space = { secret: row.secret, bookingId: row.booking_id, readAt: Date.now() };
  knownSpaces.set(roomId, space);
  return space;
}

async function verifyAndApply(
  roomId: string,
  json: unknown,
  body: Uint8Array,
  signature: string,
  headers: HeaderReader,
  now: Date,
): Promise<WebhookOutcome> {
  const signedWith = (secret: string) =>
    verifyWebhookSignature(
      body,
      signature,
      [secret, env().LESSONSPACE_SECRET].filter((key): key is string => Boolean(key)),
    );
  let space = rememberedSpace(roomId);
  // A remembered secret that does not verify is checked once more against the row (a new secret).
  if (space === undefined || !signedWith(space.secret)) {
    space = await readSpace(roomId);
    if (space === undefined) return { kind: "unknown-room" };
    if (!signedWith(space.secret)) return { kind: "bad-signature" };
  }

  const deliveryId = deliveryIdOf(headers, body);
  if (deliveryId === null) return { kind: "malformed", detail: "x-webhook-id is too long." };
  const parsed = parseWebhookEvent(json, {
    event: headers.get("x-webhook-event"),
    timestamp: headers.get("x-webhook-timestamp"),
  });
  if (!parsed.ok) return { kind: "unprocessable", detail: parsed.problem };
  const event = parsed.value;
  const context = { roomId, bookingId: space.bookingId, deliveryId, now };
  if (event.kind === "transcription.finish") return applyTranscriptionFinish(event, context);

  // Missing timing is read from the sessions API outside the transaction, so no lock waits on it.
  let lookup: LessonspaceSessionInfo | null = null;
  if (event.kind === "session.end" && needsSessionLookup(event)) {
    // A retry needs no lookup: answer it before asking Lessonspace (the transaction re-checks).
    const known = await sql(Prisma.sql`SELECT 1 FROM webhook_events WHERE delivery_id = ${deliveryId}`);
    if (known.length > 0) return { kind: "duplicate", deliveryId, detail: "Already received." };
    const answer = await withDeadline(getSession(event.sessionId), SESSION_LOOKUP_DEADLINE_MS, null);
    if (answer === null || "ok" in answer) {
      return { kind: "unavailable", detail: `Lessonspace did not tell us session ${event.sessionId}'s timing.` };
    }
    lookup = answer;
  }
  // Should the row have gone since it was remembered, this attempt fails (5xx) and the retry reads it afresh.
  return applyInSql(event, { ...context, lookup }).catch((error: unknown) => {
    knownSpaces.delete(roomId);
    throw error;
  });
}

/**
 * transcription.finish only records what to download (the file is fetched later by a job,
 * app/.server/transcripts/ingest.ts). Once per session, so Prisma's round trips are fine.
 */
function applyTranscriptionFinish(
  event: Extract<WebhookEvent, { kind: "transcription.finish" }>,
  context: SqlContext,
): Promise<WebhookOutcome> {
  const { roomId, deliveryId, now } = context;
  return db.$transaction(async (tx) => {
    await sql(roomLock(roomId), tx);
    const recorded = await tx.webhookEvent.createMany({
      data: [{ deliveryId, event: event.event, roomId, outcome: "processing" }],
      skipDuplicates: true,
    });
    // A concurrent copy of this delivery committed first: answer 200 without applying it again.
    if (recorded.count === 0) return { kind: "duplicate", deliveryId, detail: "Already received." } as const;
    const result = await recordTranscript(tx, event, context);
    await tx.webhookEvent.update({
      where: { deliveryId },
      data: { outcome: `${result.kind}: ${result.detail}`, processedAt: now },
    });
    logIgnored(event, context, result);
    return { ...result, deliveryId };
  }, TRANSACTION_OPTIONS);
}

async function recordTranscript(
  tx: Transaction,
  event: Extract<WebhookEvent, { kind: "transcription.finish" }>,
  { bookingId, deliveryId, now }: SqlContext,
): Promise<Applied> {
  const existing = await tx.lessonspaceSession.findUnique({ where: { sessionId: event.sessionId } });
  if (existing && existing.bookingId !== bookingId) return OTHER_BOOKING;
  if (!existing) await tx.lessonspaceSession.create({ data: { sessionId: event.sessionId, bookingId } });
  const created = await recordTranscriptFetch(tx, {
    sessionId: event.sessionId,
    url: event.transcriptUrl,
    deliveryId,
    now,
  });
  return created
    ? { kind: "applied", detail: "Transcript to fetch." }
    : { kind: "ignored", detail: "This session's transcript was already announced." };
}

/**
 * One room's deliveries are applied one at a time, on every app server: attendance and the booking
 * totals are read-modify-write. The lock is the transaction's, so it goes with COMMIT or ROLLBACK.
 */
function roomLock(roomId: string): Prisma.Sql {
  return Prisma.sql`SELECT pg_advisory_xact_lock(hashtextextended(${`lessonspace-room:${roomId}`}, 0))::text AS locked`;
}

function logIgnored(event: WebhookEvent, { roomId }: { roomId: string }, result: Applied) {
  if (result.kind === "ignored") logger.info({ event: event.event, roomId, detail: result.detail }, "webhook.ignored");
}

type SqlEvent = Exclude<WebhookEvent, { kind: "transcription.finish" }>;
type SqlContext = {
  roomId: string;
  bookingId: string;
  deliveryId: string;
  now: Date;
  /** session.end only: the timing the sessions API gave when the payload lacked it. */
  lookup?: LessonspaceSessionInfo | null;
};
/** What a delivery writes besides its webhook_events row, in order (sent as one statement). */
type Write = Prisma.Sql[];

/**
 * Joins, leaves, session starts (many per lesson, and bursts when a class starts) and session ends
 * in plain SQL on one connection, in two round trips: BEGIN, the deadlines, the room lock and one
 * read of everything the rules need; then one write (the changes and the delivery's
 * webhook_events row in one statement) with COMMIT. Each round trip is one simple-protocol message
 * with the values written in as literals (sql-inline.ts), since that protocol takes several
 * statements but no parameters. Before them, only the first time this process sees the room, the
 * space's secret. Same rules and the same rows as Prisma would write: it took twelve round trips
 * for a join and twenty for a session end, and most of the CPU of a delivery.
 */
async function applyInSql(event: SqlEvent, context: SqlContext): Promise<WebhookOutcome> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let begun = false;
  // A checked-out connection that PostgreSQL drops emits 'error'; unheard, it would crash the whole
  // process. Heard, the query in flight fails (a 5xx, so Lessonspace retries) and the connection is
  // discarded on release.
  const onConnectionError = (error: Error) => (broken = error);
  client.on("error", onConnectionError);
  // The deadlines Prisma's transaction options gave: no statement and no idle moment in the
  // transaction over 3 s, so a stuck request never holds the room lock for long.
  const lock = roomLock(context.roomId);
  const prelude =
    `BEGIN; SET LOCAL statement_timeout = ${TRANSACTION_OPTIONS.timeout}; ` +
    `SET LOCAL idle_in_transaction_session_timeout = ${TRANSACTION_OPTIONS.timeout}; ${inlineValues(lock.text, lock.values)}`;
  const read: Read = async (statement) => {
    if (begun) throw new Error("One read per delivery: it is sent with BEGIN.");
    begun = true;
    const text = `${prelude}; ${inlineValues(statement.text, statement.values)}`;
    const results = (await client.query(text)) as unknown as pg.QueryResult[];
    return results[results.length - 1]!.rows;
  };
  try {
    const decided = await decide(read, client, event, context);
    if (decided === "duplicate") {
      await client.query("ROLLBACK");
      return { kind: "duplicate", deliveryId: context.deliveryId, detail: "Already received." };
    }
    const { result, write } = decided;
    const outcome = `${result.kind}: ${result.detail}`;
    // The change and the record in one statement: each change a CTE (PostgreSQL runs them all;
    // foreign keys are checked at the statement's end). Should it fail, PostgreSQL skips the COMMIT.
    const { deliveryId, roomId, now } = context;
    const recorded = Prisma.sql`INSERT INTO webhook_events (delivery_id, event, room_id, outcome, processed_at) VALUES (${deliveryId}, ${event.event}, ${roomId}, ${outcome}, ${now})`;
    const record = inlineValues(recorded.text, recorded.values);
    const changes = write.map((statement, i) => `change${i} AS (${inlineValues(statement.text, statement.values)})`);
    await client.query(`${changes.length ? `WITH ${changes.join(", ")} ` : ""}${record}; COMMIT`);
    logIgnored(event, context, result);
    return { ...result, deliveryId: context.deliveryId };
  } catch (error) {
    if (begun) await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
    // A copy of this delivery committed between our read and our write (it can only be one for
    // another room, since one room's deliveries wait for each other): it was applied once.
    if ((error as { code?: string; constraint?: string }).constraint === "webhook_events_delivery_id_key") {
      return { kind: "duplicate", deliveryId: context.deliveryId, detail: "Already received." };
    }
    throw error;
  } finally {
    client.off("error", onConnectionError);
    client.release(broken);
  }
}

/** The delivery's one read, sent in the same message as BEGIN and the room lock. */
type Read = <Row>(statement: Prisma.Sql) => Promise<Row[]>;

/** Whether this delivery was applied before: part of every event's one read. */
const seen = (deliveryId: string) =>
  Prisma.sql`EXISTS (SELECT 1 FROM webhook_events WHERE delivery_id = ${deliveryId}) AS seen`;

type SeenRow = { seen: boolean };
export const SEEN_COLUMNS = columnsOf<SeenRow>()(["seen"]);
export const seenSql = (deliveryId: string) => Prisma.sql`SELECT ${seen(deliveryId)}`;

type SessionStartRow = { seen: boolean; booking_id: string | null; started_at: Date | null };
export const SESSION_START_COLUMNS = columnsOf<SessionStartRow>()(["seen", "booking_id", "started_at"]);
export const sessionStartReadSql = (deliveryId: string, sessionId: string) =>
  Prisma.sql`SELECT ${seen(deliveryId)}, s.booking_id, s.started_at FROM (SELECT 1) AS one LEFT JOIN lessonspace_sessions s ON s.session_id = ${sessionId}`;

type PresenceRow = {
  seen: boolean;
  known: boolean;
  booking_id: string | null;
  attended: boolean;
  joined_at: Date | null;
  left_at: Date | null;
  seconds_present: number | null;
};
export const PRESENCE_COLUMNS = columnsOf<PresenceRow>()([
  "seen",
  "known",
  "booking_id",
  "attended",
  "joined_at",
  "left_at",
  "seconds_present",
]);
export const presenceReadSql = (deliveryId: string, sessionId: string, profileId: string) =>
  Prisma.sql`SELECT ${seen(deliveryId)}, EXISTS (SELECT 1 FROM profiles WHERE id = ${profileId}::uuid) AS known, s.booking_id,
                a.id IS NOT NULL AS attended, a.joined_at, a.left_at, a.seconds_present
           FROM (SELECT 1) AS one
           LEFT JOIN lessonspace_sessions s ON s.session_id = ${sessionId}
           LEFT JOIN lessonspace_attendance a ON a.session_id = ${sessionId} AND a.profile_id = ${profileId}::uuid`;

type Decision = "duplicate" | { result: Applied; write: Write };

/** Reads, under the room lock, whether the delivery was seen and what the event's rules need. */
async function decide(read: Read, client: pg.PoolClient, event: SqlEvent, context: SqlContext): Promise<Decision> {
  const { bookingId, deliveryId, now } = context;
  switch (event.kind) {
    case "other": {
      const rows = await read<SeenRow>(seenSql(deliveryId));
      if (rows[0]!.seen) return "duplicate";
      return { result: { kind: "ignored", detail: `No handling for ${event.event}.` }, write: [] };
    }
    case "session.start": {
      const rows = await read<SessionStartRow>(sessionStartReadSql(deliveryId, event.sessionId));
      const row = rows[0]!;
      if (row.seen) return "duplicate";
      if (row.booking_id !== null && row.booking_id !== bookingId) return { result: OTHER_BOOKING, write: [] };
      const applied: Applied = { kind: "applied", detail: "Session started." };
      // The session row is created on first mention (a user.join may come before session.start).
      if (row.booking_id === null)
        return { result: applied, write: [insertSession(event.sessionId, bookingId, event.startedAt ?? now)] };
      if (row.started_at !== null) return { result: applied, write: [] };
      const update = Prisma.sql`UPDATE lessonspace_sessions SET started_at = ${event.startedAt ?? now}, updated_at = now() WHERE session_id = ${event.sessionId}`;
      return { result: applied, write: [update] };
    }
    case "user.join":
    case "user.leave": {
      const profileId = event.profileId;
      if (profileId === null) {
        const rows = await read<SeenRow>(seenSql(deliveryId));
        if (rows[0]!.seen) return "duplicate";
        return { result: { kind: "ignored", detail: "The user is not one of our profiles." }, write: [] };
      }
      const rows = await read<PresenceRow>(presenceReadSql(deliveryId, event.sessionId, profileId));
      const row = rows[0]!;
      if (row.seen) return "duplicate";
      if (!row.known) return { result: { kind: "ignored", detail: "Unknown profile." }, write: [] };
      if (row.booking_id !== null && row.booking_id !== bookingId) return { result: OTHER_BOOKING, write: [] };
      const before: Presence = row.attended
        ? { joinedAt: row.joined_at, leftAt: row.left_at, secondsPresent: row.seconds_present ?? 0 }
        : NO_PRESENCE;
      const at = event.at ?? now;
      const after = event.kind === "user.join" ? applyJoin(before, at) : applyLeave(before, at);
      if (row.attended && samePresence(before, after))
        return { result: { kind: "ignored", detail: `Stale or repeated ${event.kind}.` }, write: [] };
      const presence = Prisma.sql`INSERT INTO lessonspace_attendance (session_id, profile_id, joined_at, left_at, seconds_present)
        VALUES (${event.sessionId}, ${profileId}::uuid, ${after.joinedAt}, ${after.leftAt}, ${after.secondsPresent})
        ON CONFLICT (session_id, profile_id) DO UPDATE SET joined_at = EXCLUDED.joined_at, left_at = EXCLUDED.left_at, seconds_present = EXCLUDED.seconds_present`;
      const result: Applied = { kind: "applied", detail: event.kind === "user.join" ? "Joined." : "Left." };
      // First mention of the session: create it in the same statement.
      if (row.booking_id === null)
        return { result, write: [insertSession(event.sessionId, bookingId, null), presence] };
      return { result, write: [presence] };
    }
    case "session.end":
      return decideSessionEnd(read, client, event, context);
  }
}

export type SessionEndRow = {
  seen: boolean;
  booking_id: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  attendance_ids: string[] | null;
  joined_ats: (Date | null)[] | null;
  left_ats: (Date | null)[] | null;
  seconds_present: number[] | null;
  session_ids: string[] | null;
  durations: (number | null)[] | null;
  ended_ats: (Date | null)[] | null;
  recorded: boolean[] | null;
};

export const SESSION_END_COLUMNS = columnsOf<SessionEndRow>()([
  "seen",
  "booking_id",
  "started_at",
  "ended_at",
  "attendance_ids",
  "joined_ats",
  "left_ats",
  "seconds_present",
  "session_ids",
  "durations",
  "ended_ats",
  "recorded",
]);

/** The session, its attendance and the booking's sessions (each list as parallel arrays from one aggregate, so their orders agree). */
export const sessionEndReadSql = (deliveryId: string, sessionId: string, bookingId: string) =>
  Prisma.sql`SELECT ${seen(deliveryId)}, s.booking_id, s.started_at, s.ended_at,
            a.attendance_ids, a.joined_ats, a.left_ats, a.seconds_present,
            b.session_ids, b.durations, b.ended_ats, b.recorded
       FROM (SELECT 1) AS one
       LEFT JOIN lessonspace_sessions s ON s.session_id = ${sessionId}
       CROSS JOIN (SELECT array_agg(id) AS attendance_ids, array_agg(joined_at) AS joined_ats, array_agg(left_at) AS left_ats,
                          array_agg(seconds_present) AS seconds_present
                     FROM lessonspace_attendance WHERE session_id = ${sessionId}) AS a
       CROSS JOIN (SELECT array_agg(session_id) AS session_ids, array_agg(duration_seconds) AS durations, array_agg(ended_at) AS ended_ats,
                          array_agg(recording_available) AS recorded
                     FROM lessonspace_sessions WHERE booking_id = ${bookingId}::uuid) AS b`;

/**
 * session.end: the session's times and recording, anyone still in the room leaving at its end, the
 * booking's total and recording over all its sessions, and the proof-of-value announcement inside
 * the same transaction. One read: the session, its attendance and the booking's sessions (each list
 * as parallel arrays from one aggregate, so their orders agree).
 */
async function decideSessionEnd(
  read: Read,
  client: pg.PoolClient,
  event: Extract<SqlEvent, { kind: "session.end" }>,
  context: SqlContext,
): Promise<Decision> {
  const { bookingId, deliveryId, lookup } = context;
  const rows = await read<SessionEndRow>(sessionEndReadSql(deliveryId, event.sessionId, bookingId));
  const row = rows[0]!;
  if (row.seen) return "duplicate";
  if (row.booking_id !== null && row.booking_id !== bookingId) return { result: OTHER_BOOKING, write: [] };

  const startedAt = event.startedAt ?? lookup?.startTime ?? row.started_at;
  const endedAt = event.endedAt ?? lookup?.endTime ?? row.ended_at;
  const recordingAvailable = event.recordingAvailable ?? lookup?.recordingAvailable ?? false;
  const durationSeconds = sessionDurationSeconds(startedAt, endedAt);
  const write: Write = [
    row.booking_id === null
      ? Prisma.sql`INSERT INTO lessonspace_sessions (session_id, booking_id, started_at, ended_at, duration_seconds, recording_available)
          VALUES (${event.sessionId}, ${bookingId}::uuid, ${startedAt}, ${endedAt}, ${durationSeconds}, ${recordingAvailable})`
      : Prisma.sql`UPDATE lessonspace_sessions SET started_at = ${startedAt}, ended_at = ${endedAt}, duration_seconds = ${durationSeconds},
          recording_available = ${recordingAvailable}, updated_at = now() WHERE session_id = ${event.sessionId}`,
  ];

  if (endedAt !== null) {
    (row.attendance_ids ?? []).forEach((id, i) => {
      const before: Presence = {
        joinedAt: row.joined_ats![i]!,
        leftAt: row.left_ats![i]!,
        secondsPresent: row.seconds_present![i]!,
      };
      const closed = closeAtSessionEnd(before, endedAt);
      if (samePresence(before, closed)) return;
      write.push(
        Prisma.sql`UPDATE lessonspace_attendance SET joined_at = ${closed.joinedAt}, left_at = ${closed.leftAt}, seconds_present = ${closed.secondsPresent} WHERE id = ${id}::uuid`,
      );
    });
  }

  // The booking's sessions as they are once this one is written.
  const sessions: RecordedSession[] = (row.session_ids ?? [])
    .map((sessionId, i) => ({
      sessionId,
      durationSeconds: row.durations![i]!,
      endedAt: row.ended_ats![i]!,
      recordingAvailable: row.recorded![i]!,
    }))
    .filter((session) => session.sessionId !== event.sessionId);
  sessions.push({ sessionId: event.sessionId, durationSeconds, endedAt, recordingAvailable });
  const total = bookingDurationSeconds(sessions);
  const recording = representativeRecording(sessions);
  // bookings.status is left alone: it belongs to the booking system (payments, disputes), a
  // session can end and another start within the same lesson, and the join window already reads
  // a lesson whose time is over as completed.
  write.push(
    recording
      ? Prisma.sql`UPDATE bookings SET duration_actual = ${total}, recording_url = ${playbackReference(recording.sessionId)}, updated_at = now() WHERE id = ${bookingId}::uuid`
      : Prisma.sql`UPDATE bookings SET duration_actual = ${total}, updated_at = now() WHERE id = ${bookingId}::uuid`,
  );

  await onSessionEnded(jobDbFor(client), {
    bookingId,
    sessionId: event.sessionId,
    startedAt,
    endedAt,
    durationSeconds,
    bookingDurationSeconds: total,
    recordingAvailable,
    deliveryId,
  });
  const impossible = durationSeconds === null && startedAt !== null && endedAt !== null;
  const detail = impossible
    ? "Session ended; its duration was refused as impossible (end before start or over 24 hours)."
    : "Session ended.";
  return { result: { kind: "applied", detail }, write };
}

function insertSession(sessionId: string, bookingId: string, startedAt: Date | null): Prisma.Sql {
  return Prisma.sql`INSERT INTO lessonspace_sessions (session_id, booking_id, started_at) VALUES (${sessionId}, ${bookingId}::uuid, ${startedAt})`;
}

function deliveryIdOf(headers: HeaderReader, body: Uint8Array): string | null {
  const given = headers.get("x-webhook-id")?.trim();
  if (given) return given.length <= MAX_DELIVERY_ID_LENGTH ? given : null;
  // Lessonspace always sends one; without it, identical bytes are the same delivery.
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

type Applied = { kind: "applied" | "ignored"; detail: string };

const OTHER_BOOKING: Applied = { kind: "ignored", detail: "The session belongs to another booking." };

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

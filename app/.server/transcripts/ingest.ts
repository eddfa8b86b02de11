import { talkTime } from "~/domain/talk-time";
import { parseTranscriptFile, type TranscriptSegmentInput } from "~/domain/transcript-file";
import { isAllowedTranscriptUrl, parseTranscriptOrigins, type OriginPattern } from "~/domain/transcript-origins";
import { Prisma } from "~/generated/prisma/client";
import { db, sql } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import type { Transaction } from "../db";
import { columnsOf } from "../sql-columns";
import { isUuid } from "~/domain/uuid";
import { declaredTooLarge, readAtMost } from "../read-limited";
import { recordSummaryFetch } from "../lessonspace/summaries";

/**
 * Lesson transcripts (docs/decisions/0047-transcripts-fetched-by-a-job-within-limits.md and
 * docs/decisions/0048-transcript-files-whole-or-segment.md).
 *
 * 1. `recordTranscriptFetch` runs inside the transaction of a verified `transcription.finish`
 *    delivery: it only writes a `transcript_fetches` row (UNIQUE per session, so a second
 *    transcription.finish for the same session changes nothing). Nothing is downloaded in the
 *    webhook request.
 * 2. `fetchDueTranscripts(now, limit)` is the job: it claims due pending rows with
 *    FOR UPDATE SKIP LOCKED (many workers may run it at once), downloads each file within the
 *    allowlist, size and time limits, and stores its segments and marks the row done in one
 *    transaction: a failure stores nothing. Host down / 5xx / timeout → retried with backoff, up
 *    to MAX_ATTEMPTS; anything that will not get better (not allowed, 4xx, too large, not a
 *    transcript) → failed at once. Each outcome is logged as one JSON line, without the URL's
 *    query (a pre-signed URL's query is a credential).
 */

export const TRANSCRIPT_MAX_BYTES = 5 * 1024 * 1024;
export const TRANSCRIPT_DEADLINE_MS = 20_000;
export const MAX_ATTEMPTS = 6;
const MAX_REDIRECTS = 3;
/** A claimed row is invisible to other workers this long; a worker that dies mid-fetch is retried after it. */
const CLAIM_LEASE_MS = 2 * 60_000;
const STORE_TRANSACTION = { maxWait: 5_000, timeout: 30_000 };

/** Called in the webhook's transaction. True when this delivery created the fetch. */
export async function recordTranscriptFetch(
  tx: Transaction,
  input: { sessionId: string; url: string; deliveryId: string; now: Date },
): Promise<boolean> {
  const created = await tx.transcriptFetch.createMany({
    data: [{ sessionId: input.sessionId, url: input.url, deliveryId: input.deliveryId, nextAttemptAt: input.now }],
    skipDuplicates: true,
  });
  return created.count === 1;
}

/** Seconds before attempt `attempts + 1`: 30 s, 1, 2, 4, 8 min… capped at an hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

export type FetchOptions = {
  origins?: readonly OriginPattern[];
  maxBytes?: number;
  deadlineMs?: number;
  maxAttempts?: number;
};

export type TranscriptOutcome =
  | { sessionId: string; kind: "stored"; segments: number; dropped: number }
  | { sessionId: string; kind: "retry" | "failed" | "expired"; problem: string }
  | { sessionId: string; kind: "lost-claim" };

export type Claim = { id: string; session_id: string; url: string; attempts: number };

/**
 * Claims up to `limit` due pending fetches and ingests them one after another. Returns what
 * happened to each. Safe to run on several workers at once.
 */
export async function fetchDueTranscripts(
  now: Date,
  limit: number,
  options: FetchOptions = {},
): Promise<TranscriptOutcome[]> {
  const claims = await sql<Claim>(claimDueFetchesSql(now, limit));
  const outcomes: TranscriptOutcome[] = [];
  for (const claim of claims) outcomes.push(await ingestTranscript(claim, now, options));
  return outcomes;
}

export const CLAIM_COLUMNS = columnsOf<Claim>()(["id", "session_id", "url", "attempts"]);

/** Leases up to `limit` due pending fetches (attempts counted now), skipping rows other workers hold. */
export function claimDueFetchesSql(now: Date, limit: number): Prisma.Sql {
  return Prisma.sql`
    UPDATE transcript_fetches AS f
       SET attempts = f.attempts + 1,
           next_attempt_at = ${new Date(now.getTime() + CLAIM_LEASE_MS)}
     WHERE f.id IN (
       SELECT id FROM transcript_fetches
        WHERE status = 'pending' AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at
        LIMIT ${Math.max(1, Math.floor(limit))}
        FOR UPDATE SKIP LOCKED)
    RETURNING f.id, f.session_id, f.url, f.attempts`;
}

type FetchStateRow = { status: string; attempts: number };

export const FETCH_STATE_COLUMNS = columnsOf<FetchStateRow>()(["status", "attempts"]);

/** A fetch's state, locked for the rest of the transaction. */
export function lockFetchSql(fetchId: string): Prisma.Sql {
  return Prisma.sql`SELECT status, attempts FROM transcript_fetches WHERE id = ${fetchId}::uuid FOR UPDATE`;
}

/** Downloads, validates and stores one claimed fetch. */
export async function ingestTranscript(
  claim: Claim,
  now: Date,
  options: FetchOptions = {},
): Promise<TranscriptOutcome> {
  const origins = options.origins ?? configuredOrigins();
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const downloaded = await downloadTranscript(claim.url, {
    origins,
    maxBytes: options.maxBytes ?? TRANSCRIPT_MAX_BYTES,
    deadlineMs: options.deadlineMs ?? TRANSCRIPT_DEADLINE_MS,
  });
  if (!downloaded.ok) {
    // Lessonspace's sessions API offers no second link to a transcript (its documented fields are
    // timing and recording only), so an expired link is the end: said as such on the pages.
    if (downloaded.expired) return recordFailure(claim, now, downloaded.problem, "expired");
    const permanent = downloaded.permanent || claim.attempts >= maxAttempts;
    return recordFailure(claim, now, downloaded.problem, permanent ? "failed" : "retry");
  }
  const parsed = parseTranscriptFile(downloaded.text);
  if (!parsed.ok) return recordFailure(claim, now, parsed.problem, "failed");
  return storeSegments(claim, now, parsed.segments, parsed.dropped, parsed.problems);
}

let originsCache: { text: string; patterns: OriginPattern[] } | undefined;
function configuredOrigins(): OriginPattern[] {
  const config = env();
  if (originsCache?.text !== config.LESSONSPACE_TRANSCRIPT_ORIGINS) {
    const parsed = parseTranscriptOrigins(config.LESSONSPACE_TRANSCRIPT_ORIGINS, {
      production: config.NODE_ENV === "production",
    });
    // env() already refused a bad list; an empty allowlist fetches nothing.
    originsCache = { text: config.LESSONSPACE_TRANSCRIPT_ORIGINS, patterns: parsed.ok ? parsed.patterns : [] };
  }
  return originsCache.patterns;
}

type Download = { ok: true; text: string } | { ok: false; permanent: boolean; expired?: true; problem: string };

/** Where a URL points, without its query (a pre-signed URL's query is a credential). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.slice(0, 120)}`;
  } catch {
    return "an unreadable URL";
  }
}

/**
 * GET within the allowlist: every hop (the URL and each redirect target) must be allowed before it
 * is requested; one deadline covers all hops and the body; the body is counted while streaming.
 */
export async function downloadTranscript(
  url: string,
  limits: { origins: readonly OriginPattern[]; maxBytes: number; deadlineMs: number },
): Promise<Download> {
  const signal = AbortSignal.timeout(limits.deadlineMs);
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (!isAllowedTranscriptUrl(current, limits.origins)) {
      const what = hop === 0 ? "The transcript URL" : "A redirect";
      return {
        ok: false,
        permanent: true,
        problem: `${what} points outside LESSONSPACE_TRANSCRIPT_ORIGINS: ${describeUrl(current)}.`,
      };
    }
    let response: Response;
    try {
      response = await fetch(current, { redirect: "manual", signal, headers: { Accept: "application/json" } });
    } catch (error) {
      return {
        ok: false,
        permanent: false,
        problem: isTimeout(error) ? "The download timed out." : `${describeUrl(current)} could not be reached.`,
      };
    }
    if ([301, 302, 303, 307, 308].includes(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get("Location");
      if (!location) return { ok: false, permanent: true, problem: `A ${response.status} without a Location.` };
      try {
        current = new URL(location, current).toString();
      } catch {
        return { ok: false, permanent: true, problem: "A redirect to an unreadable URL." };
      }
      continue;
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, permanent: false, problem: `The download host answered ${response.status}.` };
    }
    if (response.status === 403) {
      await response.body?.cancel().catch(() => undefined);
      // What an expired pre-signed link answers: asking again will not help.
      return { ok: false, permanent: true, expired: true, problem: "The download host answered 403 (link expired)." };
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, permanent: true, problem: `The download host answered ${response.status}.` };
    }
    return readBody(response, limits.maxBytes, signal);
  }
  return { ok: false, permanent: true, problem: `More than ${MAX_REDIRECTS} redirects.` };
}

async function readBody(response: Response, maxBytes: number, signal: AbortSignal): Promise<Download> {
  const tooLarge: Download = {
    ok: false,
    permanent: true,
    problem: `The transcript is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`,
  };
  if (declaredTooLarge(response.headers.get("Content-Length"), maxBytes)) {
    await response.body?.cancel().catch(() => undefined);
    return tooLarge;
  }
  if (!response.body) return { ok: true, text: "" };
  const read = await readAtMost(response.body, maxBytes);
  if (!read.ok && read.reason === "too-large") return tooLarge;
  if (!read.ok) {
    return {
      ok: false,
      permanent: false,
      problem: isTimeout(read.error) || signal.aborted ? "The download timed out." : "The download broke off.",
    };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(read.bytes) };
  } catch {
    return { ok: false, permanent: true, problem: "The transcript is not UTF-8 text." };
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
}

async function recordFailure(
  claim: Claim,
  now: Date,
  problem: string,
  kind: "retry" | "failed" | "expired",
): Promise<TranscriptOutcome> {
  const permanent = kind !== "retry";
  const status = permanent ? kind : "pending";
  const next = new Date(now.getTime() + retryDelaySeconds(claim.attempts) * 1000);
  const updated = await db.transcriptFetch.updateMany({
    where: { id: claim.id, status: "pending", attempts: claim.attempts },
    data: { status, lastError: problem, nextAttemptAt: next, ...(permanent ? { finishedAt: now } : {}) },
  });
  if (updated.count === 0) return { sessionId: claim.session_id, kind: "lost-claim" };
  logger[permanent ? "warn" : "info"](
    {
      sessionId: claim.session_id,
      attempt: claim.attempts,
      problem,
      ...(permanent ? {} : { nextAttemptAt: next.toISOString() }),
    },
    permanent ? "transcript fetch failed" : "transcript fetch will be retried",
  );
  return { sessionId: claim.session_id, kind, problem };
}

async function storeSegments(
  claim: Claim,
  now: Date,
  segments: TranscriptSegmentInput[],
  dropped: number,
  problems: string[],
): Promise<TranscriptOutcome> {
  const outcome = await db.$transaction(async (tx) => {
    // The row lock makes this the only writer for the session; a worker whose lease ran out
    // (and whose row another worker claimed again) finds attempts changed and stores nothing.
    const [current] = await sql<FetchStateRow>(lockFetchSql(claim.id), tx);
    if (!current || current.status !== "pending" || current.attempts !== claim.attempts) return "lost-claim" as const;
    const session = await tx.lessonspaceSession.findUniqueOrThrow({
      where: { sessionId: claim.session_id },
      select: {
        bookingId: true,
        booking: { select: { clientId: true, tutorId: true, studentId: true } },
        attendance: { select: { profileId: true } },
      },
    });
    // Speakers are matched by the user id we sent at launch, and only to this lesson's people:
    // an id that happens to be some other profile's is kept as a name, never linked.
    const people = new Set(
      [
        session.booking.clientId,
        session.booking.tutorId,
        session.booking.studentId,
        ...session.attendance.map((row) => row.profileId),
      ].filter((id): id is string => id !== null),
    );
    const rows = segments.map((segment) => {
      const userId = segment.userId && isUuid(segment.userId) ? segment.userId.toLowerCase() : null;
      return {
        sessionId: claim.session_id,
        bookingId: session.bookingId,
        position: segment.position,
        speakerProfileId: userId && people.has(userId) ? userId : null,
        speakerName: segment.speakerName,
        startSeconds: segment.startSeconds,
        endSeconds: segment.endSeconds,
        breakoutId: segment.breakoutId,
        text: segment.text,
      };
    });
    await tx.transcriptSegment.deleteMany({ where: { sessionId: claim.session_id } });
    await tx.transcriptSpeaker.deleteMany({ where: { sessionId: claim.session_id } });
    await tx.transcriptSegment.createMany({ data: rows });
    await tx.transcriptSpeaker.createMany({
      data: talkTime(rows).speakers.map((speaker) => ({
        sessionId: claim.session_id,
        bookingId: session.bookingId,
        speakerKey: speaker.key,
        speakerProfileId: speaker.profileId,
        speakerName: speaker.name,
        seconds: speaker.seconds,
      })),
    });
    await tx.transcriptFetch.update({
      where: { id: claim.id },
      data: {
        status: "done",
        finishedAt: now,
        segmentCount: segments.length,
        droppedSegments: dropped,
        lastError: dropped > 0 ? `Dropped ${dropped} segment(s): ${problems.slice(0, 5).join("; ")}` : null,
      },
    });
    // Lessonspace summarises from the transcript: its summary is asked for once this is stored
    // (docs/decisions/0063-lessonspace-summaries-api-contract.md).
    await recordSummaryFetch(tx, { sessionId: claim.session_id, now });
    return "stored" as const;
  }, STORE_TRANSACTION);
  if (outcome === "lost-claim") return { sessionId: claim.session_id, kind: "lost-claim" };
  logger[dropped > 0 ? "warn" : "info"](
    {
      sessionId: claim.session_id,
      segments: segments.length,
      dropped,
      ...(dropped > 0 ? { problems: problems.slice(0, 5) } : {}),
    },
    "transcript stored",
  );
  return { sessionId: claim.session_id, kind: "stored", segments: segments.length, dropped };
}

import {
  nextSummaryStep,
  SUMMARY_MAX_THROTTLED,
  type SummaryAnswer,
  type SummaryLimits,
  type SummaryStep,
} from "~/domain/lesson-summary";
import { Prisma } from "~/generated/prisma/client";
import { db, sql, type Transaction } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import { columnsOf } from "../sql-columns";
import { getSummary } from "./client";

/**
 * Lessonspace's lesson summaries, kept as a draft for the tutor
 * (docs/decisions/0052-lesson-notes-homework-and-summaries.md,
 * docs/decisions/0063-lessonspace-summaries-api-contract.md).
 *
 * 1. `recordSummaryFetch` runs in the transaction that stores a session's transcript
 *    (app/.server/transcripts/ingest.ts): one `summary_fetches` row per session, so a second
 *    transcription.finish or a re-stored transcript changes nothing.
 * 2. `fetchDueSummaries(now, limit)` is the job: it claims due rows with FOR UPDATE SKIP LOCKED
 *    and a lease (many workers may run it), asks Lessonspace once per row through client.ts, and
 *    stores the text in `lesson_summaries` when ready. What an answer leads to is decided in
 *    app/domain/lesson-summary.ts. Nothing here shows a summary to anyone.
 */

/** A claimed row is invisible to other workers this long: 10 requests of at most LESSONSPACE_TIMEOUT_MS each. */
const CLAIM_LEASE_MS = 2 * 60_000;
const STORE_TRANSACTION = { maxWait: 5_000, timeout: 15_000 };

/** Called in the transaction that stores the transcript. True when this call created the fetch. */
export async function recordSummaryFetch(tx: Transaction, input: { sessionId: string; now: Date }): Promise<boolean> {
  const created = await tx.summaryFetch.createMany({
    data: [{ sessionId: input.sessionId, nextAttemptAt: input.now }],
    skipDuplicates: true,
  });
  return created.count === 1;
}

export type SummaryOutcome =
  | { sessionId: string; kind: "stored"; truncated: boolean }
  | { sessionId: string; kind: "none" | "retry" | "gave-up"; reason: string }
  | { sessionId: string; kind: "lost-claim" | "unknown-session" };

export type SummaryJobOptions = Partial<SummaryLimits>;

type Claim = { id: string; session_id: string; attempts: number; throttled: number };

export const SUMMARY_CLAIM_COLUMNS = columnsOf<Claim>()(["id", "session_id", "attempts", "throttled"]);

/** Leases up to `limit` due pending fetches (the request counted now), skipping rows other workers hold. */
export function claimDueSummariesSql(now: Date, limit: number): Prisma.Sql {
  return Prisma.sql`
    UPDATE summary_fetches AS f
       SET attempts = f.attempts + 1,
           next_attempt_at = ${new Date(now.getTime() + CLAIM_LEASE_MS)}
     WHERE f.id IN (
       SELECT id FROM summary_fetches
        WHERE status = 'pending' AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at
        LIMIT ${Math.max(1, Math.floor(limit))}
        FOR UPDATE SKIP LOCKED)
    RETURNING f.id, f.session_id, f.attempts, f.throttled`;
}

type SummaryStateRow = { status: string; attempts: number; booking_id: string };

export const SUMMARY_STATE_COLUMNS = columnsOf<SummaryStateRow>()(["status", "attempts", "booking_id"]);

/** A fetch's state, locked for the rest of the transaction, with its session's booking. */
export function lockSummaryFetchSql(fetchId: string): Prisma.Sql {
  return Prisma.sql`
    SELECT f.status, f.attempts, s.booking_id
      FROM summary_fetches AS f
      JOIN lessonspace_sessions AS s ON s.session_id = f.session_id
     WHERE f.id = ${fetchId}::uuid
       FOR UPDATE OF f`;
}

/** Claims up to `limit` due fetches and asks Lessonspace for each, one after another. Safe on several workers. */
export async function fetchDueSummaries(
  now: Date,
  limit: number,
  options: SummaryJobOptions = {},
): Promise<SummaryOutcome[]> {
  const limits: SummaryLimits = {
    maxTries: options.maxTries ?? env().SUMMARY_MAX_TRIES,
    maxThrottled: options.maxThrottled ?? SUMMARY_MAX_THROTTLED,
  };
  const claims = await sql<Claim>(claimDueSummariesSql(now, limit));
  const outcomes: SummaryOutcome[] = [];
  for (const claim of claims) {
    const answer = await getSummary(claim.session_id);
    outcomes.push(await settle(claim, now, forThisSession(claim.session_id, answer), limits));
  }
  return outcomes;
}

/** A summary that names another session is not this one's: logged, and asked for again later. */
function forThisSession(sessionId: string, answer: SummaryAnswer): SummaryAnswer {
  if (answer.kind !== "ready" || answer.sessionId === null || answer.sessionId === sessionId) return answer;
  logger.warn({ sessionId, answeredFor: answer.sessionId }, "summary.unknown-session");
  return { kind: "rejected", detail: "Lessonspace answered with another session's summary." };
}

async function settle(claim: Claim, now: Date, answer: SummaryAnswer, limits: SummaryLimits): Promise<SummaryOutcome> {
  const step = nextSummaryStep(answer, claim, now, limits);
  if (step.kind === "store") return store(claim, now, step);
  const updated = await db.summaryFetch.updateMany({
    where: { id: claim.id, status: "pending", attempts: claim.attempts },
    data: dataFor(step, now),
  });
  if (updated.count === 0) return lostOrUnknown(claim);
  // This request's 429 is not a try: counted with the others throttled.
  const throttled = claim.throttled + (answer.kind === "rate-limited" ? 1 : 0);
  const fields = { sessionId: claim.session_id, tries: claim.attempts - throttled, reason: step.reason };
  if (step.kind === "retry") {
    logger.info({ ...fields, throttled, nextAttemptAt: step.nextAttemptAt.toISOString() }, "summary.retry");
  } else if (step.kind === "none") {
    logger.info(fields, "summary.none");
  } else {
    logger.warn({ ...fields, throttled }, "summary.gave-up");
  }
  return { sessionId: claim.session_id, kind: step.kind, reason: step.reason };
}

function dataFor(step: Exclude<SummaryStep, { kind: "store" }>, now: Date): Prisma.SummaryFetchUpdateManyMutationInput {
  if (step.kind === "retry")
    return {
      nextAttemptAt: step.nextAttemptAt,
      lastError: step.reason,
      ...(step.throttled ? { throttled: { increment: 1 } } : {}),
    };
  return { status: step.kind, lastError: step.reason, finishedAt: now };
}

async function store(claim: Claim, now: Date, step: Extract<SummaryStep, { kind: "store" }>): Promise<SummaryOutcome> {
  const outcome = await db.$transaction(async (tx) => {
    // The row lock makes this the only writer; a worker whose lease ran out finds attempts changed.
    const [current] = await sql<SummaryStateRow>(lockSummaryFetchSql(claim.id), tx);
    if (!current) return "gone" as const;
    if (current.status !== "pending" || current.attempts !== claim.attempts) return "lost-claim" as const;
    const summary = { bookingId: current.booking_id, text: step.text, source: "lessonspace", fetchedAt: now };
    await tx.lessonSummary.upsert({
      where: { sessionId: claim.session_id },
      create: { sessionId: claim.session_id, ...summary },
      update: summary,
    });
    await tx.summaryFetch.update({
      where: { id: claim.id },
      data: { status: "done", finishedAt: now, lastError: step.truncated ? "Cut to the size limit." : null },
    });
    return "stored" as const;
  }, STORE_TRANSACTION);
  if (outcome === "gone") return lostOrUnknown(claim);
  if (outcome === "lost-claim") return { sessionId: claim.session_id, kind: "lost-claim" };
  logger.info({ sessionId: claim.session_id, chars: step.text.length, truncated: step.truncated }, "summary.stored");
  return { sessionId: claim.session_id, kind: "stored", truncated: step.truncated };
}

/**
 * The row vanished under us. It goes with its session (ON DELETE CASCADE): a lesson deleted while
 * Lessonspace was answering is a session we no longer know, and its summary is dropped.
 */
async function lostOrUnknown(claim: Claim): Promise<SummaryOutcome> {
  const session = await db.lessonspaceSession.findUnique({
    where: { sessionId: claim.session_id },
    select: { sessionId: true },
  });
  if (session) return { sessionId: claim.session_id, kind: "lost-claim" };
  logger.warn(
    { sessionId: claim.session_id, reason: "The session is no longer stored; its summary is ignored." },
    "summary.unknown-session",
  );
  return { sessionId: claim.session_id, kind: "unknown-session" };
}

import { withoutNul } from "./plain-text";

/**
 * What to do with one answer of Lessonspace's summary endpoint
 * (docs/decisions/0063-lessonspace-summaries-api-contract.md): store the text, stop because there
 * will be none, try again later, or give up. Pure: the job passes the fetch's counts and `now`.
 */

/** One answer of GET …/sessions/<uuid>/summary/, as the client reads it. */
export type SummaryAnswer =
  | { kind: "ready"; text: string; sessionId: string | null }
  | { kind: "not-ready"; detail: string }
  /** Lessonspace will never have one: too short, one user, not asked, or its summarising failed. */
  | { kind: "none"; detail: string }
  | { kind: "rate-limited"; retryAfterSeconds: number; detail: string }
  | { kind: "unavailable" | "timeout" | "misconfigured" | "rejected"; detail: string };

export type SummaryStep =
  | { kind: "store"; text: string; truncated: boolean }
  | { kind: "none"; reason: string }
  | { kind: "retry"; nextAttemptAt: Date; reason: string; throttled: boolean }
  | { kind: "gave-up"; reason: string };

export type SummaryLimits = {
  /** Answers other than 429 before giving up (not ready, 5xx, timeouts, refusals). */
  maxTries: number;
  /** 429s before giving up: counted apart, so a busy hour does not use up the tries. */
  maxThrottled: number;
};

export const SUMMARY_MAX_THROTTLED = 30;
/** Far above any lesson's summary: a bound on what outside data may put in a row. */
export const SUMMARY_MAX_CHARS = 20_000;

/** Seconds before the try after `tries` counted ones: 1, 2, 4, 8, 15, 15, 15 min (8 tries span an hour). */
export function summaryRetryDelaySeconds(tries: number): number {
  return Math.min(15 * 60, 60 * 2 ** Math.max(0, tries - 1));
}

/** Plain text as we keep it: no NUL (docs/decisions/0059-no-nul-bytes-reach-postgresql.md), \n line ends, bounded. */
export function summaryText(raw: string): { text: string; truncated: boolean } {
  const text = withoutNul(raw).replace(/\r\n?/g, "\n").trim();
  if (text.length <= SUMMARY_MAX_CHARS) return { text, truncated: false };
  // Cut on a code point, never between the halves of a surrogate pair.
  let cut = text.slice(0, SUMMARY_MAX_CHARS - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return { text: `${cut.trimEnd()}…`, truncated: true };
}

/**
 * `attempts` counts every request made so far, this one included; `throttled` the 429s before
 * this one. Tries are the requests that were not throttled.
 */
export function nextSummaryStep(
  answer: SummaryAnswer,
  counts: { attempts: number; throttled: number },
  now: Date,
  limits: SummaryLimits,
): SummaryStep {
  switch (answer.kind) {
    case "ready": {
      const { text, truncated } = summaryText(answer.text);
      if (!text) return { kind: "none", reason: "Lessonspace answered an empty summary." };
      return { kind: "store", text, truncated };
    }
    case "none":
      return { kind: "none", reason: answer.detail };
    case "rate-limited": {
      if (counts.throttled + 1 >= limits.maxThrottled)
        return { kind: "gave-up", reason: `${answer.detail} (${counts.throttled + 1} times)` };
      const seconds = Math.max(1, Math.ceil(answer.retryAfterSeconds));
      return {
        kind: "retry",
        nextAttemptAt: new Date(now.getTime() + seconds * 1000),
        reason: answer.detail,
        throttled: true,
      };
    }
    default: {
      const tries = counts.attempts - counts.throttled;
      if (tries >= limits.maxTries) return { kind: "gave-up", reason: answer.detail };
      return {
        kind: "retry",
        nextAttemptAt: new Date(now.getTime() + summaryRetryDelaySeconds(tries) * 1000),
        reason: answer.detail,
        throttled: false,
      };
    }
  }
}

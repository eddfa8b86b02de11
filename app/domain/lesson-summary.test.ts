import { describe, expect, it } from "vitest";
import {
  nextSummaryStep,
  SUMMARY_MAX_CHARS,
  summaryRetryDelaySeconds,
  summaryText,
  type SummaryAnswer,
} from "./lesson-summary";

const now = new Date("2026-11-25T16:00:00Z");
const limits = { maxTries: 8, maxThrottled: 3 };
const notReady: SummaryAnswer = { kind: "not-ready", detail: "Lessonspace is still summarising." };
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe("summaryRetryDelaySeconds", () => {
  it("doubles from a minute and stays at 15 minutes, so 8 tries span an hour", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map(summaryRetryDelaySeconds);
    expect(delays).toEqual([60, 120, 240, 480, 900, 900, 900]);
    expect(delays.reduce((a, b) => a + b)).toBe(3600);
  });
});

describe("summaryText", () => {
  it("drops NUL bytes, unifies line ends and trims", () => {
    expect(summaryText("  Tara: Hello.\r\nCharlie: Hi\u0000.\r \n")).toEqual({
      text: "Tara: Hello.\nCharlie: Hi.",
      truncated: false,
    });
  });

  it("keeps a text of exactly the limit whole", () => {
    const text = "a".repeat(SUMMARY_MAX_CHARS);
    expect(summaryText(text)).toEqual({ text, truncated: false });
  });

  it("cuts a longer text to the limit with an ellipsis, never inside a surrogate pair", () => {
    const long = `${"a".repeat(SUMMARY_MAX_CHARS - 2)}😀${"b".repeat(10)}`;
    const { text, truncated } = summaryText(long);
    expect(truncated).toBe(true);
    expect(text.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(text.endsWith("a…")).toBe(true);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe("nextSummaryStep", () => {
  it("stores a ready summary as plain text", () => {
    const step = nextSummaryStep(
      { kind: "ready", text: "Tara: Fractions.\u0000", sessionId: null },
      { attempts: 1, throttled: 0 },
      now,
      limits,
    );
    expect(step).toEqual({ kind: "store", text: "Tara: Fractions.", truncated: false });
  });

  it("an empty summary is no summary", () => {
    expect(
      nextSummaryStep({ kind: "ready", text: " \n", sessionId: null }, { attempts: 1, throttled: 0 }, now, limits),
    ).toEqual({ kind: "none", reason: "Lessonspace answered an empty summary." });
  });

  it("stops at once when Lessonspace has none for the session", () => {
    expect(nextSummaryStep({ kind: "none", detail: "too_short" }, { attempts: 1, throttled: 0 }, now, limits)).toEqual({
      kind: "none",
      reason: "too_short",
    });
  });

  it("not ready: tried again after the backoff, then given up at the last try", () => {
    expect(nextSummaryStep(notReady, { attempts: 1, throttled: 0 }, now, limits)).toEqual({
      kind: "retry",
      nextAttemptAt: later(60),
      reason: notReady.detail,
      throttled: false,
    });
    expect(nextSummaryStep(notReady, { attempts: 5, throttled: 0 }, now, limits)).toMatchObject({
      nextAttemptAt: later(900),
    });
    expect(nextSummaryStep(notReady, { attempts: 7, throttled: 0 }, now, limits).kind).toBe("retry");
    expect(nextSummaryStep(notReady, { attempts: 8, throttled: 0 }, now, limits)).toEqual({
      kind: "gave-up",
      reason: notReady.detail,
    });
  });

  it("throttled requests are not tries: the backoff and the bound count only the others", () => {
    // 10 requests, 3 of them throttled: 7 tries, so one is left and the delay is the 7th's.
    const step = nextSummaryStep(notReady, { attempts: 10, throttled: 3 }, now, { maxTries: 8, maxThrottled: 30 });
    expect(step).toEqual({ kind: "retry", nextAttemptAt: later(900), reason: notReady.detail, throttled: false });
  });

  it("429: next attempt not before Retry-After, until the separate bound", () => {
    const throttled: SummaryAnswer = { kind: "rate-limited", retryAfterSeconds: 120, detail: "Lessonspace is busy." };
    expect(nextSummaryStep(throttled, { attempts: 8, throttled: 1 }, now, limits)).toEqual({
      kind: "retry",
      nextAttemptAt: later(120),
      reason: "Lessonspace is busy.",
      throttled: true,
    });
    expect(nextSummaryStep(throttled, { attempts: 9, throttled: 2 }, now, limits)).toEqual({
      kind: "gave-up",
      reason: "Lessonspace is busy. (3 times)",
    });
  });

  it("a Retry-After of 0 still waits a second", () => {
    const step = nextSummaryStep(
      { kind: "rate-limited", retryAfterSeconds: 0, detail: "busy" },
      { attempts: 1, throttled: 0 },
      now,
      limits,
    );
    expect(step).toMatchObject({ kind: "retry", nextAttemptAt: later(1) });
  });

  it.each(["unavailable", "timeout", "misconfigured", "rejected"] as const)("%s is a counted try", (kind) => {
    expect(nextSummaryStep({ kind, detail: "x" }, { attempts: 2, throttled: 0 }, now, limits)).toEqual({
      kind: "retry",
      nextAttemptAt: later(120),
      reason: "x",
      throttled: false,
    });
    expect(nextSummaryStep({ kind, detail: "x" }, { attempts: 8, throttled: 0 }, now, limits).kind).toBe("gave-up");
  });
});

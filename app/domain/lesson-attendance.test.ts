import { describe, expect, it } from "vitest";
import {
  applyJoin,
  applyLeave,
  bookingDurationSeconds,
  closeAtSessionEnd,
  MAX_SESSION_SECONDS,
  NO_PRESENCE,
  representativeRecording,
  sessionDurationSeconds,
} from "./lesson-attendance";

const t = (minutes: number, seconds = 0) => new Date(Date.UTC(2026, 10, 25, 15, minutes, seconds));

describe("sessionDurationSeconds", () => {
  it("counts whole seconds from start to end", () => {
    expect(sessionDurationSeconds(t(0, 4), t(58, 40))).toBe(58 * 60 + 36);
    expect(sessionDurationSeconds(t(0), t(0))).toBe(0);
  });

  it("is unknown when either end is missing", () => {
    expect(sessionDurationSeconds(null, t(1))).toBeNull();
    expect(sessionDurationSeconds(t(1), null)).toBeNull();
  });

  it("refuses an end before the start", () => {
    expect(sessionDurationSeconds(t(10), t(9, 59))).toBeNull();
  });

  it("accepts exactly 24 hours and refuses a second more", () => {
    const start = t(0);
    expect(sessionDurationSeconds(start, new Date(start.getTime() + MAX_SESSION_SECONDS * 1000))).toBe(
      MAX_SESSION_SECONDS,
    );
    expect(sessionDurationSeconds(start, new Date(start.getTime() + (MAX_SESSION_SECONDS + 1) * 1000))).toBeNull();
  });
});

describe("bookingDurationSeconds", () => {
  it("sums the known durations of the sessions", () => {
    expect(
      bookingDurationSeconds([{ durationSeconds: 600 }, { durationSeconds: 1200 }, { durationSeconds: null }]),
    ).toBe(1800);
  });

  it("is unknown when no session has a known duration", () => {
    expect(bookingDurationSeconds([])).toBeNull();
    expect(bookingDurationSeconds([{ durationSeconds: null }])).toBeNull();
  });
});

describe("representativeRecording", () => {
  const session = (
    sessionId: string,
    durationSeconds: number | null,
    endedMinute: number,
    recordingAvailable = true,
  ) => ({
    sessionId,
    durationSeconds,
    endedAt: t(endedMinute),
    recordingAvailable,
  });

  it("picks the longest recorded session", () => {
    expect(representativeRecording([session("main", 3000, 50), session("reconnect", 120, 55)])?.sessionId).toBe("main");
  });

  it("picks the later one on a tie", () => {
    expect(representativeRecording([session("a", 600, 10), session("b", 600, 30)])?.sessionId).toBe("b");
  });

  it("skips sessions without a recording and is null when none has one", () => {
    expect(representativeRecording([session("long", 3000, 50, false), session("short", 60, 55)])?.sessionId).toBe(
      "short",
    );
    expect(representativeRecording([session("a", 600, 10, false)])).toBeNull();
  });
});

describe("attendance", () => {
  it("sums closed visits", () => {
    let p = applyJoin(NO_PRESENCE, t(0));
    p = applyLeave(p, t(20));
    p = applyJoin(p, t(25));
    p = applyLeave(p, t(55, 30));
    expect(p).toEqual({ joinedAt: t(25), leftAt: t(55, 30), secondsPresent: 20 * 60 + 30 * 60 + 30 });
  });

  it("ignores a second join while present", () => {
    const p = applyJoin(applyJoin(NO_PRESENCE, t(0)), t(5));
    expect(applyLeave(p, t(10)).secondsPresent).toBe(600);
  });

  it("ignores replayed joins and leaves", () => {
    const closed = applyLeave(applyJoin(NO_PRESENCE, t(0)), t(10));
    expect(applyJoin(closed, t(0))).toEqual(closed);
    expect(applyLeave(closed, t(10))).toEqual(closed);
    expect(applyLeave(closed, t(5))).toEqual(closed);
  });

  it("ignores a leave from before the open visit began", () => {
    const open = applyJoin(applyLeave(applyJoin(NO_PRESENCE, t(0)), t(10)), t(20));
    expect(applyLeave(open, t(15))).toEqual(open);
  });

  it("records a leave whose join never arrived, for no time", () => {
    expect(applyLeave(NO_PRESENCE, t(10))).toEqual({ joinedAt: null, leftAt: t(10), secondsPresent: 0 });
  });

  it("closes an open visit at the session end and leaves closed ones alone", () => {
    const open = applyJoin(NO_PRESENCE, t(0));
    expect(closeAtSessionEnd(open, t(30))).toEqual({ joinedAt: t(0), leftAt: t(30), secondsPresent: 1800 });
    const closed = applyLeave(open, t(10));
    expect(closeAtSessionEnd(closed, t(30))).toEqual(closed);
  });
});

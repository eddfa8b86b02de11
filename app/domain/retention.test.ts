import { describe, expect, it } from "vitest";
import { daysFor, expiresAt, expiryCutoff, isExpired, removalNotice } from "./retention";

const start = new Date("2026-03-29T00:30:00Z"); // the night the UK's clocks go forward

describe("expiresAt and isExpired", () => {
  it("keeps something for whole 24-hour days from the lesson's start", () => {
    expect(expiresAt(start, 365).toISOString()).toBe("2027-03-29T00:30:00.000Z");
    expect(expiresAt(start, 1).toISOString()).toBe("2026-03-30T00:30:00.000Z");
  });

  it("is kept a millisecond before the expiry and removed from the expiry on", () => {
    const at = expiresAt(start, 365).getTime();
    expect(isExpired(start, 365, new Date(at - 1))).toBe(false);
    expect(isExpired(start, 365, new Date(at))).toBe(true);
    expect(isExpired(start, 365, new Date(at + 1))).toBe(true);
  });

  it("agrees with the cutoff the job's SQL compares against", () => {
    const now = new Date("2027-03-29T00:30:00Z");
    const cutoff = expiryCutoff(now, 365);
    expect(cutoff.getTime()).toBe(start.getTime());
    // start <= cutoff  ⇔  expired
    expect(isExpired(start, 365, now)).toBe(start.getTime() <= cutoff.getTime());
    expect(isExpired(new Date(start.getTime() + 1), 365, now)).toBe(false);
  });
});

describe("daysFor", () => {
  it("picks each kind's period", () => {
    const policy = { transcriptDays: 365, snapshotDays: 730 };
    expect(daysFor("transcript", policy)).toBe(365);
    expect(daysFor("snapshot", policy)).toBe(730);
  });
});

describe("removalNotice", () => {
  it("says what was removed and why, with the period", () => {
    expect(removalNotice("transcript", 365)).toBe(
      "Removed after 365 days, as this service keeps transcripts for 365 days.",
    );
    expect(removalNotice("snapshot", 1)).toBe(
      "Removed after 1 day, as this service keeps whiteboard snapshots for 1 day.",
    );
  });
});

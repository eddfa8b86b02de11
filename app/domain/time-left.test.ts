import { describe, expect, it } from "vitest";
import { timeLeftLabel } from "./time-left";

const start = Date.parse("2026-11-25T15:00:00Z");
const times = { startsAt: start, endsAt: start + 60 * 60_000, closesAt: start + 75 * 60_000 };

describe("timeLeftLabel", () => {
  it("before the start counts down to the start", () => {
    expect(timeLeftLabel(start - 10 * 60_000, times)).toBe("Starts in 10 min");
  });

  it("rounds partial minutes up so the last minute still shows", () => {
    expect(timeLeftLabel(start - 1_000, times)).toBe("Starts in 1 min");
    expect(timeLeftLabel(times.endsAt - 59_000, times)).toBe("1 min left");
  });

  it("during the lesson counts down to its scheduled end, in hours and minutes", () => {
    expect(timeLeftLabel(start, times)).toBe("1 h left");
    expect(timeLeftLabel(start + 15 * 60_000, times)).toBe("45 min left");
    const long = { ...times, endsAt: start + 90 * 60_000, closesAt: start + 105 * 60_000 };
    expect(timeLeftLabel(start + 5 * 60_000, long)).toBe("1 h 25 min left");
  });

  it("after the scheduled end says when the room closes", () => {
    expect(timeLeftLabel(times.endsAt, times)).toBe("Lesson time is over · the room closes in 15 min");
  });

  it("after closing says the room has closed", () => {
    expect(timeLeftLabel(times.closesAt, times)).toBe("The room has closed");
  });
});

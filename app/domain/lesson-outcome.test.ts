import { describe, expect, it } from "vitest";
import {
  ATTENDANCE_FLOOR_SECONDS,
  attendanceThresholdSeconds,
  attendedMinutes,
  canSettleOutcome,
  decideOutcome,
  hasAttended,
  secondsPresentByProfile,
} from "./lesson-outcome";

const at = (iso: string) => new Date(iso);

describe("attendance threshold", () => {
  it("is a fifth of the planned time: 12 minutes of a one-hour lesson", () => {
    expect(attendanceThresholdSeconds(60)).toBe(720);
    expect(attendanceThresholdSeconds(90)).toBe(1080);
  });

  it("is never less than five minutes, so short lessons need real presence too", () => {
    expect(attendanceThresholdSeconds(15)).toBe(ATTENDANCE_FLOOR_SECONDS);
    expect(attendanceThresholdSeconds(25)).toBe(300);
    // 30 minutes: a fifth is 6 minutes, above the floor.
    expect(attendanceThresholdSeconds(30)).toBe(360);
  });

  it("exactly at the threshold counts; one second below does not (share rule, 60 minutes)", () => {
    expect(hasAttended(720, 60)).toBe(true);
    expect(hasAttended(719, 60)).toBe(false);
  });

  it("exactly at the floor counts; one second below does not (floor rule, 20 minutes)", () => {
    expect(hasAttended(300, 20)).toBe(true);
    expect(hasAttended(299, 20)).toBe(false);
  });

  it("a 10-second drop-in is not attendance", () => {
    expect(hasAttended(10, 60)).toBe(false);
  });
});

describe("decideOutcome", () => {
  const decide = (tutor: number, attendee: number, plannedMinutes = 60) =>
    decideOutcome({
      tutorId: "t",
      attendeeId: "c",
      plannedMinutes,
      secondsByProfile: new Map([
        ["t", tutor],
        ["c", attendee],
      ]),
    });

  it("held when both attended, student absent, tutor absent, not held when neither did", () => {
    expect(decide(3600, 3120)).toEqual({ outcome: "held", tutorSeconds: 3600, attendeeSeconds: 3120 });
    expect(decide(3600, 0).outcome).toBe("student_absent");
    expect(decide(0, 3600).outcome).toBe("tutor_absent");
    expect(decide(0, 0).outcome).toBe("not_held");
  });

  it("the edges: at the threshold both count, one second below either turns the outcome", () => {
    expect(decide(720, 720).outcome).toBe("held");
    expect(decide(720, 719).outcome).toBe("student_absent");
    expect(decide(719, 720).outcome).toBe("tutor_absent");
    expect(decide(719, 719).outcome).toBe("not_held");
  });

  it("people missing from the attendance count as zero; others in the room (a guardian) do not count", () => {
    const decision = decideOutcome({
      tutorId: "t",
      attendeeId: "c",
      plannedMinutes: 60,
      secondsByProfile: new Map([["parent", 3600]]),
    });
    expect(decision).toEqual({ outcome: "not_held", tutorSeconds: 0, attendeeSeconds: 0 });
  });
});

describe("secondsPresentByProfile", () => {
  it("sums a person's closed visits over sessions", () => {
    const totals = secondsPresentByProfile(
      [
        {
          profileId: "c",
          joinedAt: at("2026-11-25T15:00:00Z"),
          leftAt: at("2026-11-25T15:40:00Z"),
          secondsPresent: 2400,
        },
        {
          profileId: "c",
          joinedAt: at("2026-11-25T15:45:00Z"),
          leftAt: at("2026-11-25T15:57:00Z"),
          secondsPresent: 720,
        },
        {
          profileId: "t",
          joinedAt: at("2026-11-25T15:00:00Z"),
          leftAt: at("2026-11-25T16:00:00Z"),
          secondsPresent: 3600,
        },
      ],
      at("2026-11-25T16:15:00Z"),
    );
    expect(Object.fromEntries(totals)).toEqual({ c: 3120, t: 3600 });
  });

  it("a visit whose leave never arrived counts until the window closed", () => {
    const totals = secondsPresentByProfile(
      [{ profileId: "t", joinedAt: at("2026-11-25T15:50:00Z"), leftAt: null, secondsPresent: 600 }],
      at("2026-11-25T16:15:00Z"),
    );
    expect(totals.get("t")).toBe(600 + 25 * 60);
  });

  it("a rejoin after an earlier leave is open; a join after the cut-off adds nothing", () => {
    const totals = secondsPresentByProfile(
      [
        {
          profileId: "c",
          joinedAt: at("2026-11-25T16:10:00Z"),
          leftAt: at("2026-11-25T15:30:00Z"),
          secondsPresent: 60,
        },
        { profileId: "t", joinedAt: at("2026-11-25T16:20:00Z"), leftAt: null, secondsPresent: 0 },
      ],
      at("2026-11-25T16:15:00Z"),
    );
    expect(Object.fromEntries(totals)).toEqual({ c: 60 + 300, t: 0 });
  });
});

describe("canSettleOutcome", () => {
  const lesson = {
    status: "Confirmed" as const,
    sessionStartTime: at("2026-11-25T15:00:00Z"),
    sessionDuration: 60,
    outcome: null,
  };

  it("is false one second before the window closes (end + 15 min) and true exactly at it", () => {
    expect(canSettleOutcome(lesson, at("2026-11-25T16:14:59Z"))).toBe(false);
    expect(canSettleOutcome(lesson, at("2026-11-25T16:15:00Z"))).toBe(true);
  });

  it("never for a cancelled or declined booking, nor twice", () => {
    const later = at("2026-11-26T00:00:00Z");
    expect(canSettleOutcome({ ...lesson, status: "Cancelled" }, later)).toBe(false);
    expect(canSettleOutcome({ ...lesson, status: "Declined" }, later)).toBe(false);
    expect(canSettleOutcome({ ...lesson, outcome: "held" }, later)).toBe(false);
    // The booking system may already have marked it Completed: the outcome is still ours to settle.
    expect(canSettleOutcome({ ...lesson, status: "Completed" }, later)).toBe(true);
  });
});

describe("attendedMinutes", () => {
  it("rounds to the nearest minute and never says more than the plan", () => {
    expect(attendedMinutes(52 * 60 + 29, 60)).toBe(52);
    expect(attendedMinutes(52 * 60 + 30, 60)).toBe(53);
    expect(attendedMinutes(65 * 60, 60)).toBe(60);
  });
});

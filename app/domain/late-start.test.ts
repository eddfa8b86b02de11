import { describe, expect, it } from "vitest";
import {
  dueLateStartKinds,
  isLateStartDue,
  LATE_START_STALE_MS,
  lateStartAttendance,
  lateStartRange,
  lateStartSkipReason,
  lateStartWindow,
  whoIsLate,
  type LateStartAttendance,
  type LateStartBooking,
} from "./late-start";
import { staleReasonOf } from "./notification-due";

const start = new Date("2026-11-25T15:00:00Z");
const at = (iso: string) => new Date(iso);
const booking: LateStartBooking = { status: "Confirmed", sessionStartTime: start, sessionDuration: 60 };
const nobody: LateStartAttendance = { tutorJoined: false, learnerJoined: false };
const learnerOnly: LateStartAttendance = { tutorJoined: false, learnerJoined: true };
const tutorOnly: LateStartAttendance = { tutorJoined: true, learnerJoined: false };
const both: LateStartAttendance = { tutorJoined: true, learnerJoined: true };

describe("when a late-start alert is due (5 minutes, the default)", () => {
  it.each([
    ["the start", "2026-11-25T15:00:00Z", false],
    ["start + 5 min − 1 ms (just before)", "2026-11-25T15:04:59.999Z", false],
    ["start + 5 min exactly (inclusive)", "2026-11-25T15:05:00Z", true],
    ["start + 10 min", "2026-11-25T15:10:00Z", true],
    ["start + 15 min − 1 ms (the last moment before the stale limit)", "2026-11-25T15:14:59.999Z", true],
    ["start + 15 min (the stale limit, exclusive)", "2026-11-25T15:15:00Z", false],
    ["start + 65 min (a worker that was down for an hour)", "2026-11-25T16:05:00Z", false],
    ["before the start", "2026-11-25T14:50:00Z", false],
  ])("at %s: %s", (_label, now, expected) => {
    expect(isLateStartDue(booking, at(now), 5)).toBe(expected);
  });

  it("goes stale LATE_START_STALE_MS after it fell due", () => {
    expect(lateStartWindow(booking, 5)).toEqual({
      dueFrom: at("2026-11-25T15:05:00Z"),
      dueUntil: new Date(at("2026-11-25T15:05:00Z").getTime() + LATE_START_STALE_MS),
    });
  });

  it("follows LATE_START_AFTER_MINUTES: at 3 minutes it is due from +3 until +13", () => {
    expect(isLateStartDue(booking, at("2026-11-25T15:02:59Z"), 3)).toBe(false);
    expect(isLateStartDue(booking, at("2026-11-25T15:03:00Z"), 3)).toBe(true);
    expect(isLateStartDue(booking, at("2026-11-25T15:13:00Z"), 3)).toBe(false);
  });

  it("ends with the scheduled end when the lesson is shorter than the stale limit", () => {
    const short = { ...booking, sessionDuration: 10 };
    expect(lateStartWindow(short, 5)).toEqual({
      dueFrom: at("2026-11-25T15:05:00Z"),
      dueUntil: at("2026-11-25T15:10:00Z"),
    });
    expect(isLateStartDue(short, at("2026-11-25T15:10:00Z"), 5)).toBe(false);
    // A lesson over before anyone counts as late has no alert at all.
    expect(lateStartWindow({ ...booking, sessionDuration: 5 }, 5)).toBeNull();
  });

  it.each(["Pending", "Cancelled", "Declined", "Completed"] as const)("is never due for a %s booking", (status) => {
    expect(lateStartWindow({ ...booking, status }, 5)).toBeNull();
    expect(isLateStartDue({ ...booking, status }, at("2026-11-25T15:05:00Z"), 5)).toBe(false);
  });

  it("follows a moved lesson: due from the new start + 5 min", () => {
    const moved = { ...booking, sessionStartTime: at("2026-11-25T17:00:00Z") };
    expect(isLateStartDue(moved, at("2026-11-25T15:05:00Z"), 5)).toBe(false);
    expect(isLateStartDue(moved, at("2026-11-25T17:05:00Z"), 5)).toBe(true);
  });

  it("scans exactly the start times that can be due: (now − 5 min − stale, now − 5 min]", () => {
    const now = at("2026-11-25T15:05:00Z");
    const range = lateStartRange(now, 5);
    expect(range.startsAtOrBefore).toEqual(at("2026-11-25T15:00:00Z"));
    expect(range.startsAfter).toEqual(new Date(at("2026-11-25T15:00:00Z").getTime() - LATE_START_STALE_MS));
    // The edges agree with the rule: a start at the range's open end is stale, at its closed end just due.
    expect(isLateStartDue({ ...booking, sessionStartTime: range.startsAfter }, now, 5)).toBe(false);
    expect(isLateStartDue({ ...booking, sessionStartTime: range.startsAtOrBefore }, now, 5)).toBe(true);
  });
});

describe("who is late, and which alerts go out", () => {
  it.each([
    ["nobody has joined", nobody, "tutor", ["tutor_late", "tutor_reminded"]],
    ["the learner waits alone", learnerOnly, "tutor", ["tutor_late", "tutor_reminded"]],
    ["the tutor waits alone", tutorOnly, "learner", ["learner_late"]],
    ["both are in", both, null, []],
  ] as const)("%s → late: %s, alerts %j", (_label, attendance, late, kinds) => {
    expect(whoIsLate(attendance)).toBe(late);
    expect(dueLateStartKinds(booking, attendance, at("2026-11-25T15:05:00Z"), 5)).toEqual(kinds);
  });

  it("sends nothing outside the window, whoever is missing", () => {
    expect(dueLateStartKinds(booking, nobody, at("2026-11-25T15:04:59Z"), 5)).toEqual([]);
    expect(dueLateStartKinds(booking, nobody, at("2026-11-25T16:05:00Z"), 5)).toEqual([]);
    expect(dueLateStartKinds({ ...booking, status: "Cancelled" }, nobody, at("2026-11-25T15:05:00Z"), 5)).toEqual([]);
  });

  it("counts a tutor who joined at +2 and left at +4 as joined: any attendance row, in any session", () => {
    const presence = [
      { profileId: "tutor", joinedAt: at("2026-11-25T15:02:00Z"), leftAt: at("2026-11-25T15:04:00Z") },
      { profileId: "child", joinedAt: at("2026-11-25T15:01:00Z"), leftAt: null },
    ];
    const attendance = lateStartAttendance({ tutorId: "tutor", learnerId: "child" }, presence);
    expect(attendance).toEqual(both);
    expect(dueLateStartKinds(booking, attendance, at("2026-11-25T15:05:00Z"), 5)).toEqual([]);
    expect(lateStartAttendance({ tutorId: "tutor", learnerId: "child" }, [])).toEqual(nobody);
    // Someone else in the room (a parent's own profile) is not the learner the room expects.
    expect(lateStartAttendance({ tutorId: "tutor", learnerId: "child" }, [{ profileId: "parent" }])).toEqual(nobody);
  });
});

describe("the re-check at send time", () => {
  it.each([
    ["tutor_late", nobody, null],
    ["tutor_late", learnerOnly, null],
    ["tutor_late", tutorOnly, "tutor joined"],
    ["tutor_late", both, "tutor joined"],
    ["tutor_reminded", learnerOnly, null],
    ["tutor_reminded", both, "tutor joined"],
    ["learner_late", tutorOnly, null],
    ["learner_late", both, "learner joined"],
    ["learner_late", nobody, "tutor not in the classroom"],
  ] as const)("%s with %j: %s", (kind, attendance, reason) => {
    expect(lateStartSkipReason(kind, attendance)).toBe(reason);
  });

  it("finds the alert no longer due once stale, cancelled or moved (staleReasonOf)", () => {
    const reachable = { email: "t@example.test", emailUndeliverableAt: null, switchedOff: [] };
    const queued = { kind: "tutor_late", forStartTime: start };
    const facts = { ...booking, createdAt: at("2026-11-01T09:00:00Z"), outcome: null, outcomeSettledAt: null };
    expect(staleReasonOf(queued, facts, reachable, at("2026-11-25T15:06:00Z"), 5)).toBeNull();
    expect(staleReasonOf(queued, facts, reachable, at("2026-11-25T16:05:00Z"), 5)).toBe("no longer due");
    expect(staleReasonOf(queued, { ...facts, status: "Cancelled" }, reachable, at("2026-11-25T15:06:00Z"), 5)).toBe(
      "booking cancelled",
    );
    const moved = { ...facts, sessionStartTime: at("2026-11-25T15:01:00Z") };
    expect(staleReasonOf(queued, moved, reachable, at("2026-11-25T15:06:00Z"), 5)).toBe("lesson moved");
    expect(
      staleReasonOf(queued, facts, { ...reachable, switchedOff: ["tutor_late"] }, at("2026-11-25T15:06:00Z"), 5),
    ).toBe("switched off by the recipient");
  });
});

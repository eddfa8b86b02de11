import { describe, expect, it } from "vitest";
import {
  cardState,
  classroomSessionsEnded,
  hasStarted,
  joinWindow,
  nextStateChange,
  type JoinWindowInput,
} from "./join-window";

const start = new Date("2026-11-25T15:00:00Z");
const booking: JoinWindowInput = { status: "Confirmed", sessionStartTime: start, sessionDuration: 60 };
const at = (iso: string) => new Date(iso);

describe("cardState at the window's edges, to the second", () => {
  it.each([
    ["start - 15m - 1s", "2026-11-25T14:44:59Z", "upcoming"],
    ["start - 15m (opening is inclusive)", "2026-11-25T14:45:00Z", "ready"],
    ["start", "2026-11-25T15:00:00Z", "ready"],
    ["end", "2026-11-25T16:00:00Z", "ready"],
    ["end + 15m - 1s", "2026-11-25T16:14:59Z", "ready"],
    ["end + 15m (closing is exclusive)", "2026-11-25T16:15:00Z", "completed"],
    ["end + 15m + 1s", "2026-11-25T16:15:01Z", "completed"],
  ])("%s is %s", (_label, now, expected) => {
    expect(cardState(booking, at(now)).kind).toBe(expected);
  });

  it("says whether a ready lesson is already in progress", () => {
    expect(cardState(booking, at("2026-11-25T14:59:59Z"))).toMatchObject({ kind: "ready", inProgress: false });
    expect(cardState(booking, at("2026-11-25T15:00:00Z"))).toMatchObject({ kind: "ready", inProgress: true });
  });
});

describe("cardState by status", () => {
  it("a cancelled booking is cancelled even inside the window", () => {
    expect(cardState({ ...booking, status: "Cancelled" }, at("2026-11-25T15:10:00Z"))).toMatchObject({
      kind: "cancelled",
      declined: false,
    });
  });
  it("a declined booking is cancelled and says it was declined", () => {
    expect(cardState({ ...booking, status: "Declined" }, at("2026-11-25T15:10:00Z"))).toMatchObject({
      kind: "cancelled",
      declined: true,
    });
  });
  it("status Completed closes the room early, before the clock would", () => {
    expect(cardState({ ...booking, status: "Completed" }, at("2026-11-25T15:10:00Z")).kind).toBe("completed");
  });
  it("a pending booking never opens its room, even inside the window", () => {
    expect(cardState({ ...booking, status: "Pending" }, at("2026-11-25T15:10:00Z"))).toMatchObject({
      kind: "upcoming",
      awaitingConfirmation: true,
    });
  });
});

describe("lessons across a daylight-saving change", () => {
  it("Europe/London, 2026-10-25 (clocks go back at 02:00 BST): a 90-minute lesson from 00:30 UTC", () => {
    const lesson: JoinWindowInput = {
      status: "Confirmed",
      sessionStartTime: at("2026-10-25T00:30:00Z"),
      sessionDuration: 90,
    };
    const window = joinWindow(lesson);
    // Durations are physical minutes: the end is 90 minutes later in UTC whatever the wall clock did.
    expect(window.endsAt.toISOString()).toBe("2026-10-25T02:00:00.000Z");
    const london = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", timeStyle: "short" });
    expect(london.format(window.startsAt)).toBe("01:30"); // BST
    expect(london.format(window.endsAt)).toBe("02:00"); // GMT, after the change
    expect(cardState(lesson, at("2026-10-25T02:14:59Z")).kind).toBe("ready");
    expect(cardState(lesson, at("2026-10-25T02:15:00Z")).kind).toBe("completed");
  });
  it("America/New_York, 2026-03-08 (clocks go forward at 02:00 EST)", () => {
    const lesson: JoinWindowInput = {
      status: "Confirmed",
      sessionStartTime: at("2026-03-08T06:30:00Z"),
      sessionDuration: 60,
    };
    const ny = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", timeStyle: "short" });
    expect(ny.format(lesson.sessionStartTime)).toBe("1:30 AM");
    expect(ny.format(joinWindow(lesson).endsAt)).toBe("3:30 AM"); // one hour later, wall clock skips 2am
    expect(cardState(lesson, at("2026-03-08T06:14:59Z")).kind).toBe("upcoming");
    expect(cardState(lesson, at("2026-03-08T06:15:00Z")).kind).toBe("ready");
  });
});

describe("nextStateChange", () => {
  it("points at the opening, the start and the closing in turn", () => {
    expect(nextStateChange(booking, at("2026-11-25T14:00:00Z"))?.toISOString()).toBe("2026-11-25T14:45:00.000Z");
    expect(nextStateChange(booking, at("2026-11-25T14:50:00Z"))?.toISOString()).toBe("2026-11-25T15:00:00.000Z");
    expect(nextStateChange(booking, at("2026-11-25T15:30:00Z"))?.toISOString()).toBe("2026-11-25T16:15:00.000Z");
    expect(nextStateChange(booking, at("2026-11-25T17:00:00Z"))).toBeNull();
  });
});

describe("hasStarted / hasEnded", () => {
  it("a lesson has started at its start time, not a second before", () => {
    expect(hasStarted(booking, at("2026-11-25T14:59:59Z"))).toBe(false);
    expect(hasStarted(booking, at("2026-11-25T15:00:00Z"))).toBe(true);
  });
  it("a lesson has ended at its scheduled end, or when marked Completed", () => {});
});

describe("classroomSessionsEnded", () => {
  it("is true only when there were sessions and every one has ended", () => {
    const ended = { endedAt: new Date("2026-11-25T15:48:00Z") };
    expect(classroomSessionsEnded([])).toBe(false);
    expect(classroomSessionsEnded([ended])).toBe(true);
    expect(classroomSessionsEnded([ended, { endedAt: null }])).toBe(false);
  });
});

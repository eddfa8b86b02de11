import { describe, expect, it } from "vitest";
import {
  calendarDay,
  formatDateTime,
  formatMinutes,
  formatSeconds,
  formatTime,
  formatTimeNear,
  formatTimeRange,
  timeZoneLabel,
} from "./format";

const now = new Date("2026-11-20T12:00:00Z");
const lesson = new Date("2026-11-25T15:00:00Z");

describe("times in the viewer's zone", () => {
  it("shows the wall clock of the zone, 24-hour", () => {
    expect(formatTime(lesson, "Europe/London")).toBe("15:00");
    expect(formatTime(lesson, "America/New_York")).toBe("10:00");
    expect(formatTime(lesson, "Asia/Tokyo")).toBe("00:00");
  });

  it("puts the weekday and date before the time, and the year only when it is not this year", () => {
    expect(formatDateTime(lesson, "Europe/London", now)).toBe("Wed 25 Nov, 15:00");
    expect(formatDateTime(new Date("2027-01-06T09:30:00Z"), "Europe/London", now)).toBe("Wed 6 Jan 2027, 09:30");
  });

  it("the calendar day follows the zone, not UTC", () => {
    expect(calendarDay(lesson, "Europe/London")).toBe("2026-11-25");
    expect(calendarDay(lesson, "Asia/Tokyo")).toBe("2026-11-26");
  });

  it("a time near a reference keeps the date only when the day differs in that zone", () => {
    const start = new Date("2026-11-25T00:10:00Z");
    const opens = new Date("2026-11-24T23:55:00Z");
    expect(formatTimeNear(opens, start, "Europe/London", now)).toBe("Tue 24 Nov, 23:55");
    expect(formatTimeNear(opens, start, "Europe/Paris", now)).toBe("00:55");
  });

  it("a range shows one date, or two when the lesson crosses midnight", () => {
    expect(formatTimeRange(lesson, new Date("2026-11-25T16:00:00Z"), "Europe/London", now)).toBe(
      "Wed 25 Nov, 15:00–16:00",
    );
    expect(
      formatTimeRange(new Date("2026-11-25T23:30:00Z"), new Date("2026-11-26T00:30:00Z"), "Europe/London", now),
    ).toBe("Wed 25 Nov, 23:30–Thu 26 Nov, 00:30");
  });

  it("follows daylight saving: the same UTC hour reads differently in summer and winter", () => {
    expect(formatTime(new Date("2026-07-01T15:00:00Z"), "Europe/London")).toBe("16:00");
    expect(timeZoneLabel("Europe/London", new Date("2026-07-01T15:00:00Z"))).toBe("Europe/London (BST)");
    expect(timeZoneLabel("Europe/London", lesson)).toBe("Europe/London (GMT)");
    expect(timeZoneLabel("UTC", lesson)).toBe("UTC");
  });

  it("names the zone right on both sides of a clock change, to the millisecond", () => {
    // London went to BST at 01:00 UTC on 29 March 2026; the label is remembered per minute.
    expect(timeZoneLabel("Europe/London", new Date("2026-03-29T00:59:00.000Z"))).toBe("Europe/London (GMT)");
    expect(timeZoneLabel("Europe/London", new Date("2026-03-29T00:59:59.999Z"))).toBe("Europe/London (GMT)");
    expect(timeZoneLabel("Europe/London", new Date("2026-03-29T01:00:00.000Z"))).toBe("Europe/London (BST)");
    expect(timeZoneLabel("Europe/London", new Date("2026-03-29T00:59:30.000Z"))).toBe("Europe/London (GMT)");
  });
});

describe("durations", () => {
  it.each([
    [0, "0 min"],
    [45, "45 min"],
    [60, "1 h"],
    [90, "1 h 30 min"],
    [125, "2 h 5 min"],
  ])("%i planned minutes read %s", (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });

  it.each([
    [0, "0 s"],
    [12, "12 s"],
    [59, "59 s"],
    [60, "1 min"],
    [89, "1 min"],
    [58 * 60 + 36, "59 min"],
    [3600 + 15 * 60, "1 h 15 min"],
  ])("%i measured seconds read %s", (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});

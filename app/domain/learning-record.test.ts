import { describe, expect, it } from "vitest";
import {
  earliestStart,
  learningRecordLinks,
  periodKey,
  periodLabel,
  recentPeriods,
  summarisePeriods,
  type RecordLesson,
} from "./learning-record";

const NOW = new Date("2026-11-25T12:00:00Z"); // a Wednesday

function lesson(overrides: Partial<RecordLesson> = {}): RecordLesson {
  return {
    bookingId: "b",
    serviceName: "Maths",
    start: new Date("2026-11-24T15:00:00Z"),
    plannedMinutes: 60,
    status: "Confirmed",
    held: true,
    learnerSeconds: 3000,
    learnerSpokenSeconds: 600,
    spokenSeconds: 2400,
    hasRecording: false,
    hasSnapshot: false,
    hasReview: false,
    hasTranscript: true,
    ...overrides,
  };
}

describe("periods", () => {
  it("keys months and weeks (Monday) in the viewer's zone", () => {
    const lateSunday = new Date("2026-11-29T23:30:00Z");
    expect(periodKey(lateSunday, "week", "Europe/London")).toBe("2026-11-23");
    expect(periodKey(lateSunday, "week", "Europe/Berlin")).toBe("2026-11-30"); // already Monday there
    expect(periodKey(new Date("2026-11-30T23:30:00Z"), "month", "Asia/Tokyo")).toBe("2026-12");
    expect(periodLabel("2026-11", "month")).toBe("Nov 2026");
    expect(periodLabel("2026-11-23", "week")).toBe("w/c 23 Nov");
  });

  it("lists the last 12 months across a year boundary and the last 16 weeks, oldest first", () => {
    expect(recentPeriods("month", new Date("2026-02-10T00:00:00Z"), "UTC")).toEqual([
      "2025-03",
      "2025-04",
      "2025-05",
      "2025-06",
      "2025-07",
      "2025-08",
      "2025-09",
      "2025-10",
      "2025-11",
      "2025-12",
      "2026-01",
      "2026-02",
    ]);
    const weeks = recentPeriods("week", NOW, "UTC");
    expect(weeks).toHaveLength(16);
    expect(weeks.at(-1)).toBe("2026-11-23");
    expect(weeks[0]).toBe("2026-08-10");
  });

  it("queries from a day before the oldest period", () => {
    expect(earliestStart("month", NOW, "UTC").toISOString()).toBe("2025-11-30T00:00:00.000Z");
  });
});

describe("summarisePeriods", () => {
  it("counts booked, held and missed lessons, planned and attended minutes, and the talk share", () => {
    const periods = summarisePeriods(
      [
        lesson(),
        lesson({
          held: false,
          learnerSeconds: 0,
          learnerSpokenSeconds: 0,
          spokenSeconds: 0,
          start: new Date("2026-11-20T15:00:00Z"),
        }),
        lesson({ status: "Cancelled" }),
        lesson({
          start: new Date("2026-11-28T15:00:00Z"),
          held: false,
          learnerSeconds: 0,
          spokenSeconds: 0,
          learnerSpokenSeconds: 0,
        }), // upcoming
      ],
      "month",
      NOW,
      "UTC",
    );
    expect(periods.at(-1)).toEqual({
      key: "2026-11",
      label: "Nov 2026",
      booked: 3,
      held: 1,
      noShows: 1,
      plannedMinutes: 120,
      attendedMinutes: 50,
      talkShare: 0.25,
    });
    expect(periods.at(-2)).toMatchObject({ booked: 0, talkShare: null });
  });

  it("ignores lessons outside the periods shown", () => {
    const periods = summarisePeriods([lesson({ start: new Date("2024-01-01T00:00:00Z") })], "month", NOW, "UTC");
    expect(periods.every((p) => p.booked === 0)).toBe(true);
  });
});

describe("learningRecordLinks", () => {
  const viewer = "viewer";
  const child = (id: string, fullName: string) => ({ id, fullName });

  it("links a parent to each child they booked for, once each, by name", () => {
    const links = learningRecordLinks(
      [
        { clientId: viewer, studentId: "z", student: child("z", "Zoe") },
        { clientId: viewer, studentId: "a", student: child("a", "Adam") },
        { clientId: viewer, studentId: "z", student: child("z", "Zoe") },
      ],
      viewer,
    );
    expect(links).toEqual([
      { id: "a", fullName: "Adam", own: false },
      { id: "z", fullName: "Zoe", own: false },
    ]);
  });

  it("puts the viewer's own record first when they are the learner (assigned, or an adult learner)", () => {
    const asStudent = learningRecordLinks(
      [{ clientId: "parent", studentId: viewer, student: child(viewer, "Me") }],
      viewer,
    );
    expect(asStudent).toEqual([{ id: viewer, fullName: "", own: true }]);
    const mixed = learningRecordLinks(
      [
        { clientId: viewer, studentId: "a", student: child("a", "Adam") },
        { clientId: viewer, studentId: null, student: null },
      ],
      viewer,
    );
    expect(mixed.map((link) => link.id)).toEqual([viewer, "a"]);
  });

  it("gives a tutor, who is neither client nor student, no links", () => {
    expect(
      learningRecordLinks([{ clientId: "parent", studentId: "kid", student: child("kid", "Kid") }], viewer),
    ).toEqual([]);
  });
});

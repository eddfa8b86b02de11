import { describe, expect, it } from "vitest";
import {
  earliestStart,
  homeworkByPeriod,
  learningRecordLinks,
  periodKey,
  periodLabel,
  recentPeriods,
  recordEntries,
  recordTotals,
  summarisePeriods,
  type RecordLesson,
} from "./learning-record";

const NOW = new Date("2026-11-25T12:00:00Z"); // a Wednesday
const TUTOR = { id: "tutor", fullName: "Tara Tutor" };
const KID = { id: "kid", fullName: "Charlie Child" };
const minutes = (n: number) => n * 60_000;

/** A lesson held last Tuesday (settled: the child was there 50 of 60 minutes), with a transcript. */
function lesson(overrides: Partial<RecordLesson> = {}): RecordLesson {
  return {
    bookingId: "b",
    serviceName: "Maths",
    sessionStartTime: new Date("2026-11-24T15:00:00Z"),
    sessionDuration: 60,
    status: "Confirmed",
    tutor: TUTOR,
    client: { id: "parent", fullName: "Paula Parent" },
    student: KID,
    sessions: [],
    presence: [],
    outcome: "held",
    outcomeTutorSeconds: 3600,
    outcomeAttendeeSeconds: 3000,
    learnerSpokenSeconds: 600,
    spokenSeconds: 2400,
    hasRecording: false,
    hasSnapshot: false,
    hasReview: false,
    hasTranscript: true,
    noteHeadline: null,
    homework: [],
    ...overrides,
  };
}

/** A lesson whose outcome is not settled yet, with everyone's time in one ended classroom session. */
function unsettled(start: Date, plannedMinutes: number, secondsOf: Record<string, number>): RecordLesson {
  return lesson({
    sessionStartTime: start,
    sessionDuration: plannedMinutes,
    outcome: null,
    outcomeTutorSeconds: null,
    outcomeAttendeeSeconds: null,
    spokenSeconds: 0,
    learnerSpokenSeconds: 0,
    sessions: [{ startedAt: start, endedAt: new Date(start.getTime() + minutes(plannedMinutes)) }],
    presence: Object.entries(secondsOf).map(([profileId, secondsPresent]) => ({
      profileId,
      joinedAt: start,
      leftAt: new Date(start.getTime() + secondsPresent * 1000),
      secondsPresent,
    })),
  });
}

const summary = (lessons: RecordLesson[]) => {
  const entries = recordEntries(lessons, "month", NOW, "UTC");
  return { entries, periods: summarisePeriods(entries, "month", NOW, "UTC"), totals: recordTotals(entries) };
};

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
    const { periods } = summary([
      lesson(),
      lesson({
        outcome: "student_absent",
        outcomeAttendeeSeconds: 0,
        learnerSpokenSeconds: 0,
        spokenSeconds: 0,
        sessionStartTime: new Date("2026-11-20T15:00:00Z"),
      }),
      lesson({ status: "Cancelled" }),
      // Upcoming: booked, neither held nor missed, no minutes yet.
      lesson({ sessionStartTime: new Date("2026-11-28T15:00:00Z"), outcome: null, spokenSeconds: 0 }),
    ]);
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

  it("leaves out lessons outside the periods shown, from the list and the figures alike", () => {
    const { entries, periods } = summary([lesson({ sessionStartTime: new Date("2024-01-01T00:00:00Z") })]);
    expect(entries).toEqual([]);
    expect(periods.every((p) => p.booked === 0)).toBe(true);
  });
});

describe("recordEntries and recordTotals", () => {
  const yesterday = new Date("2026-11-24T10:00:00Z");
  const lessons = [
    lesson({ bookingId: "settled" }),
    // Not settled yet: the child's 40 minutes make it held, as the booking page says.
    { ...unsettled(new Date("2026-11-23T10:00:00Z"), 60, { tutor: 3600, kid: 2400 }), bookingId: "provisional" },
    // Three minutes of 30 planned, the tutor for 12 seconds.
    { ...unsettled(yesterday, 30, { tutor: 12, kid: 180 }), bookingId: "short" },
    // Marked Completed by the booking system, with no classroom records at all.
    lesson({
      bookingId: "completed",
      status: "Completed",
      outcome: null,
      outcomeTutorSeconds: null,
      outcomeAttendeeSeconds: null,
    }),
    // Ended five minutes ago: the window is still open, so neither held nor missed yet.
    { ...unsettled(new Date(NOW.getTime() - minutes(65)), 60, { tutor: 3600, kid: 3600 }), bookingId: "window-open" },
    lesson({ bookingId: "cancelled", status: "Cancelled" }),
  ];

  it("gives each lesson the presentation's badge and reason, the provisional outcome when none is settled", () => {
    const { entries } = summary(lessons);
    const byId = new Map(entries.map((entry) => [entry.lesson.bookingId, entry]));
    expect(byId.get("settled")).toMatchObject({ badge: "Held", held: true, minutes: { planned: 60, attended: 50 } });
    expect(byId.get("provisional")).toMatchObject({
      badge: "Held",
      held: true,
      minutes: { planned: 60, attended: 40 },
    });
    expect(byId.get("short")).toMatchObject({ state: "too_short", badge: "Too short", held: false });
    expect(byId.get("short")!.explanation).toContain("12 s");
    expect(byId.get("short")!.minutes).toEqual({ planned: 30, attended: 3 });
    expect(byId.get("window-open")).toMatchObject({ held: null, minutes: null });
    expect(byId.get("cancelled")).toMatchObject({ booked: false, held: null });
  });

  it("says what is known of a Completed lesson without attendance, and counts no minutes for it", () => {
    const completed = summary(lessons).entries.find((entry) => entry.lesson.bookingId === "completed")!;
    expect(completed).toMatchObject({ state: "unrecorded", badge: "Completed", held: true, minutes: null });
    expect(completed.explanation).toMatch(/recorded no attendance/);
    expect(completed.explanation).not.toMatch(/attended 0/);
  });

  it("makes the totals and every period from the list's own entries, so they never disagree", () => {
    const { entries, periods, totals } = summary(lessons);
    const booked = entries.filter((entry) => entry.booked);
    expect(totals).toEqual({
      booked: booked.length,
      held: booked.filter((entry) => entry.held === true).length,
      noShows: booked.filter((entry) => entry.held === false).length,
      plannedMinutes: booked.reduce((sum, entry) => sum + (entry.minutes?.planned ?? 0), 0),
      attendedMinutes: booked.reduce((sum, entry) => sum + (entry.minutes?.attended ?? 0), 0),
    });
    expect(totals).toEqual({ booked: 5, held: 3, noShows: 1, plannedMinutes: 150, attendedMinutes: 93 });
    const summed = periods.reduce(
      (sum, p) => ({
        booked: sum.booked + p.booked,
        held: sum.held + p.held,
        noShows: sum.noShows + p.noShows,
        plannedMinutes: sum.plannedMinutes + p.plannedMinutes,
        attendedMinutes: sum.attendedMinutes + p.attendedMinutes,
      }),
      { booked: 0, held: 0, noShows: 0, plannedMinutes: 0, attendedMinutes: 0 },
    );
    expect(summed).toEqual(totals);
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

describe("homework over time", () => {
  it("counts items set in the month of their lesson and done in the month they were ticked, in the viewer's zone", () => {
    const entries = recordEntries(
      [
        lesson({
          bookingId: "oct",
          sessionStartTime: new Date("2026-10-20T15:00:00Z"),
          homework: [{ doneAt: new Date("2026-11-02T09:00:00Z") }, { doneAt: null }],
        }),
        lesson({
          bookingId: "nov",
          homework: [
            { doneAt: new Date("2026-11-24T18:00:00Z") },
            // 1 Dec: a month not shown yet (a clock ahead of the page's).
            { doneAt: new Date("2026-12-01T00:30:00Z") },
            { doneAt: null },
          ],
        }),
      ],
      "month",
      NOW,
      "Europe/London",
    );
    const months = homeworkByPeriod(entries, "month", NOW, "Europe/London");
    expect(months).toHaveLength(12);
    expect(months.slice(-2)).toEqual([
      { key: "2026-10", label: "Oct 2026", set: 2, done: 0 },
      { key: "2026-11", label: "Nov 2026", set: 3, done: 2 },
    ]);
    // Set in October, done in November: counted in each; the December tick counts nowhere.
    expect(months.reduce((sum, m) => sum + m.done, 0)).toBe(2);
    expect(homeworkByPeriod([], "week", NOW, "Europe/London").every((w) => w.set === 0 && w.done === 0)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { NOTHING_RECORDED } from "./lesson-fixtures";
import { attendeeLocked, presentLesson, type LessonFacts } from "./lesson-presentation";

const TZ = "Europe/London";
const start = new Date("2026-11-25T15:00:00Z");
const at = (minutes: number, seconds = 0) => new Date(start.getTime() + minutes * 60_000 + seconds * 1000);
const tutor = { id: "t", fullName: "Tara Singh" };
const client = { id: "c", fullName: "Ann Lee" };
const child = { id: "s", fullName: "Charlie Brown" };

function facts(overrides: Partial<LessonFacts> = {}): LessonFacts {
  return {
    status: "Confirmed",
    sessionStartTime: start,
    sessionDuration: 30,
    tutor,
    client,
    student: null,
    ...NOTHING_RECORDED,
    ...overrides,
  };
}

const present = (profileId: string, secondsPresent: number) => ({
  profileId,
  joinedAt: at(0),
  leftAt: at(0, secondsPresent),
  secondsPresent,
});
const ended = [{ startedAt: at(0), endedAt: at(3) }];

describe("presentLesson", () => {
  it.each<[string, Partial<LessonFacts>, Date, string, string, RegExp]>([
    ["cancelled", { status: "Cancelled" }, at(-60), "cancelled", "Cancelled", /was cancelled/],
    ["declined", { status: "Declined" }, at(60), "cancelled", "Declined", /declined/],
    ["pending", { status: "Pending" }, at(5), "upcoming", "Awaiting confirmation", /^Scheduled for /],
    ["before the window", {}, at(-16), "upcoming", "Upcoming", /^Scheduled for Wed 25 Nov, 15:00\.$/],
    ["window open before start", {}, at(-15), "ready", "Ready to join", /starts at/],
    ["during the lesson", {}, at(10), "in_progress", "In progress", /In progress until 15:30/],
    ["tutor ended it, window open", { sessions: ended }, at(10), "ended", "Ended", /rejoin the classroom until 15:45/],
    [
      "adult's 30-minute lesson, tutor 12 s, learner 3 min (provisional)",
      { sessions: ended, presence: [present("t", 12), present("c", 180)] },
      at(45),
      "too_short",
      "Too short",
      /^Tara Singh was in the classroom for 12 s and Ann Lee for 3 min; a lesson needs at least 6 min of both\.$/,
    ],
    [
      "the same, settled",
      { outcome: "not_held", outcomeTutorSeconds: 12, outcomeAttendeeSeconds: 180 },
      at(600),
      "too_short",
      "Too short",
      /12 s and Ann Lee for 3 min/,
    ],
    [
      "nobody joined (within the sweep's horizon)",
      {},
      at(45),
      "not_held",
      "Not held",
      /^Nobody joined the classroom\.$/,
    ],
    [
      "tutor only briefly, learner never",
      { outcome: "not_held", outcomeTutorSeconds: 100, outcomeAttendeeSeconds: 0 },
      at(60),
      "not_held",
      "Not held",
      /Tara Singh was in the classroom for 2 min and Ann Lee did not join/,
    ],
    [
      "held",
      { student: child, outcome: "held", outcomeTutorSeconds: 1800, outcomeAttendeeSeconds: 1700, status: "Completed" },
      at(60),
      "held",
      "Held",
      /^Charlie Brown attended 28 of 30 minutes\.$/,
    ],
    [
      "held, provisional",
      { student: child, sessions: ended, presence: [present("t", 1500), present("s", 1500)] },
      at(46),
      "held",
      "Held",
      /attended 25 of 30 minutes/,
    ],
    [
      "student absent",
      { student: child, outcome: "student_absent", outcomeTutorSeconds: 1800, outcomeAttendeeSeconds: 0 },
      at(60),
      "student_absent",
      "Student absent",
      /^Charlie Brown did not join; a lesson needs/,
    ],
    [
      "tutor absent",
      { outcome: "tutor_absent", outcomeTutorSeconds: 45, outcomeAttendeeSeconds: 1800 },
      at(60),
      "tutor_absent",
      "Tutor absent",
      /^Tara Singh was in the classroom for 45 s \(tutor\)/,
    ],
    [
      "Completed by the booking system, no attendance",
      { status: "Completed", sessionDuration: 60 },
      at(120),
      "unrecorded",
      "Completed",
      /attendance, so how long it ran is not known/,
    ],
    ["long past, no records", {}, at(60 * 24 * 30), "unrecorded", "No record", /recorded no attendance/],
  ])("%s", (_name, overrides, now, state, badge, explanation) => {
    const shown = presentLesson(facts(overrides), now, TZ);
    expect(shown.state).toBe(state);
    expect(shown.badge).toBe(badge);
    expect(shown.explanation).toMatch(explanation);
  });

  it("offers review, snapshot and note only for a lesson that happened", () => {
    const tooShort = presentLesson(facts({ presence: [present("t", 12), present("c", 180)] }), at(45), TZ);
    expect(tooShort.actions).toEqual({
      join: false,
      rejoin: false,
      review: false,
      snapshot: false,
      note: false,
      changeAttendee: false,
    });
    expect(tooShort.held).toBe(false);
    const held = presentLesson(
      facts({ outcome: "held", outcomeTutorSeconds: 1800, outcomeAttendeeSeconds: 1800 }),
      at(60),
      TZ,
    );
    expect(held.actions).toMatchObject({ review: true, snapshot: true, note: true, changeAttendee: false });
    expect(held.held).toBe(true);
  });

  it("offers the note once the lesson has started (in progress or ended), not before, not when cancelled", () => {
    expect(presentLesson(facts({}), at(-20), TZ).actions.note).toBe(false);
    expect(presentLesson(facts({}), at(-10), TZ).actions.note).toBe(false);
    expect(presentLesson(facts({}), at(5), TZ).actions.note).toBe(true);
    expect(presentLesson(facts({ sessions: ended, presence: [present("t", 12)] }), at(10), TZ).actions.note).toBe(true);
    expect(presentLesson(facts({ status: "Cancelled" }), at(5), TZ).actions.note).toBe(false);
  });

  it("an ended lesson offers Rejoin, not Join, and no change of attendee", () => {
    const shown = presentLesson(facts({ sessions: ended, presence: [present("t", 12)] }), at(10), TZ);
    expect(shown.actions).toMatchObject({ join: false, rejoin: true, changeAttendee: false });
    expect(shown.badge).not.toBe("In progress");
  });

  it("marks an outcome computed from attendance as provisional until it is settled", () => {
    expect(presentLesson(facts({ presence: [present("t", 12)] }), at(45), TZ).provisional).toBe(true);
    expect(
      presentLesson(facts({ outcome: "not_held", outcomeTutorSeconds: 0, outcomeAttendeeSeconds: 0 }), at(45), TZ)
        .provisional,
    ).toBe(false);
  });

  it("counts an open visit until the window closes", () => {
    const open = { profileId: "t", joinedAt: at(0), leftAt: null, secondsPresent: 0 };
    const shown = presentLesson(facts({ presence: [open, present("c", 1800)] }), at(600), TZ);
    expect(shown.state).toBe("held");
    expect(shown.tutorSeconds).toBe(45 * 60);
  });
});

describe("attendeeLocked", () => {
  it.each<[string, Partial<LessonFacts>, Date, boolean]>([
    ["a second before the window opens, nobody joined", {}, at(-15, -1), false],
    ["when the window opens", {}, at(-15), true],
    ["attendance exists (a lesson moved later)", { presence: [present("t", 12)] }, at(-60), true],
    ["Completed", { status: "Completed" }, at(-60), true],
  ])("%s → %s", (_name, overrides, now, locked) => {
    expect(attendeeLocked(facts(overrides), now)).toBe(locked);
  });
});

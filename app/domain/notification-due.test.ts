import { describe, expect, it } from "vitest";
import {
  dueReminders,
  isRecordDue,
  isReminderDue,
  reminderWindow,
  staleReasonOf,
  sweepStartRange,
  type RecordBooking,
  type ReminderBooking,
} from "./notification-due";

const start = new Date("2026-11-25T15:00:00Z");
const at = (iso: string) => new Date(iso);
const booking: ReminderBooking = {
  status: "Confirmed",
  sessionStartTime: start,
  sessionDuration: 60,
  createdAt: at("2026-11-01T09:00:00Z"),
};

describe("the day-before reminder", () => {
  it.each([
    ["start − 24 h − 1 s", "2026-11-24T14:59:59Z", false],
    ["start − 24 h exactly (inclusive)", "2026-11-24T15:00:00Z", true],
    ["the evening before", "2026-11-24T20:00:00Z", true],
    ["start − 15 min − 1 s (last second before the classroom opens)", "2026-11-25T14:44:59Z", true],
    ["start − 15 min (the classroom is open: too late)", "2026-11-25T14:45:00Z", false],
    ["after the lesson", "2026-11-25T16:30:00Z", false],
  ])("at %s is due: %s", (_label, now, expected) => {
    expect(isReminderDue("reminder_day_before", booking, at(now))).toBe(expected);
  });

  it("is never due for a booking made 10 minutes before its start", () => {
    const late = { ...booking, createdAt: at("2026-11-25T14:50:00Z") };
    expect(reminderWindow("reminder_day_before", late)).toBeNull();
    expect(dueReminders(late, at("2026-11-25T14:50:00Z"))).toEqual(["reminder_classroom_open"]);
  });

  it("needs the booking made strictly before start − 24 h: booked at start − 24 h exactly gets none", () => {
    expect(reminderWindow("reminder_day_before", { ...booking, createdAt: at("2026-11-24T15:00:00Z") })).toBeNull();
    expect(reminderWindow("reminder_day_before", { ...booking, createdAt: at("2026-11-24T14:59:59Z") })).toEqual({
      dueFrom: at("2026-11-24T15:00:00Z"),
      dueUntil: at("2026-11-25T14:45:00Z"),
    });
  });

  it("is due again for a moved lesson: the window follows the new start time", () => {
    const moved = { ...booking, sessionStartTime: at("2026-11-27T15:00:00Z") };
    // The old lesson's reminder time: nothing due for the new time yet.
    expect(isReminderDue("reminder_day_before", moved, at("2026-11-24T15:00:00Z"))).toBe(false);
    expect(isReminderDue("reminder_day_before", moved, at("2026-11-26T15:00:00Z"))).toBe(true);
  });
});

describe("the classroom-open reminder", () => {
  it.each([
    ["start − 15 min − 1 s", "2026-11-25T14:44:59Z", false],
    ["start − 15 min exactly (the join window opens, inclusive)", "2026-11-25T14:45:00Z", true],
    ["start", "2026-11-25T15:00:00Z", true],
    ["end − 1 s", "2026-11-25T15:59:59Z", true],
    ["the scheduled end (exclusive: never after the lesson ended)", "2026-11-25T16:00:00Z", false],
    ["end + 10 min (the join window is still open, the reminder is stale)", "2026-11-25T16:10:00Z", false],
  ])("at %s is due: %s", (_label, now, expected) => {
    expect(isReminderDue("reminder_classroom_open", booking, at(now))).toBe(expected);
  });

  it("follows the lesson's length", () => {
    const short = { ...booking, sessionDuration: 30 };
    expect(isReminderDue("reminder_classroom_open", short, at("2026-11-25T15:29:59Z"))).toBe(true);
    expect(isReminderDue("reminder_classroom_open", short, at("2026-11-25T15:30:00Z"))).toBe(false);
  });
});

describe("by booking status", () => {
  it.each(["Pending", "Cancelled", "Declined", "Completed"] as const)(
    "a %s booking gets no reminder at all",
    (status) => {
      const other = { ...booking, status };
      expect(reminderWindow("reminder_day_before", other)).toBeNull();
      expect(reminderWindow("reminder_classroom_open", other)).toBeNull();
      expect(dueReminders(other, at("2026-11-25T14:50:00Z"))).toEqual([]);
      expect(dueReminders(other, at("2026-11-24T20:00:00Z"))).toEqual([]);
    },
  );

  it("a Confirmed booking gets each in its own window and nothing in between", () => {
    expect(dueReminders(booking, at("2026-11-24T20:00:00Z"))).toEqual(["reminder_day_before"]);
    expect(dueReminders(booking, at("2026-11-25T14:50:00Z"))).toEqual(["reminder_classroom_open"]);
    expect(dueReminders(booking, at("2026-11-23T20:00:00Z"))).toEqual([]);
  });
});

describe("the sweep's scan range", () => {
  it("covers every start time with a reminder due now, and only those within 24 h ahead", () => {
    const now = at("2026-11-25T14:50:00Z");
    const range = sweepStartRange(now);
    expect(range.startsAtOrBefore).toEqual(at("2026-11-26T14:50:00Z"));
    // A lesson due for its day-before reminder at the range's far edge is inside it.
    expect(isReminderDue("reminder_day_before", { ...booking, sessionStartTime: range.startsAtOrBefore }, now)).toBe(
      true,
    );
    // One that started 11 hours ago and lasts 12 is still in the classroom-open window and inside the range.
    const long = { ...booking, sessionStartTime: at("2026-11-25T03:50:00Z"), sessionDuration: 12 * 60 };
    expect(isReminderDue("reminder_classroom_open", long, now)).toBe(true);
    expect(long.sessionStartTime > range.startsAfter).toBe(true);
  });
});

describe("the lesson record and the review prompt", () => {
  const settled: RecordBooking = { status: "Completed", outcome: "held", outcomeSettledAt: at("2026-11-25T16:15:00Z") };

  it.each([
    [
      "before the outcome is settled",
      { ...settled, outcome: null, outcomeSettledAt: null },
      "2026-11-25T16:20:00Z",
      false,
    ],
    ["at the settling instant (inclusive)", settled, "2026-11-25T16:15:00Z", true],
    ["2 days later less a second", settled, "2026-11-27T16:14:59Z", true],
    ["2 days later (exclusive: too stale to send)", settled, "2026-11-27T16:15:00Z", false],
    ["a booking cancelled afterwards", { ...settled, status: "Cancelled" as const }, "2026-11-25T16:20:00Z", false],
  ])("the record %s is due: %s", (_label, booking, now, expected) => {
    expect(isRecordDue("lesson_record", booking, at(now))).toBe(expected);
  });

  it.each(["student_absent", "tutor_absent", "not_held"] as const)(
    "a %s lesson gets its record but no review prompt",
    (outcome) => {
      const other = { ...settled, status: "Confirmed" as const, outcome };
      expect(isRecordDue("lesson_record", other, at("2026-11-25T16:20:00Z"))).toBe(true);
      expect(isRecordDue("review_prompt", other, at("2026-11-25T16:20:00Z"))).toBe(false);
    },
  );

  it("a lesson record is due from the note's publishing when that comes before the outcome (not the review prompt)", () => {
    const published = {
      ...settled,
      status: "Confirmed" as const,
      outcome: null,
      outcomeSettledAt: null,
      notePublishedAt: at("2026-11-25T16:05:00Z"),
    };
    expect(isRecordDue("lesson_record", published, at("2026-11-25T16:04:59Z"))).toBe(false);
    expect(isRecordDue("lesson_record", published, at("2026-11-25T16:05:00Z"))).toBe(true);
    expect(isRecordDue("lesson_record", published, at("2026-11-27T16:05:00Z"))).toBe(false);
    expect(isRecordDue("review_prompt", published, at("2026-11-25T16:06:00Z"))).toBe(false);
    expect(isRecordDue("lesson_record", { ...published, status: "Cancelled" }, at("2026-11-25T16:06:00Z"))).toBe(false);
  });

  it("a held lesson gets the review prompt", () => {
    expect(isRecordDue("review_prompt", settled, at("2026-11-25T16:20:00Z"))).toBe(true);
  });
});

describe("why a queued notification is no longer sent (checked again at send time)", () => {
  const queuedFor = { kind: "reminder_classroom_open", forStartTime: start };
  const nowBooking = { ...booking, outcome: null, outcomeSettledAt: null };
  const reachable = { email: "parent@example.com", emailUndeliverableAt: null, switchedOff: [] };
  const duringWindow = at("2026-11-25T14:50:00Z");

  it("sends a reminder that is still due to someone who can be written to", () => {
    expect(staleReasonOf(queuedFor, nowBooking, reachable, duringWindow)).toBeNull();
  });

  it.each([
    ["Cancelled", "booking cancelled"],
    ["Declined", "booking declined"],
    ["Pending", "booking pending"],
  ] as const)("skips a %s booking", (status, reason) => {
    expect(staleReasonOf(queuedFor, { ...nowBooking, status }, reachable, duringWindow)).toBe(reason);
  });

  it("skips a lesson moved since the row was queued, even by a second", () => {
    const moved = { ...nowBooking, sessionStartTime: new Date(start.getTime() + 1000) };
    expect(staleReasonOf(queuedFor, moved, reachable, duringWindow)).toBe("lesson moved");
  });

  it("skips a classroom-open reminder once the lesson has ended", () => {
    expect(staleReasonOf(queuedFor, nowBooking, reachable, at("2026-11-25T16:00:00Z"))).toBe("no longer due");
  });

  it("skips a review prompt for a lesson that was not held", () => {
    const notHeld = {
      ...nowBooking,
      status: "Confirmed" as const,
      outcome: "not_held" as const,
      outcomeSettledAt: duringWindow,
    };
    expect(staleReasonOf({ kind: "review_prompt", forStartTime: start }, notHeld, reachable, duringWindow)).toBe(
      "no longer due",
    );
  });

  it.each([
    ["no address", { ...reachable, email: null }],
    ["an address refused for good", { ...reachable, emailUndeliverableAt: duringWindow }],
  ])("skips a recipient with %s", (_label, recipient) => {
    expect(staleReasonOf(queuedFor, nowBooking, recipient, duringWindow)).toBe("address undeliverable");
  });

  it("skips a kind the recipient switched off after it was queued, and only that kind", () => {
    const switchedOff = { ...reachable, switchedOff: ["reminder_classroom_open"] };
    expect(staleReasonOf(queuedFor, nowBooking, switchedOff, duringWindow)).toBe("switched off by the recipient");
    const otherKind = { ...reachable, switchedOff: ["lesson_record"] };
    expect(staleReasonOf(queuedFor, nowBooking, otherKind, duringWindow)).toBeNull();
  });
});

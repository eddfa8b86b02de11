import { describe, expect, it } from "vitest";
import {
  presentBookingCard,
  dashboardSection as sectionOf,
  presentDashboard,
  recordingStatus,
  refreshPlan,
  REFRESH_HORIZON_MS,
  type CardBooking,
} from "./booking-card";
import { cardBookingFixture, child, client, tutor } from "./lesson-fixtures";

const start = new Date("2026-11-25T15:00:00Z");
const at = (iso: string) => new Date(iso);

const booking = (overrides: Partial<CardBooking> = {}) => cardBookingFixture(start, overrides);

describe("presentBookingCard", () => {
  it("an upcoming card says when it is scheduled and when the room opens, in the viewer's zone", () => {
    const card = presentBookingCard(booking(), client.id, at("2026-11-25T14:44:59Z"), "America/New_York");
    expect(card).toMatchObject({
      state: "upcoming",
      explanation: "Scheduled for Wed 25 Nov, 10:00.",
      join: { kind: "disabled", label: "Join opens at 09:45" },
      when: "Wed 25 Nov, 10:00–11:00",
      plannedDuration: "1 h",
      actualDuration: null,
    });
  });

  it("is ready from fifteen minutes before the start, and says when it is in progress", () => {
    expect(presentBookingCard(booking(), client.id, at("2026-11-25T14:45:00Z"), "UTC")).toMatchObject({
      state: "ready",
      badge: "Ready to join",
      join: { kind: "join" },
    });
    expect(presentBookingCard(booking(), client.id, at("2026-11-25T15:00:00Z"), "UTC")).toMatchObject({
      state: "in_progress",
      badge: "In progress",
      join: { kind: "join" },
    });
  });

  it("names the assigned student as the attendee", () => {
    expect(presentBookingCard(booking(), client.id, start, "UTC").attendee).toEqual({
      name: "Charlie Brown",
      asAdultLearner: false,
    });
  });

  it("names the client as an adult learner when no student is assigned", () => {
    const card = presentBookingCard(booking({ studentId: null, student: null }), client.id, start, "UTC");
    expect(card.attendee).toEqual({ name: "Paula Brown", asAdultLearner: true });
  });

  it("shows the actual duration once Lessonspace measured it", () => {
    const card = presentBookingCard(
      booking({ status: "Completed", durationActual: 55 * 60 + 10 }),
      client.id,
      at("2026-11-25T17:00:00Z"),
      "UTC",
    );
    // Booking-system Completed with no attendance: what is known, never "held, attended 0 of 60".
    expect(card).toMatchObject({
      state: "unrecorded",
      badge: "Completed",
      plannedDuration: "1 h",
      actualDuration: "55 min",
    });
    expect(card.explanation).not.toMatch(/attended 0/);
  });

  it("a pending booking is upcoming and awaits confirmation", () => {
    expect(presentBookingCard(booking({ status: "Pending" }), client.id, start, "UTC")).toMatchObject({
      state: "upcoming",
      badge: "Awaiting confirmation",
      join: { kind: "disabled", label: "Waiting for the tutor to confirm" },
    });
  });

  it("a declined booking is cancelled and says it was declined", () => {
    expect(presentBookingCard(booking({ status: "Declined" }), client.id, start, "UTC")).toMatchObject({
      state: "cancelled",
      badge: "Declined",
      explanation: "The tutor declined this booking.",
      join: null,
    });
  });

  it("offers a choice of attendee to a guardian before the window opens, never to the student, after it opens or to someone with nobody to choose", () => {
    const before = at("2026-11-25T14:44:59Z");
    expect(presentBookingCard(booking(), client.id, before, "UTC", true).canAssignStudent).toBe(true);
    expect(presentBookingCard(booking(), tutor.id, before, "UTC", true).canAssignStudent).toBe(true);
    expect(presentBookingCard(booking(), child.id, before, "UTC", true).canAssignStudent).toBe(false);
    // No wards: the only choice is the one already made, a dead end.
    expect(presentBookingCard(booking(), client.id, before, "UTC", false).canAssignStudent).toBe(false);
    expect(presentBookingCard(booking(), client.id, at("2026-11-25T14:45:00Z"), "UTC", true).canAssignStudent).toBe(
      false,
    );
    const attended = booking({ presence: [{ profileId: tutor.id, joinedAt: null, leftAt: null, secondsPresent: 12 }] });
    expect(presentBookingCard(attended, client.id, before, "UTC", true).canAssignStudent).toBe(false);
  });
});

describe("recordingStatus", () => {
  const now = at("2026-11-26T12:00:00Z");
  it("is available when the booking has a recording", () => {
    expect(recordingStatus({ recordingUrl: "https://ls.example/playback/", sessions: [] }, now)).toBe("available");
  });
  it("is none when nobody ever opened the classroom", () => {
    expect(recordingStatus({ recordingUrl: null, sessions: [] }, now)).toBe("none");
  });
  it("is being prepared while a session is still open", () => {
    expect(
      recordingStatus(
        { recordingUrl: null, sessions: [{ startedAt: at("2026-11-26T11:00:00Z"), endedAt: null }] },
        now,
      ),
    ).toBe("preparing");
  });
  it("is being prepared for a day after the last session ended, then none", () => {
    const sessions = [
      { startedAt: at("2026-11-25T10:00:00Z"), endedAt: at("2026-11-25T10:30:00Z") },
      { startedAt: at("2026-11-25T15:00:00Z"), endedAt: at("2026-11-25T16:00:00Z") },
    ];
    expect(recordingStatus({ recordingUrl: null, sessions }, at("2026-11-26T15:59:59Z"))).toBe("preparing");
    expect(recordingStatus({ recordingUrl: null, sessions }, at("2026-11-26T16:00:00Z"))).toBe("none");
  });
});

describe("refreshPlan", () => {
  it("points at the earliest edge among the bookings, rounded up to whole seconds for the meta refresh", () => {
    const later = booking({ sessionStartTime: at("2026-11-25T18:00:00Z") });
    const plan = refreshPlan([later, booking()], at("2026-11-25T14:44:58.500Z"));
    expect(plan).toEqual({ afterMs: 1500, afterSeconds: 2 });
  });
  it("never asks for a refresh sooner than a second", () => {
    expect(refreshPlan([booking()], at("2026-11-25T14:44:59.999Z"))).toEqual({ afterMs: 1, afterSeconds: 1 });
  });
  it("asks for none when the next edge is beyond the horizon", () => {
    const opens = at("2026-11-25T14:45:00Z").getTime();
    expect(refreshPlan([booking()], new Date(opens - REFRESH_HORIZON_MS))).not.toBeNull();
    expect(refreshPlan([booking()], new Date(opens - REFRESH_HORIZON_MS - 1))).toBeNull();
  });
  it("asks for none when no booking will change by the clock", () => {
    expect(refreshPlan([booking({ status: "Cancelled" }), booking({ status: "Pending" })], start)).toBeNull();
    expect(refreshPlan([], start)).toBeNull();
  });
});

describe("presentDashboard", () => {
  it("orders ready first, then upcoming soonest first, then recent newest first", () => {
    const now = at("2026-11-25T15:10:00Z");
    const bookings = [
      booking({ id: "completed-old", status: "Completed", sessionStartTime: at("2026-11-20T15:00:00Z") }),
      booking({ id: "upcoming-later", sessionStartTime: at("2026-11-27T15:00:00Z") }),
      booking({ id: "ready-started", sessionStartTime: at("2026-11-25T14:30:00Z") }),
      booking({ id: "cancelled-tomorrow", status: "Cancelled", sessionStartTime: at("2026-11-26T15:00:00Z") }),
      booking({ id: "upcoming-soon", sessionStartTime: at("2026-11-26T09:00:00Z") }),
      booking({ id: "ready-soon", sessionStartTime: at("2026-11-25T15:20:00Z") }),
      booking({ id: "completed-recent", sessionStartTime: at("2026-11-24T15:00:00Z") }),
    ];
    const dashboard = presentDashboard(bookings, client.id, now, "Europe/London");
    expect(dashboard.ready.map((card) => card.id)).toEqual(["ready-started", "ready-soon"]);
    // Placed by time: the lesson cancelled for tomorrow is under Upcoming (its card says Cancelled).
    expect(dashboard.upcoming.map((card) => card.id)).toEqual([
      "upcoming-soon",
      "cancelled-tomorrow",
      "upcoming-later",
    ]);
    expect(dashboard.upcoming.find((card) => card.id === "cancelled-tomorrow")!.state).toBe("cancelled");
    expect(dashboard.recent.map((card) => card.id)).toEqual(["completed-recent", "completed-old"]);
    expect(dashboard).toMatchObject({ moreUpcoming: false, moreRecent: false });
    // The next edge: "ready-soon" starts at 15:20.
    expect(dashboard.refresh).toEqual({ afterMs: 10 * 60_000, afterSeconds: 600 });
  });
});

describe("dashboardSection: lessons placed by their time", () => {
  const now = at("2026-11-25T15:10:00Z");
  const dashboardSection = (b: CardBooking, at: Date) =>
    sectionOf(presentBookingCard(b, client.id, at, "UTC").state, b, at);
  it("a cancelled or declined lesson still ahead is upcoming; once its time has come, recent", () => {
    for (const status of ["Cancelled", "Declined"] as const) {
      expect(dashboardSection(booking({ status, sessionStartTime: at("2026-11-25T15:10:01Z") }), now)).toBe("upcoming");
      expect(dashboardSection(booking({ status, sessionStartTime: at("2026-11-25T15:10:00Z") }), now)).toBe("recent");
      expect(dashboardSection(booking({ status, sessionStartTime: at("2026-11-20T15:00:00Z") }), now)).toBe("recent");
    }
  });

  it("joinable is ready, awaiting confirmation is upcoming even past its start, finished is recent", () => {
    expect(dashboardSection(booking({ sessionStartTime: at("2026-11-25T15:20:00Z") }), now)).toBe("ready");
    expect(dashboardSection(booking({ status: "Pending", sessionStartTime: at("2026-11-25T15:00:00Z") }), now)).toBe(
      "upcoming",
    );
    expect(dashboardSection(booking({ sessionStartTime: at("2026-11-25T13:00:00Z") }), now)).toBe("recent");
    expect(dashboardSection(booking({ status: "Completed", sessionStartTime: at("2026-11-25T15:00:00Z") }), now)).toBe(
      "recent",
    );
    // The tutor ended it: over, so Recent, even while Rejoin is still offered.
    const ended = [{ startedAt: at("2026-11-25T15:00:00Z"), endedAt: at("2026-11-25T15:05:00Z") }];
    expect(dashboardSection(booking({ sessionStartTime: at("2026-11-25T15:00:00Z"), sessions: ended }), now)).toBe(
      "recent",
    );
  });
});

describe("presentDashboard: bounded sections", () => {
  const now = at("2026-11-25T15:10:00Z");
  const hours = (n: number) => new Date(now.getTime() + n * 3_600_000);
  const many = (prefix: string, count: number, startOf: (i: number) => Date) =>
    Array.from({ length: count }, (_, i) =>
      booking({ id: `${prefix}-${String(i).padStart(2, "0")}`, sessionStartTime: startOf(i) }),
    );

  it("shows every ready lesson, the next 10 upcoming and the last 10 past, and says more exist", () => {
    const ready = many("ready", 12, (i) => at(`2026-11-25T15:${String(10 + i).padStart(2, "0")}:00Z`));
    const ahead = many("ahead", 15, (i) => hours(24 + i));
    const behind = many("behind", 15, (i) => hours(-24 - i));
    const dashboard = presentDashboard([...behind, ...ahead, ...ready], client.id, now, "UTC");
    expect(dashboard.ready).toHaveLength(12);
    expect(dashboard.upcoming.map((card) => card.id)).toEqual(ahead.slice(0, 10).map((b) => b.id));
    expect(dashboard.recent.map((card) => card.id)).toEqual(behind.slice(0, 10).map((b) => b.id));
    expect(dashboard).toMatchObject({ moreUpcoming: true, moreRecent: true });
  });

  it("exactly the limit is not 'more'; equal start times are ordered by id", () => {
    const same = hours(48);
    const ahead = ["c", "a", "b"].map((id) => booking({ id, sessionStartTime: same }));
    const dashboard = presentDashboard(ahead, client.id, now, "UTC", 3);
    expect(dashboard.upcoming.map((card) => card.id)).toEqual(["a", "b", "c"]);
    expect(dashboard.moreUpcoming).toBe(false);
    expect(presentDashboard(ahead, client.id, now, "UTC", 2)).toMatchObject({
      moreUpcoming: true,
      upcoming: [{ id: "a" }, { id: "b" }],
    });
  });
});

describe("Rejoin once the tutor has ended the lesson", () => {
  const ended = { startedAt: at("2026-11-25T15:00:04Z"), endedAt: at("2026-11-25T15:48:00Z") };
  const open = { startedAt: at("2026-11-25T15:50:00Z"), endedAt: null };

  it("offers Join Lesson while no session has ended, or while one is still running", () => {
    expect(presentBookingCard(booking(), client.id, at("2026-11-25T15:30:00Z"), "UTC")).toMatchObject({
      state: "in_progress",
      join: { kind: "join" },
    });
    expect(
      presentBookingCard(booking({ sessions: [ended, open] }), client.id, at("2026-11-25T15:55:00Z"), "UTC"),
    ).toMatchObject({ state: "in_progress", join: { kind: "join" } });
  });

  it("offers Rejoin when every session has ended, until the window closes, then shows what the lesson was", () => {
    const card = booking({ sessions: [ended] });
    expect(presentBookingCard(card, client.id, at("2026-11-25T15:49:00Z"), "UTC")).toMatchObject({
      state: "ended",
      badge: "Ended",
      explanation: "The lesson has ended. You can rejoin the classroom until 16:15.",
      join: { kind: "rejoin" },
    });
    expect(presentBookingCard(card, client.id, at("2026-11-25T16:14:59Z"), "UTC").join).toEqual({ kind: "rejoin" });
    const over = presentBookingCard(card, client.id, at("2026-11-25T16:15:00Z"), "UTC");
    expect(over).toMatchObject({ state: "not_held", join: null, explanation: "Nobody joined the classroom." });
  });

  it("a cancelled lesson with ended sessions offers nothing to join", () => {
    const cancelled = presentBookingCard(
      booking({ status: "Cancelled", sessions: [ended] }),
      client.id,
      at("2026-11-25T15:49:00Z"),
      "UTC",
    );
    expect(cancelled).toMatchObject({ state: "cancelled", join: null, recording: null });
  });
});

describe("the outcome on the card", () => {
  const settled = { outcome: "held" as const, outcomeTutorSeconds: 3600, outcomeAttendeeSeconds: 52 * 60 + 5 };

  it("says how much of the lesson the student attended, from the stored seconds", () => {
    expect(presentBookingCard(booking(settled), client.id, at("2026-11-25T16:15:00Z"), "UTC")).toMatchObject({
      state: "held",
      badge: "Held",
      explanation: "Charlie Brown attended 52 of 60 minutes.",
    });
  });

  it("names the client as the one who did not join when there is no assigned student", () => {
    const card = booking({
      studentId: null,
      student: null,
      outcome: "student_absent",
      outcomeTutorSeconds: 3600,
      outcomeAttendeeSeconds: 0,
    });
    expect(presentBookingCard(card, client.id, at("2026-11-25T16:15:00Z"), "UTC").explanation).toMatch(
      /^Paula Brown did not join;/,
    );
  });

  it("is not shown before the window closes", () => {
    expect(presentBookingCard(booking(settled), client.id, at("2026-11-25T16:14:59Z"), "UTC").state).toBe(
      "in_progress",
    );
  });
});

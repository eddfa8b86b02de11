import { describe, expect, it } from "vitest";
import {
  hasWhiteboardSnapshot,
  presentBookingDetails,
  summariseAttendance,
  type BookingDetailsInput,
} from "./booking-details";
import { cardBookingFixture, child, client, tutor } from "./lesson-fixtures";

const start = new Date("2026-11-25T15:00:00Z");
const after = new Date("2026-11-25T17:00:00Z");

function details(overrides: Partial<BookingDetailsInput> = {}): BookingDetailsInput {
  return { ...cardBookingFixture(start), sessionArtifacts: {}, attendance: [], reviews: [], ...overrides };
}

describe("summariseAttendance", () => {
  it("sums each person's time over the booking's sessions, the tutor first", () => {
    const summary = summariseAttendance(
      [
        { profileId: "child", fullName: "Charlie Brown", secondsPresent: 40 * 60 },
        { profileId: "tutor", fullName: "Tara Singh", secondsPresent: 45 * 60 },
        { profileId: "child", fullName: "Charlie Brown", secondsPresent: 15 * 60 },
        { profileId: "tutor", fullName: "Tara Singh", secondsPresent: 13 * 60 },
      ],
      "tutor",
    );
    expect(summary.people.map(({ name, time }) => `${name} ${time}`)).toEqual([
      "Tara Singh 58 min",
      "Charlie Brown 55 min",
    ]);
    expect(summary.onlyTutorAttended).toBe(false);
  });

  it("says when only the tutor attended", () => {
    const summary = summariseAttendance(
      [{ profileId: "tutor", fullName: "Tara Singh", secondsPresent: 3000 }],
      "tutor",
    );
    expect(summary.onlyTutorAttended).toBe(true);
  });

  it("nobody attending is not 'only the tutor'", () => {
    expect(summariseAttendance([], "tutor")).toEqual({ people: [], onlyTutorAttended: false });
  });
});

describe("hasWhiteboardSnapshot", () => {
  it.each([
    [{ whiteboard_snapshot_url: "/bookings/b1/snapshot" }, true],
    [{ whiteboard_snapshot_url: "" }, false],
    [{ whiteboard_snapshot_url: 7 }, false],
    [{}, false],
    [null, false],
    ["whiteboard_snapshot_url", false],
  ])("%j → %s", (artifacts, expected) => {
    expect(hasWhiteboardSnapshot(artifacts)).toBe(expected);
  });
});

describe("presentBookingDetails", () => {
  it("links the snapshot through our own route, whatever URL was stored", () => {
    const view = presentBookingDetails(
      details({ sessionArtifacts: { whiteboard_snapshot_url: "javascript:alert(1)" } }),
      client.id,
      after,
      "UTC",
    );
    expect(view.snapshotUrl).toBe("/bookings/b1/snapshot");
  });

  it("has nothing to say about attendance before a lesson that nobody has opened", () => {
    expect(presentBookingDetails(details(), client.id, new Date("2026-11-25T14:00:00Z"), "UTC").attendance).toBeNull();
  });

  it("reports empty attendance once the lesson is over", () => {
    expect(presentBookingDetails(details(), client.id, after, "UTC").attendance).toEqual({
      people: [],
      onlyTutorAttended: false,
    });
  });

  it("shows the outcome, and then does not repeat the 'only the tutor attended' notice", () => {
    const tutorOnly = { attendance: [{ profileId: tutor.id, fullName: "Tara Singh", secondsPresent: 3600 }] };
    const during = new Date("2026-11-25T15:30:00Z");
    expect(presentBookingDetails(details(tutorOnly), client.id, during, "UTC").attendance?.onlyTutorAttended).toBe(
      true,
    );
    const settled = presentBookingDetails(
      details({ ...tutorOnly, outcome: "student_absent", outcomeTutorSeconds: 3600, outcomeAttendeeSeconds: 0 }),
      client.id,
      after,
      "UTC",
    );
    expect(settled).toMatchObject({ state: "student_absent", badge: "Student absent" });
    expect(settled.explanation).toMatch(/^Charlie Brown did not join;/);
    expect(settled.attendance?.onlyTutorAttended).toBe(false);
  });

  it("offers a review to the tutor and the client once the lesson was held, until they have left one", () => {
    const held = { outcome: "held" as const, outcomeTutorSeconds: 3600, outcomeAttendeeSeconds: 3600 };
    const reviewed = details({
      ...held,
      reviews: [{ reviewerId: client.id, reviewerName: "Paula Brown", rating: 5, comment: "Great" }],
    });
    expect(presentBookingDetails(details(held), client.id, after, "UTC").canReview).toBe(true);
    expect(presentBookingDetails(details(held), tutor.id, after, "UTC").canReview).toBe(true);
    expect(presentBookingDetails(details(held), child.id, after, "UTC").canReview).toBe(false);
    expect(presentBookingDetails(details(held), client.id, start, "UTC").canReview).toBe(false);
    expect(presentBookingDetails(reviewed, client.id, after, "UTC").canReview).toBe(false);
    expect(presentBookingDetails(reviewed, client.id, after, "UTC").reviews).toEqual([
      { reviewerName: "Paula Brown", rating: 5, comment: "Great" },
    ]);
  });

  it("offers neither review nor snapshot for a lesson that was too short", () => {
    const tooShort = details({ outcome: "not_held", outcomeTutorSeconds: 12, outcomeAttendeeSeconds: 180 });
    const view = presentBookingDetails(tooShort, tutor.id, after, "UTC");
    expect(view).toMatchObject({ state: "too_short", canReview: false, canUploadSnapshot: false });
    expect(presentBookingDetails(tooShort, client.id, after, "UTC").canReview).toBe(false);
  });

  it("offers the snapshot upload to the tutor once the lesson has started", () => {
    expect(presentBookingDetails(details(), tutor.id, start, "UTC").canUploadSnapshot).toBe(true);
    expect(presentBookingDetails(details(), tutor.id, new Date(start.getTime() - 1000), "UTC").canUploadSnapshot).toBe(
      false,
    );
    expect(presentBookingDetails(details(), client.id, start, "UTC").canUploadSnapshot).toBe(false);
  });
});

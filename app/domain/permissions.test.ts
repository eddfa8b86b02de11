import { describe, expect, it } from "vitest";
import { learnerIdOf, resolveAttendee } from "./attendee";
import {
  canAssignStudent,
  canUploadSnapshot,
  canViewArtifacts,
  reviewTarget,
  reviewTargetOfLesson,
  rolesOn,
  type BookingParties,
} from "./permissions";
import { NOTHING_RECORDED } from "./lesson-fixtures";

const booking: BookingParties = {
  clientId: "client",
  tutorId: "tutor",
  studentId: null,
  status: "Confirmed",
  sessionStartTime: new Date("2026-11-25T15:00:00Z"),
  sessionDuration: 60,
};
const before = new Date("2026-11-25T14:00:00Z");
const during = new Date("2026-11-25T15:30:00Z");
const after = new Date("2026-11-25T17:00:00Z");
const wards = new Set(["child"]);

describe("rolesOn", () => {
  it("names each role and nothing for a stranger", () => {
    expect(rolesOn({ ...booking, studentId: "child" }, "child")).toEqual(["student"]);
    expect(rolesOn(booking, "tutor")).toEqual(["tutor"]);
    expect(rolesOn(booking, "stranger")).toEqual([]);
  });
});

describe("canAssignStudent", () => {
  it("lets the client assign their active ward before the window opens", () => {
    expect(canAssignStudent(booking, "client", "child", wards, before, false)).toEqual({ ok: true });
  });
  it("refuses once the window has opened, or once anyone has been in the classroom", () => {
    const opens = new Date(booking.sessionStartTime.getTime() - 15 * 60_000);
    expect(canAssignStudent(booking, "client", "child", wards, new Date(opens.getTime() - 1), false).ok).toBe(true);
    expect(canAssignStudent(booking, "client", "child", wards, opens, false)).toEqual({
      ok: false,
      reason: expect.stringMatching(/can no longer change/),
    });
    expect(canAssignStudent(booking, "client", "child", wards, during, false).ok).toBe(false);
    expect(canAssignStudent(booking, "client", "child", wards, new Date(opens.getTime() - 1), true).ok).toBe(false);
  });
  it("lets the tutor clear the assignment", () => {
    expect(canAssignStudent({ ...booking, studentId: "child" }, "tutor", null, new Set(), before, false)).toEqual({
      ok: true,
    });
  });
  it("refuses a student without an active guardian edge", () => {
    expect(canAssignStudent(booking, "client", "someone-else", wards, before, false).ok).toBe(false);
  });
  it("refuses the assigned student and strangers", () => {
    expect(canAssignStudent({ ...booking, studentId: "child" }, "child", null, new Set(), before, false).ok).toBe(
      false,
    );
    expect(canAssignStudent(booking, "stranger", "child", wards, before, false).ok).toBe(false);
  });
  it("refuses once the lesson has ended, and for cancelled bookings", () => {
    expect(canAssignStudent(booking, "client", "child", wards, new Date("2026-11-25T16:00:00Z"), false).ok).toBe(false);
    expect(canAssignStudent({ ...booking, status: "Cancelled" }, "client", "child", wards, before, false).ok).toBe(
      false,
    );
  });
});

describe("canUploadSnapshot", () => {
  it("only the tutor, once the lesson has started", () => {
    expect(canUploadSnapshot(booking, "tutor", during)).toEqual({ ok: true });
    expect(canUploadSnapshot(booking, "tutor", before).ok).toBe(false);
    expect(canUploadSnapshot(booking, "client", during).ok).toBe(false);
    expect(canUploadSnapshot(booking, "other-tutor", during).ok).toBe(false);
  });
});

describe("reviewTarget", () => {
  it("the tutor reviews the session's attendee, the client reviews the tutor, once completed", () => {
    expect(reviewTarget({ ...booking, studentId: "child" }, "tutor", after)).toMatchObject({
      ok: true,
      revieweeId: "child",
      as: "tutor",
    });
    expect(reviewTarget(booking, "tutor", after)).toMatchObject({ ok: true, revieweeId: "client" });
    expect(reviewTarget(booking, "client", after)).toMatchObject({ ok: true, revieweeId: "tutor", as: "client" });
  });
  it("refuses a booking that was never confirmed, even long after its slot", () => {
    expect(reviewTarget({ ...booking, status: "Pending" }, "client", after).ok).toBe(false);
  });
  it("refuses a cancelled booking", () => {
    expect(reviewTarget({ ...booking, status: "Cancelled" }, "client", after).ok).toBe(false);
  });
  it("refuses before completion and refuses the student", () => {
    expect(reviewTarget(booking, "client", during).ok).toBe(false);
    expect(reviewTarget({ ...booking, studentId: "child" }, "child", after).ok).toBe(false);
  });
});

describe("canViewArtifacts", () => {
  it("participants and active guardians of the student", () => {
    const withChild = { ...booking, studentId: "child", clientId: "adult-payer" };
    expect(canViewArtifacts(withChild, "tutor", new Set())).toBe(true);
    expect(canViewArtifacts(withChild, "guardian", new Set(["child"]))).toBe(true);
    expect(canViewArtifacts(withChild, "stranger", new Set(["other"]))).toBe(false);
  });
});

describe("resolveAttendee", () => {
  const tutor = { id: "tutor", fullName: "Tara", email: "t@x" };
  const client = { id: "client", fullName: "Paula", email: "p@x" };
  const student = { id: "child", fullName: "Charlie", email: "c@x" };
  it("the tutor joins as themself, leading", () => {
    expect(resolveAttendee({ tutor, client, student }, "tutor")).toEqual({ ...tutor, leader: true });
  });
  it("the client joins as the assigned student", () => {
    expect(resolveAttendee({ tutor, client, student }, "client")).toEqual({ ...student, leader: false });
  });
  it("the client joins as themself when no student is assigned (adult learner)", () => {
    expect(resolveAttendee({ tutor, client, student: null }, "client")).toEqual({ ...client, leader: false });
  });
  it("the student joins as themself", () => {
    expect(resolveAttendee({ tutor, client, student }, "child")).toEqual({ ...student, leader: false });
  });
});

describe("learnerIdOf", () => {
  it("is the assigned student", () => {
    expect(learnerIdOf({ clientId: "client", studentId: "child" })).toBe("child");
  });
  it("is the client when no student is assigned (adult learner)", () => {
    expect(learnerIdOf({ clientId: "client", studentId: null })).toBe("client");
  });
});

describe("reviewTargetOfLesson", () => {
  const lesson = {
    ...booking,
    tutor: { id: "tutor", fullName: "Tara Tutor" },
    client: { id: "client", fullName: "Ada Adult" },
    student: null,
    ...NOTHING_RECORDED,
  };
  it("lets the client review a lesson that was held", () => {
    const held = { ...lesson, outcome: "held" as const, outcomeTutorSeconds: 3600, outcomeAttendeeSeconds: 3000 };
    expect(reviewTargetOfLesson(held, "client", after, "UTC")).toMatchObject({ ok: true, revieweeId: "tutor" });
  });
  it("refuses a lesson that did not take place with its badge and reason", () => {
    const missed = {
      ...lesson,
      outcome: "student_absent" as const,
      outcomeTutorSeconds: 3600,
      outcomeAttendeeSeconds: 0,
    };
    expect(reviewTargetOfLesson(missed, "client", after, "UTC")).toEqual({
      ok: false,
      reason:
        "Student absent: Ada Adult did not join; a lesson needs at least 12 min of both. Only a lesson that took place can be reviewed.",
    });
  });
  it("keeps reviewTarget's refusal for who may not review, or not yet", () => {
    expect(reviewTargetOfLesson(lesson, "client", during, "UTC")).toEqual(reviewTarget(lesson, "client", during));
    expect(reviewTargetOfLesson({ ...lesson, studentId: "child" }, "child", after, "UTC").ok).toBe(false);
  });
});

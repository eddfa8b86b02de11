// v5.0 assignment through /bookings/:id/student: every refusal leaves the booking unchanged.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import * as assignment from "~/routes/bookings.$id.student";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type BookingOverrides,
  type TestProfile,
} from "../support/app.ts";

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
let tutor: TestProfile,
  parent: TestProfile,
  child: TestProfile,
  pendingChild: TestProfile,
  otherParent: TestProfile,
  otherChild: TestProfile,
  stranger: TestProfile;
let cookies: Record<"tutor" | "parent" | "child" | "stranger", string>;

beforeAll(async () => {
  [tutor, parent, child, pendingChild, otherParent, otherChild, stranger] = await Promise.all([
    createProfile({ fullName: "Tara Singh" }),
    createProfile({ fullName: "Paula Brown" }),
    createProfile({ fullName: "Charlie Brown" }),
    createProfile({ fullName: "Penny Brown" }),
    createProfile({ fullName: "Fiona Reyes" }),
    createProfile({ fullName: "Sam Reyes" }),
    createProfile({ fullName: "Stranger" }),
  ]);
  await addGuardian(parent.id, child.id);
  await addGuardian(parent.id, pendingChild.id, "PENDING");
  await addGuardian(otherParent.id, otherChild.id);
  cookies = {
    tutor: await signIn(tutor),
    parent: await signIn(parent),
    child: await signIn(child),
    stranger: await signIn(stranger),
  };
});

async function submit(bookingId: string, who: keyof typeof cookies, form: Record<string, string>) {
  return callAction(assignment, `/bookings/${bookingId}/student`, {
    cookie: cookies[who],
    params: { id: bookingId },
    form,
  });
}

async function studentOf(bookingId: string) {
  return (await db.booking.findUniqueOrThrow({ where: { id: bookingId } })).studentId;
}

/** A booking of Paula's, with the row as it was, to compare after a refused attempt. */
async function paulasBooking(overrides: BookingOverrides = {}) {
  return createBooking({ clientId: parent.id, tutorId: tutor.id, sessionStartTime: minutes(60), ...overrides });
}

async function expectUnchanged(bookingId: string, before: Awaited<ReturnType<typeof paulasBooking>>) {
  const after = await db.booking.findUniqueOrThrow({ where: { id: bookingId } });
  expect(after).toEqual(before);
}

function formErrors(data: unknown): string {
  return JSON.stringify((data as { error?: Record<string, string[]> }).error ?? {});
}

describe("assigning a student", () => {
  it("the client assigns their active ward, and is sent back where they came from", async () => {
    const booking = await paulasBooking();
    const result = await submit(booking.id, "parent", { studentId: child.id, returnTo: "/" });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/");
    expect(await studentOf(booking.id)).toBe(child.id);
  });

  it("without a return path, or with an outside one, it goes back to the booking's page", async () => {
    const booking = await paulasBooking();
    const plain = await submit(booking.id, "parent", { studentId: child.id });
    expect(plain.headers.get("Location")).toBe(`/bookings/${booking.id}`);
    const outside = await submit(booking.id, "parent", { studentId: child.id, returnTo: "//evil.example/" });
    expect(outside.headers.get("Location")).toBe(`/bookings/${booking.id}`);
  });

  it("the client clears the student, so they attend as an adult learner again", async () => {
    const booking = await paulasBooking({ studentId: child.id });
    const result = await submit(booking.id, "parent", { studentId: "" });
    expect(result.status).toBe(302);
    expect(await studentOf(booking.id)).toBeNull();
  });

  it("the tutor may assign a student they are an active guardian of", async () => {
    const tutorsWard = await createProfile({ fullName: "Tutor's Ward" });
    await addGuardian(tutor.id, tutorsWard.id);
    const booking = await paulasBooking();
    const result = await submit(booking.id, "tutor", { studentId: tutorsWard.id });
    expect(result.status).toBe(302);
    expect(await studentOf(booking.id)).toBe(tutorsWard.id);
  });

  it("the tutor may clear the assignment", async () => {
    const booking = await paulasBooking({ studentId: child.id });
    expect((await submit(booking.id, "tutor", { studentId: "" })).status).toBe(302);
    expect(await studentOf(booking.id)).toBeNull();
  });

  it("a second before the window opens, who attends can still change", async () => {
    const booking = await paulasBooking({ sessionStartTime: new Date(Date.now() + 15 * 60_000 + 5_000) });
    expect((await submit(booking.id, "parent", { studentId: child.id })).status).toBe(302);
  });
});

describe("refusals: shown on the form, booking unchanged", () => {
  it("a student without any guardian edge", async () => {
    const unrelated = await createProfile();
    const booking = await paulasBooking();
    const result = await submit(booking.id, "parent", { studentId: unrelated.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("You can only assign a student you are an active guardian of.");
    await expectUnchanged(booking.id, booking);
  });

  it("a student whose guardian edge is still PENDING", async () => {
    const booking = await paulasBooking();
    const result = await submit(booking.id, "parent", { studentId: pendingChild.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("active guardian");
    await expectUnchanged(booking.id, booking);
  });

  it("another family's student", async () => {
    const booking = await paulasBooking();
    const result = await submit(booking.id, "parent", { studentId: otherChild.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("active guardian");
    await expectUnchanged(booking.id, booking);
  });

  it("a made-up student id", async () => {
    const booking = await paulasBooking();
    const result = await submit(booking.id, "parent", { studentId: randomUUID() });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("active guardian");
    await expectUnchanged(booking.id, booking);
  });

  it("a student id that is not an id at all", async () => {
    const booking = await paulasBooking();
    const result = await submit(booking.id, "parent", { studentId: "'; DROP TABLE bookings; --" });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("Choose a student from the list.");
    await expectUnchanged(booking.id, booking);
  });

  it("after the lesson's scheduled end", async () => {
    const booking = await paulasBooking({ sessionStartTime: minutes(-61), sessionDuration: 60 });
    const result = await submit(booking.id, "parent", { studentId: child.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("can no longer change");
    await expectUnchanged(booking.id, booking);
  });

  it("once the join window has opened, before the lesson starts", async () => {
    const booking = await paulasBooking({ sessionStartTime: minutes(14) });
    const result = await submit(booking.id, "parent", { studentId: child.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("can no longer change");
    await expectUnchanged(booking.id, booking);
    // The page does not offer the form either: it says why.
    const page = await callLoader(assignment, `/bookings/${booking.id}/student`, {
      cookie: cookies.parent,
      params: { id: booking.id },
    });
    expect((page.data as { refusal: string | null; wards: unknown[] }).refusal).toContain("can no longer change");
    expect((page.data as { wards: unknown[] }).wards).toEqual([]);
  });

  it("once anyone has been in the classroom, even for a lesson moved to later", async () => {
    const booking = await paulasBooking({ sessionStartTime: minutes(24 * 60) });
    const sessionId = `early-${booking.id}`;
    await db.lessonspaceSession.create({
      data: { sessionId, bookingId: booking.id, startedAt: minutes(-60), endedAt: minutes(-57) },
    });
    await db.lessonspaceAttendance.create({ data: { sessionId, profileId: tutor.id, secondsPresent: 12 } });
    const result = await submit(booking.id, "parent", { studentId: child.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("attendance is a record of who was there");
    await expectUnchanged(booking.id, booking);
  });

  it("a lesson marked Completed early", async () => {
    const booking = await paulasBooking({ sessionStartTime: minutes(-10), status: "Completed" });
    const result = await submit(booking.id, "parent", { studentId: child.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("can no longer change");
    await expectUnchanged(booking.id, booking);
  });

  it("a cancelled lesson", async () => {
    const booking = await paulasBooking({ status: "Cancelled" });
    const result = await submit(booking.id, "parent", { studentId: child.id });
    expect(result.status).toBe(400);
    expect(formErrors(result.data)).toContain("cancelled");
    await expectUnchanged(booking.id, booking);
  });

  it("the assigned student themself, trying to clear or change it", async () => {
    const booking = await paulasBooking({ studentId: child.id });
    const result = await submit(booking.id, "child", { studentId: "" });
    expect(result.status).toBe(403);
    expect(formErrors(result.data)).toContain(
      "Only the person who booked the lesson or its tutor can choose who attends.",
    );
    await expectUnchanged(booking.id, booking);
  });

  it("a stranger: 404, as if the booking did not exist", async () => {
    const booking = await paulasBooking();
    const result = await submit(booking.id, "stranger", { studentId: "" });
    expect(result.status).toBe(404);
    await expectUnchanged(booking.id, booking);
  });

  it("a stranger who is the active guardian of the student they name: still 404", async () => {
    const booking = await paulasBooking();
    const otherParentCookie = await signIn(otherParent);
    const result = await callAction(assignment, `/bookings/${booking.id}/student`, {
      cookie: otherParentCookie,
      params: { id: booking.id },
      form: { studentId: otherChild.id },
    });
    expect(result.status).toBe(404);
    await expectUnchanged(booking.id, booking);
  });
});

describe("the assignment page", () => {
  it("lists only students with an ACTIVE guardian edge from the viewer", async () => {
    const booking = await paulasBooking();
    const result = await callLoader(assignment, `/bookings/${booking.id}/student?returnTo=%2F`, {
      cookie: cookies.parent,
      params: { id: booking.id },
    });
    expect(result.status).toBe(200);
    const data = result.data as { wards: { id: string }[]; refusal: string | null; returnTo: string };
    expect(data.wards.map((ward) => ward.id)).toEqual([child.id]);
    expect(data.refusal).toBeNull();
    expect(data.returnTo).toBe("/");
  });

  it("lists several wards by name, with their names", async () => {
    const [mother, zed, ada] = await Promise.all([
      createProfile({ fullName: "Maya Okoro" }),
      createProfile({ fullName: "Zed Okoro" }),
      createProfile({ fullName: "Ada Okoro" }),
    ]);
    await addGuardian(mother.id, zed.id);
    await addGuardian(mother.id, ada.id);
    const booking = await createBooking({ clientId: mother.id, tutorId: tutor.id, sessionStartTime: minutes(60) });
    const result = await callLoader(assignment, `/bookings/${booking.id}/student`, {
      cookie: await signIn(mother),
      params: { id: booking.id },
    });
    expect((result.data as { wards: unknown[] }).wards).toEqual([
      { id: ada.id, fullName: "Ada Okoro" },
      { id: zed.id, fullName: "Zed Okoro" },
    ]);
  });

  it("tells the student they cannot choose, and lists nobody", async () => {
    const booking = await paulasBooking({ studentId: child.id });
    const result = await callLoader(assignment, `/bookings/${booking.id}/student`, {
      cookie: cookies.child,
      params: { id: booking.id },
    });
    expect(result.status).toBe(200);
    expect(result.data).toMatchObject({
      wards: [],
      refusal: "Only the person who booked the lesson or its tutor can choose who attends.",
    });
  });
});

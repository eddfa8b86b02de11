// The booking details page (the booking's stable join page) and who may open it.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import type { BookingDetailsView } from "~/domain/booking-details";
import * as details from "~/routes/bookings.$id";
import * as student from "~/routes/bookings.$id.student";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type TestProfile,
} from "../support/app.ts";

type DetailsData = {
  booking: BookingDetailsView;
  wards: { id: string; fullName: string }[];
  refresh: unknown;
  timeZone: string;
};

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
let tutor: TestProfile, parent: TestProfile, child: TestProfile, stranger: TestProfile, otherParent: TestProfile;
let cookies: Record<string, string>;

beforeAll(async () => {
  [tutor, parent, child, stranger, otherParent] = await Promise.all([
    createProfile({ fullName: "Tara Singh" }),
    createProfile({ fullName: "Paula Brown" }),
    createProfile({ fullName: "Charlie Brown" }),
    createProfile({ fullName: "Stranger Danger" }),
    createProfile({ fullName: "Fiona Reyes" }),
  ]);
  await addGuardian(parent.id, child.id);
  cookies = Object.fromEntries(
    await Promise.all(
      Object.entries({ tutor, parent, child, stranger, otherParent }).map(
        async ([k, p]) => [k, await signIn(p)] as const,
      ),
    ),
  );
});

async function open(bookingId: string, who: keyof typeof cookies) {
  return callLoader(details, `/bookings/${bookingId}`, { cookie: cookies[who], params: { id: bookingId } });
}

describe("who may open a booking's page", () => {
  it.each(["parent", "tutor", "child"] as const)("the %s, a participant, sees it", async (who) => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
    const result = await open(booking.id, who);
    expect(result.status).toBe(200);
    expect((result.data as DetailsData).booking.id).toBe(booking.id);
  });

  it("a stranger gets 404, the same as for a booking that does not exist", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
    const theirs = await open(booking.id, "stranger");
    const missing = await open(randomUUID(), "stranger");
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.data).toEqual(missing.data);
  });

  it("another family's parent gets 404", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
    expect((await open(booking.id, "otherParent")).status).toBe(404);
  });

  it("an active guardian of the student who is not a participant gets 404 (they may see recording and snapshot only)", async () => {
    const otherGuardian = await createProfile();
    await addGuardian(otherGuardian.id, child.id);
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
    const result = await callLoader(details, `/bookings/${booking.id}`, {
      cookie: await signIn(otherGuardian),
      params: { id: booking.id },
    });
    expect(result.status).toBe(404);
  });

  it.each(["not-a-uuid", "1 OR 1=1", "b0000000-0000-4000-8000-00000000000"])(
    "a malformed id %j is a 404, not a 500",
    async (id) => {
      const result = await callLoader(details, `/bookings/${encodeURIComponent(id)}`, {
        cookie: cookies.parent,
        params: { id },
      });
      expect(result.status).toBe(404);
    },
  );

  it("signed out, it sends you to sign in and back to this booking", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id });
    const result = await callLoader(details, `/bookings/${booking.id}`, { params: { id: booking.id } });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe(`/sign-in?redirectTo=${encodeURIComponent(`/bookings/${booking.id}`)}`);
  });
});

describe("the student route refuses strangers the same way", () => {
  it("a stranger opening the assignment page gets 404", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id });
    const result = await callLoader(student, `/bookings/${booking.id}/student`, {
      cookie: cookies.stranger,
      params: { id: booking.id },
    });
    expect(result.status).toBe(404);
  });

  it("a malformed id on the assignment page is a 404", async () => {
    const result = await callLoader(student, "/bookings/nope/student", {
      cookie: cookies.parent,
      params: { id: "nope" },
    });
    expect(result.status).toBe(404);
  });

  it("a stranger posting an assignment gets 404 and the booking is unchanged", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id });
    const result = await callAction(student, `/bookings/${booking.id}/student`, {
      cookie: cookies.stranger,
      params: { id: booking.id },
      form: { studentId: child.id },
    });
    expect(result.status).toBe(404);
    expect((await db.booking.findUniqueOrThrow({ where: { id: booking.id } })).studentId).toBeNull();
  });
});

describe("what the page shows", () => {
  it("planned and actual duration, and each person's time in the classroom summed over sessions", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: minutes(-180),
      status: "Completed",
    });
    await db.booking.update({ where: { id: booking.id }, data: { durationActual: 3540 } });
    for (const [n, tutorSeconds, childSeconds] of [
      [1, 45 * 60, 40 * 60],
      [2, 13 * 60, 15 * 60],
    ] as const) {
      const sessionId = `s${n}-${booking.id}`;
      await db.lessonspaceSession.create({
        data: { sessionId, bookingId: booking.id, startedAt: minutes(-180 + n * 50), endedAt: minutes(-150 + n * 50) },
      });
      await db.lessonspaceAttendance.createMany({
        data: [
          { sessionId, profileId: tutor.id, secondsPresent: tutorSeconds },
          { sessionId, profileId: child.id, secondsPresent: childSeconds },
        ],
      });
    }
    const view = ((await open(booking.id, "parent")).data as DetailsData).booking;
    expect(view).toMatchObject({ plannedDuration: "1 h", actualDuration: "59 min", state: "held", badge: "Held" });
    expect(view.attendance!.people.map((p) => `${p.name} ${p.time}`)).toEqual([
      "Tara Singh 58 min",
      "Charlie Brown 55 min",
    ]);
    expect(view.attendance!.onlyTutorAttended).toBe(false);
  });

  it("says plainly, once, when only the tutor attended", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: minutes(-180),
      status: "Completed",
    });
    const sessionId = `solo-${booking.id}`;
    await db.lessonspaceSession.create({
      data: { sessionId, bookingId: booking.id, startedAt: minutes(-180), endedAt: minutes(-130) },
    });
    await db.lessonspaceAttendance.create({ data: { sessionId, profileId: tutor.id, secondsPresent: 3000 } });
    const view = ((await open(booking.id, "parent")).data as DetailsData).booking;
    // The outcome says it once, with its reason; the attendance list does not repeat it.
    expect(view).toMatchObject({
      state: "student_absent",
      explanation: expect.stringMatching(/^Charlie Brown did not join;/),
    });
    expect(view.attendance).toMatchObject({
      onlyTutorAttended: false,
      people: [{ name: "Tara Singh", isTutor: true }],
    });
  });

  it("the recording, the snapshot through our route, the reviews, and the review link for whoever has not reviewed", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: minutes(-300),
      status: "Completed",
    });
    await db.booking.update({
      where: { id: booking.id },
      data: {
        recordingUrl: "https://lessonspace.example/v2/organisations/1/sessions/x/playback/",
        sessionArtifacts: {
          whiteboard_snapshot_url: `http://app.test/bookings/${booking.id}/snapshot`,
          whiteboard_snapshot_path: "x/y.png",
        },
      },
    });
    await db.review.create({
      data: {
        bookingId: booking.id,
        reviewerId: parent.id,
        revieweeId: tutor.id,
        rating: 5,
        comment: "Clear and patient.",
      },
    });
    const asParent = ((await open(booking.id, "parent")).data as DetailsData).booking;
    expect(asParent).toMatchObject({
      recording: "available",
      snapshotUrl: `/bookings/${booking.id}/snapshot`,
      reviews: [{ reviewerName: "Paula Brown", rating: 5, comment: "Clear and patient." }],
      canReview: false,
      canUploadSnapshot: false,
    });
    const asTutor = ((await open(booking.id, "tutor")).data as DetailsData).booking;
    expect(asTutor).toMatchObject({ canReview: true, canUploadSnapshot: true });
    const asChild = ((await open(booking.id, "child")).data as DetailsData).booking;
    expect(asChild).toMatchObject({ canReview: false, canUploadSnapshot: false });
  });

  it("before the lesson: no attendance, no review, no upload, and the assignment form lists the parent's wards", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, sessionStartTime: minutes(120) });
    const data = (await open(booking.id, "parent")).data as DetailsData;
    expect(data.booking).toMatchObject({
      state: "upcoming",
      attendance: null,
      canReview: false,
      canUploadSnapshot: false,
      canAssignStudent: true,
    });
    expect(data.wards).toEqual([{ id: child.id, fullName: "Charlie Brown" }]);
    const asChild = (await open(booking.id, "child")).status;
    expect(asChild).toBe(404); // not assigned yet, so not a participant
  });

  it("a cancelled booking says so and offers nothing to do", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      status: "Cancelled",
      sessionStartTime: minutes(60),
    });
    const data = (await open(booking.id, "parent")).data as DetailsData;
    expect(data.booking).toMatchObject({ state: "cancelled", canAssignStudent: false, canReview: false });
    expect(data.refresh).toBeNull();
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import * as review from "~/routes/bookings.$id.review";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type TestProfile,
} from "../support/app.ts";

const HOUR = 60 * 60_000;
let tutor: TestProfile,
  parent: TestProfile,
  child: TestProfile,
  adult: TestProfile,
  grandparent: TestProfile,
  stranger: TestProfile;
let tutorCookie: string, parentCookie: string;

beforeAll(async () => {
  [tutor, parent, child, adult, grandparent, stranger] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
    createProfile({ fullName: "Adam Adult" }),
    createProfile({ fullName: "Gran Guardian" }),
    createProfile({ fullName: "Sam Stranger" }),
  ]);
  await addGuardian(parent.id, child.id);
  await addGuardian(grandparent.id, child.id);
  [tutorCookie, parentCookie] = await Promise.all([signIn(tutor), signIn(parent)]);
});

function completedLesson(overrides: { studentId?: string | null; clientId?: string } = {}) {
  return createBooking({
    clientId: overrides.clientId ?? parent.id,
    tutorId: tutor.id,
    studentId: overrides.studentId === undefined ? child.id : overrides.studentId,
    sessionStartTime: new Date(Date.now() - 2 * HOUR),
    status: "Completed",
  });
}

const reviewPath = (id: string) => `/bookings/${id}/review`;
function post(id: string, form: Record<string, string>, cookie = tutorCookie, query = "") {
  return callAction(review, `${reviewPath(id)}${query}`, { params: { id }, cookie, form });
}
const reviewsOf = (bookingId: string) =>
  db.review.findMany({
    where: { bookingId },
    select: { reviewerId: true, revieweeId: true, rating: true, comment: true },
  });
const errorsOf = (data: unknown) => (data as { error: Record<string, string[]> }).error;

describe("leaving a review", () => {
  it("the tutor reviews the session: the review is about the student", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { rating: "5", comment: "Great progress on fractions." });
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(`/bookings/${booking.id}/review?saved=1`);
    expect(await reviewsOf(booking.id)).toEqual([
      { reviewerId: tutor.id, revieweeId: child.id, rating: 5, comment: "Great progress on fractions." },
    ]);
  });

  it("the tutor of an adult learner's lesson reviews the session: the review is about the client", async () => {
    const booking = await completedLesson({ clientId: adult.id, studentId: null });
    expect((await post(booking.id, { rating: "4" })).status).toBe(303);
    expect(await reviewsOf(booking.id)).toEqual([
      { reviewerId: tutor.id, revieweeId: adult.id, rating: 4, comment: "" },
    ]);
  });

  it("the client reviews the tutor", async () => {
    const booking = await completedLesson();
    expect((await post(booking.id, { rating: "4", comment: "Patient and clear." }, parentCookie)).status).toBe(303);
    expect(await reviewsOf(booking.id)).toEqual([
      { reviewerId: parent.id, revieweeId: tutor.id, rating: 4, comment: "Patient and clear." },
    ]);
  });

  it("editing keeps one review per reviewer and booking, with the new rating and comment", async () => {
    const booking = await completedLesson();
    await post(booking.id, { rating: "3", comment: "First thoughts" });
    await post(booking.id, { rating: "5", comment: "On reflection, excellent" });
    await post(booking.id, { rating: "2" }, parentCookie);
    const rows = await reviewsOf(booking.id);
    expect(rows).toHaveLength(2);
    expect(rows).toContainEqual({
      reviewerId: tutor.id,
      revieweeId: child.id,
      rating: 5,
      comment: "On reflection, excellent",
    });
    expect(rows).toContainEqual({ reviewerId: parent.id, revieweeId: tutor.id, rating: 2, comment: "" });
  });

  it("a double submit at the same moment still makes one review, without an error", async () => {
    const booking = await completedLesson();
    const results = await Promise.all([
      post(booking.id, { rating: "4", comment: "first click" }),
      post(booking.id, { rating: "4", comment: "second click" }),
      post(booking.id, { rating: "4", comment: "third click" }),
    ]);
    expect(results.map((result) => result.status)).toEqual([303, 303, 303]);
    expect(await reviewsOf(booking.id)).toHaveLength(1);
  });

  it("the review page shows the viewer's earlier review for editing", async () => {
    const booking = await completedLesson();
    await post(booking.id, { rating: "3", comment: "Solid lesson" });
    const page = await callLoader(review, reviewPath(booking.id), { params: { id: booking.id }, cookie: tutorCookie });
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({
      review: { rating: 3, comment: "Solid lesson" },
      refusal: null,
      lesson: { revieweeName: "Charlie Child", as: "tutor" },
    });
  });

  it("a comment of exactly 2,000 characters with line breaks is accepted (browsers send them as CRLF)", async () => {
    const booking = await completedLesson();
    const line = "x".repeat(99);
    const comment = Array.from({ length: 20 }, () => line).join("\r\n"); // 20×99 + 19 breaks = 1,999 characters typed
    const result = await post(booking.id, { rating: "5", comment: `${comment}y` });
    expect(result.status).toBe(303);
    expect((await reviewsOf(booking.id))[0]?.comment).toHaveLength(2000);
  });

  it("goes back to a path of ours given in returnTo", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { rating: "5" }, tutorCookie, "?returnTo=%2F");
    expect(result.headers.get("Location")).toBe("/");
    const evil = await post(booking.id, { rating: "5" }, tutorCookie, "?returnTo=%2F%2Fevil.example");
    expect(evil.headers.get("Location")).toBe("/");
  });
});

describe("bad reviews are refused with a message on the form and nothing saved", () => {
  async function refused(form: Record<string, string>, field: "rating" | "comment", message: string) {
    const booking = await completedLesson();
    const result = await post(booking.id, form);
    expect(result.status).toBe(400);
    expect(errorsOf(result.data)[field]).toEqual([message]);
    expect(await reviewsOf(booking.id)).toEqual([]);
  }

  it("rating 0", () => refused({ rating: "0" }, "rating", "Choose a rating from 1 to 5."));
  it("rating 6", () => refused({ rating: "6" }, "rating", "Choose a rating from 1 to 5."));
  it("rating given as text", () => refused({ rating: "great" }, "rating", "Choose a rating from 1 to 5."));
  it("rating 4.5", () => refused({ rating: "4.5" }, "rating", "Choose a rating from 1 to 5."));
  it("no rating", () => refused({ comment: "Nice" }, "rating", "Choose a rating from 1 to 5."));
  it("a comment over 2,000 characters", () =>
    refused({ rating: "4", comment: "a".repeat(2001) }, "comment", "Keep your comment to 2,000 characters or fewer."));

  it("the typed comment comes back to the form after a refusal", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { rating: "9", comment: "Keep this text" });
    expect((result.data as { initialValue: Record<string, string> }).initialValue).toMatchObject({
      comment: "Keep this text",
    });
  });

  it("a file sent with the review is refused", async () => {
    const booking = await completedLesson();
    const form = new FormData();
    form.append("rating", "5");
    form.append("attachment", new File(["x"], "x.txt", { type: "text/plain" }));
    const result = await callAction(review, reviewPath(booking.id), {
      params: { id: booking.id },
      cookie: tutorCookie,
      form,
    });
    expect(result.status).toBe(400);
    expect(errorsOf(result.data)[""]).toEqual(["We could not read that form. Please try again."]);
    expect(await reviewsOf(booking.id)).toEqual([]);
  });
});

describe("who may review, and when", () => {
  it("before the lesson is completed: 403 with a message, nothing saved", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: new Date(Date.now() - 10 * 60_000),
    });
    const result = await post(booking.id, { rating: "5" });
    expect(result.status).toBe(403);
    expect(errorsOf(result.data)[""]).toEqual(["You can leave a review once the lesson is completed."]);
    expect(await reviewsOf(booking.id)).toEqual([]);
  });

  it("an upcoming lesson's review page explains why not, with 403", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() + HOUR),
    });
    const page = await callLoader(review, reviewPath(booking.id), { params: { id: booking.id }, cookie: tutorCookie });
    expect(page.status).toBe(403);
    expect(page.data).toMatchObject({ refusal: "You can leave a review once the lesson is completed." });
  });

  it("a lesson that was not held (three minutes, the tutor for 12 s) is refused with why: 403, nothing saved", async () => {
    const start = new Date(Date.now() - 2 * HOUR);
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: start,
      sessionDuration: 30,
    });
    const sessionId = crypto.randomUUID();
    const endedAt = new Date(start.getTime() + 3 * 60_000);
    await db.lessonspaceSession.create({ data: { sessionId, bookingId: booking.id, startedAt: start, endedAt } });
    await db.lessonspaceAttendance.createMany({
      data: [
        {
          sessionId,
          profileId: tutor.id,
          joinedAt: start,
          leftAt: new Date(start.getTime() + 12_000),
          secondsPresent: 12,
        },
        { sessionId, profileId: child.id, joinedAt: start, leftAt: endedAt, secondsPresent: 180 },
      ],
    });
    const why =
      "Too short: Tara Tutor was in the classroom for 12 s and Charlie Child for 3 min; a lesson needs at least 6 min of both. Only a lesson that took place can be reviewed.";

    const page = await callLoader(review, reviewPath(booking.id), { params: { id: booking.id }, cookie: tutorCookie });
    expect(page.status).toBe(403);
    expect(page.data).toMatchObject({ refusal: why, review: null });
    for (const cookie of [tutorCookie, parentCookie]) {
      const result = await post(booking.id, { rating: "5", comment: "Great" }, cookie);
      expect(result.status).toBe(403);
      expect(errorsOf(result.data)[""]).toEqual([why]);
    }
    expect(await reviewsOf(booking.id)).toEqual([]);
  });

  it("a cancelled lesson cannot be reviewed", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() - 3 * HOUR),
      status: "Cancelled",
    });
    const result = await post(booking.id, { rating: "1" }, parentCookie);
    expect(result.status).toBe(403);
    expect(await reviewsOf(booking.id)).toEqual([]);
  });

  it("a stranger gets 404 and nothing is saved", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { rating: "1", comment: "spam" }, await signIn(stranger));
    expect(result.status).toBe(404);
    expect(await reviewsOf(booking.id)).toEqual([]);
  });

  it("a guardian who did not book the lesson gets 404", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { rating: "1" }, await signIn(grandparent));
    expect(result.status).toBe(404);
    expect(await reviewsOf(booking.id)).toEqual([]);
  });

  it("the assigned student is told only the tutor and the booker review, with 403", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { rating: "5" }, await signIn(child));
    expect(result.status).toBe(403);
    expect(errorsOf(result.data)[""]).toEqual(["Only the tutor and the person who booked the lesson can review it."]);
    expect(await reviewsOf(booking.id)).toEqual([]);
  });

  it("a signed-out visitor is sent to sign in", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { rating: "5" }, "");
    expect(result.status).toBe(302);
    expect(await reviewsOf(booking.id)).toEqual([]);
  });
});

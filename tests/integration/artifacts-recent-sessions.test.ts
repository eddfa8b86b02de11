import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { recentSessionsForTutor } from "~/.server/bookings/recent-sessions";
import { RecentSessions } from "~/components/bookings/RecentSessions";
import * as review from "~/routes/bookings.$id.review";
import * as upload from "~/routes/bookings.$id.snapshot.upload";
import { callAction, createBooking, createProfile, signIn, type TestProfile } from "../support/app.ts";
import { fileForm } from "./artifacts-helpers.ts";
import { PNG } from "./artifacts-images.ts";

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
let tutor: TestProfile, otherTutor: TestProfile, parent: TestProfile, child: TestProfile, adult: TestProfile;

beforeAll(async () => {
  [tutor, otherTutor, parent, child, adult] = await Promise.all([
    createProfile({ fullName: "Tara Tutor", timeZone: "America/New_York" }),
    createProfile({ fullName: "Tom Othertutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
    createProfile({ fullName: "Adam Adult" }),
  ]);
});

// Each test uses a tutor of its own so the lists do not see each other's bookings.
async function freshTutor() {
  return createProfile({ fullName: "Fresh Tutor", timeZone: "Europe/London" });
}

describe("recentSessionsForTutor", () => {
  it("lists the tutor's lessons of the last 14 days that were held and lack a snapshot or review, newest first", async () => {
    const me = await freshTutor();
    const now = new Date();
    const at = (ms: number) => new Date(now.getTime() + ms);
    const yesterday = await createBooking({
      clientId: parent.id,
      tutorId: me.id,
      studentId: child.id,
      sessionStartTime: at(-DAY),
      status: "Completed",
    });
    const adultLesson = await createBooking({ clientId: adult.id, tutorId: me.id, sessionStartTime: at(-3 * DAY) });
    await db.booking.update({
      where: { id: adultLesson.id },
      data: {
        outcome: "held",
        outcomeTutorSeconds: 3600,
        outcomeAttendeeSeconds: 3600,
        outcomeSettledAt: at(-2 * DAY),
      },
    });
    // Too short (both there, neither long enough): nothing to review or photograph.
    const tooShort = await createBooking({ clientId: adult.id, tutorId: me.id, sessionStartTime: at(-4 * DAY) });
    await db.booking.update({
      where: { id: tooShort.id },
      data: {
        outcome: "not_held",
        outcomeTutorSeconds: 12,
        outcomeAttendeeSeconds: 180,
        outcomeSettledAt: at(-3 * DAY),
      },
    });
    // Nobody came, outcome not settled yet: not held either.
    await createBooking({ clientId: parent.id, tutorId: me.id, sessionStartTime: at(-5 * DAY) });
    await createBooking({ clientId: parent.id, tutorId: me.id, sessionStartTime: at(-15 * DAY), status: "Completed" }); // too old
    await createBooking({ clientId: parent.id, tutorId: me.id, sessionStartTime: at(-20 * 60_000) }); // in progress
    await createBooking({ clientId: parent.id, tutorId: me.id, sessionStartTime: at(2 * HOUR) }); // upcoming
    await createBooking({ clientId: parent.id, tutorId: me.id, sessionStartTime: at(-2 * DAY), status: "Cancelled" });
    await createBooking({
      clientId: parent.id,
      tutorId: otherTutor.id,
      sessionStartTime: at(-DAY),
      status: "Completed",
    }); // not mine

    const sessions = await recentSessionsForTutor(me.id, now);
    expect(sessions.map((s) => s.bookingId)).toEqual([yesterday.id, adultLesson.id]);
    expect(sessions[0]).toMatchObject({
      attendeeName: "Charlie Child",
      hasSnapshot: false,
      hasReview: false,
      uploadPath: `/bookings/${yesterday.id}/snapshot/upload?returnTo=%2F`,
      reviewPath: `/bookings/${yesterday.id}/review?returnTo=%2F`,
    });
    expect(sessions[1]).toMatchObject({ attendeeName: "Adam Adult" });
  });

  it("shows times in the tutor's own time zone", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date("2026-03-10T15:00:00Z"),
      status: "Completed",
    });
    const sessions = await recentSessionsForTutor(tutor.id, new Date("2026-03-11T09:00:00Z"));
    expect(sessions.find((s) => s.bookingId === booking.id)?.when).toBe("Tue 10 Mar, 11:00");
  });

  it("asks for the lesson note until it is published (a draft does not count)", async () => {
    const me = await freshTutor();
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: me.id,
      sessionStartTime: new Date(Date.now() - DAY),
      status: "Completed",
    });
    expect(await recentSessionsForTutor(me.id, new Date())).toMatchObject([
      { bookingId: booking.id, hasNote: false, notePath: `/bookings/${booking.id}/note` },
    ]);
    await db.lessonNote.create({ data: { bookingId: booking.id, tutorId: me.id, covered: "Draft" } });
    expect(await recentSessionsForTutor(me.id, new Date())).toMatchObject([{ hasNote: false }]);
    await db.lessonNote.update({ where: { bookingId: booking.id }, data: { publishedAt: new Date() } });
    expect(await recentSessionsForTutor(me.id, new Date())).toMatchObject([{ hasNote: true }]);
  });

  it("a card leaves the widget once the tutor has uploaded a snapshot, left a review and published the note", async () => {
    const me = await freshTutor();
    const cookie = await signIn(me);
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: me.id,
      studentId: child.id,
      sessionStartTime: new Date(Date.now() - 2 * HOUR),
      status: "Completed",
    });
    expect(await recentSessionsForTutor(me.id, new Date())).toHaveLength(1);

    await callAction(upload, `/bookings/${booking.id}/snapshot/upload?returnTo=%2F`, {
      params: { id: booking.id },
      cookie,
      form: fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]),
    });
    expect(await recentSessionsForTutor(me.id, new Date())).toMatchObject([{ hasSnapshot: true, hasReview: false }]);

    const reviewed = await callAction(review, `/bookings/${booking.id}/review?returnTo=%2F`, {
      params: { id: booking.id },
      cookie,
      form: { rating: "5" },
    });
    expect(reviewed.headers.get("Location")).toBe("/");
    expect(await recentSessionsForTutor(me.id, new Date())).toMatchObject([{ hasReview: true, hasNote: false }]);
    await db.lessonNote.create({ data: { bookingId: booking.id, tutorId: me.id, publishedAt: new Date() } });
    expect(await recentSessionsForTutor(me.id, new Date())).toEqual([]);
  });

  it("the client's review does not count as the tutor's", async () => {
    const me = await freshTutor();
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: me.id,
      sessionStartTime: new Date(Date.now() - DAY),
      status: "Completed",
    });
    await db.review.create({ data: { bookingId: booking.id, reviewerId: parent.id, revieweeId: me.id, rating: 5 } });
    expect(await recentSessionsForTutor(me.id, new Date())).toMatchObject([
      { bookingId: booking.id, hasReview: false },
    ]);
  });

  it("is empty for someone who teaches nothing", async () => {
    expect(await recentSessionsForTutor(parent.id, new Date())).toEqual([]);
  });
});

describe("the RecentSessions widget", () => {
  const session = {
    bookingId: "b0000000-0000-4000-8000-00000000000a",
    serviceName: "GCSE Maths",
    attendeeName: "Charlie Brown",
    when: "Tue 10 Mar, 11:00",
    hasSnapshot: false,
    hasReview: false,
    hasNote: false,
    notePath: "/bookings/b0000000-0000-4000-8000-00000000000a/note",
    uploadPath: "/bookings/b0000000-0000-4000-8000-00000000000a/snapshot/upload?returnTo=%2F",
    reviewPath: "/bookings/b0000000-0000-4000-8000-00000000000a/review?returnTo=%2F",
  };
  const render = (sessions: (typeof session)[]) => renderToStaticMarkup(createElement(RecentSessions, { sessions }));

  const formTags = (html: string) => html.match(/<form[^>]*>/g) ?? [];

  it("asks about the session and offers a plain multipart upload form and a review link", () => {
    const html = render([session]);
    expect(html).toContain("How was your session with Charlie Brown?");
    const uploadForm = formTags(html).find((tag) => tag.includes(`action="${session.uploadPath}"`));
    expect(uploadForm).toMatch(/method="post"/);
    expect(uploadForm).toMatch(/enctype="multipart\/form-data"/i);
    expect(html).toMatch(/<input[^>]*type="file"[^>]*name="snapshot"/);
    expect(html).toContain("Upload Whiteboard Snapshot");
    expect(html).toContain(`<a class="button" href="${session.reviewPath}">Leave Review</a>`);
    expect(html).toContain(`<a class="button" href="${session.notePath}">Write the lesson note</a>`);
    // The dialog's form posts to the same review route, so the dialog and the page are one form.
    expect(formTags(html).find((tag) => tag.includes(`action="${session.reviewPath}"`))).toMatch(/method="post"/);
  });

  it("shows only what is still missing", () => {
    const html = render([{ ...session, hasSnapshot: true }]);
    expect(html).toContain("Whiteboard snapshot uploaded");
    expect(html).not.toContain('type="file"');
    expect(html).toContain("Leave Review");
  });

  it("renders nothing when every recent session is done", () => {
    expect(render([])).toBe("");
  });
});

// PostgreSQL text cannot hold U+0000 (error 22021): a NUL byte in any input must be refused or
// dropped before it reaches the database, never become a 500 (or a 503 that Lessonspace retries).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "~/.server/db";
import { fetchDueTranscripts } from "~/.server/transcripts/ingest";
import { signUnsubscribeToken } from "~/.server/notifications/unsubscribe-token";
import { NUL_MESSAGE } from "~/domain/plain-text";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import * as reviewRoute from "~/routes/bookings.$id.review";
import * as assignRoute from "~/routes/bookings.$id.student";
import * as lessonsRoute from "~/routes/lessons";
import * as notificationsRoute from "~/routes/settings.notifications";
import * as timeZoneRoute from "~/routes/settings.time-zone";
import * as signInRoute from "~/routes/sign-in";
import * as searchRoute from "~/routes/transcripts.search";
import * as unsubscribeRoute from "~/routes/unsubscribe";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type TestProfile,
} from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

vi.hoisted(() => {
  process.env.LESSONSPACE_SECRET = "organisation-wide-webhook-key";
});

const NUL = "\u0000";
let tutor: TestProfile, parent: TestProfile, child: TestProfile;
let tutorCookie: string, parentCookie: string;

beforeAll(async () => {
  [tutor, parent, child] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
  ]);
  await addGuardian(parent.id, child.id);
  [tutorCookie, parentCookie] = await Promise.all([signIn(tutor), signIn(parent)]);
});

const errorsOf = (data: unknown) => (data as { error: Record<string, string[]> }).error;

describe("a NUL byte in a form or a query string", () => {
  it("transcript search answers 400 with the form's message, and searches nothing", async () => {
    const result = await callLoader(searchRoute, `/transcripts/search?q=${encodeURIComponent(`frac${NUL}tions`)}`, {
      cookie: parentCookie,
    });
    expect(result.status).toBe(400);
    expect(result.data).toMatchObject({
      query: "fractions",
      error: "Search for words only: remove the control character (a NUL byte).",
      hits: null,
    });
    // Anywhere in the query, even alone.
    const alone = await callLoader(searchRoute, "/transcripts/search?q=%00", { cookie: parentCookie });
    expect(alone.status).toBe(400);
  });

  it("a review comment is refused with the field's message and nothing is saved", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: new Date(Date.now() - 2 * 3600_000),
      status: "Completed",
    });
    const result = await callAction(reviewRoute, `/bookings/${booking.id}/review`, {
      params: { id: booking.id },
      cookie: tutorCookie,
      form: { rating: "5", comment: `Good work${NUL}` },
    });
    expect(result.status).toBe(400);
    expect(errorsOf(result.data).comment).toEqual([NUL_MESSAGE]);
    expect(await db.review.count({ where: { bookingId: booking.id } })).toBe(0);
  });

  it("closed choices (sign-in e-mail, time zone, e-mail kinds, student, lessons filters, unsubscribe token) are a 400", async () => {
    const signInResult = await callAction(signInRoute, "/sign-in", {
      form: { email: `${parent.email}${NUL}`, password: "x", redirectTo: "/" },
    });
    expect(signInResult.status).toBe(400);

    const zone = await callAction(timeZoneRoute, "/settings/time-zone", {
      cookie: parentCookie,
      form: { timeZone: `Europe/London${NUL}`, returnTo: `/${NUL}` },
    });
    expect(zone.status).toBe(400);

    const kinds = await callAction(notificationsRoute, "/settings/notifications", {
      cookie: parentCookie,
      form: { enabled: `lesson_record${NUL}` },
    });
    expect(kinds.status).toBe(400);

    const unassigned = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: null });
    const assign = await callAction(assignRoute, `/bookings/${unassigned.id}/student`, {
      params: { id: unassigned.id },
      cookie: parentCookie,
      form: { studentId: `${child.id}${NUL}` },
    });
    expect(assign.status).toBe(400);

    for (const name of ["when", "status", "student", "from", "to", "size", "cursor"]) {
      const lessons = await callLoader(lessonsRoute, `/lessons?${name}=${encodeURIComponent(`x${NUL}`)}`, {
        cookie: parentCookie,
      });
      expect(lessons.status, name).toBe(400);
    }

    const token = signUnsubscribeToken({ profileId: parent.id, kind: "lesson_record" });
    const unsubscribe = await callLoader(
      unsubscribeRoute,
      `/unsubscribe?token=${encodeURIComponent(token.replace("u1.", `u1.${NUL}`))}`,
    );
    expect(unsubscribe.status).toBe(400);
  });
});

describe("a NUL byte from Lessonspace", () => {
  it("a signed delivery with one in an id, the event name or the transcript URL is refused or ignored, not retried", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
    const roomId = randomUUID();
    const secret = `space-secret-${randomUUID()}`;
    await db.lessonspaceSpace.create({
      data: { roomId, bookingId: booking.id, launchId: `booking-${booking.id}`, secret },
    });
    await db.booking.update({ where: { id: booking.id }, data: { meetingProviderId: roomId } });
    const bodies = [
      { event: "session.start", room: { id: `${roomId}${NUL}` }, session: { id: "s1" } },
      { event: `session.start${NUL}`, room: { id: roomId }, session: { id: "s1" } },
      { event: "session.start", room: { id: roomId }, session: { id: `s${NUL}2` } },
      {
        event: "transcription.finish",
        room: { id: roomId },
        session: { id: "s3" },
        transcription: { url: `https://files.test/t.json${NUL}` },
      },
    ];
    const statuses = [];
    for (const json of bodies) {
      const body = JSON.stringify(json);
      const result = await callAction(webhookRoute, "/api/webhooks/lessonspace", {
        body,
        headers: {
          "Content-Type": "application/json",
          "x-webhook-id": randomUUID(),
          "x-webhook-signature": signWebhook(body, secret),
        },
      });
      statuses.push(result.status);
    }
    expect(
      statuses.every((status) => status < 500),
      String(statuses),
    ).toBe(true);
    expect(await db.lessonspaceSession.count({ where: { bookingId: booking.id } })).toBe(0);
    expect(await db.transcriptFetch.count({ where: { session: { bookingId: booking.id } } })).toBe(0);
  });

  it("a transcript with NUL bytes in its text and names is stored without them", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: new Date(Date.now() - 2 * 3600_000),
    });
    const sessionId = randomUUID();
    await db.lessonspaceSession.create({ data: { sessionId, bookingId: booking.id, startedAt: new Date() } });
    const url = testStandIns.lessonspace.publishTranscriptFile(
      JSON.stringify([
        {
          start_time: 0,
          end_time: 4,
          user: { id: child.id, name: `Char${NUL}lie` },
          breakout_id: null,
          text: `Photo${NUL}synthesis`,
        },
      ]),
    );
    await db.transcriptFetch.create({ data: { sessionId, url, deliveryId: randomUUID() } });
    await fetchDueTranscripts(new Date(), 10);
    expect(await db.transcriptFetch.findUniqueOrThrow({ where: { sessionId } })).toMatchObject({ status: "done" });
    expect(
      await db.transcriptSegment.findMany({ where: { sessionId }, select: { text: true, speakerName: true } }),
    ).toEqual([{ text: "Photosynthesis", speakerName: "Charlie" }]);
  });
});

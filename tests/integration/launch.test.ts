// Join Lesson end to end at the route level: who enters the room under which name, the room that
// is stored, every refusal (with Lessonspace never asked), and the embedded classroom page.
import { describe, expect, it, vi } from "vitest";

// Tests here launch many times as one person; the limit itself is tested in launch-rate-limit.test.ts.
vi.hoisted(() => {
  process.env.LAUNCH_RATE_LIMIT_PER_MINUTE = "1000";
});

import { db } from "~/.server/db";
import { readHandover } from "~/.server/lessonspace/launch";
import { launchIdFor } from "~/.server/lessonspace/client";
import { APP_URL, callLoader, makeRequest } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import {
  classroomRoute,
  createFamily,
  createOpenLesson,
  errorPageText,
  lastLaunchBody,
  launchesFor,
  launchRoute,
  minutesFromNow,
  openClassroom,
  postLaunchForm,
  postLaunchJson,
  storedState,
} from "./launch-support.ts";

describe("who enters the room", () => {
  it("the tutor joins as leader under their own name, and the form post lands on our classroom page", async () => {
    const family = await createFamily({ tutor: "Tara Singh" });
    const lesson = await createOpenLesson(family);
    const result = await postLaunchForm(lesson.id, family.cookies.tutor);
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(`/bookings/${lesson.id}/classroom`);
    const body = lastLaunchBody(lesson.id);
    expect(body.user).toMatchObject({
      id: family.tutor.id,
      name: "Tara Singh",
      email: family.tutor.email,
      leader: true,
    });
  });

  it("a client with no student assigned joins under the client's own name (adult learner)", async () => {
    const family = await createFamily({ parent: "Adam Okafor" });
    const lesson = await createOpenLesson(family, { studentId: null });
    expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(303);
    expect(lastLaunchBody(lesson.id).user).toMatchObject({ id: family.parent.id, name: "Adam Okafor", leader: false });
  });

  it("a client whose child is assigned joins under the child's name", async () => {
    const family = await createFamily({ parent: "Paula Brown", child: "Charlie Brown" });
    const lesson = await createOpenLesson(family);
    expect((await postLaunchForm(lesson.id, family.cookies.parent)).status).toBe(303);
    const body = lastLaunchBody(lesson.id);
    expect(body.user).toMatchObject({
      id: family.child.id,
      name: "Charlie Brown",
      email: family.child.email,
      leader: false,
    });
  });

  it("the assigned student joins under their own name", async () => {
    const family = await createFamily({ child: "Charlie Brown" });
    const lesson = await createOpenLesson(family);
    expect((await postLaunchForm(lesson.id, family.cookies.child)).status).toBe(303);
    expect(lastLaunchBody(lesson.id).user).toMatchObject({ id: family.child.id, name: "Charlie Brown", leader: false });
  });

  it("Lessonspace gets our deterministic id, the join window as timeouts, recording and transcription on, guests off and our webhook URL", async () => {
    const family = await createFamily({ tutor: "Tara Singh" });
    // A child's transcripts and summaries are off until the family opts in (docs/decisions/0070-consent-per-learner.md).
    await db.learnerConsent.create({
      data: {
        learnerId: family.child.id,
        recording: true,
        transcription: true,
        summaries: true,
        setById: family.parent.id,
      },
    });
    const start = minutesFromNow(-5);
    const lesson = await createOpenLesson(family, {
      sessionStartTime: start,
      sessionDuration: 45,
      serviceName: "KS3 Science",
    });
    await postLaunchForm(lesson.id, family.cookies.tutor);
    const [launch] = launchesFor(lesson.id);
    expect(launch!.path).toBe("/v2/spaces/launch/");
    expect(launch!.authorized).toBe(true);
    const body = lastLaunchBody(lesson.id);
    expect(body.id).toBe(`booking-${lesson.id}`);
    expect(body.name).toBe("KS3 Science with Tara Singh");
    expect(body.timeouts).toEqual({
      not_before: new Date(start.getTime() - 15 * 60_000).toISOString(),
      not_after: new Date(start.getTime() + 60 * 60_000).toISOString(),
    });
    expect(body).toMatchObject({
      record_av: true,
      record_content: true,
      allow_guests: false,
      transcribe: true,
      summarise: true,
    });
    const hook = `${APP_URL}/api/webhooks/lessonspace`;
    expect(body.webhooks).toEqual({
      session: { start: hook, end: hook },
      user: { join: hook, leave: hook },
      transcription: { finish: hook },
    });
    // The stand-in remembers it, as Lessonspace would: transcription is per launch.
    expect(testStandIns.lessonspace.spaces.get(`booking-${lesson.id}`)!.transcribe).toBe(true);
    expect(testStandIns.lessonspace.spaces.get(`booking-${lesson.id}`)!.summarise).toBe(true);
  });
});

describe("the room of a booking", () => {
  it("the first launch stores the room id and space secret; the second participant gets the same room and nothing is rewritten", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    expect((await storedState(lesson.id)).booking?.meetingProviderId).toBeNull();

    const first = await postLaunchJson(lesson.id, family.cookies.tutor);
    expect(first.status).toBe(200);
    const space = testStandIns.lessonspace.spaces.get(launchIdFor(lesson.id))!;
    const afterFirst = await storedState(lesson.id);
    expect(afterFirst.booking?.meetingProviderId).toBe(space.roomId);
    expect(afterFirst.spaces).toHaveLength(1);
    expect(afterFirst.spaces[0]).toMatchObject({
      roomId: space.roomId,
      launchId: `booking-${lesson.id}`,
      secret: space.secret,
    });

    const second = await postLaunchJson(lesson.id, family.cookies.parent);
    expect(second.status).toBe(200);
    expect(new URL(second.body.url!).pathname).toBe(new URL(first.body.url!).pathname);
    expect(second.body.url).not.toBe(first.body.url); // each person's own link
    expect(await storedState(lesson.id)).toEqual(afterFirst);
  });

  it("20 concurrent first launches of one booking store one room id and all 20 get a URL", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const people = [family.cookies.tutor, family.cookies.parent, family.cookies.child];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => postLaunchJson(lesson.id, people[i % 3])));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const roomIds = new Set(results.map((r) => new URL(r.body.url!).pathname.split("/")[2]));
    expect(roomIds.size).toBe(1);
    const { booking, spaces } = await storedState(lesson.id);
    expect(spaces).toHaveLength(1);
    expect(booking?.meetingProviderId).toBe([...roomIds][0]);
    expect(spaces[0]!.roomId).toBe([...roomIds][0]);
    expect(launchesFor(lesson.id)).toHaveLength(20);
  });

  it("meeting_url holds our stable booking page, never anyone's client_url", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const urls = [];
    for (const cookie of [family.cookies.tutor, family.cookies.parent, family.cookies.child]) {
      urls.push((await postLaunchJson(lesson.id, cookie)).body.url);
    }
    const { booking } = await storedState(lesson.id);
    expect(booking?.meetingUrl).toBe(`${APP_URL}/bookings/${lesson.id}`);
    expect(urls).not.toContain(booking?.meetingUrl);
    expect(booking?.meetingUrl).not.toContain(new URL(testStandIns.lessonspace.url).host);
  });

  it("Accept: application/json answers { url } with the stand-in's client_url, never cached", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const result = await postLaunchJson(lesson.id, family.cookies.parent);
    expect(result.status).toBe(200);
    expect(Object.keys(result.body)).toEqual(["url"]);
    expect(result.body.url!.startsWith(`${testStandIns.lessonspace.url}/room/`)).toBe(true);
    expect(result.headers.get("Cache-Control")).toBe("no-store");
  });

  it("the form post hands the fresh link to the classroom page in a short-lived HttpOnly cookie scoped to that page", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const result = await postLaunchForm(lesson.id, family.cookies.parent);
    const handover = result.headers.getSetCookie().find((line) => line.startsWith("tw_classroom_link="));
    expect(handover).toBeDefined();
    expect(handover).toMatch(/HttpOnly/i);
    expect(handover).toMatch(/SameSite=Lax/i);
    expect(handover).toMatch(new RegExp(`Path=/bookings/${lesson.id}/classroom`));
    expect(handover).toMatch(/Max-Age=60/);
  });
});

describe("refusals: a readable page, no row changed, Lessonspace never asked", () => {
  async function expectRefused(
    bookingId: string,
    cookie: string | undefined,
    expected: { status: number; text: RegExp[] },
    rowBefore?: Awaited<ReturnType<typeof storedState>>,
  ) {
    const result = await postLaunchForm(bookingId, cookie);
    expect(result.status).toBe(expected.status);
    const text = errorPageText(launchRoute, result);
    for (const pattern of expected.text) expect(text).toMatch(pattern);
    expect(text).toMatch(/Back to your lessons/);
    expect(launchesFor(bookingId)).toEqual([]);
    if (rowBefore) expect(await storedState(bookingId)).toEqual(rowBefore);
    return { result, text };
  }

  it("a signed-out form post goes to sign-in, and back to the lesson's page afterwards", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const before = await storedState(lesson.id);
    const result = await postLaunchForm(lesson.id);
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(`/sign-in?redirectTo=${encodeURIComponent(`/bookings/${lesson.id}`)}`);
    expect(launchesFor(lesson.id)).toEqual([]);
    expect(await storedState(lesson.id)).toEqual(before);
  });

  it("a signed-out JSON launch is a 401 with a message", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const result = await postLaunchJson(lesson.id);
    expect(result.status).toBe(401);
    expect(result.body.error?.code).toBe("signed-out");
    expect(launchesFor(lesson.id)).toEqual([]);
  });

  it("a stranger gets the not-found page (404) and Lessonspace is not called", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await expectRefused(
      lesson.id,
      family.cookies.stranger,
      { status: 404, text: [/We could not find this lesson/, /not one of your lessons/] },
      await storedState(lesson.id),
    );
  });

  it("an unknown booking id is the same 404", async () => {
    const family = await createFamily();
    await expectRefused("0b7f4c4e-1d7e-4a43-9a57-3c1b0e0e0e0e", family.cookies.parent, {
      status: 404,
      text: [/We could not find this lesson/],
    });
  });

  it("a malformed booking id is the same 404", async () => {
    const family = await createFamily();
    await expectRefused("not-a-uuid", family.cookies.parent, { status: 404, text: [/We could not find this lesson/] });
    expect(testStandIns.lessonspace.launches.filter((l) => JSON.stringify(l.body).includes("not-a-uuid"))).toEqual([]);
  });

  it("before the window opens: 409 saying when it opens, in the viewer's own time zone", async () => {
    const family = await createFamily({}, "America/New_York");
    const start = minutesFromNow(3 * 60);
    const lesson = await createOpenLesson(family, { sessionStartTime: start });
    const opensAt = new Date(start.getTime() - 15 * 60_000);
    const clock = (timeZone: string) =>
      new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone }).format(opensAt);
    const { text } = await expectRefused(
      lesson.id,
      family.cookies.parent,
      {
        status: 409,
        text: [
          /The classroom is not open yet/,
          new RegExp(`It opens on .*${clock("America/New_York")}`),
          /15 minutes before/,
        ],
      },
      await storedState(lesson.id),
    );
    expect(text).not.toContain(clock("Europe/London"));
  });

  it("one second before the window opens is still refused", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family, { sessionStartTime: new Date(Date.now() + 15 * 60_000 + 2_000) });
    await expectRefused(
      lesson.id,
      family.cookies.tutor,
      { status: 409, text: [/not open yet/] },
      await storedState(lesson.id),
    );
  });

  it("after the window closes: 409 saying the lesson has ended", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family, { sessionStartTime: minutesFromNow(-76), sessionDuration: 60 });
    await expectRefused(
      lesson.id,
      family.cookies.parent,
      { status: 409, text: [/This lesson has ended/, /classroom has closed/] },
      await storedState(lesson.id),
    );
  });

  it("a cancelled booking: 409 saying it was cancelled, even inside its time", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family, { status: "Cancelled" });
    await expectRefused(
      lesson.id,
      family.cookies.parent,
      { status: 409, text: [/This lesson was cancelled/] },
      await storedState(lesson.id),
    );
  });

  it("a declined booking: 409 saying it was declined", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family, { status: "Declined" });
    await expectRefused(
      lesson.id,
      family.cookies.tutor,
      { status: 409, text: [/This lesson was declined/] },
      await storedState(lesson.id),
    );
  });

  it("a booking the tutor has not confirmed: 409 saying so", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family, { status: "Pending" });
    await expectRefused(
      lesson.id,
      family.cookies.parent,
      { status: 409, text: [/not confirmed yet/] },
      await storedState(lesson.id),
    );
  });

  it("the JSON variant refuses the same way, with the same words", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family, { status: "Cancelled" });
    const result = await postLaunchJson(lesson.id, family.cookies.parent);
    expect(result.status).toBe(409);
    expect(result.body.error).toMatchObject({ code: "cancelled", title: "This lesson was cancelled" });
    expect(launchesFor(lesson.id)).toEqual([]);
  });

  it("a GET of the launch address launches nothing and goes to the lesson's page", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const result = await callLoader(launchRoute, `/api/bookings/${lesson.id}/launch`, {
      cookie: family.cookies.parent,
      params: { id: lesson.id },
    });
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(`/bookings/${lesson.id}`);
    expect(launchesFor(lesson.id)).toEqual([]);
  });
});

describe("the embedded classroom page", () => {
  type ClassroomData = {
    serviceName: string;
    tutorName: string;
    attendeeName: string;
    leader: boolean;
    clientUrl: string;
    timeLeft: string;
  };

  it("frames the stand-in's client_url made for the child when the parent opens it, and is never cached", async () => {
    const family = await createFamily({ tutor: "Tara Singh", child: "Charlie Brown" });
    const lesson = await createOpenLesson(family, {
      serviceName: "GCSE Maths",
      sessionStartTime: minutesFromNow(-5),
      sessionDuration: 60,
    });
    const result = await openClassroom(lesson.id, family.cookies.parent);
    expect(result.status).toBe(200);
    expect(result.headers.get("Cache-Control")).toBe("no-store");
    expect(classroomRoute.headers({ loaderHeaders: result.headers } as never)).toMatchObject({
      "Cache-Control": "no-store",
    });
    const page = result.data as ClassroomData;
    expect(page).toMatchObject({
      serviceName: "GCSE Maths",
      tutorName: "Tara Singh",
      attendeeName: "Charlie Brown",
      leader: false,
      timeLeft: "55 min left",
    });
    expect(page.clientUrl.startsWith(`${testStandIns.lessonspace.url}/room/`)).toBe(true);
    expect(lastLaunchBody(lesson.id).user).toMatchObject({ id: family.child.id, name: "Charlie Brown" });

    // The link really is the child's: the stand-in's classroom greets them by name.
    const classroom = await fetch(page.clientUrl);
    expect(await classroom.text()).toMatch(/You are <strong>Charlie Brown<\/strong>/);
  });

  it("uses the link the launch action handed over without asking Lessonspace again", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const posted = await postLaunchForm(lesson.id, family.cookies.tutor);
    const handover = posted.headers
      .getSetCookie()
      .find((line) => line.startsWith("tw_classroom_link="))!
      .split(";")[0];
    expect(launchesFor(lesson.id)).toHaveLength(1);
    const result = await openClassroom(lesson.id, `${family.cookies.tutor}; ${handover}`);
    expect(result.status).toBe(200);
    expect(launchesFor(lesson.id)).toHaveLength(1);
    expect((result.data as ClassroomData).leader).toBe(true);
    // Used once: the page clears it, so a reload asks for a fresh link.
    expect(result.headers.getSetCookie().some((line) => /^tw_classroom_link=;.*Max-Age=0/i.test(line))).toBe(true);
  });

  it("without a handed-over link (a reload) it launches again: same room, a fresh link", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const first = await openClassroom(lesson.id, family.cookies.parent);
    const second = await openClassroom(lesson.id, family.cookies.parent);
    expect(launchesFor(lesson.id)).toHaveLength(2);
    const [a, b] = [first.data as ClassroomData, second.data as ClassroomData];
    expect(new URL(a.clientUrl).pathname).toBe(new URL(b.clientUrl).pathname);
  });

  it("ignores a handed-over link made for someone else", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const posted = await postLaunchForm(lesson.id, family.cookies.tutor);
    const tutorsLink = posted.headers
      .getSetCookie()
      .find((line) => line.startsWith("tw_classroom_link="))!
      .split(";")[0];
    const result = await openClassroom(lesson.id, `${family.cookies.parent}; ${tutorsLink}`);
    expect(result.status).toBe(200);
    const page = result.data as ClassroomData;
    expect(page).toMatchObject({ attendeeName: family.child.fullName, leader: false });
    expect(launchesFor(lesson.id)).toHaveLength(2);
    expect(lastLaunchBody(lesson.id).user.id).toBe(family.child.id);
  });

  it("ignores a tampered handed-over link", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const posted = await postLaunchForm(lesson.id, family.cookies.parent);
    const cookie = posted.headers
      .getSetCookie()
      .find((line) => line.startsWith("tw_classroom_link="))!
      .split(";")[0]!;
    const [name, value] = cookie.split("=") as [string, string];
    const [payload, signature] = value.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, u: "https://evil.example/room" })).toString("base64url");
    const result = await openClassroom(lesson.id, `${family.cookies.parent}; ${name}=${forged}.${signature}`);
    expect(result.status).toBe(200);
    expect((result.data as ClassroomData).clientUrl.startsWith(testStandIns.lessonspace.url)).toBe(true);
  });

  it("a handed-over link lives one minute", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const posted = await postLaunchForm(lesson.id, family.cookies.parent);
    const handover = posted.headers
      .getSetCookie()
      .find((line) => line.startsWith("tw_classroom_link="))!
      .split(";")[0]!;
    const request = makeRequest(`/bookings/${lesson.id}/classroom`, { cookie: handover });
    const url = readHandover(request, lesson.id, family.parent.id, new Date(Date.now() + 55_000));
    expect(url?.startsWith(testStandIns.lessonspace.url)).toBe(true);
    expect(readHandover(request, lesson.id, family.parent.id, new Date(Date.now() + 61_000))).toBeNull();
    expect(readHandover(request, "0b7f4c4e-1d7e-4a43-9a57-3c1b0e0e0e0e", family.parent.id, new Date())).toBeNull();
  });

  it("refuses outside the window with the same 409 page, without calling Lessonspace", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family, { sessionStartTime: minutesFromNow(-80), sessionDuration: 60 });
    const before = await storedState(lesson.id);
    const result = await openClassroom(lesson.id, family.cookies.parent);
    expect(result.status).toBe(409);
    expect(errorPageText(classroomRoute, result)).toMatch(/This lesson has ended/);
    expect(launchesFor(lesson.id)).toEqual([]);
    expect(await storedState(lesson.id)).toEqual(before);
  });

  it("refuses a stranger with a 404 page", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const result = await openClassroom(lesson.id, family.cookies.stranger);
    expect(result.status).toBe(404);
    expect(errorPageText(classroomRoute, result)).toMatch(/We could not find this lesson/);
    expect(launchesFor(lesson.id)).toEqual([]);
  });

  it("sends a signed-out visitor to sign-in and back to the classroom", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const result = await openClassroom(lesson.id);
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe(
      `/sign-in?redirectTo=${encodeURIComponent(`/bookings/${lesson.id}/classroom`)}`,
    );
    expect(launchesFor(lesson.id)).toEqual([]);
  });
});

describe("database writes", () => {
  it("a launch by the second participant leaves the booking's updated_at alone", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await postLaunchJson(lesson.id, family.cookies.tutor);
    const before = await db.booking.findUniqueOrThrow({ where: { id: lesson.id } });
    await postLaunchJson(lesson.id, family.cookies.child);
    const after = await db.booking.findUniqueOrThrow({ where: { id: lesson.id } });
    expect(after.updatedAt).toEqual(before.updatedAt);
  });
});

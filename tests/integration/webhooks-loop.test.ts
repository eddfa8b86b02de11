// The whole loop on one machine: the Lessonspace stand-in's classroom sends its signed webhooks
// over HTTP to our webhook route, and the parent then opens the recording through our route.
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { RouterContextProvider } from "react-router";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { playbackReference } from "~/.server/lessonspace/client";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import * as recordingRoute from "~/routes/bookings.$id.recording";
import { callLoader, createBooking, createProfile, signIn, type TestProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

type Served = ReturnType<typeof serve>;
let server: Served;
let webhookUrl: string;
let tutor: TestProfile;
let parent: TestProfile;
let child: TestProfile;

beforeAll(async () => {
  // Our webhook route behind a real HTTP listener, the way Lessonspace reaches it.
  server = await new Promise<Served>((resolve) => {
    const s = serve(
      {
        fetch: (request) => webhookRoute.action({ request, params: {}, context: new RouterContextProvider() } as never),
        port: 0,
        hostname: "127.0.0.1",
      },
      () => resolve(s),
    );
  });
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/lessonspace`;
  [tutor, parent, child] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
  ]);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

type Launched = { client_url: string; room_id: string; secret: string; session_id: string };

async function launch(launchId: string, user: TestProfile, leader: boolean): Promise<Launched> {
  const response = await fetch(`${testStandIns.lessonspace.url}/v2/spaces/launch/`, {
    method: "POST",
    headers: { Authorization: "Organisation test-lessonspace-key", "Content-Type": "application/json" },
    body: JSON.stringify({
      id: launchId,
      name: "GCSE Maths",
      user: { id: user.id, name: user.fullName, leader },
      record_av: true,
      webhooks: { session: { start: webhookUrl, end: webhookUrl }, user: { join: webhookUrl, leave: webhookUrl } },
    }),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as Launched;
}

/** Presses a classroom button (a plain form post with the page's token). */
async function press(clientUrl: string, action: "leave" | "end") {
  const url = new URL(clientUrl);
  const response = await fetch(`${url.origin}${url.pathname}/${action}`, {
    method: "POST",
    body: new URLSearchParams({ token: url.searchParams.get("token")! }),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
}

describe("tutor and child in the stand-in classroom, the tutor ends the lesson", () => {
  it("the booking gets its session, duration, attendance and a working recording", async () => {
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
    const launchId = `booking-${booking.id}`;
    const asTutor = await launch(launchId, tutor, true);
    const asChild = await launch(launchId, child, false);
    await db.lessonspaceSpace.create({
      data: { roomId: asTutor.room_id, bookingId: booking.id, launchId, secret: asTutor.secret },
    });

    await (await fetch(asTutor.client_url)).text();
    await (await fetch(asChild.client_url)).text();
    await sleep(1100);
    await press(asChild.client_url, "leave");
    await sleep(1100);
    await press(asTutor.client_url, "end");
    await testStandIns.lessonspace.idle();

    const deliveries = testStandIns.lessonspace.deliveries.filter((d) => d.roomId === asTutor.room_id);
    expect(deliveries.map((d) => [d.event, d.status])).toEqual([
      ["session.start", 200],
      ["user.join", 200],
      ["user.join", 200],
      ["user.leave", 200],
      ["user.leave", 200],
      ["session.end", 200],
    ]);
    const bodies = deliveries.map((d) => JSON.parse(d.body));
    const end = bodies.at(-1);
    const sessionId: string = end.session.id;
    const seconds = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);
    const timeOf = (event: string, userId: string) =>
      bodies.find((b) => b.event === event && b.user?.id === userId).timestamp as string;
    const sessionSeconds = seconds(end.session.start_time, end.session.end_time);

    const session = await db.lessonspaceSession.findUniqueOrThrow({ where: { sessionId } });
    expect(session).toMatchObject({
      bookingId: booking.id,
      startedAt: new Date(end.session.start_time),
      endedAt: new Date(end.session.end_time),
      durationSeconds: sessionSeconds,
      recordingAvailable: true,
    });
    const attendance = await db.lessonspaceAttendance.findMany({
      where: { sessionId },
      select: { profileId: true, secondsPresent: true },
    });
    expect(Object.fromEntries(attendance.map((a) => [a.profileId, a.secondsPresent]))).toEqual({
      [tutor.id]: seconds(timeOf("user.join", tutor.id), timeOf("user.leave", tutor.id)),
      [child.id]: seconds(timeOf("user.join", child.id), timeOf("user.leave", child.id)),
    });
    const stored = await db.booking.findUniqueOrThrow({ where: { id: booking.id } });
    expect(stored.durationActual).toBe(sessionSeconds);
    expect(stored.recordingUrl).toBe(playbackReference(sessionId));
    expect(await db.webhookEvent.count({ where: { roomId: asTutor.room_id } })).toBe(6);

    const cookie = await signIn(parent);
    const result = await callLoader(recordingRoute, `/bookings/${booking.id}/recording`, {
      cookie,
      params: { id: booking.id },
    });
    expect(result.status).toBe(302);
    const recording = await fetch(result.headers.get("Location")!);
    expect(recording.status).toBe(200);
    expect(recording.headers.get("content-type")).toBe("video/mp4");
  });
});

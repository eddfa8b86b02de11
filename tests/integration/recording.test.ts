import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { playbackReference } from "~/.server/lessonspace/client";
import * as recordingRoute from "~/routes/bookings.$id.recording";
import { addGuardian, callLoader, createBooking, createProfile, signIn, type TestProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

let tutor: TestProfile;
let client: TestProfile;
let student: TestProfile;
let guardian: TestProfile;
let pendingGuardian: TestProfile;
let stranger: TestProfile;
const cookies = new Map<string, string>();

beforeAll(async () => {
  [tutor, client, student, guardian, pendingGuardian, stranger] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
    createProfile({ fullName: "Gina Guardian" }),
    createProfile({ fullName: "Pat Pending" }),
    createProfile({ fullName: "Sam Stranger" }),
  ]);
  await addGuardian(guardian.id, student.id, "ACTIVE");
  await addGuardian(pendingGuardian.id, student.id, "PENDING");
  for (const person of [tutor, client, student, guardian, pendingGuardian, stranger])
    cookies.set(person.id, await signIn(person));
});

afterEach(() => {
  testStandIns.lessonspace.setFault(null);
});

/** A session held in the stand-in classroom; ended (so its recording is ready) unless asked not to. */
async function lessonspaceSession({ end = true } = {}): Promise<string> {
  const response = await fetch(`${testStandIns.lessonspace.url}/v2/spaces/launch/`, {
    method: "POST",
    headers: { Authorization: "Organisation test-lessonspace-key", "Content-Type": "application/json" },
    body: JSON.stringify({
      id: `rec-${randomUUID()}`,
      user: { id: tutor.id, name: tutor.fullName, leader: true },
      record_av: true,
    }),
  });
  const launched = (await response.json()) as { client_url: string; room_id: string; session_id: string };
  await (await fetch(launched.client_url)).text();
  if (end) await testStandIns.lessonspace.endSession(launched.room_id);
  return launched.session_id;
}

async function bookingWithRecording(recordingUrl: string | null) {
  const booking = await createBooking({
    clientId: client.id,
    tutorId: tutor.id,
    studentId: student.id,
    status: "Completed",
  });
  await db.booking.update({ where: { id: booking.id }, data: { recordingUrl, durationActual: 3000 } });
  return booking.id;
}

function view(bookingId: string, viewer: TestProfile | null) {
  return callLoader(recordingRoute, `/bookings/${bookingId}/recording`, {
    params: { id: bookingId },
    cookie: viewer ? cookies.get(viewer.id) : undefined,
  });
}

describe("View Recording", () => {
  it("a participant is redirected to a fresh recording link from Lessonspace, which plays", async () => {
    const sessionId = await lessonspaceSession();
    const bookingId = await bookingWithRecording(playbackReference(sessionId));
    const result = await view(bookingId, client);
    expect(result.status).toBe(302);
    const location = result.headers.get("Location")!;
    expect(location.startsWith(`${testStandIns.lessonspace.url}/recordings/${sessionId}?`)).toBe(true);
    expect(result.headers.get("Cache-Control")).toBe("private, no-store");
    const recording = await fetch(location);
    expect(recording.status).toBe(200);
    expect(recording.headers.get("content-type")).toBe("video/mp4");
  });

  it("the tutor and the assigned student are let in too", async () => {
    const sessionId = await lessonspaceSession();
    const bookingId = await bookingWithRecording(playbackReference(sessionId));
    expect((await view(bookingId, tutor)).status).toBe(302);
    expect((await view(bookingId, student)).status).toBe(302);
  });

  it("an active guardian of the student is let in", async () => {
    const sessionId = await lessonspaceSession();
    const bookingId = await bookingWithRecording(playbackReference(sessionId));
    const result = await view(bookingId, guardian);
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toContain(`/recordings/${sessionId}?`);
  });

  it("a guardian whose link is still pending gets 404", async () => {
    const bookingId = await bookingWithRecording(playbackReference(await lessonspaceSession()));
    const result = await view(bookingId, pendingGuardian);
    expect(result.status).toBe(404);
    expect(result.headers.get("Location")).toBeNull();
  });

  it("a stranger gets 404, the same as a booking that does not exist", async () => {
    const bookingId = await bookingWithRecording(playbackReference(await lessonspaceSession()));
    expect((await view(bookingId, stranger)).status).toBe(404);
    expect((await view(randomUUID(), client)).status).toBe(404);
    expect((await view("not-a-uuid", client)).status).toBe(404);
  });

  it("someone signed out is sent to sign in and brought back", async () => {
    const bookingId = await bookingWithRecording(null);
    const result = await view(bookingId, null);
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe(
      `/sign-in?redirectTo=${encodeURIComponent(`/bookings/${bookingId}/recording`)}`,
    );
  });

  it("a booking without a recording shows a friendly 404 page, not an error", async () => {
    const bookingId = await bookingWithRecording(null);
    const result = await view(bookingId, client);
    expect(result.status).toBe(404);
    expect(result.data).toMatchObject({ state: "none", booking: { id: bookingId } });
  });

  it("a recording that is not ready yet shows 'being prepared' with a retry", async () => {
    const sessionId = await lessonspaceSession({ end: false });
    const bookingId = await bookingWithRecording(playbackReference(sessionId));
    const result = await view(bookingId, client);
    expect(result.status).toBe(202);
    expect(result.headers.get("Retry-After")).toBe("30");
    expect(result.data).toMatchObject({ state: "not-ready" });
  });

  it("Lessonspace being down shows a friendly 503 page", async () => {
    const bookingId = await bookingWithRecording(playbackReference(await lessonspaceSession()));
    testStandIns.lessonspace.setFault({ kind: "500", scope: "api" });
    const result = await view(bookingId, client);
    expect(result.status).toBe(503);
    expect(result.data).toMatchObject({ state: "unavailable" });
  });

  it("Lessonspace refusing our key shows a friendly 502 page", async () => {
    const bookingId = await bookingWithRecording(playbackReference(await lessonspaceSession()));
    testStandIns.lessonspace.setFault({ kind: "401", scope: "api" });
    const result = await view(bookingId, client);
    expect(result.status).toBe(502);
    expect(result.data).toMatchObject({ state: "failed" });
  });

  it("a stored reference that is not a Lessonspace playback reference is never followed or redirected to", async () => {
    const bookingId = await bookingWithRecording("https://evil.example/steal");
    const result = await view(bookingId, client);
    expect(result.status).toBe(502);
    expect(result.headers.get("Location")).toBeNull();
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import * as snapshot from "~/routes/bookings.$id.snapshot";
import * as upload from "~/routes/bookings.$id.snapshot.upload";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type TestProfile,
} from "../support/app.ts";
import { fileForm } from "./artifacts-helpers.ts";
import { JPEG, PNG } from "./artifacts-images.ts";

const HOUR = 60 * 60_000;
let tutor: TestProfile,
  parent: TestProfile,
  child: TestProfile,
  guardian: TestProfile,
  pendingGuardian: TestProfile,
  stranger: TestProfile;
let tutorCookie: string;

beforeAll(async () => {
  [tutor, parent, child, guardian, pendingGuardian, stranger] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
    createProfile({ fullName: "Gran Guardian" }),
    createProfile({ fullName: "Pending Guardian" }),
    createProfile({ fullName: "Sam Stranger" }),
  ]);
  await addGuardian(parent.id, child.id);
  await addGuardian(guardian.id, child.id);
  await addGuardian(pendingGuardian.id, child.id, "PENDING");
  tutorCookie = await signIn(tutor);
});

async function lessonWithSnapshot(bytes: Uint8Array = PNG, name = "board.png") {
  const booking = await createBooking({
    clientId: parent.id,
    tutorId: tutor.id,
    studentId: child.id,
    sessionStartTime: new Date(Date.now() - 2 * HOUR),
    status: "Completed",
  });
  const result = await callAction(upload, `/bookings/${booking.id}/snapshot/upload`, {
    params: { id: booking.id },
    cookie: tutorCookie,
    form: fileForm([{ name, type: "image/png", bytes }]),
  });
  expect(result.status).toBe(303);
  return booking;
}

function get(bookingId: string, cookie: string, headers: Record<string, string> = {}) {
  return callLoader(snapshot, `/bookings/${bookingId}/snapshot`, { params: { id: bookingId }, cookie, headers });
}

async function bytesOf(result: { response: Response | null }) {
  return Buffer.from(await result.response!.arrayBuffer());
}

describe("the snapshot route", () => {
  it.each([
    ["the tutor", () => tutorCookie],
    ["the client (parent)", () => signIn(parent)],
    ["the assigned student", () => signIn(child)],
    ["another active guardian of the student", () => signIn(guardian)],
  ])("%s gets the image bytes with safe headers", async (_who, cookieFor) => {
    const booking = await lessonWithSnapshot();
    const result = await get(booking.id, await cookieFor());
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("image/png");
    expect(result.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(result.headers.get("Content-Disposition")).toBe('inline; filename="snapshot.png"');
    expect(result.headers.get("Cache-Control")).toMatch(/^private/);
    expect(result.headers.get("Content-Length")).toBe(String(PNG.length));
    expect((await bytesOf(result)).equals(PNG)).toBe(true);
  });

  it("serves a JPEG as image/jpeg, whatever name it was uploaded under", async () => {
    const booking = await lessonWithSnapshot(JPEG, "evil.html");
    const result = await get(booking.id, tutorCookie);
    expect(result.headers.get("Content-Type")).toBe("image/jpeg");
    expect(result.headers.get("Content-Disposition")).toBe('inline; filename="snapshot.jpg"');
    expect((await bytesOf(result)).equals(JPEG)).toBe(true);
  });

  it("answers 304 when the browser already has this snapshot, and 200 once it was replaced", async () => {
    const booking = await lessonWithSnapshot();
    const first = await get(booking.id, tutorCookie);
    const etag = first.headers.get("ETag")!;
    await first.response!.body?.cancel();
    expect(etag).toMatch(/^"[0-9a-f-]{36}\.png"$/);
    const again = await get(booking.id, tutorCookie, { "If-None-Match": etag });
    expect(again.status).toBe(304);

    await callAction(upload, `/bookings/${booking.id}/snapshot/upload`, {
      params: { id: booking.id },
      cookie: tutorCookie,
      form: fileForm([{ name: "b.jpg", type: "image/jpeg", bytes: JPEG }]),
    });
    const replaced = await get(booking.id, tutorCookie, { "If-None-Match": etag });
    expect(replaced.status).toBe(200);
    expect((await bytesOf(replaced)).equals(JPEG)).toBe(true);
  });

  it("is a 404 for a stranger", async () => {
    const booking = await lessonWithSnapshot();
    expect((await get(booking.id, await signIn(stranger))).status).toBe(404);
  });

  it("is a 404 for a guardian whose link is still pending", async () => {
    const booking = await lessonWithSnapshot();
    expect((await get(booking.id, await signIn(pendingGuardian))).status).toBe(404);
  });

  it("is a 404 for a guardian when the lesson has no student assigned", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() - 2 * HOUR),
    });
    await callAction(upload, `/bookings/${booking.id}/snapshot/upload`, {
      params: { id: booking.id },
      cookie: tutorCookie,
      form: fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]),
    });
    expect((await get(booking.id, tutorCookie)).status).toBe(200);
    expect((await get(booking.id, await signIn(guardian))).status).toBe(404);
  });

  it("is a 404 when the lesson has no snapshot", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() - 2 * HOUR),
    });
    expect((await get(booking.id, tutorCookie)).status).toBe(404);
  });

  it("is a 404 when session_artifacts points outside the booking's folder", async () => {
    const victim = await lessonWithSnapshot();
    const victimPath = (
      (await db.booking.findUniqueOrThrow({ where: { id: victim.id } })).sessionArtifacts as Record<string, string>
    ).whiteboard_snapshot_path;
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() - 2 * HOUR),
    });
    await db.booking.update({
      where: { id: booking.id },
      data: { sessionArtifacts: { whiteboard_snapshot_path: victimPath! } },
    });
    expect((await get(booking.id, tutorCookie)).status).toBe(404);
    await db.booking.update({
      where: { id: booking.id },
      data: { sessionArtifacts: { whiteboard_snapshot_path: `${booking.id}/../x.png` } },
    });
    expect((await get(booking.id, tutorCookie)).status).toBe(404);
  });

  it("sends a signed-out visitor to sign in", async () => {
    const booking = await lessonWithSnapshot();
    const result = await get(booking.id, "");
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toMatch(/^\/sign-in\?redirectTo=/);
  });
});

// The whole snapshot flow with the production adapter: a private Supabase Storage bucket (here the
// Supabase stand-in), chosen by STORAGE_DRIVER before any app module reads the environment.
import { vi } from "vitest";

vi.hoisted(() => {
  process.env.STORAGE_DRIVER = "supabase";
  process.env.STORAGE_BUCKET = "booking-artifacts";
});

import { beforeAll, describe, expect, it } from "vitest";
import { createSupabaseStorage } from "~/.server/artifacts/storage";
import * as snapshot from "~/routes/bookings.$id.snapshot";
import * as upload from "~/routes/bookings.$id.snapshot.upload";
import {
  APP_URL,
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  signIn,
  type TestProfile,
} from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import { bookingRow, fileForm, filesOfBooking } from "./artifacts-helpers.ts";
import { JPEG, PNG, SVG } from "./artifacts-images.ts";

let tutor: TestProfile, parent: TestProfile, child: TestProfile;
let tutorCookie: string;
const bucket = () =>
  createSupabaseStorage({
    url: testStandIns.supabase.url,
    serviceRoleKey: testStandIns.supabase.serviceRoleKey,
    bucket: "booking-artifacts",
  });

beforeAll(async () => {
  [tutor, parent, child] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
  ]);
  await addGuardian(parent.id, child.id);
  tutorCookie = await signIn(tutor);
});

function completedLesson() {
  return createBooking({
    clientId: parent.id,
    tutorId: tutor.id,
    studentId: child.id,
    sessionStartTime: new Date(Date.now() - 2 * 60 * 60_000),
    status: "Completed",
  });
}

function post(id: string, file: { name: string; type: string; bytes: Uint8Array }) {
  return callAction(upload, `/bookings/${id}/snapshot/upload`, {
    params: { id },
    cookie: tutorCookie,
    form: fileForm([file]),
  });
}

describe("snapshots in Supabase Storage", () => {
  it("an upload lands in the private bucket under <booking id>/, not in the local folder, and the parent can view it", async () => {
    const booking = await completedLesson();
    expect((await post(booking.id, { name: "board.png", type: "image/png", bytes: PNG })).status).toBe(303);

    const objects = await bucket().list(booking.id);
    expect(objects).toEqual([expect.stringMatching(new RegExp(`^${booking.id}/[0-9a-f-]{36}\\.png$`))]);
    expect(filesOfBooking(booking.id)).toEqual([]);
    expect((await bookingRow(booking.id))?.sessionArtifacts).toEqual({
      whiteboard_snapshot_url: `${APP_URL}/bookings/${booking.id}/snapshot`,
      whiteboard_snapshot_path: objects[0],
    });

    const seen = await callLoader(snapshot, `/bookings/${booking.id}/snapshot`, {
      params: { id: booking.id },
      cookie: await signIn(parent),
    });
    expect(seen.status).toBe(200);
    expect(seen.headers.get("Content-Type")).toBe("image/png");
    expect(seen.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(Buffer.from(await seen.response!.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it("a replacement removes the old object from the bucket", async () => {
    const booking = await completedLesson();
    await post(booking.id, { name: "a.png", type: "image/png", bytes: PNG });
    const [first] = await bucket().list(booking.id);
    await post(booking.id, { name: "b.jpg", type: "image/jpeg", bytes: JPEG });
    const objects = await bucket().list(booking.id);
    expect(objects).toHaveLength(1);
    expect(objects[0]).not.toBe(first);
    expect(objects[0]).toMatch(/\.jpg$/);
  });

  it("a refused file stores nothing in the bucket", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, { name: "board.png", type: "image/png", bytes: SVG });
    expect(result.status).toBe(415);
    expect(await bucket().list(booking.id)).toEqual([]);
  });

  it("storage being down is a 503 with a message, and the booking is unchanged", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    testStandIns.supabase.setStorageDown(true);
    try {
      const result = await post(booking.id, { name: "a.png", type: "image/png", bytes: PNG });
      expect(result.status).toBe(503);
      expect((result.data as { error: string }).error).toContain("We could not store the snapshot just now.");
    } finally {
      testStandIns.supabase.setStorageDown(false);
    }
    expect(await bookingRow(booking.id)).toEqual(before);
    expect(await bucket().list(booking.id)).toEqual([]);
  });
});

import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { securityMiddleware } from "~/.server/security";
import { storeSnapshot } from "~/.server/artifacts/snapshots";
import { createLocalStorage } from "~/.server/artifacts/storage";
import * as upload from "~/routes/bookings.$id.snapshot.upload";
import { IMAGE_TYPES } from "~/domain/image-type";
import { RouterContextProvider } from "react-router";
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
import { bookingRow, callWith, fileForm, filesOfBooking, postRequest, streamedUpload } from "./artifacts-helpers.ts";
import { HTML, JPEG, makePng, PNG, SVG, SVG_WITH_SCRIPT, TEXT, WEBP } from "./artifacts-images.ts";

const MB = 1024 * 1024;
const HOUR = 60 * 60_000;

let tutor: TestProfile, parent: TestProfile, child: TestProfile, otherTutor: TestProfile, stranger: TestProfile;
let tutorCookie: string;

beforeAll(async () => {
  [tutor, parent, child, otherTutor, stranger] = await Promise.all([
    createProfile({ fullName: "Tara Tutor" }),
    createProfile({ fullName: "Paula Parent" }),
    createProfile({ fullName: "Charlie Child" }),
    createProfile({ fullName: "Tom Othertutor" }),
    createProfile({ fullName: "Sam Stranger" }),
  ]);
  await addGuardian(parent.id, child.id);
  tutorCookie = await signIn(tutor);
});

/** A finished lesson of the tutor's with another key already in session_artifacts. */
async function completedLesson() {
  const booking = await createBooking({
    clientId: parent.id,
    tutorId: tutor.id,
    studentId: child.id,
    sessionStartTime: new Date(Date.now() - 2 * HOUR),
    status: "Completed",
  });
  await db.booking.update({ where: { id: booking.id }, data: { sessionArtifacts: { caas_note: "keep me" } } });
  return booking;
}

const uploadPath = (id: string) => `/bookings/${id}/snapshot/upload`;

function post(id: string, form: FormData, cookie = tutorCookie) {
  return callAction(upload, uploadPath(id), { params: { id }, cookie, form });
}

async function expectNothingChanged(id: string, before: Awaited<ReturnType<typeof bookingRow>>) {
  expect(filesOfBooking(id)).toEqual([]);
  expect(await bookingRow(id)).toEqual(before);
}

describe("a snapshot the tutor uploads", () => {
  it("is stored under booking-artifacts/<id>/ and merged into session_artifacts, keeping other keys", async () => {
    const booking = await completedLesson();
    const result = await post(booking.id, fileForm([{ name: "whiteboard.png", type: "image/png", bytes: PNG }]));
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(`/bookings/${booking.id}/snapshot/upload?uploaded=1`);

    const [stored] = filesOfBooking(booking.id);
    expect(stored).toMatch(/^[0-9a-f-]{36}\.png$/);
    const file = path.join(process.env.STORAGE_DIR!, "booking-artifacts", booking.id, stored!);
    expect(fs.readFileSync(file).equals(PNG)).toBe(true);
    const row = await bookingRow(booking.id);
    expect(row?.sessionArtifacts).toEqual({
      caas_note: "keep me",
      whiteboard_snapshot_url: `${APP_URL}/bookings/${booking.id}/snapshot`,
      whiteboard_snapshot_path: `${booking.id}/${stored}`,
    });
  });

  it.each([
    ["JPEG", JPEG, "jpg"],
    ["WebP", WEBP, "webp"],
  ])("a %s is accepted and stored with its own extension", async (_label, bytes, extension) => {
    const booking = await completedLesson();
    const result = await post(booking.id, fileForm([{ name: "photo", type: "application/octet-stream", bytes }]));
    expect(result.status).toBe(303);
    expect(filesOfBooking(booking.id)).toEqual([expect.stringMatching(new RegExp(`^[0-9a-f-]{36}\\.${extension}$`))]);
  });

  it("a PNG named .exe is accepted as a PNG and stored under our own name", async () => {
    const booking = await completedLesson();
    const result = await post(
      booking.id,
      fileForm([{ name: "setup.exe", type: "application/x-msdownload", bytes: PNG }]),
    );
    expect(result.status).toBe(303);
    const files = filesOfBooking(booking.id);
    expect(files).toEqual([expect.stringMatching(/^[0-9a-f-]{36}\.png$/)]);
    expect(files[0]).not.toContain("setup");
  });

  it("a new upload replaces the old one and removes the old object", async () => {
    const booking = await completedLesson();
    await post(booking.id, fileForm([{ name: "first.png", type: "image/png", bytes: PNG }]));
    const [first] = filesOfBooking(booking.id);
    const result = await post(booking.id, fileForm([{ name: "second.jpg", type: "image/jpeg", bytes: JPEG }]));
    expect(result.status).toBe(303);
    const files = filesOfBooking(booking.id);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.jpg$/);
    expect(files[0]).not.toBe(first);
    const artifacts = (await bookingRow(booking.id))?.sessionArtifacts as Record<string, string>;
    expect(artifacts.whiteboard_snapshot_path).toBe(`${booking.id}/${files[0]}`);
    expect(artifacts.caas_note).toBe("keep me");
  });

  it("returns to a path of ours given in returnTo, never to another site", async () => {
    const booking = await completedLesson();
    const home = await callAction(upload, `${uploadPath(booking.id)}?returnTo=%2F`, {
      params: { id: booking.id },
      cookie: tutorCookie,
      form: fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]),
    });
    expect(home.headers.get("Location")).toBe("/");
    const evil = await callAction(upload, `${uploadPath(booking.id)}?returnTo=https%3A%2F%2Fevil.example%2F`, {
      params: { id: booking.id },
      cookie: tutorCookie,
      form: fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]),
    });
    expect(evil.headers.get("Location")).toBe("/");
  });

  it("can be sent while the lesson is still running", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() - 10 * 60_000),
    });
    const result = await post(booking.id, fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]));
    expect(result.status).toBe(303);
    expect(filesOfBooking(booking.id)).toHaveLength(1);
  });
});

describe("bad files are refused with a message on the form, nothing stored, the booking unchanged", () => {
  async function refused(form: FormData, status: number, message: string) {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const result = await post(booking.id, form);
    expect(result.status).toBe(status);
    expect((result.data as { error: string }).error).toBe(message);
    await expectNothingChanged(booking.id, before);
  }

  it("over 10 MB: 413", async () => {
    await refused(
      fileForm([{ name: "huge.png", type: "image/png", bytes: new Uint8Array(10 * MB + 1) }]),
      413,
      "That file is larger than 10 MB. Please choose a smaller photo or screenshot of the whiteboard.",
    );
  });

  it("an empty file: 400", async () => {
    await refused(
      fileForm([{ name: "empty.png", type: "image/png", bytes: new Uint8Array() }]),
      400,
      "That file is empty. Please choose the photo or screenshot again.",
    );
  });

  it('no file chosen (the browser sends an empty part with filename=""): 400', async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const boundary = "----chrome-like";
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="snapshot"; filename=""\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n\r\n--${boundary}--\r\n`;
    const result = await callAction(upload, uploadPath(booking.id), {
      params: { id: booking.id },
      cookie: tutorCookie,
      body,
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(result.status).toBe(400);
    expect((result.data as { error: string }).error).toBe("Choose a photo or screenshot of the whiteboard to upload.");
    await expectNothingChanged(booking.id, before);
  });

  it("no file part at all: 400", async () => {
    await refused(fileForm([], { note: "hello" }), 400, "Choose a photo or screenshot of the whiteboard to upload.");
  });

  it("two files: 400", async () => {
    await refused(
      fileForm([
        { name: "a.png", type: "image/png", bytes: PNG },
        { name: "b.png", type: "image/png", bytes: PNG },
      ]),
      400,
      "Upload one image at a time.",
    );
  });

  const notAnImage =
    "That file is not a PNG, JPEG or WebP image. Please upload a photo or screenshot of the whiteboard in one of those formats.";

  it("an SVG: 415", async () => {
    await refused(fileForm([{ name: "board.svg", type: "image/svg+xml", bytes: SVG }]), 415, notAnImage);
  });

  it("an SVG with a script inside, named and typed as PNG: 415", async () => {
    await refused(fileForm([{ name: "board.png", type: "image/png", bytes: SVG_WITH_SCRIPT }]), 415, notAnImage);
  });

  it("HTML named .png: 415", async () => {
    await refused(fileForm([{ name: "board.png", type: "image/png", bytes: HTML }]), 415, notAnImage);
  });

  it("text named .png: 415", async () => {
    await refused(fileForm([{ name: "notes.png", type: "image/png", bytes: TEXT }]), 415, notAnImage);
  });

  it("a truncated PNG: 400", async () => {
    const png = makePng(64, 64);
    await refused(
      fileForm([{ name: "cut.png", type: "image/png", bytes: png.subarray(0, png.length - 20) }]),
      400,
      "That image is incomplete (it may not have finished saving or downloading). Please choose a complete copy.",
    );
  });

  it("a truncated JPEG: 400", async () => {
    await refused(
      fileForm([{ name: "cut.jpg", type: "image/jpeg", bytes: JPEG.subarray(0, JPEG.length - 40) }]),
      400,
      "That image is incomplete (it may not have finished saving or downloading). Please choose a complete copy.",
    );
  });

  it("a body that is not multipart at all: 400", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const result = await callAction(upload, uploadPath(booking.id), {
      params: { id: booking.id },
      cookie: tutorCookie,
      body: "just text",
      headers: { "Content-Type": "text/plain" },
    });
    expect(result.status).toBe(400);
    expect((result.data as { error: string }).error).toBe(
      "We could not read that upload. Please choose the image again and resend the form.",
    );
    await expectNothingChanged(booking.id, before);
  });

  it("a body declared (Content-Length) larger than 10 MB is refused before any of it is read", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const big = streamedUpload({ fileBytes: 50 * MB });
    const result = await callWith(
      upload.action,
      postRequest(uploadPath(booking.id), {
        cookie: tutorCookie,
        body: big.body,
        contentType: big.contentType,
        headers: { "Content-Length": String(50 * MB + 200) },
      }),
      { id: booking.id },
    );
    expect(result.status).toBe(413);
    expect(big.progress.pulled).toBe(0);
    await expectNothingChanged(booking.id, before);
  });

  it("over 10 MB is refused while streaming: the parser stops near the limit, not at the end of a 50 MB body", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const upload50 = streamedUpload({ fileBytes: 50 * MB });
    const result = await callWith(
      upload.action,
      postRequest(uploadPath(booking.id), {
        cookie: tutorCookie,
        body: upload50.body,
        contentType: upload50.contentType,
      }),
      { id: booking.id },
    );
    const pulledWhenAnswered = upload50.progress.pulled;
    expect(result.status).toBe(413);
    expect(pulledWhenAnswered).toBeGreaterThan(10 * MB);
    expect(pulledWhenAnswered).toBeLessThan(11 * MB);
    await expectNothingChanged(booking.id, before);
  });
});

describe("only the lesson's tutor may upload, once it has started", () => {
  async function refusedFor(cookie: string, booking: { id: string }, status: number, message?: string) {
    const before = await bookingRow(booking.id);
    const result = await post(booking.id, fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]), cookie);
    expect(result.status).toBe(status);
    if (message) expect((result.data as { error: string }).error).toBe(message);
    await expectNothingChanged(booking.id, before);
  }

  it("the client (a parent) is refused with 403", async () => {
    await refusedFor(
      await signIn(parent),
      await completedLesson(),
      403,
      "Only the lesson's tutor can upload a whiteboard snapshot.",
    );
  });

  it("the assigned student is refused with 403", async () => {
    await refusedFor(
      await signIn(child),
      await completedLesson(),
      403,
      "Only the lesson's tutor can upload a whiteboard snapshot.",
    );
  });

  it("another tutor gets 404, as for a lesson that does not exist", async () => {
    await refusedFor(await signIn(otherTutor), await completedLesson(), 404);
  });

  it("a stranger gets 404", async () => {
    await refusedFor(await signIn(stranger), await completedLesson(), 404);
  });

  it("a signed-out visitor is sent to sign in", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const result = await post(booking.id, fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]), "");
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toMatch(/^\/sign-in/);
    await expectNothingChanged(booking.id, before);
  });

  it("the tutor before the lesson has started is refused with 403", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() + HOUR),
    });
    await refusedFor(tutorCookie, booking, 403, "You can upload a snapshot once the lesson has started.");
  });

  it("a cancelled lesson is refused with 403", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() - 2 * HOUR),
      status: "Cancelled",
    });
    await refusedFor(tutorCookie, booking, 403, "This lesson was cancelled.");
  });

  it("a refused upload is answered before any of its body is read", async () => {
    const booking = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      sessionStartTime: new Date(Date.now() + HOUR),
    });
    const big = streamedUpload({ fileBytes: 50 * MB });
    const result = await callWith(
      upload.action,
      postRequest(uploadPath(booking.id), { cookie: tutorCookie, body: big.body, contentType: big.contentType }),
      { id: booking.id },
    );
    expect(result.status).toBe(403);
    expect(big.progress.pulled).toBe(0);
    // Then the rest is read and dropped, so the client gets the answer, not a reset connection.
    await expect.poll(() => big.progress.finished, { timeout: 10_000 }).toBe(true);
    expect(filesOfBooking(booking.id)).toEqual([]);
  });

  it("a stranger's upload is answered 404 before any of its body is read", async () => {
    const booking = await completedLesson();
    const big = streamedUpload({ fileBytes: 50 * MB });
    const result = await callWith(
      upload.action,
      postRequest(uploadPath(booking.id), {
        cookie: await signIn(stranger),
        body: big.body,
        contentType: big.contentType,
      }),
      { id: booking.id },
    );
    expect(result.status).toBe(404);
    expect(big.progress.pulled).toBe(0);
  });
});

describe("a cross-site form post", () => {
  it("is refused by the root middleware before the upload action runs: nothing stored", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const request = postRequest(uploadPath(booking.id), {
      cookie: tutorCookie,
      body: fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]),
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    let actionRan = false;
    const response = await securityMiddleware(
      { request, params: { id: booking.id }, context: new RouterContextProvider(), unstable_pattern: "" } as never,
      async () => {
        actionRan = true;
        const result = await callWith(upload.action, request, { id: booking.id });
        return new Response(null, { status: result.status });
      },
    );
    expect(actionRan).toBe(false);
    expect((response as Response).status).toBe(403);
    expect(await (response as Response).text()).toContain("sent from another site");
    await expectNothingChanged(booking.id, before);
  });
});

describe("when storing or recording fails", () => {
  it("a booking deleted between authorization and the database write leaves no object behind", async () => {
    const booking = await completedLesson();
    // The body is only read after authorization: delete the row at that moment.
    const gated = streamedUpload({
      fileBytes: 0,
      content: PNG,
      beforeFirstChunk: async () => {
        await db.booking.delete({ where: { id: booking.id } });
      },
    });
    const result = await callWith(
      upload.action,
      postRequest(uploadPath(booking.id), { cookie: tutorCookie, body: gated.body, contentType: gated.contentType }),
      { id: booking.id },
    );
    expect(result.status).toBe(404);
    expect(filesOfBooking(booking.id)).toEqual([]);
  });

  it("a failing database write removes the object it had just stored", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    const objects = createLocalStorage({ dir: process.env.STORAGE_DIR!, bucket: "booking-artifacts" });
    let storedBeforeFailure: string[] = [];
    const outcome = await storeSnapshot(
      booking.id,
      { bytes: PNG, type: IMAGE_TYPES.png },
      {
        storage: objects,
        record: async () => {
          storedBeforeFailure = filesOfBooking(booking.id);
          throw new Error("connection terminated");
        },
      },
    );
    expect(outcome).toEqual({ ok: false, reason: "not-saved" });
    expect(storedBeforeFailure).toHaveLength(1);
    await expectNothingChanged(booking.id, before);
  });

  it("storage that cannot be written is a 503 with a message, and the booking is unchanged", async () => {
    const booking = await completedLesson();
    const before = await bookingRow(booking.id);
    // A file where the booking's folder should be makes every write fail.
    const folder = path.join(process.env.STORAGE_DIR!, "booking-artifacts", booking.id);
    fs.mkdirSync(path.dirname(folder), { recursive: true });
    fs.writeFileSync(folder, "in the way");
    try {
      const result = await post(booking.id, fileForm([{ name: "a.png", type: "image/png", bytes: PNG }]));
      expect(result.status).toBe(503);
      expect((result.data as { error: string }).error).toContain("We could not store the snapshot just now.");
      expect(await bookingRow(booking.id)).toEqual(before);
    } finally {
      fs.rmSync(folder);
    }
  });
});

describe("the upload page", () => {
  it("shows the tutor the form for the lesson", async () => {
    const booking = await completedLesson();
    const result = await callLoader(upload, uploadPath(booking.id), {
      params: { id: booking.id },
      cookie: tutorCookie,
    });
    expect(result.status).toBe(200);
    expect(result.data).toMatchObject({
      lesson: { id: booking.id, attendeeName: "Charlie Child", hasSnapshot: false },
      refusal: null,
    });
  });

  it("explains the refusal to a parent, with 403", async () => {
    const booking = await completedLesson();
    const result = await callLoader(upload, uploadPath(booking.id), {
      params: { id: booking.id },
      cookie: await signIn(parent),
    });
    expect(result.status).toBe(403);
    expect(result.data).toMatchObject({ refusal: "Only the lesson's tutor can upload a whiteboard snapshot." });
  });

  it("is a 404 for a stranger", async () => {
    const booking = await completedLesson();
    const result = await callLoader(upload, uploadPath(booking.id), {
      params: { id: booking.id },
      cookie: await signIn(stranger),
    });
    expect(result.status).toBe(404);
  });
});

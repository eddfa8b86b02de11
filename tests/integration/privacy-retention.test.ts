// The retention job (docs/decisions/0071-retention-of-lesson-data.md) on real PostgreSQL: what
// expires and what stays, many workers at once, storage away, and what the pages then say.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { storage, StorageUnavailableError, type ObjectStorage } from "~/.server/artifacts/storage";
import { db } from "~/.server/db";
import { runRetention } from "~/.server/privacy/retention";
import * as bookingRoute from "~/routes/bookings.$id";
import * as transcriptRoute from "~/routes/bookings.$id.transcript";
import { callLoader, createBooking } from "../support/app.ts";
import { createFamily, type Family } from "./launch-support.ts";

const DAY = 24 * 3600_000;
const now = new Date("2026-12-07T12:00:00Z");
const policy = { transcriptDays: 365, snapshotDays: 730 };

/** A lesson of the family that started at `start`, with a transcript of `segments` segments and a summary. */
async function lessonWithTranscript(family: Family, start: Date, segments = 3) {
  const booking = await createBooking({
    clientId: family.parent.id,
    tutorId: family.tutor.id,
    studentId: family.child.id,
    sessionStartTime: start,
    status: "Completed",
  });
  const sessionId = `session-${randomUUID()}`;
  await db.lessonspaceSession.create({
    data: { sessionId, bookingId: booking.id, startedAt: start, endedAt: new Date(start.getTime() + 3600_000) },
  });
  await db.transcriptFetch.create({
    data: {
      sessionId,
      url: "https://files.test/t.json",
      status: "done",
      deliveryId: randomUUID(),
      segmentCount: segments,
    },
  });
  await db.transcriptSegment.createMany({
    data: Array.from({ length: segments }, (_, position) => ({
      sessionId,
      bookingId: booking.id,
      position,
      speakerProfileId: family.child.id,
      speakerName: family.child.fullName,
      startSeconds: position * 10,
      endSeconds: position * 10 + 5,
      text: `Segment ${position} about fractions`,
    })),
  });
  await db.transcriptSpeaker.create({
    data: {
      sessionId,
      bookingId: booking.id,
      speakerKey: family.child.id,
      speakerProfileId: family.child.id,
      speakerName: family.child.fullName,
      seconds: segments * 5,
    },
  });
  await db.lessonSummary.create({
    data: { sessionId, bookingId: booking.id, text: "We did fractions.", source: "lessonspace" },
  });
  return { booking, sessionId };
}

async function transcriptLeft(bookingId: string) {
  const [segments, speakers, summaries, fetch] = await Promise.all([
    db.transcriptSegment.count({ where: { bookingId } }),
    db.transcriptSpeaker.count({ where: { bookingId } }),
    db.lessonSummary.count({ where: { bookingId } }),
    db.transcriptFetch.findFirst({ where: { session: { bookingId } }, select: { status: true, removedAt: true } }),
  ]);
  return { segments, speakers, summaries, fetch };
}

async function lessonWithSnapshot(family: Family, start: Date, objects: ObjectStorage) {
  const booking = await createBooking({
    clientId: family.parent.id,
    tutorId: family.tutor.id,
    studentId: family.child.id,
    sessionStartTime: start,
    status: "Completed",
  });
  const objectPath = `${booking.id}/${randomUUID()}.png`;
  await objects.put(objectPath, new Uint8Array([0x89, 0x50, 0x4e, 0x47]), "image/png");
  await db.booking.update({
    where: { id: booking.id },
    data: {
      sessionArtifacts: {
        whiteboard_snapshot_url: `http://app.test/bookings/${booking.id}/snapshot`,
        whiteboard_snapshot_path: objectPath,
        caas_note: "kept",
      },
    },
  });
  return { booking, objectPath };
}

/** Storage that is away: every call fails as the real adapters fail when it cannot be reached. */
function storageAway(): ObjectStorage {
  const away = () => Promise.reject(new StorageUnavailableError("Storage unreachable during remove"));
  return { bucket: "booking-artifacts", put: away, get: away, remove: away, list: away };
}

describe("transcripts and summaries", () => {
  it("removes an expired lesson's segments, talk time and summary, marks the fetch removed, and keeps a newer lesson's", async () => {
    const family = await createFamily();
    const expired = await lessonWithTranscript(family, new Date(now.getTime() - 365 * DAY));
    const kept = await lessonWithTranscript(family, new Date(now.getTime() - 365 * DAY + 1));

    const counts = await runRetention({ now, policy });
    expect(counts).toMatchObject({ transcripts: 1, segments: 3, speakers: 1, summaries: 1 });
    expect(await transcriptLeft(expired.booking.id)).toEqual({
      segments: 0,
      speakers: 0,
      summaries: 0,
      fetch: { status: "removed", removedAt: now },
    });
    expect(await transcriptLeft(kept.booking.id)).toMatchObject({ segments: 3, speakers: 1, summaries: 1 });

    // Idempotent: a second run finds nothing more.
    expect(await runRetention({ now, policy })).toMatchObject({ transcripts: 0, segments: 0, summaries: 0 });
  });

  it("two workers at once remove each transcript once, in batches, leaving nothing behind", async () => {
    const family = await createFamily();
    const old = new Date(now.getTime() - 400 * DAY);
    const lessons = [];
    for (let i = 0; i < 6; i++) lessons.push(await lessonWithTranscript(family, new Date(old.getTime() - i * DAY), 25));

    const [a, b] = await Promise.all([
      runRetention({ now, policy, batchSize: 7 }),
      runRetention({ now, policy, batchSize: 7 }),
    ]);
    expect(a.transcripts + b.transcripts).toBe(6);
    expect(a.segments + b.segments).toBe(150);
    expect(a.speakers + b.speakers).toBe(6);
    expect(a.summaries + b.summaries).toBe(6);
    for (const lesson of lessons)
      expect(await transcriptLeft(lesson.booking.id)).toMatchObject({
        segments: 0,
        speakers: 0,
        summaries: 0,
        fetch: { status: "removed" },
      });
  });
});

describe("snapshots", () => {
  it("removes the file, then the booking's entry (other keys kept), and keeps a newer one", async () => {
    const family = await createFamily();
    const objects = storage();
    const expired = await lessonWithSnapshot(family, new Date(now.getTime() - 730 * DAY), objects);
    const kept = await lessonWithSnapshot(family, new Date(now.getTime() - 729 * DAY), objects);

    const counts = await runRetention({ now, policy, storage: objects });
    expect(counts).toMatchObject({ snapshots: 1, snapshotsLeft: 0 });
    expect(await objects.get(expired.objectPath)).toBeNull();
    const row = await db.booking.findUniqueOrThrow({ where: { id: expired.booking.id } });
    expect(row.sessionArtifacts).toEqual({ caas_note: "kept", whiteboard_snapshot_removed_at: now.toISOString() });
    expect(await objects.get(kept.objectPath)).not.toBeNull();
    expect((await db.booking.findUniqueOrThrow({ where: { id: kept.booking.id } })).sessionArtifacts).toMatchObject({
      whiteboard_snapshot_path: kept.objectPath,
    });
  });

  it("with storage away the row keeps pointing at its file (still there), and the next run removes both", async () => {
    const family = await createFamily();
    const objects = storage();
    const expired = await lessonWithSnapshot(family, new Date(now.getTime() - 800 * DAY), objects);

    const failed = await runRetention({ now, policy, storage: storageAway() });
    expect(failed).toMatchObject({ snapshots: 0, snapshotsLeft: 1 });
    expect((await db.booking.findUniqueOrThrow({ where: { id: expired.booking.id } })).sessionArtifacts).toMatchObject({
      whiteboard_snapshot_path: expired.objectPath,
    });
    expect(await objects.get(expired.objectPath)).not.toBeNull();

    expect(await runRetention({ now, policy, storage: objects })).toMatchObject({ snapshots: 1, snapshotsLeft: 0 });
    expect(await objects.get(expired.objectPath)).toBeNull();
    expect(
      (await db.booking.findUniqueOrThrow({ where: { id: expired.booking.id } })).sessionArtifacts,
    ).not.toHaveProperty("whiteboard_snapshot_path");
  });
});

describe("pages after removal", () => {
  it("the booking page and the transcript page say what was removed and why, with no link to it", async () => {
    const family = await createFamily();
    const objects = storage();
    const { booking } = await lessonWithTranscript(family, new Date(Date.now() - 800 * DAY));
    const objectPath = `${booking.id}/${randomUUID()}.png`;
    await objects.put(objectPath, new Uint8Array([0x89, 0x50, 0x4e, 0x47]), "image/png");
    await db.booking.update({
      where: { id: booking.id },
      data: { sessionArtifacts: { whiteboard_snapshot_url: "x", whiteboard_snapshot_path: objectPath } },
    });
    // The configured defaults: 365 days for transcripts, 730 for snapshots.
    await runRetention({ now: new Date(), storage: objects });

    const page = await callLoader(bookingRoute, `/bookings/${booking.id}`, {
      cookie: family.cookies.parent,
      params: { id: booking.id },
    });
    const data = page.data as {
      transcript: { status: string };
      removed: { transcript: string | null; snapshot: string | null };
      booking: { snapshotUrl: string | null };
    };
    expect(data.transcript.status).toBe("removed");
    expect(data.removed).toEqual({
      transcript: "Removed after 365 days, as this service keeps transcripts for 365 days.",
      snapshot: "Removed after 730 days, as this service keeps whiteboard snapshots for 730 days.",
    });
    expect(data.booking.snapshotUrl).toBeNull();

    const transcript = await callLoader(transcriptRoute, `/bookings/${booking.id}/transcript`, {
      cookie: family.cookies.parent,
      params: { id: booking.id },
    });
    expect(transcript.status).toBe(200);
    expect(transcript.data).toMatchObject({
      status: "removed",
      removedNotice: "Removed after 365 days, as this service keeps transcripts for 365 days.",
      sessions: [],
    });
  });
});

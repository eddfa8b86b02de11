// Shared set-up for the privacy tests: signed-in people, a held lesson with a transcript stored
// through the real fetch path, a recording in the Lessonspace stand-in and a snapshot uploaded
// through our own route.
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { db } from "~/.server/db";
import { playbackReference } from "~/.server/lessonspace/client";
import { fetchDueTranscripts } from "~/.server/transcripts/ingest";
import * as upload from "~/routes/bookings.$id.snapshot.upload";
import { callAction, createBooking, createProfile, signIn, type TestProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import { fileForm } from "./artifacts-helpers.ts";
import { PNG } from "./artifacts-images.ts";

export type Person = TestProfile & { cookie: string };

export async function person(fullName: string, timeZone = "Europe/London"): Promise<Person> {
  const profile = await createProfile({ fullName, timeZone });
  return { ...profile, cookie: await signIn(profile) };
}

export const said = (who: { id: string; fullName: string }, start: number, end: number, text: string) => ({
  start_time: start,
  end_time: end,
  user: { id: who.id, name: who.fullName },
  breakout_id: null,
  text,
});

/** A held lesson: one session with attendance; a transcript stored through the real fetch path when given. */
export async function heldLesson(
  parties: { clientId: string; tutorId: string; studentId: string | null },
  options: { transcript?: unknown[]; serviceName?: string; start?: Date } = {},
) {
  const start = options.start ?? new Date(Date.now() - 2 * 3600_000);
  const booking = await createBooking({
    ...parties,
    serviceName: options.serviceName ?? "GCSE Biology",
    sessionStartTime: start,
    sessionDuration: 60,
    status: "Completed",
  });
  const sessionId = randomUUID();
  await db.lessonspaceSession.create({
    data: {
      sessionId,
      bookingId: booking.id,
      startedAt: start,
      endedAt: new Date(start.getTime() + 55 * 60_000),
      durationSeconds: 3300,
    },
  });
  await db.booking.update({ where: { id: booking.id }, data: { durationActual: 3300 } });
  for (const profileId of [parties.tutorId, parties.studentId ?? parties.clientId]) {
    await db.lessonspaceAttendance.create({
      data: {
        sessionId,
        profileId,
        joinedAt: start,
        leftAt: new Date(start.getTime() + 3300_000),
        secondsPresent: 3300,
      },
    });
  }
  if (options.transcript) {
    const url = testStandIns.lessonspace.publishTranscriptFile(JSON.stringify(options.transcript));
    await db.transcriptFetch.create({ data: { sessionId, url, deliveryId: randomUUID() } });
    await fetchDueTranscripts(new Date(), 10);
    expect(await db.transcriptFetch.findUniqueOrThrow({ where: { sessionId } })).toMatchObject({ status: "done" });
  }
  return { bookingId: booking.id, sessionId };
}

/** A session held and ended in the Lessonspace stand-in, its recording linked to the booking. */
export async function addRecording(bookingId: string, tutor: { id: string; fullName: string }) {
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
  await testStandIns.lessonspace.endSession(launched.room_id);
  await db.booking.update({ where: { id: bookingId }, data: { recordingUrl: playbackReference(launched.session_id) } });
}

/** A whiteboard snapshot uploaded by the tutor through our route. */
export async function addSnapshot(bookingId: string, tutorCookie: string) {
  const result = await callAction(upload, `/bookings/${bookingId}/snapshot/upload`, {
    params: { id: bookingId },
    cookie: tutorCookie,
    form: fileForm([{ name: "board.png", type: "image/png", bytes: PNG }]),
  });
  expect(result.status).toBe(303);
}

export type LogRow = { actorId: string; learnerId: string; bookingId: string | null; action: string };

/** The log's rows appended since `afterId` (exclusive), oldest first. */
export async function logRowsAfter(afterId: bigint): Promise<LogRow[]> {
  return db.accessLogEntry.findMany({
    where: { id: { gt: afterId } },
    orderBy: { id: "asc" },
    select: { actorId: true, learnerId: true, bookingId: true, action: true },
  });
}

export async function lastLogId(): Promise<bigint> {
  const last = await db.accessLogEntry.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return last?.id ?? 0n;
}

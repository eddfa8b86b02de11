// Deleting a lesson's transcript and summary (the family only; cannot be undone, and a late
// transcription.finish does not bring it back) and the family's export (one streamed ZIP with
// everything held about the learner, never a private note or another learner's data), with the
// refusals for every role and the log rows they append.
import { randomUUID } from "node:crypto";
import { RouterContextProvider } from "react-router";
import { beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { db } from "~/.server/db";
import { securityMiddleware } from "~/.server/security";
import { fetchDueTranscripts } from "~/.server/transcripts/ingest";
import * as bookingRoute from "~/routes/bookings.$id";
import * as transcriptRoute from "~/routes/bookings.$id.transcript";
import * as deleteRoute from "~/routes/bookings.$id.transcript.delete";
import * as exportRoute from "~/routes/students.$id.export";
import * as webhookRoute from "~/routes/api.webhooks.lessonspace";
import { signWebhook } from "../stand-ins/lessonspace.ts";
import { addGuardian, callAction, callLoader, callPage, makeRequest } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import { callWith } from "./artifacts-helpers.ts";
import { addSnapshot, heldLesson, lastLogId, logRowsAfter, person, said, type Person } from "./privacy-helpers.ts";

let tutor: Person, parent: Person, child: Person, pending: Person, stranger: Person, adult: Person;
let otherParent: Person, otherChild: Person;

beforeAll(async () => {
  [tutor, parent, child, pending, stranger, adult, otherParent, otherChild] = await Promise.all([
    person("Tara Tutor"),
    person("Paula Parent"),
    person("Charlie Child"),
    person("Pat Pending"),
    person("Sam Stranger"),
    person("Ada Adult"),
    person("Olga Other"),
    person("Oscar Other"),
  ]);
  await addGuardian(parent.id, child.id);
  await addGuardian(pending.id, child.id, "PENDING");
  await addGuardian(otherParent.id, otherChild.id);
});

async function childLesson() {
  const lesson = await heldLesson(
    { clientId: parent.id, tutorId: tutor.id, studentId: child.id },
    { transcript: [said(tutor, 0, 60, "Today: photosynthesis."), said(child, 60, 120, "Chlorophyll is green.")] },
  );
  await db.lessonSummary.create({
    data: {
      sessionId: lesson.sessionId,
      bookingId: lesson.bookingId,
      text: "They covered photosynthesis.",
      source: "lessonspace",
    },
  });
  return lesson;
}

async function transcriptState(bookingId: string) {
  return {
    segments: await db.transcriptSegment.count({ where: { bookingId } }),
    speakers: await db.transcriptSpeaker.count({ where: { bookingId } }),
    summaries: await db.lessonSummary.count({ where: { bookingId } }),
    fetches: await db.transcriptFetch.count({ where: { session: { bookingId } } }),
    deletion: await db.transcriptDeletion.count({ where: { bookingId } }),
  };
}

const confirmPage = (bookingId: string, who: Person | null) =>
  callLoader(deleteRoute, `/bookings/${bookingId}/transcript/delete`, {
    params: { id: bookingId },
    cookie: who?.cookie,
  });

const postDelete = (bookingId: string, who: Person | null, form: Record<string, string> = { confirm: "delete" }) =>
  callAction(deleteRoute, `/bookings/${bookingId}/transcript/delete`, {
    params: { id: bookingId },
    cookie: who?.cookie,
    form,
  });

describe("deleting a lesson's transcript and summary", () => {
  it("an active guardian confirms, and segments, talk time, fetch state and summaries go; the page says who and when; logged", async () => {
    const { bookingId } = await childLesson();
    expect((await confirmPage(bookingId, parent)).status).toBe(200);
    const before = await lastLogId();
    const result = await postDelete(bookingId, parent);
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(`/bookings/${bookingId}/transcript`);
    expect(await transcriptState(bookingId)).toEqual({
      segments: 0,
      speakers: 0,
      summaries: 0,
      fetches: 0,
      deletion: 1,
    });
    expect(await logRowsAfter(before)).toEqual([
      { actorId: parent.id, learnerId: child.id, bookingId, action: "deletion" },
    ]);
    const page = await callLoader(transcriptRoute, `/bookings/${bookingId}/transcript`, {
      params: { id: bookingId },
      cookie: tutor.cookie,
    });
    const data = page.data as { deleted: { by: string; on: string } | null; sessions: unknown[]; mayDelete: boolean };
    expect(data.deleted?.by).toBe("Paula Parent");
    expect(data.sessions).toEqual([]);
    expect(data.mayDelete).toBe(false);
    const html = await callPage(bookingRoute, `/bookings/${bookingId}`, {
      params: { id: bookingId },
      cookie: parent.cookie,
    });
    expect(JSON.stringify(html.data)).not.toContain("Chlorophyll");
  });

  it("the adult learner may delete their own lesson's transcript", async () => {
    const { bookingId } = await heldLesson(
      { clientId: adult.id, tutorId: tutor.id, studentId: null },
      { transcript: [said(adult, 0, 30, "My own words.")] },
    );
    expect((await postDelete(bookingId, adult)).status).toBe(303);
    expect((await transcriptState(bookingId)).segments).toBe(0);
  });

  it.each([
    ["the tutor", () => tutor],
    ["the child (the guardian decides for a child)", () => child],
    ["a pending guardian", () => pending],
    ["another family", () => otherParent],
    ["a stranger", () => stranger],
  ])("%s gets 404 on the page and the post, and nothing changes", async (_who, viewer) => {
    const { bookingId } = await childLesson();
    const before = await transcriptState(bookingId);
    const logBefore = await lastLogId();
    expect((await confirmPage(bookingId, viewer())).status).toBe(404);
    expect((await postDelete(bookingId, viewer())).status).toBe(404);
    expect(await transcriptState(bookingId)).toEqual(before);
    expect(await logRowsAfter(logBefore)).toEqual([]);
  });

  it("someone signed out is sent to sign in, and nothing changes", async () => {
    const { bookingId } = await childLesson();
    const before = await transcriptState(bookingId);
    expect((await postDelete(bookingId, null)).status).toBe(302);
    expect(await transcriptState(bookingId)).toEqual(before);
  });

  it("a form without the confirmation field is refused (400), and nothing changes", async () => {
    const { bookingId } = await childLesson();
    const before = await transcriptState(bookingId);
    expect((await postDelete(bookingId, parent, {})).status).toBe(400);
    expect(await transcriptState(bookingId)).toEqual(before);
  });

  it("a cross-site (forged) post is refused before the action runs, and nothing changes", async () => {
    const { bookingId } = await childLesson();
    const before = await transcriptState(bookingId);
    const request = makeRequest(`/bookings/${bookingId}/transcript/delete`, {
      cookie: parent.cookie,
      form: { confirm: "delete" },
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    let actionRan = false;
    const response = await securityMiddleware(
      { request, params: { id: bookingId }, context: new RouterContextProvider(), unstable_pattern: "" } as never,
      async () => {
        actionRan = true;
        const result = await callWith(deleteRoute.action, request, { id: bookingId });
        return new Response(null, { status: result.status });
      },
    );
    expect(actionRan).toBe(false);
    expect((response as Response).status).toBe(403);
    expect(await transcriptState(bookingId)).toEqual(before);
  });

  it("a replayed post changes nothing and logs nothing more", async () => {
    const { bookingId } = await childLesson();
    await postDelete(bookingId, parent);
    const deletion = await db.transcriptDeletion.findUniqueOrThrow({ where: { bookingId } });
    const logBefore = await lastLogId();
    expect((await postDelete(bookingId, parent)).status).toBe(303);
    expect(await db.transcriptDeletion.findUniqueOrThrow({ where: { bookingId } })).toEqual(deletion);
    expect(await logRowsAfter(logBefore)).toEqual([]);
  });

  it("a late transcription.finish for the same session does not bring it back", async () => {
    const { bookingId, sessionId } = await childLesson();
    const roomId = randomUUID();
    const secret = `space-secret-${randomUUID()}`;
    await db.lessonspaceSpace.create({ data: { roomId, bookingId, launchId: `booking-${bookingId}`, secret } });
    await postDelete(bookingId, parent);
    const url = testStandIns.lessonspace.publishTranscriptFile(
      JSON.stringify([said(child, 0, 30, "Chlorophyll again.")]),
    );
    const body = JSON.stringify({
      event: "transcription.finish",
      room: { id: roomId },
      session: { id: sessionId },
      transcription: { url },
    });
    const delivered = await callAction(webhookRoute, "/api/webhooks/lessonspace", {
      body,
      headers: {
        "Content-Type": "application/json",
        "x-webhook-id": randomUUID(),
        "x-webhook-event": "transcription.finish",
        "x-webhook-signature": signWebhook(body, secret),
      },
    });
    expect(delivered.status).toBe(200);
    await fetchDueTranscripts(new Date(), 50);
    // And a summary job writing late is skipped the same way.
    await db.lessonSummary.createMany({
      data: [{ sessionId, bookingId, text: "Late summary", source: "lessonspace" }],
    });
    expect(await transcriptState(bookingId)).toEqual({
      segments: 0,
      speakers: 0,
      summaries: 0,
      fetches: 0,
      deletion: 1,
    });
  });
});

/** Every entry of a ZIP, by name. */
async function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))),
  );
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
        stream.on("error", reject);
      });
    });
    zip.on("end", resolve);
    zip.on("error", reject);
    zip.readEntry();
  });
  return files;
}

const exportOf = (learnerId: string, who: Person | null) =>
  callLoader(exportRoute, `/students/${learnerId}/export`, { params: { id: learnerId }, cookie: who?.cookie });

describe("the family's export", () => {
  it("an active guardian downloads one ZIP with everything about the child, nothing private, nothing of others; logged", async () => {
    const { bookingId } = await childLesson();
    await addSnapshot(bookingId, tutor.cookie);
    await db.lessonNote.create({
      data: {
        bookingId,
        tutorId: tutor.id,
        covered: "Photosynthesis, =SUM(A1) formulas",
        privateNote: "PRIVATE: tutor only",
        publishedAt: new Date(),
        homework: { create: [{ position: 0, text: "Draw a leaf" }] },
      },
    });
    // Another family's lesson with the same tutor: none of it may appear.
    await heldLesson(
      { clientId: otherParent.id, tutorId: tutor.id, studentId: otherChild.id },
      { transcript: [said(otherChild, 0, 30, "Oscar's secret words.")] },
    );
    const before = await lastLogId();
    const result = await exportOf(child.id, parent);
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("application/zip");
    expect(result.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="tutorwise-export-\d{4}-\d{2}-\d{2}\.zip"$/,
    );
    const files = await unzip(Buffer.from(await result.response!.arrayBuffer()));
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        "README.txt",
        "learner.json",
        "consent.json",
        "lessons.json",
        "lessons.csv",
        "notes.json",
        "homework.csv",
        "transcripts.json",
        "transcripts.csv",
        "summaries.json",
        "talk-time.csv",
        "access-log.json",
        "access-log.csv",
      ]),
    );
    const lessons = JSON.parse(files.get("lessons.json")!.toString()) as {
      id: string;
      sessions: { attendance: unknown[] }[];
    }[];
    expect(lessons.map((l) => l.id)).toContain(bookingId);
    expect(lessons.find((l) => l.id === bookingId)!.sessions[0]!.attendance).toHaveLength(2);
    expect(files.get("transcripts.json")!.toString()).toContain("Chlorophyll is green.");
    expect(files.get("summaries.json")!.toString()).toContain("They covered photosynthesis.");
    expect(files.get("notes.json")!.toString()).toContain("Draw a leaf");
    expect(files.get("homework.csv")!.toString()).toContain("Draw a leaf");
    expect(files.get("talk-time.csv")!.toString()).toContain("Charlie Child");
    expect(files.get("README.txt")!.toString()).toContain("transcripts.csv");
    // Nobody in the family has chosen: the export says the defaults apply, and which they are.
    expect(JSON.parse(files.get("consent.json")!.toString())).toMatchObject({
      recording: true,
      chosenBy: null,
      note: "The service's defaults: nobody in the family has chosen yet.",
    });
    const snapshots = [...files.keys()].filter((name) => name.startsWith("snapshots/"));
    expect(snapshots).toEqual([
      expect.stringMatching(new RegExp(`^snapshots/\\d{4}-\\d{2}-\\d{2}-${bookingId}\\.png$`)),
    ]);
    const everything = [...files.values()].map((b) => b.toString("latin1")).join("\n");
    expect(everything).not.toContain("PRIVATE: tutor only");
    expect(everything).not.toContain("Oscar");
    expect(await logRowsAfter(before)).toEqual([
      { actorId: parent.id, learnerId: child.id, bookingId: null, action: "export" },
    ]);
    // The export itself is in the access log of the next export.
    const again = await unzip(Buffer.from(await (await exportOf(child.id, parent)).response!.arrayBuffer()));
    expect(again.get("access-log.csv")!.toString()).toContain("Paula Parent,export,");
  });

  it("the adult learner exports their own data", async () => {
    await heldLesson(
      { clientId: adult.id, tutorId: tutor.id, studentId: null },
      { transcript: [said(adult, 0, 9, "Mine.")] },
    );
    const result = await exportOf(adult.id, adult);
    expect(result.status).toBe(200);
    const files = await unzip(Buffer.from(await result.response!.arrayBuffer()));
    expect(files.get("transcripts.csv")!.toString()).toContain("Mine.");
  });

  it.each([
    ["the tutor", () => tutor],
    ["the child (the guardian decides for a child)", () => child],
    ["a pending guardian", () => pending],
    ["another family", () => otherParent],
    ["a stranger", () => stranger],
  ])("%s gets 404 and nothing is logged", async (_who, viewer) => {
    const before = await lastLogId();
    expect((await exportOf(child.id, viewer())).status).toBe(404);
    expect(await logRowsAfter(before)).toEqual([]);
  });

  it("someone signed out is sent to sign in; a malformed id is 404", async () => {
    expect((await exportOf(child.id, null)).status).toBe(302);
    expect((await exportOf("nope", parent)).status).toBe(404);
  });
});

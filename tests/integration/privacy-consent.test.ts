// Consent per learner (docs/decisions/0070-consent-per-learner.md) on real PostgreSQL: who may read
// and change it, what a launch sends because of it, and what the lesson's pages say.
import { RouterContextProvider } from "react-router";
import { describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { securityMiddleware } from "~/.server/security";
import * as bookingRoute from "~/routes/bookings.$id";
import * as privacyRoute from "~/routes/students.$id.privacy";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  makeRequest,
  signIn,
} from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import {
  createFamily,
  createOpenLesson,
  lastLaunchBody,
  openClassroom,
  postLaunchForm,
  type Family,
} from "./launch-support.ts";

const path = (learnerId: string) => `/students/${learnerId}/privacy`;
const readPage = (learnerId: string, cookie?: string) =>
  callLoader(privacyRoute, path(learnerId), { cookie, params: { id: learnerId } });
const choose = (learnerId: string, form: Record<string, string>, cookie?: string) =>
  callAction(privacyRoute, path(learnerId), { cookie, params: { id: learnerId }, form });

const ALL = { recording: "on", transcription: "on", summaries: "on" };
const storedConsent = (learnerId: string) =>
  db.learnerConsent.findUnique({
    where: { learnerId },
    select: { recording: true, transcription: true, summaries: true, setById: true },
  });

type PageData = {
  consent: { recording: boolean; transcription: boolean; summaries: boolean };
  mayChange: boolean;
  lessonInProgress: boolean;
  recordingRequired: boolean;
};

async function familyWithOthers(): Promise<
  Family & { pending: { id: string; cookie: string }; otherParent: { id: string; cookie: string } }
> {
  const family = await createFamily();
  const [pending, otherParent] = await Promise.all([
    createProfile({ fullName: "Pat Pending", roles: ["client"] }),
    createProfile({ fullName: "Olly Other", roles: ["client"] }),
  ]);
  const otherChild = await createProfile({ fullName: "Otto Other", roles: ["student"] });
  await Promise.all([addGuardian(pending.id, family.child.id, "PENDING"), addGuardian(otherParent.id, otherChild.id)]);
  // The tutor has taught the child: teaching grants no say over the family's choice.
  await createOpenLesson(family);
  return {
    ...family,
    pending: { id: pending.id, cookie: await signIn(pending) },
    otherParent: { id: otherParent.id, cookie: await signIn(otherParent) },
  };
}

describe("who may read and change a learner's consent", () => {
  it("an active guardian reads the child's defaults (transcripts and summaries off) and saves a choice as theirs", async () => {
    const family = await createFamily();
    const page = await readPage(family.child.id, family.cookies.parent);
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("private, no-store");
    expect((page.data as PageData).consent).toEqual({ recording: true, transcription: false, summaries: false });
    expect((page.data as PageData).mayChange).toBe(true);

    const saved = await choose(family.child.id, ALL, family.cookies.parent);
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location")).toBe(`${path(family.child.id)}?saved=1`);
    expect(await storedConsent(family.child.id)).toEqual({
      recording: true,
      transcription: true,
      summaries: true,
      setById: family.parent.id,
    });
  });

  it("an adult learner (no active guardian) has everything on by default and decides for themself", async () => {
    const adult = await createProfile({ fullName: "Ada Adult", roles: ["client"] });
    const cookie = await signIn(adult);
    const page = await readPage(adult.id, cookie);
    expect((page.data as PageData).consent).toEqual({ recording: true, transcription: true, summaries: true });
    expect((await choose(adult.id, {}, cookie)).status).toBe(302);
    expect(await storedConsent(adult.id)).toMatchObject({ recording: false, transcription: false, summaries: false });
  });

  it("the child reads their own page but cannot change it: the post is a 404 and nothing is stored", async () => {
    const family = await createFamily();
    const page = await readPage(family.child.id, family.cookies.child);
    expect(page.status).toBe(200);
    expect((page.data as PageData).mayChange).toBe(false);
    expect((await choose(family.child.id, ALL, family.cookies.child)).status).toBe(404);
    expect(await storedConsent(family.child.id)).toBeNull();
  });

  for (const who of ["tutor", "pending guardian", "another family's parent", "stranger"] as const) {
    it(`the ${who} gets the same 404 reading or changing it, and nothing changes`, async () => {
      const family = await familyWithOthers();
      const cookie = {
        tutor: family.cookies.tutor,
        "pending guardian": family.pending.cookie,
        "another family's parent": family.otherParent.cookie,
        stranger: family.cookies.stranger,
      }[who];
      expect((await readPage(family.child.id, cookie)).status).toBe(404);
      expect((await choose(family.child.id, ALL, cookie)).status).toBe(404);
      expect(await storedConsent(family.child.id)).toBeNull();
    });
  }

  it("a signed-out visitor is sent to sign-in, reading or changing, and nothing changes", async () => {
    const family = await createFamily();
    for (const result of [await readPage(family.child.id), await choose(family.child.id, ALL)]) {
      expect(result.status).toBe(302);
      expect(result.headers.get("Location")).toMatch(/^\/sign-in\?redirectTo=/);
    }
    expect(await storedConsent(family.child.id)).toBeNull();
  });

  it("an unknown or malformed learner id is the same 404", async () => {
    const family = await createFamily();
    expect((await readPage("00000000-0000-4000-8000-000000000000", family.cookies.parent)).status).toBe(404);
    expect((await readPage("not-a-uuid", family.cookies.parent)).status).toBe(404);
  });

  it("a post from another site is refused by the app's cross-site check before the action runs", async () => {
    const family = await createFamily();
    const forged = makeRequest(path(family.child.id), {
      method: "POST",
      form: ALL,
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site", Cookie: family.cookies.parent },
    });
    let ran = false;
    const response = (await securityMiddleware(
      { request: forged, params: {}, context: new RouterContextProvider(), unstable_pattern: "" } as never,
      async () => {
        ran = true;
        return new Response(null, { status: 204 });
      },
    )) as Response;
    expect({ ran, status: response.status }).toEqual({ ran: false, status: 403 });
    expect(await storedConsent(family.child.id)).toBeNull();
  });
});

describe("a choice that needs another", () => {
  it("a transcript without recording is refused with 'Transcripts need recording', nothing stored", async () => {
    const family = await createFamily();
    const result = await choose(family.child.id, { transcription: "on" }, family.cookies.parent);
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.data)).toContain("Transcripts need recording");
    expect(await storedConsent(family.child.id)).toBeNull();
  });

  it("a summary without a transcript is refused with its reason, nothing stored", async () => {
    const family = await createFamily();
    const result = await choose(family.child.id, { recording: "on", summaries: "on" }, family.cookies.parent);
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.data)).toContain("Summaries need transcripts");
    expect(await storedConsent(family.child.id)).toBeNull();
  });
});

describe("launch follows consent", () => {
  it("a child with no choice stored: recorded, not transcribed, not summarised", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    expect((await postLaunchForm(lesson.id, family.cookies.tutor)).status).toBe(303);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: false, summarise: false });
    expect(lastLaunchBody(lesson.id).webhooks).not.toHaveProperty("transcription");
    expect(testStandIns.lessonspace.spaces.get(`booking-${lesson.id}`)!.transcribe).toBe(false);
  });

  it("after the guardian opts in, every launch transcribes and summarises; recording off sends nothing kept", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await choose(family.child.id, ALL, family.cookies.parent);
    await postLaunchForm(lesson.id, family.cookies.tutor);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: true, summarise: true });
    await postLaunchForm(lesson.id, family.cookies.child);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: true, summarise: true });
    expect(await db.lessonspaceSpace.findUnique({ where: { bookingId: lesson.id } })).toMatchObject({
      launchedRecordAv: true,
      launchedTranscribe: true,
      launchedSummarise: true,
    });

    await choose(family.child.id, {}, family.cookies.parent);
    await postLaunchForm(lesson.id, family.cookies.tutor);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: false, transcribe: false, summarise: false });
  });

  it("the adult learner's own choice decides their lessons", async () => {
    const [tutor, adult] = await Promise.all([
      createProfile({ fullName: "Tom Tutor", roles: ["tutor"] }),
      createProfile({ fullName: "Ada Adult", roles: ["client"] }),
    ]);
    const [tutorCookie, adultCookie] = await Promise.all([signIn(tutor), signIn(adult)]);
    const lesson = await createBooking({
      clientId: adult.id,
      tutorId: tutor.id,
      studentId: null,
      sessionStartTime: new Date(Date.now() - 5 * 60_000),
    });
    await postLaunchForm(lesson.id, tutorCookie);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: true, summarise: true });
    await choose(adult.id, { recording: "on", transcription: "on" }, adultCookie);
    await postLaunchForm(lesson.id, tutorCookie);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: true, summarise: false });
  });

  it("while a session is live, launches keep the room's flags and the page says the change waits; the next launch after it applies", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await choose(family.child.id, ALL, family.cookies.parent);
    await postLaunchForm(lesson.id, family.cookies.tutor);
    const session = await db.lessonspaceSession.create({
      data: { sessionId: `live-${lesson.id}`, bookingId: lesson.id, startedAt: new Date(Date.now() - 60_000) },
    });

    await choose(family.child.id, { recording: "on" }, family.cookies.parent);
    expect(((await readPage(family.child.id, family.cookies.parent)).data as PageData).lessonInProgress).toBe(true);
    await postLaunchForm(lesson.id, family.cookies.child);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: true, summarise: true });

    await db.lessonspaceSession.update({ where: { id: session.id }, data: { endedAt: new Date() } });
    expect(((await readPage(family.child.id, family.cookies.parent)).data as PageData).lessonInProgress).toBe(false);
    await postLaunchForm(lesson.id, family.cookies.child);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: false, summarise: false });
  });
});

describe("the lesson's pages show the family's choice", () => {
  it("the tutor sees 'not recorded, at the family's request' on the booking page and in the classroom", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await choose(family.child.id, {}, family.cookies.parent);
    const page = await callLoader(bookingRoute, `/bookings/${lesson.id}`, {
      cookie: family.cookies.tutor,
      params: { id: lesson.id },
    });
    expect((page.data as { privacyNotice: string | null }).privacyNotice).toBe(
      "This lesson is not recorded, at the family's request.",
    );
    const classroom = await openClassroom(lesson.id, family.cookies.tutor);
    expect(classroom.status).toBe(200);
    expect((classroom.data as { privacyNotice: string | null }).privacyNotice).toBe(
      "This lesson is not recorded, at the family's request.",
    );
  });

  it("says nothing when the family kept everything", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await choose(family.child.id, ALL, family.cookies.parent);
    const page = await callLoader(bookingRoute, `/bookings/${lesson.id}`, {
      cookie: family.cookies.tutor,
      params: { id: lesson.id },
    });
    expect((page.data as { privacyNotice: string | null }).privacyNotice).toBeNull();
  });
});

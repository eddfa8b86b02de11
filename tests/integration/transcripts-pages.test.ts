// The transcript page, transcript search, the learning record and the booking page's talk time,
// with the refusals for every role (a child's words are personal data: the same 404 for everyone else).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db, sql } from "~/.server/db";
import { fetchDueTranscripts } from "~/.server/transcripts/ingest";
import { NEWEST_LESSONS, searchTranscriptsSql } from "~/.server/transcripts/read";
import { periodKey } from "~/domain/learning-record";
import * as bookingRoute from "~/routes/bookings.$id";
import * as transcriptRoute from "~/routes/bookings.$id.transcript";
import * as recordRoute from "~/routes/students.$id.record";
import * as searchRoute from "~/routes/transcripts.search";
import { addGuardian, callLoader, createBooking, createProfile, signIn, type TestProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

type Person = TestProfile & { cookie: string };

async function person(fullName: string, timeZone = "Europe/London"): Promise<Person> {
  const profile = await createProfile({ fullName, timeZone });
  return { ...profile, cookie: await signIn(profile) };
}

let tutor: Person;
let parent: Person;
let secondParent: Person;
let child: Person;
let pendingGuardian: Person;
let otherTutor: Person;
let otherParent: Person;
let otherChild: Person;
let stranger: Person;
let adult: Person;

let lessonId: string;
let otherFamilyLessonId: string;
let adultLessonId: string;
let otherTutorLessonId: string;
const sessionStart = new Date(Date.now() - 2 * 3600_000);

/** A finished lesson with attendance and a stored transcript, through the real fetch path. */
async function lessonWithTranscript(
  parties: { clientId: string; tutorId: string; studentId: string | null },
  attendees: string[],
  transcript: unknown[],
  serviceName = "GCSE Biology",
  start = sessionStart,
) {
  const booking = await createBooking({ ...parties, serviceName, sessionStartTime: start, sessionDuration: 60 });
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
  for (const profileId of attendees) {
    await db.lessonspaceAttendance.create({
      data: {
        sessionId,
        profileId,
        joinedAt: start,
        leftAt: new Date(start.getTime() + 55 * 60_000),
        secondsPresent: 3300,
      },
    });
  }
  const url = testStandIns.lessonspace.publishTranscriptFile(JSON.stringify(transcript));
  await db.transcriptFetch.create({ data: { sessionId, url, deliveryId: randomUUID() } });
  await fetchDueTranscripts(new Date(), 10);
  expect(await db.transcriptFetch.findUniqueOrThrow({ where: { sessionId } })).toMatchObject({ status: "done" });
  return booking.id;
}

const said = (who: { id: string; fullName: string }, start: number, end: number, text: string) => ({
  start_time: start,
  end_time: end,
  user: { id: who.id, name: who.fullName },
  breakout_id: null,
  text,
});

beforeAll(async () => {
  [tutor, parent, secondParent, child, pendingGuardian, otherTutor, otherParent, otherChild, stranger, adult] =
    await Promise.all([
      person("Tara Tutor"),
      person("Paula Parent", "America/New_York"),
      person("Peter Parent"),
      person("Charlie Child"),
      person("Pat Pending"),
      person("Otto Tutor"),
      person("Olga Other"),
      person("Oscar Other"),
      person("Sam Stranger"),
      person("Ada Adult"),
    ]);
  await Promise.all([
    addGuardian(parent.id, child.id),
    addGuardian(secondParent.id, child.id),
    addGuardian(pendingGuardian.id, child.id, "PENDING"),
    addGuardian(otherParent.id, otherChild.id),
  ]);
  lessonId = await lessonWithTranscript(
    { clientId: parent.id, tutorId: tutor.id, studentId: child.id },
    [tutor.id, child.id],
    [
      said(tutor, 0, 40 * 60, "Today: photosynthesis and chlorophyll."),
      said(child, 40 * 60, 54 * 60, "Photosynthesis turns light into sugar."),
    ],
  );
  otherFamilyLessonId = await lessonWithTranscript(
    { clientId: otherParent.id, tutorId: otherTutor.id, studentId: otherChild.id },
    [otherTutor.id, otherChild.id],
    [said(otherTutor, 0, 60, "Our family's photosynthesis secret."), said(otherChild, 60, 90, "Mitochondria!")],
  );
  // The same child with another tutor: the first tutor must not see it in the record.
  otherTutorLessonId = await lessonWithTranscript(
    { clientId: parent.id, tutorId: otherTutor.id, studentId: child.id },
    [otherTutor.id, child.id],
    [said(otherTutor, 0, 60, "French verbs."), said(child, 60, 70, "Je suis.")],
    "French",
  );
  adultLessonId = await lessonWithTranscript(
    { clientId: adult.id, tutorId: tutor.id, studentId: null },
    [adult.id, tutor.id],
    [said(tutor, 0, 60, "Welcome to Spanish."), said(adult, 60, 180, "Hola, me llamo Ada.")],
    "Spanish",
  );
});

const transcriptOf = (id: string, viewer: Person) =>
  callLoader(transcriptRoute, `/bookings/${id}/transcript`, { params: { id }, cookie: viewer.cookie });
const search = (q: string, viewer: Person) =>
  callLoader(searchRoute, `/transcripts/search?q=${encodeURIComponent(q)}`, { cookie: viewer.cookie });
const recordOf = (id: string, viewer: Person, query = "") =>
  callLoader(recordRoute, `/students/${id}/record${query}`, { params: { id }, cookie: viewer.cookie });

type TranscriptData = {
  status: string;
  talk: { sentences: { sentence: string; isLearner: boolean }[] };
  sessions: {
    heading: string;
    segments: { anchor: string; time: { label: string; dateTime: string | null }; speakerName: string; text: string }[];
  }[];
};

describe("the transcript page", () => {
  it("shows the parent each segment with its speaker, at its time in the parent's zone, with an anchor", async () => {
    const result = await transcriptOf(lessonId, parent);
    expect(result.status).toBe(200);
    expect(result.headers.get("Cache-Control")).toBe("private, no-store");
    const page = result.data as TranscriptData;
    const [first, second] = page.sessions[0]!.segments;
    expect(first).toMatchObject({
      speakerName: "Tara Tutor",
      text: "Today: photosynthesis and chlorophyll.",
      anchor: expect.stringMatching(/^segment-[0-9a-f-]{36}$/),
    });
    const childAt = new Date(sessionStart.getTime() + 40 * 60_000);
    expect(second!.time).toEqual({
      dateTime: childAt.toISOString(),
      label: new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
        timeZone: "America/New_York",
      }).format(childAt),
    });
    expect(page.talk.sentences[0]).toEqual({
      key: child.id,
      sentence: "Charlie Child spoke for 14 min of the lesson's 55 min: 26% of the talking.",
      isLearner: true,
    });
  });

  it.each([
    ["the tutor", () => tutor],
    ["the child", () => child],
    ["the client", () => parent],
    ["another active guardian of the child", () => secondParent],
  ])("is open to %s", async (_who, viewer) => {
    expect((await transcriptOf(lessonId, viewer())).status).toBe(200);
  });

  it.each([
    ["a stranger", () => stranger],
    ["another family's parent", () => otherParent],
    ["another tutor", () => otherTutor],
    ["a pending guardian", () => pendingGuardian],
  ])("is the same 404 for %s", async (_who, viewer) => {
    const result = await transcriptOf(lessonId, viewer());
    expect(result.status).toBe(404);
    expect(result.data).toBe("Not found");
  });

  it("is 404 for a malformed or unknown id, and sends signed-out people to sign in", async () => {
    expect((await transcriptOf("not-a-uuid", parent)).status).toBe(404);
    expect((await transcriptOf(randomUUID(), parent)).status).toBe(404);
    const anonymous = await callLoader(transcriptRoute, `/bookings/${lessonId}/transcript`, {
      params: { id: lessonId },
    });
    expect(anonymous.status).toBe(302);
  });

  it("says the transcript is being prepared while the fetch is pending, and the booking page still works when it failed", async () => {
    // Another family's lesson, so that the record tests below count only the lessons made above.
    const booking = await createBooking({
      clientId: otherParent.id,
      tutorId: otherTutor.id,
      studentId: otherChild.id,
      sessionStartTime: sessionStart,
    });
    const sessionId = randomUUID();
    await db.lessonspaceSession.create({ data: { sessionId, bookingId: booking.id, startedAt: sessionStart } });
    await db.transcriptFetch.create({
      data: {
        sessionId,
        url: "https://evil.example/x.json",
        deliveryId: randomUUID(),
        nextAttemptAt: new Date(Date.now() + 3600_000),
      },
    });
    expect(((await transcriptOf(booking.id, otherParent)).data as TranscriptData).status).toBe("pending");
    await db.transcriptFetch.update({ where: { sessionId }, data: { status: "failed", lastError: "refused" } });
    const page = await callLoader(bookingRoute, `/bookings/${booking.id}`, {
      params: { id: booking.id },
      cookie: otherParent.cookie,
    });
    expect(page.status).toBe(200);
    expect((page.data as { transcript: { status: string } }).transcript.status).toBe("failed");
    // An expired link is said as such on both pages (TRANSCRIPT_EXPIRED_TEXT), not as "no transcript".
    await db.transcriptFetch.update({ where: { sessionId }, data: { status: "expired", lastError: "403" } });
    expect(((await transcriptOf(booking.id, otherParent)).data as TranscriptData).status).toBe("expired");
    const expired = await callLoader(bookingRoute, `/bookings/${booking.id}`, {
      params: { id: booking.id },
      cookie: otherParent.cookie,
    });
    expect((expired.data as { transcript: { status: string } }).transcript.status).toBe("expired");
  });
});

type SearchData = {
  query: string;
  error: string | null;
  hits: { href: string; speakerName: string; excerpt: { text: string; match: boolean }[] }[] | null;
  first?: number;
  previous?: string | null;
  next?: string | null;
  firstPage?: string | null;
};

describe("transcript search", () => {
  it("finds a word (by stem) in the viewer's own lessons, linking to the segment", async () => {
    const result = await search("photosynthesis", parent);
    expect(result.status).toBe(200);
    const { hits } = result.data as SearchData;
    expect(hits!.length).toBe(2);
    for (const hit of hits!)
      expect(hit.href).toMatch(new RegExp(`^/bookings/${lessonId}/transcript#segment-[0-9a-f-]{36}$`));
    expect(hits!.flatMap((hit) => hit.excerpt.filter((part) => part.match).map((part) => part.text))).toEqual([
      "photosynthesis",
      "Photosynthesis",
    ]);
    const stem = (await search("sugars", parent)).data as SearchData;
    expect(stem.hits!.map((hit) => hit.speakerName)).toEqual(["Charlie Child"]);
  });

  it("never returns another family's segments, for every role", async () => {
    for (const viewer of [parent, secondParent, child, tutor, pendingGuardian, stranger, adult]) {
      const { hits } = (await search("photosynthesis secret", viewer)).data as SearchData;
      expect(hits!.some((hit) => hit.href.includes(otherFamilyLessonId))).toBe(false);
    }
    const own = (await search("photosynthesis secret", otherParent)).data as SearchData;
    expect(own.hits!.map((hit) => hit.href.split("#")[0])).toEqual([`/bookings/${otherFamilyLessonId}/transcript`]);
  });

  it("a pending guardian and a stranger find nothing; another tutor finds only their own lessons", async () => {
    expect(((await search("photosynthesis", pendingGuardian)).data as SearchData).hits).toEqual([]);
    expect(((await search("photosynthesis", stranger)).data as SearchData).hits).toEqual([]);
    const otto = (await search("photosynthesis", otherTutor)).data as SearchData;
    expect(otto.hits!.every((hit) => hit.href.includes(otherFamilyLessonId))).toBe(true);
  });

  it("shows only the form for an empty query, and answers 400 for an absurdly long one", async () => {
    const empty = await search("   ", parent);
    expect(empty.status).toBe(200);
    expect(empty.data).toMatchObject({ query: "", hits: null, error: null });
    const long = await search("a".repeat(201), parent);
    expect(long.status).toBe(400);
    expect(long.data).toMatchObject({ hits: null, error: "Search for at most 200 characters." });
  });

  it("pages through many moments, 50 at a time in one order: none twice, none skipped; a tampered page number is the first page", async () => {
    const [learner, teacher] = await Promise.all([person("Rita Reader"), person("Vic Vocab")]);
    const moments = Array.from({ length: 120 }, (_, i) =>
      said(i % 2 ? teacher : learner, i * 10, i * 10 + 5, `Glossary card ${i}: the glossary grows.`),
    );
    const vocabularyId = await lessonWithTranscript(
      { clientId: learner.id, tutorId: teacher.id, studentId: null },
      [learner.id, teacher.id],
      moments,
      "Vocabulary",
    );
    const page = async (n: string) =>
      (await callLoader(searchRoute, `/transcripts/search?q=glossary&page=${n}`, { cookie: learner.cookie }))
        .data as SearchData;

    const [first, second, third] = [await page("1"), await page("2"), await page("3")];
    expect([first.hits!.length, second.hits!.length, third.hits!.length]).toEqual([50, 50, 20]);
    expect([first.first, second.first, third.first]).toEqual([1, 51, 101]);
    expect([first.previous, first.next]).toEqual([null, "/transcripts/search?q=glossary&page=2"]);
    expect([second.previous, second.next]).toEqual([
      "/transcripts/search?q=glossary",
      "/transcripts/search?q=glossary&page=3",
    ]);
    expect([third.previous, third.next]).toEqual(["/transcripts/search?q=glossary&page=2", null]);
    const hrefs = [first, second, third].flatMap((p) => p.hits!.map((hit) => hit.href));
    expect(new Set(hrefs).size).toBe(120);
    const segments = await db.transcriptSegment.findMany({ where: { bookingId: vocabularyId }, select: { id: true } });
    expect(new Set(hrefs)).toEqual(
      new Set(segments.map((segment) => `/bookings/${vocabularyId}/transcript#segment-${segment.id}`)),
    );
    // Equal ranks come in the order they were said.
    expect(first.hits!.slice(0, 3).map((hit) => hit.excerpt.map((part) => part.text).join(""))).toEqual([
      "Glossary card 0: the glossary grows.",
      "Glossary card 1: the glossary grows.",
      "Glossary card 2: the glossary grows.",
    ]);

    const past = await page("4");
    expect(past.hits).toEqual([]);
    expect(past.firstPage).toBe("/transcripts/search?q=glossary");
    for (const tampered of ["abc", "0", "-2", "2.5", "", "1%20OR%201=1"])
      expect((await page(tampered)).hits, tampered).toEqual(first.hits);
    expect((await page("99999")).hits).toEqual([]);
    // Someone else finds none of these moments, on any page.
    for (const n of ["1", "2", "3"])
      expect(
        (await callLoader(searchRoute, `/transcripts/search?q=glossary&page=${n}`, { cookie: parent.cookie })).data,
      ).toMatchObject({ hits: [] });
  });

  it("orders by lesson, newest first, and in a lesson the best match first; the newest lessons' read and the full read agree", async () => {
    const [learner, teacher] = await Promise.all([person("Vera Volcano"), person("Ted Tectonic")]);
    const day = 24 * 3600_000;
    const parties = { clientId: learner.id, tutorId: teacher.id, studentId: null };
    // The newest lesson has 55 moments (more than a page); then one per lesson, one lesson more than
    // the first read looks at; the oldest also has the best match of all (the word three times).
    const lessons = NEWEST_LESSONS + 2;
    const ids: string[] = [];
    for (let k = 0; k < lessons; k++) {
      const moments =
        k === 0
          ? Array.from({ length: 55 }, (_, i) => said(teacher, i * 10, i * 10 + 5, `Volcano fact ${i}.`))
          : [said(teacher, 0, 5, `Volcano notes ${k}.`)];
      if (k === lessons - 1) moments.push(said(learner, 10, 15, "Volcano, volcano, volcano: it erupts!"));
      ids.push(
        await lessonWithTranscript(
          parties,
          [learner.id, teacher.id],
          moments,
          "Geology",
          new Date(sessionStart.getTime() - k * day),
        ),
      );
    }
    const page = async (n: number) =>
      (await callLoader(searchRoute, `/transcripts/search?q=volcano&page=${n}`, { cookie: learner.cookie }))
        .data as SearchData;
    const texts = (p: SearchData) => p.hits!.map((hit) => hit.excerpt.map((part) => part.text).join(""));
    const lessonOf = (p: SearchData) => p.hits!.map((hit) => ids.indexOf(hit.href.split("/")[2]!));
    const [first, second] = [await page(1), await page(2)];
    expect(texts(first)).toEqual(Array.from({ length: 50 }, (_, i) => `Volcano fact ${i}.`));
    expect(lessonOf(second)).toEqual([
      0,
      0,
      0,
      0,
      0,
      ...Array.from({ length: lessons - 1 }, (_, k) => k + 1),
      lessons - 1,
    ]);
    expect(texts(second).slice(-3)).toEqual([
      `Volcano notes ${lessons - 2}.`,
      "Volcano, volcano, volcano: it erupts!",
      `Volcano notes ${lessons - 1}.`,
    ]);
    expect(second.next).toBeNull();
    // A full page from the newest lessons is the full read's page; past them, only the full read has the rest.
    const read = (n: number, scope?: "newest-lessons") => sql(searchTranscriptsSql(learner.id, "volcano", n, scope));
    expect(await read(1, "newest-lessons")).toEqual(await read(1));
    expect((await read(2, "newest-lessons")).length).toBeLessThan((await read(2)).length);
  });

  it("takes operator soup without failing", async () => {
    for (const q of ['"unclosed', "& | ! ( ) :*", "-", "or or or", "'; DROP TABLE transcript_segments; --"]) {
      const result = await search(q, parent);
      expect(result.status).toBe(200);
    }
    expect(await db.transcriptSegment.count()).toBeGreaterThan(0);
  });
});

type RecordTotals = {
  booked: number;
  held: number;
  noShows: number;
  plannedMinutes: number;
  attendedMinutes: number;
};
type RecordData = {
  learner: { fullName: string };
  tutorOnly: boolean;
  totals: RecordTotals;
  periods: {
    key: string;
    booked: number;
    held: number;
    noShows: number;
    plannedMinutes: number;
    attendedMinutes: number;
    talkShare: number | null;
  }[];
  lessons: {
    id: string;
    state: string;
    badge: string;
    explanation: string;
    talkShare: string | null;
    evidence: { label: string; href: string }[];
  }[];
};

describe("the learning record", () => {
  it("shows the parent the child's lessons, held, minutes, talk share and evidence links", async () => {
    const result = await recordOf(child.id, parent);
    expect(result.status).toBe(200);
    const record = result.data as RecordData;
    expect(record.learner.fullName).toBe("Charlie Child");
    expect(record.tutorOnly).toBe(false);
    const current = record.periods.find((p) => p.key === periodKey(sessionStart, "month", "America/New_York"))!;
    expect(current).toMatchObject({ booked: 2, held: 2, noShows: 0, plannedMinutes: 120, attendedMinutes: 110 });
    // The headline counts the same two lessons the list shows.
    expect(record.totals).toEqual({ booked: 2, held: 2, noShows: 0, plannedMinutes: 120, attendedMinutes: 110 });
    // 14 min + 10 s of the child over (54 + 1 + 1 min 10 s) of talking in the two lessons.
    expect(current.talkShare).toBeCloseTo((14 * 60 + 10) / (54 * 60 + 70), 5);
    expect(record.lessons.map((lesson) => lesson.id).sort()).toEqual([lessonId, otherTutorLessonId].sort());
    const lesson = record.lessons.find((l) => l.id === lessonId)!;
    // Not settled yet: the provisional outcome, as the booking page shows it.
    expect(lesson).toMatchObject({
      badge: "Held",
      explanation: "Charlie Child attended 55 of 60 minutes.",
      talkShare: "26%",
    });
    expect(lesson.evidence).toContainEqual({ label: "Transcript", href: `/bookings/${lessonId}/transcript` });
  });

  it("says what is known of a Completed lesson without attendance and why a short one was not held, counting both as the list shows them", async () => {
    const family = await person("Fiona Family");
    const learner = await person("Leo Learner");
    await addGuardian(family.id, learner.id);
    const parties = { clientId: family.id, tutorId: tutor.id, studentId: learner.id };
    const completed = await createBooking({ ...parties, sessionStartTime: sessionStart, status: "Completed" });
    const shortStart = new Date(sessionStart.getTime() - 3600_000);
    const short = await createBooking({ ...parties, sessionStartTime: shortStart, sessionDuration: 30 });
    const sessionId = randomUUID();
    const endedAt = new Date(shortStart.getTime() + 3 * 60_000);
    await db.lessonspaceSession.create({ data: { sessionId, bookingId: short.id, startedAt: shortStart, endedAt } });
    await db.lessonspaceAttendance.createMany({
      data: [
        {
          sessionId,
          profileId: tutor.id,
          joinedAt: shortStart,
          leftAt: new Date(shortStart.getTime() + 12_000),
          secondsPresent: 12,
        },
        { sessionId, profileId: learner.id, joinedAt: shortStart, leftAt: endedAt, secondsPresent: 180 },
      ],
    });

    const record = (await recordOf(learner.id, family)).data as RecordData;
    const byId = new Map(record.lessons.map((lesson) => [lesson.id, lesson]));
    expect(byId.get(completed.id)).toMatchObject({
      state: "unrecorded",
      badge: "Completed",
      explanation: "Marked completed; the classroom recorded no attendance, so how long it ran is not known.",
    });
    expect(byId.get(short.id)).toMatchObject({ state: "too_short", badge: "Too short" });
    expect(byId.get(short.id)!.explanation).toContain("Tara Tutor was in the classroom for 12 s");
    // Held counts the Completed lesson; minutes count only the lesson whose attendance is known.
    expect(record.totals).toEqual({ booked: 2, held: 1, noShows: 1, plannedMinutes: 30, attendedMinutes: 3 });
  });

  it("groups by week on request", async () => {
    const record = (await recordOf(child.id, parent, "?by=week")).data as RecordData;
    expect(record.periods).toHaveLength(16);
    expect(record.periods.find((p) => p.key === periodKey(sessionStart, "week", "America/New_York"))!.booked).toBe(2);
  });

  it("shows a tutor only the lessons they taught", async () => {
    const result = await recordOf(child.id, tutor);
    expect(result.status).toBe(200);
    const record = result.data as RecordData;
    expect(record.tutorOnly).toBe(true);
    expect(record.lessons.map((lesson) => lesson.id)).toEqual([lessonId]);
  });

  it.each([
    ["the child themself", () => child],
    ["another active guardian", () => secondParent],
  ])("is open to %s", async (_who, viewer) => {
    expect((await recordOf(child.id, viewer())).status).toBe(200);
  });

  it.each([
    ["a stranger", () => stranger],
    ["another family's parent", () => otherParent],
    ["a tutor who never taught the child", () => adult],
    ["a pending guardian", () => pendingGuardian],
  ])("is the same 404 for %s", async (_who, viewer) => {
    const result = await recordOf(child.id, viewer());
    expect(result.status).toBe(404);
    expect(result.data).toBe("Not found");
  });

  it("another family's tutor may not open this child's record, only their own student's", async () => {
    expect((await recordOf(otherChild.id, otherTutor)).status).toBe(200);
    expect((await recordOf(otherChild.id, tutor)).status).toBe(404);
  });

  it("is 404 for a malformed or unknown learner id", async () => {
    expect((await recordOf("../../etc", parent)).status).toBe(404);
    expect((await recordOf(randomUUID(), parent)).status).toBe(404);
  });

  it("an adult learner sees their own record, and so does their tutor", async () => {
    const own = await recordOf(adult.id, adult);
    expect(own.status).toBe(200);
    expect((own.data as RecordData).lessons.map((lesson) => lesson.id)).toEqual([adultLessonId]);
    expect((await recordOf(adult.id, tutor)).status).toBe(200);
    expect((await recordOf(adult.id, parent)).status).toBe(404);
  });
});

describe("the booking page", () => {
  it("shows who spoke how much next to attendance, and links to the transcript and the child's record", async () => {
    const result = await callLoader(bookingRoute, `/bookings/${lessonId}`, {
      params: { id: lessonId },
      cookie: parent.cookie,
    });
    expect(result.status).toBe(200);
    const page = result.data as {
      transcript: { status: string; talk: { sentences: { sentence: string }[] } };
      recordPath: string | null;
    };
    expect(page.transcript.status).toBe("done");
    expect(page.transcript.talk.sentences.map((s) => s.sentence)).toEqual([
      "Charlie Child spoke for 14 min of the lesson's 55 min: 26% of the talking.",
      "Tara Tutor spoke for 40 min of the lesson's 55 min: 74% of the talking.",
    ]);
    expect(page.recordPath).toBe(`/students/${child.id}/record`);
  });

  it("links the learner's record for the child, the tutor and an active guardian, not for a client who is not (or no longer) one", async () => {
    type Page = { recordPath: string | null };
    const recordLinkFor = async (id: string, viewer: Person) =>
      ((await callLoader(bookingRoute, `/bookings/${id}`, { params: { id }, cookie: viewer.cookie })).data as Page)
        .recordPath;
    for (const viewer of [child, tutor, parent])
      expect(await recordLinkFor(lessonId, viewer)).toBe(`/students/${child.id}/record`);
    expect(await recordLinkFor(adultLessonId, adult)).toBe(`/students/${adult.id}/record`);
    expect(await recordLinkFor(adultLessonId, tutor)).toBe(`/students/${adult.id}/record`);
    // A client who booked for a child without being their (active) guardian sees the lesson, not the record.
    const booker = await person("Bea Booker");
    const booked = await createBooking({
      clientId: booker.id,
      tutorId: tutor.id,
      studentId: child.id,
      sessionStartTime: sessionStart,
      sessionDuration: 60,
    });
    expect(await recordLinkFor(booked.id, booker)).toBeNull();
    await addGuardian(booker.id, child.id, "PENDING");
    expect(await recordLinkFor(booked.id, booker)).toBeNull();
  });

  it("says nothing about a transcript that was never delivered", async () => {
    const booked = await createBooking({
      clientId: adult.id,
      tutorId: tutor.id,
      studentId: null,
      sessionStartTime: sessionStart,
      sessionDuration: 60,
    });
    const page = (
      await callLoader(bookingRoute, `/bookings/${booked.id}`, { params: { id: booked.id }, cookie: adult.cookie })
    ).data as {
      transcript: { status: string; talk: { sentences: unknown[] } };
    };
    expect(page.transcript).toEqual({ status: "none", talk: expect.objectContaining({ sentences: [] }) });
  });
});

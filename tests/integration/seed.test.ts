// The demo seed (npm run dev) shows every feature to a newcomer: its held lesson has a stored
// transcript, so the transcript page, search, talk time and the learning record are not empty.
import { PrismaPg } from "@prisma/adapter-pg";
import { describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { requireLearnerForViewer, loadRecordLessons } from "~/.server/bookings/learning-record";
import { recordEntries } from "~/domain/learning-record";
import { loadLessonTalkTime, loadTranscript, searchTranscripts } from "~/.server/transcripts/read";
import { PrismaClient } from "~/generated/prisma/client";
import { demoBookingIds, demoProfiles, seedDemo } from "../../prisma/seed.ts";

const lessonspace = {
  apiUrl: "http://127.0.0.1:9",
  organisationId: "demo-org",
  recordPastSession: () => ({ roomId: "demo-room", secret: "demo-room-secret" }),
};

describe("the demo seed", () => {
  it("gives the held lesson a transcript with talk time, found by search and counted in the learning record; a re-run changes nothing", async () => {
    const now = new Date();
    // Its own client, as npm run dev gives it (the app's is extended).
    const seedDb = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
    try {
      await seedDemo({ db: seedDb, now, lessonspace });
      await seedDemo({ db: seedDb, now, lessonspace });
    } finally {
      await seedDb.$disconnect();
    }
    const bookingId = demoBookingIds.completedWithRecording;

    const transcript = await loadTranscript(bookingId);
    expect(transcript.status).toBe("done");
    expect(transcript.sessions).toHaveLength(1);
    expect(transcript.sessions[0]!.segments.length).toBeGreaterThanOrEqual(8);
    expect(new Set(transcript.sessions[0]!.segments.map((s) => s.speakerProfileId))).toEqual(
      new Set([demoProfiles.tutor.id, demoProfiles.child.id]),
    );

    const { talk } = await loadLessonTalkTime(bookingId);
    expect(talk.speakers.map((s) => s.profileId).sort()).toEqual([demoProfiles.child.id, demoProfiles.tutor.id].sort());
    expect(talk.speakers.every((s) => s.seconds > 0)).toBe(true);

    const { hits } = await searchTranscripts(demoProfiles.parent.id, "equations", 1);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => hit.bookingId === bookingId)).toBe(true);

    const scope = await requireLearnerForViewer(demoProfiles.child.id, demoProfiles.parent.id);
    const lessons = await loadRecordLessons(scope, new Date(now.getTime() - 30 * 86_400_000), now);
    const held = recordEntries(lessons, "month", now, "UTC").find((entry) => entry.lesson.bookingId === bookingId);
    expect(held).toMatchObject({ held: true, lesson: { hasTranscript: true } });
    expect(held!.lesson.learnerSpokenSeconds).toBeGreaterThan(0);
    expect(await db.transcriptFetch.count()).toBe(1);

    // Lesson notes: Lessonspace's summary and a published note with homework (one done) on the
    // held lesson, a draft on another; the family's page shows only the published one.
    expect(await db.lessonSummary.count({ where: { bookingId } })).toBe(1);
    const notes = await db.lessonNote.findMany({
      select: {
        bookingId: true,
        publishedAt: true,
        homework: { select: { doneAt: true }, orderBy: { position: "asc" } },
      },
      orderBy: { bookingId: "asc" },
    });
    expect(notes.map((note) => [note.bookingId, note.publishedAt !== null])).toEqual([
      [bookingId, true],
      [demoBookingIds.completed, false],
    ]);
    expect(notes[0]!.homework.map((item) => item.doneAt !== null)).toEqual([true, false, false]);
    expect(await db.homeworkItem.count()).toBe(3);
  });
});

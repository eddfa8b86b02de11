import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { joinWindow } from "../app/domain/join-window";
import { decideOutcome, secondsPresentByProfile } from "../app/domain/lesson-outcome";
import { talkTime } from "../app/domain/talk-time";
import type { PrismaClient } from "../app/generated/prisma/client";

/**
 * Demo data for the embedded default. Safe to re-run: fixed ids, upserts, and every demo
 * booking moved back around "now" so each card state exists whenever you start the app.
 */
export const DEMO_PASSWORD = "lesson-demo-2026";

export const demoProfiles = {
  tutor: {
    id: "11111111-1111-4111-8111-111111111111",
    fullName: "Tara Singh",
    email: "tutor@example.com",
    roles: ["tutor"],
  },
  parent: {
    id: "22222222-2222-4222-8222-222222222222",
    fullName: "Paula Brown",
    email: "parent@example.com",
    roles: ["client"],
  },
  child: {
    id: "33333333-3333-4333-8333-333333333333",
    fullName: "Charlie Brown",
    email: "student@example.com",
    roles: ["student"],
  },
  adult: {
    id: "44444444-4444-4444-8444-444444444444",
    fullName: "Adam Okafor",
    email: "adult@example.com",
    roles: ["client"],
  },
  otherTutor: {
    id: "55555555-5555-4555-8555-555555555555",
    fullName: "Tom Novak",
    email: "tutor2@example.com",
    roles: ["tutor"],
  },
  otherParent: {
    id: "66666666-6666-4666-8666-666666666666",
    fullName: "Fiona Reyes",
    email: "parent2@example.com",
    roles: ["client"],
  },
  // Sam is young and has no address (nor login) of his own: his mother receives his lessons'
  // messages and joins for him. Charlie, above, has his own address and gets his own reminders.
  otherChild: { id: "77777777-7777-4777-8777-777777777777", fullName: "Sam Reyes", email: null, roles: ["student"] },
} as const;

export const demoBookingIds = {
  upcoming: "b0000000-0000-4000-8000-000000000001",
  ready: "b0000000-0000-4000-8000-000000000002",
  inProgress: "b0000000-0000-4000-8000-000000000003",
  completedWithRecording: "b0000000-0000-4000-8000-000000000004",
  completed: "b0000000-0000-4000-8000-000000000005",
  cancelled: "b0000000-0000-4000-8000-000000000006",
  adultReady: "b0000000-0000-4000-8000-000000000007",
  otherFamily: "b0000000-0000-4000-8000-000000000008",
} as const;

type SeedOptions = {
  db: PrismaClient;
  now?: Date;
  /** Creates (or updates) the Auth user with this id; omitted when auth users exist already. */
  supabase?: { url: string; serviceRoleKey: string };
  /**
   * The local Lessonspace stand-in, to give the completed lesson a real recorded session (room,
   * session, attendance and a playable recording). Without it the lesson has no recording.
   */
  lessonspace?: {
    apiUrl: string;
    organisationId: string;
    recordPastSession(input: {
      launchId: string;
      name: string;
      sessionId: string;
      startTime: Date;
      endTime: Date;
      people?: { userId: string; name: string; leader?: boolean }[];
      utterances?: { userId: string; name: string; startSeconds: number; endSeconds: number; text: string }[];
      summarise?: boolean;
    }): { roomId: string; secret: string };
  };
};

const DEMO_SESSION_ID = "5e55e55e-0000-4000-8000-000000000004";

/** Who was in the recorded lesson's session, in seconds from its scheduled start. */
const RECORDED_ATTENDANCE = [
  { profileId: demoProfiles.tutor.id, joined: 4, left: 58 * 60 + 40 },
  { profileId: demoProfiles.child.id, joined: 3 * 60, left: 58 * 60 + 10 },
] as const;

/**
 * What was said in the recorded lesson, as Lessonspace's transcript would have it (seconds from the
 * session's start), so the transcript page, search, talk time and the learning record are not empty.
 */
const RECORDED_TRANSCRIPT = [
  ["tutor", 5, 19, "Hello Charlie! Today we are working on simultaneous equations."],
  ["child", 21, 27, "Is that the one with two unknowns?"],
  ["tutor", 28, 52, "Exactly. Two equations, two unknowns, and we find the x and y that make both true."],
  ["tutor", 55, 80, "Take x plus y equals ten, and x minus y equals two. What happens if we add them?"],
  ["child", 84, 101, "The y cancels out, so two x equals twelve, and x is six."],
  ["tutor", 103, 110, "Lovely. And y?"],
  ["child", 112, 124, "Six plus y is ten, so y is four."],
  ["tutor", 126, 150, "Well done. Now try substitution on the next one: y equals two x plus one."],
  ["child", 160, 205, "So I put two x plus one in place of y in the other equation, and then expand the brackets."],
  ["tutor", 207, 226, "That's it. For homework, do questions four to nine on page 32."],
] as const;

/**
 * The recorded lesson's outcome, settled by the same rule the sweep uses (lesson-outcome.ts) from
 * the attendance above: "Charlie Brown attended 55 of 60 minutes". The other completed lesson
 * stays unsettled, as a lesson from before outcomes existed.
 */
function recordedOutcome(start: Date, durationMinutes: number) {
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  const rows = RECORDED_ATTENDANCE.map(({ profileId, joined, left }) => ({
    profileId,
    joinedAt: at(joined),
    leftAt: at(left),
    secondsPresent: left - joined,
  }));
  const { closesAt } = joinWindow({ sessionStartTime: start, sessionDuration: durationMinutes });
  const decision = decideOutcome({
    tutorId: demoProfiles.tutor.id,
    attendeeId: demoProfiles.child.id,
    plannedMinutes: durationMinutes,
    secondsByProfile: secondsPresentByProfile(rows, closesAt),
  });
  return {
    outcome: decision.outcome,
    outcomeSettledAt: closesAt,
    outcomeTutorSeconds: decision.tutorSeconds,
    outcomeAttendeeSeconds: decision.attendeeSeconds,
  };
}

export async function seedDemo({ db, now = new Date(), supabase, lessonspace }: SeedOptions) {
  if (supabase) await ensureAuthUsers(supabase);
  for (const profile of Object.values(demoProfiles)) {
    await db.profile.upsert({
      where: { id: profile.id },
      create: { ...profile, roles: [...profile.roles] },
      update: { fullName: profile.fullName, email: profile.email, roles: [...profile.roles] },
    });
  }
  const guardianEdges = [
    [demoProfiles.parent.id, demoProfiles.child.id],
    [demoProfiles.otherParent.id, demoProfiles.otherChild.id],
  ] as const;
  for (const [source, target] of guardianEdges) {
    await db.profileGraph.upsert({
      where: {
        sourceProfileId_targetProfileId_relationshipType: {
          sourceProfileId: source,
          targetProfileId: target,
          relationshipType: "GUARDIAN",
        },
      },
      create: { sourceProfileId: source, targetProfileId: target, relationshipType: "GUARDIAN", status: "ACTIVE" },
      update: { status: "ACTIVE" },
    });
  }

  // The demo family opted in, so the demo still shows transcripts and summaries (a child's are off
  // by default: docs/decisions/0070-consent-per-learner.md). The second family keeps the defaults.
  const optedIn = { recording: true, transcription: true, summaries: true, setById: demoProfiles.parent.id };
  await db.learnerConsent.upsert({
    where: { learnerId: demoProfiles.child.id },
    create: { learnerId: demoProfiles.child.id, ...optedIn },
    update: optedIn,
  });

  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
  const { tutor, parent, child, adult, otherTutor, otherParent, otherChild } = demoProfiles;
  const recordedStart = minutes(-26 * 60);
  const recordedLesson = lessonspace
    ? {
        ...lessonspace.recordPastSession({
          launchId: `booking-${demoBookingIds.completedWithRecording}`,
          name: "GCSE Maths",
          sessionId: DEMO_SESSION_ID,
          startTime: new Date(recordedStart.getTime() + 4_000),
          endTime: new Date(recordedStart.getTime() + (58 * 60 + 40) * 1000),
          // Who was there and what was said, so the stand-in also answers this session's summary.
          people: [
            { userId: tutor.id, name: tutor.fullName, leader: true },
            { userId: child.id, name: child.fullName },
          ],
          utterances: RECORDED_TRANSCRIPT.map(([who, startSeconds, endSeconds, text]) => ({
            userId: demoProfiles[who].id,
            name: demoProfiles[who].fullName,
            startSeconds,
            endSeconds,
            text,
          })),
          summarise: true,
        }),
        recordingUrl: `${lessonspace.apiUrl}/v2/organisations/${lessonspace.organisationId}/sessions/${DEMO_SESSION_ID}/playback/`,
      }
    : null;
  const bookings = [
    {
      id: demoBookingIds.upcoming,
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      serviceName: "GCSE Maths",
      sessionStartTime: minutes(3 * 60),
      sessionDuration: 60,
      status: "Confirmed",
    },
    {
      id: demoBookingIds.ready,
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: null,
      serviceName: "KS3 Science",
      sessionStartTime: minutes(10),
      sessionDuration: 45,
      status: "Confirmed",
    },
    {
      id: demoBookingIds.inProgress,
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      serviceName: "GCSE Maths",
      sessionStartTime: minutes(-20),
      sessionDuration: 60,
      status: "Confirmed",
    },
    {
      id: demoBookingIds.completedWithRecording,
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      serviceName: "GCSE Maths",
      sessionStartTime: recordedStart,
      sessionDuration: 60,
      status: "Completed",
      recordingUrl: recordedLesson?.recordingUrl ?? null,
      durationActual: recordedLesson ? 58 * 60 + 36 : null,
      meetingProviderId: recordedLesson?.roomId ?? null,
      ...recordedOutcome(recordedStart, 60),
    },
    {
      id: demoBookingIds.completed,
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      serviceName: "English Literature",
      sessionStartTime: minutes(-3 * 24 * 60),
      sessionDuration: 60,
      status: "Completed",
    },
    {
      id: demoBookingIds.cancelled,
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      serviceName: "GCSE Maths",
      sessionStartTime: minutes(24 * 60),
      sessionDuration: 60,
      status: "Cancelled",
    },
    {
      id: demoBookingIds.adultReady,
      clientId: adult.id,
      tutorId: tutor.id,
      studentId: null,
      serviceName: "Spanish Conversation",
      sessionStartTime: minutes(-5),
      sessionDuration: 30,
      status: "Confirmed",
    },
    {
      id: demoBookingIds.otherFamily,
      clientId: otherParent.id,
      tutorId: otherTutor.id,
      studentId: otherChild.id,
      serviceName: "A-level Physics",
      sessionStartTime: minutes(-10),
      sessionDuration: 60,
      status: "Confirmed",
    },
  ] as const;
  for (const booking of bookings) {
    const row = {
      ...booking,
      recordingUrl: "recordingUrl" in booking ? booking.recordingUrl : null,
      durationActual: "durationActual" in booking ? booking.durationActual : null,
      meetingProviderId: "meetingProviderId" in booking ? booking.meetingProviderId : null,
      outcome: "outcome" in booking ? booking.outcome : null,
      outcomeSettledAt: "outcomeSettledAt" in booking ? booking.outcomeSettledAt : null,
      outcomeTutorSeconds: "outcomeTutorSeconds" in booking ? booking.outcomeTutorSeconds : null,
      outcomeAttendeeSeconds: "outcomeAttendeeSeconds" in booking ? booking.outcomeAttendeeSeconds : null,
    };
    await db.booking.upsert({ where: { id: booking.id }, create: row, update: row });
  }
  if (recordedLesson) await seedRecordedLesson(db, recordedLesson, recordedStart);
  await seedLessonNotes(db, recordedStart, Boolean(recordedLesson));
  return { profiles: demoProfiles, bookings: demoBookingIds };
}

/** Homework on the recorded lesson's note, in order; the first was done by the child. */
const DEMO_HOMEWORK = [
  { id: "40000000-0000-4000-8000-000000000001", text: "Exercise 4B, questions 1–10 (elimination)", dueDays: 3 },
  { id: "40000000-0000-4000-8000-000000000002", text: "Check each answer by substituting back in", dueDays: 3 },
  {
    id: "40000000-0000-4000-8000-000000000003",
    text: "Write one word problem of your own for next lesson",
    dueDays: null,
  },
] as const;

/**
 * Lesson notes (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md): the
 * recorded lesson has Lessonspace's summary and a published note with three homework items (one
 * done); the English lesson has a draft, so the tutor sees both states and the family one.
 */
async function seedLessonNotes(db: PrismaClient, recordedStart: Date, withSession: boolean) {
  const { tutor, child } = demoProfiles;
  const recordedId = demoBookingIds.completedWithRecording;
  const after = (minutes: number) => new Date(recordedStart.getTime() + minutes * 60_000);
  if (withSession) {
    const summary = {
      bookingId: recordedId,
      text: "The session covered simultaneous equations. Charlie solved pairs by elimination and checked answers by substitution; sign errors came up twice when subtracting equations.",
      source: "lessonspace",
      fetchedAt: after(70),
    };
    await db.lessonSummary.upsert({
      where: { sessionId: DEMO_SESSION_ID },
      create: { sessionId: DEMO_SESSION_ID, ...summary },
      update: summary,
    });
  }
  const published = {
    tutorId: tutor.id,
    covered:
      "Simultaneous equations by elimination: lining up the coefficients, then adding or subtracting.\nCharlie checked answers by substituting back in. Watch the signs when subtracting.",
    privateNote: "Confidence improving; try a timed question next time.",
    version: 1,
    publishedAt: after(75),
    editedAt: null,
  };
  await db.lessonNote.upsert({
    where: { bookingId: recordedId },
    create: { bookingId: recordedId, ...published },
    update: published,
  });
  await db.homeworkItem.deleteMany({ where: { bookingId: recordedId } });
  const day = (days: number) =>
    new Date(`${new Date(recordedStart.getTime() + days * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`);
  await db.homeworkItem.createMany({
    data: DEMO_HOMEWORK.map((item, position) => ({
      id: item.id,
      bookingId: recordedId,
      position,
      text: item.text,
      dueOn: item.dueDays === null ? null : day(item.dueDays),
      doneAt: position === 0 ? after(20 * 60) : null,
      doneById: position === 0 ? child.id : null,
    })),
  });
  const draft = {
    tutorId: tutor.id,
    covered: "Macbeth, Act 1 scene 7: how Lady Macbeth persuades Macbeth.",
    privateNote: "",
    version: 1,
    publishedAt: null,
    editedAt: null,
  };
  await db.lessonNote.upsert({
    where: { bookingId: demoBookingIds.completed },
    create: { bookingId: demoBookingIds.completed, ...draft },
    update: draft,
  });
}

/** The completed lesson's room, session and attendance, as the webhooks would have left them. */
async function seedRecordedLesson(db: PrismaClient, lesson: { roomId: string; secret: string }, start: Date) {
  const bookingId = demoBookingIds.completedWithRecording;
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  // The stand-in makes a new room each time it starts, so replace the booking's old one.
  await db.lessonspaceSpace.deleteMany({ where: { bookingId } });
  await db.lessonspaceSpace.create({
    data: { roomId: lesson.roomId, bookingId, launchId: `booking-${bookingId}`, secret: lesson.secret },
  });
  const session = {
    bookingId,
    startedAt: at(4),
    endedAt: at(58 * 60 + 40),
    durationSeconds: 58 * 60 + 36,
    recordingAvailable: true,
  };
  await db.lessonspaceSession.upsert({
    where: { sessionId: DEMO_SESSION_ID },
    create: { sessionId: DEMO_SESSION_ID, ...session },
    update: session,
  });
  for (const { profileId, joined, left } of RECORDED_ATTENDANCE) {
    const [joinedAt, leftAt, secondsPresent] = [at(joined), at(left), left - joined];
    await db.lessonspaceAttendance.upsert({
      where: { sessionId_profileId: { sessionId: DEMO_SESSION_ID, profileId } },
      create: { sessionId: DEMO_SESSION_ID, profileId, joinedAt, leftAt, secondsPresent },
      update: { joinedAt, leftAt, secondsPresent },
    });
  }
  await seedRecordedTranscript(db, bookingId, session.startedAt);
}

/** The recorded session's transcript, stored as the fetch job leaves it: segments, talk time, fetch done. */
async function seedRecordedTranscript(db: PrismaClient, bookingId: string, sessionStartedAt: Date) {
  const people = { tutor: demoProfiles.tutor, child: demoProfiles.child };
  const segments = RECORDED_TRANSCRIPT.map(([who, start, end, text], position) => ({
    sessionId: DEMO_SESSION_ID,
    bookingId,
    position,
    speakerProfileId: people[who].id,
    speakerName: people[who].fullName,
    startSeconds: start,
    endSeconds: end,
    breakoutId: null,
    text,
  }));
  await db.transcriptSegment.deleteMany({ where: { sessionId: DEMO_SESSION_ID } });
  await db.transcriptSpeaker.deleteMany({ where: { sessionId: DEMO_SESSION_ID } });
  await db.transcriptSegment.createMany({ data: segments });
  await db.transcriptSpeaker.createMany({
    data: talkTime(segments).speakers.map((speaker) => ({
      sessionId: DEMO_SESSION_ID,
      bookingId,
      speakerKey: speaker.key,
      speakerProfileId: speaker.profileId,
      speakerName: speaker.name,
      seconds: speaker.seconds,
    })),
  });
  const fetch = {
    // Never fetched again: the row is done. Where the stand-in would have served the file.
    url: "http://127.0.0.1/demo/transcript.json",
    status: "done",
    attempts: 1,
    segmentCount: segments.length,
    droppedSegments: 0,
    lastError: null,
    deliveryId: "demo-seed",
    finishedAt: new Date(sessionStartedAt.getTime() + 60 * 60_000),
  };
  await db.transcriptFetch.upsert({
    where: { sessionId: DEMO_SESSION_ID },
    create: { sessionId: DEMO_SESSION_ID, ...fetch },
    update: fetch,
  });
}

async function ensureAuthUsers({ url, serviceRoleKey }: { url: string; serviceRoleKey: string }) {
  const admin = createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  }).auth.admin;
  for (const profile of Object.values(demoProfiles)) {
    if (!profile.email) continue; // no address, no login
    const { error } = await admin.createUser({
      id: profile.id,
      email: profile.email,
      password: DEMO_PASSWORD,
      email_confirm: true,
      user_metadata: { full_name: profile.fullName },
    });
    if (error && error.status !== 422) throw new Error(`Could not create demo user ${profile.email}: ${error.message}`);
    if (error) {
      const { error: updateError } = await admin.updateUserById(profile.id, { password: DEMO_PASSWORD });
      if (updateError) throw new Error(`Could not reset demo user ${profile.email}: ${updateError.message}`);
    }
  }
}

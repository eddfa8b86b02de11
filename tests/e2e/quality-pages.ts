// Every page of the app as each kind of person sees it, for the accessibility, narrow-screen and
// header checks (quality-*.spec.ts). Each call creates lessons of its own in every state, so the
// checks never depend on (or change) the seed's bookings.
import { randomUUID } from "node:crypto";
import { createDemoBooking, db, demoProfiles } from "./fixtures.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const minutesFromNow = (n: number) => new Date(Date.now() + n * MINUTE);

export type Role = "tutor" | "parent" | "student" | "adult";
export const ROLES: Role[] = ["tutor", "parent", "student", "adult"];

export const personOf: Record<Role, { id: string; email: string; fullName: string }> = {
  tutor: demoProfiles.tutor,
  parent: demoProfiles.parent,
  student: demoProfiles.child,
  adult: demoProfiles.adult,
};

export type PageVisit = {
  /** What the page is, for messages: "booking details (completed)". */
  name: string;
  path: string;
  status: number;
  /** The page's main control, which must be on screen at 320 px (a button or link name). */
  control?: { role: "button" | "link" | "combobox"; name: string | RegExp };
};

/** A playback reference Lessonspace has no recording for (yet): View Recording shows "being prepared". */
function unpreparedRecording(): string {
  return `${process.env.LESSONSPACE_API_URL}/v2/organisations/${process.env.LESSONSPACE_ORGANISATION_ID}/sessions/${randomUUID()}/playback/`;
}

/** The lessons one person takes part in, one per state, created for this test. */
async function lessonsFor(role: Role) {
  const tag = randomUUID().slice(0, 8);
  // The adult learner books for themself; everyone else is the demo family (tutor, parent, child).
  const family = role === "adult" ? { clientId: demoProfiles.adult.id, studentId: null } : {};
  const make = (state: string, overrides: Parameters<typeof createDemoBooking>[0]) =>
    createDemoBooking({ serviceName: `A11y ${state} ${tag}`, ...family, ...overrides });

  const upcoming = await make("upcoming", { sessionStartTime: minutesFromNow(3 * 60) });
  const pending = await make("pending", { sessionStartTime: minutesFromNow(5 * 60), status: "Pending" });
  const ready = await make("ready", { sessionStartTime: minutesFromNow(10) });
  const inProgress = await make("in-progress", { sessionStartTime: minutesFromNow(-5) });
  const completed = await make("completed", { sessionStartTime: new Date(Date.now() - 3 * HOUR), status: "Completed" });
  const unrecorded = await make("unrecorded", {
    sessionStartTime: new Date(Date.now() - 26 * HOUR),
    status: "Completed",
  });
  const cancelled = await make("cancelled", { sessionStartTime: minutesFromNow(24 * 60), status: "Cancelled" });
  const declined = await make("declined", { sessionStartTime: minutesFromNow(48 * 60), status: "Declined" });

  // The completed lesson has everything a finished lesson can show: duration, attendance, a
  // recording (still being prepared) and the tutor's review.
  const attendeeId = role === "adult" ? demoProfiles.adult.id : demoProfiles.child.id;
  const sessionId = randomUUID();
  const startedAt = new Date(completed.sessionStartTime.getTime() + MINUTE);
  const endedAt = new Date(startedAt.getTime() + 55 * MINUTE);
  await db().booking.update({
    where: { id: completed.id },
    data: { recordingUrl: unpreparedRecording(), durationActual: 55 * 60 },
  });
  await db().lessonspaceSession.create({
    data: {
      sessionId,
      bookingId: completed.id,
      startedAt,
      endedAt,
      durationSeconds: 55 * 60,
      recordingAvailable: true,
      attendance: {
        create: [
          { profileId: demoProfiles.tutor.id, joinedAt: startedAt, leftAt: endedAt, secondsPresent: 55 * 60 },
          { profileId: attendeeId, joinedAt: startedAt, leftAt: endedAt, secondsPresent: 54 * 60 },
        ],
      },
    },
  });
  await db().review.create({
    data: {
      bookingId: completed.id,
      reviewerId: demoProfiles.tutor.id,
      revieweeId: attendeeId,
      rating: 4,
      comment: "Steady progress on fractions.",
    },
  });
  // …and a transcript: two speakers, with talk time as the fetch job stores it.
  await db().transcriptSegment.createMany({
    data: [
      {
        sessionId,
        bookingId: completed.id,
        position: 0,
        speakerProfileId: demoProfiles.tutor.id,
        speakerName: demoProfiles.tutor.fullName,
        startSeconds: 0,
        endSeconds: 40,
        text: "Let us look at equivalent fractions.",
      },
      {
        sessionId,
        bookingId: completed.id,
        position: 1,
        speakerProfileId: attendeeId,
        speakerName: "Learner",
        startSeconds: 41,
        endSeconds: 60,
        text: "Two quarters make a half.",
      },
    ],
  });
  await db().transcriptSpeaker.createMany({
    data: [
      {
        sessionId,
        bookingId: completed.id,
        speakerKey: demoProfiles.tutor.id,
        speakerProfileId: demoProfiles.tutor.id,
        speakerName: demoProfiles.tutor.fullName,
        seconds: 40,
      },
      {
        sessionId,
        bookingId: completed.id,
        speakerKey: attendeeId,
        speakerProfileId: attendeeId,
        speakerName: "Learner",
        seconds: 19,
      },
    ],
  });
  return { upcoming, pending, ready, inProgress, completed, unrecorded, cancelled, declined, attendeeId };
}

export type Lessons = Awaited<ReturnType<typeof lessonsFor>>;

/** The pages this person can open (and the refusals they meet), with the status each answers. */
export async function pagesFor(role: Role): Promise<{ lessons: Lessons; pages: PageVisit[] }> {
  const lessons = await lessonsFor(role);
  const { upcoming, pending, ready, inProgress, completed, unrecorded, cancelled, declined, attendeeId } = lessons;
  const details = (state: string, id: string, control?: PageVisit["control"]): PageVisit => ({
    name: `booking details (${state})`,
    path: `/bookings/${id}`,
    status: 200,
    control,
  });
  const join = { role: "button", name: "Join Lesson" } as const;
  const pages: PageVisit[] = [
    { name: "dashboard", path: "/", status: 200, control: { role: "button", name: "Sign out" } },
    { name: "all lessons", path: "/lessons", status: 200, control: { role: "button", name: "Show lessons" } },
    {
      name: "all lessons (broken page link)",
      path: "/lessons?cursor=broken",
      status: 400,
      control: { role: "link", name: "Start again with every lesson" },
    },
    {
      name: "time zone settings",
      path: "/settings/time-zone?returnTo=%2F",
      status: 200,
      control: { role: "button", name: "Save time zone" },
    },
    {
      name: "e-mail notification settings",
      path: "/settings/notifications",
      status: 200,
      control: { role: "button", name: "Save choices" },
    },
    {
      name: "unsubscribe link (broken)",
      path: "/unsubscribe?token=broken",
      status: 400,
      control: { role: "link", name: "Sign in to choose which e-mails you get" },
    },
    details("upcoming", upcoming.id),
    details("awaiting confirmation", pending.id),
    details("ready", ready.id, join),
    details("in progress", inProgress.id, join),
    details("completed", completed.id, { role: "link", name: "View Recording" }),
    details("completed, no recording", unrecorded.id),
    details("cancelled", cancelled.id),
    details("declined", declined.id),
    {
      name: "classroom",
      path: `/bookings/${inProgress.id}/classroom`,
      status: 200,
      control: { role: "link", name: "Back to your lessons" },
    },
    {
      name: "recording being prepared",
      path: `/bookings/${completed.id}/recording`,
      status: 202,
      control: { role: "link", name: "Try again" },
    },
    {
      name: "404 (another family's lesson)",
      path: "/bookings/b0000000-0000-4000-8000-000000000008",
      status: 404,
      control: { role: "link", name: "Back to your lessons" },
    },
  ];
  // Who attends: the client and the tutor may change it (only the client has wards to offer)
  // until the classroom opens, so on the upcoming lesson; the student is told why they cannot.
  pages.push({
    name: "assignment",
    path: `/bookings/${upcoming.id}/student?returnTo=%2F`,
    status: 200,
    control: role === "student" ? undefined : { role: "button", name: "Save who attends" },
  });
  // Upload: the tutor's; everyone else meets the refusal page.
  pages.push(
    role === "tutor"
      ? {
          name: "snapshot upload",
          path: `/bookings/${completed.id}/snapshot/upload`,
          status: 200,
          control: { role: "button", name: "Upload Whiteboard Snapshot" },
        }
      : { name: "snapshot upload (refused)", path: `/bookings/${completed.id}/snapshot/upload`, status: 403 },
  );
  // Review: the tutor and the client (parent or adult learner); the student is refused.
  pages.push(
    role === "student"
      ? { name: "review (refused)", path: `/bookings/${completed.id}/review`, status: 403 }
      : {
          name: "review",
          path: `/bookings/${completed.id}/review`,
          status: 200,
          control: { role: "button", name: /^(Save|Update) review$/ },
        },
  );
  // Transcripts and the learning record: every role here may read them.
  pages.push(
    {
      name: "transcript",
      path: `/bookings/${completed.id}/transcript`,
      status: 200,
      control: { role: "button", name: "Search" },
    },
    {
      name: "transcript search",
      path: "/transcripts/search?q=fractions",
      status: 200,
      control: { role: "button", name: "Search" },
    },
    {
      name: "learning record",
      path: `/students/${attendeeId}/record`,
      status: 200,
      control: { role: "link", name: "By week" },
    },
  );
  // The lesson note: the booking's tutor writes it; everyone else is told there is no such page.
  pages.push(
    role === "tutor"
      ? {
          name: "lesson note",
          path: `/bookings/${completed.id}/note`,
          status: 200,
          control: { role: "button", name: "Publish" },
        }
      : { name: "lesson note (not theirs)", path: `/bookings/${completed.id}/note`, status: 404 },
  );
  // What is kept of the learner's lessons: the family decides (a child reads it); a tutor has no such page.
  pages.push(
    role === "tutor"
      ? { name: "privacy choices (not theirs)", path: `/students/${attendeeId}/privacy`, status: 404 }
      : {
          name: "privacy choices",
          path: `/students/${attendeeId}/privacy`,
          status: 200,
          control: role === "student" ? undefined : { role: "button", name: "Save choices" },
        },
  );
  // Who has looked: the family sees everyone's visits, a tutor of the learner only their own; a
  // child's is for their guardians (docs/decisions/0072-access-log-append-only.md).
  pages.push(
    role === "student"
      ? { name: "who has looked (a child's)", path: `/students/${attendeeId}/access`, status: 404 }
      : { name: "who has looked", path: `/students/${attendeeId}/access`, status: 200 },
  );
  return { lessons, pages };
}

/** Cancels a lesson behind the person's back, so that their Join Lesson meets the launch error page. */
export function cancelLesson(id: string) {
  return db().booking.update({ where: { id }, data: { status: "Cancelled" } });
}

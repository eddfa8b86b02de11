/**
 * The one truth about a lesson: what every page and e-mail says about it (state, badge, a one-line
 * reason with its numbers) and which actions it offers. Pure: the caller passes the booking, its
 * sessions and attendance, the settled outcome if any, and `now`. Pages and e-mails render what
 * this returns; none decides these on its own.
 *
 * The rules, in order:
 * - Cancelled or Declined → cancelled.
 * - The join window (join-window.ts) not yet open, or the booking still Pending → upcoming.
 * - The window open: every classroom session has ended (the tutor ended the lesson) → ended, which
 *   offers Rejoin until the window closes; otherwise in progress from the start, ready before it.
 * - The window closed, or the booking Completed: the outcome. The settled one when the booking has
 *   it; otherwise a provisional one from the attendance so far, with the same thresholds
 *   (lesson-outcome.ts), so the page never waits for the sweep to stop contradicting itself.
 *   - held, student absent, tutor absent: as the outcome says;
 *   - not held is split: both tutor and learner were in the classroom but neither long enough →
 *     too short; otherwise (one or both never joined) → not held. Both say why, with the numbers.
 *   - no attendance and no session at all, when the booking is Completed (marked so by the booking
 *     system) or the lesson is older than the outcome sweep's horizon (it predates the classroom's
 *     records) → unrecorded: we say what we know rather than "held, attended 0 minutes".
 * - Actions: join in ready/in progress, rejoin when ended; review, snapshot and note only for a lesson
 *   that happened (held, or Completed without records); snapshot and note also once it has started
 *   (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md); who attends may
 *   change only before the window opens and while no attendance exists (attendance is history).
 */
import { formatDateTime, formatSeconds, formatTimeNear } from "./format";
import { classroomSessionsEnded, joinWindow, type BookingStatus, type JoinWindow } from "./join-window";
import {
  attendanceThresholdSeconds,
  attendedMinutes,
  decideOutcome,
  OUTCOME_SWEEP_HORIZON_MS,
  secondsPresentByProfile,
  type AttendanceRecord,
  type LessonOutcome,
} from "./lesson-outcome";

export const LESSON_STATES = [
  "upcoming",
  "ready",
  "in_progress",
  "ended",
  "held",
  "student_absent",
  "tutor_absent",
  "too_short",
  "not_held",
  "unrecorded",
  "cancelled",
] as const;
export type LessonState = (typeof LESSON_STATES)[number];

type Named = { id: string; fullName: string };

export type LessonFacts = {
  status: BookingStatus;
  sessionStartTime: Date;
  /** Planned length in minutes. */
  sessionDuration: number;
  tutor: Named;
  client: Named;
  student: Named | null;
  sessions: readonly { startedAt: Date | null; endedAt: Date | null }[];
  /** lessonspace_attendance rows of every session of the booking. */
  presence: readonly AttendanceRecord[];
  /** Settled when the join window closed; null until then. */
  outcome: LessonOutcome | null;
  outcomeTutorSeconds: number | null;
  outcomeAttendeeSeconds: number | null;
};

export type LessonActions = {
  join: boolean;
  rejoin: boolean;
  review: boolean;
  snapshot: boolean;
  note: boolean;
  changeAttendee: boolean;
};

export type LessonPresentation = {
  state: LessonState;
  badge: string;
  /** One line, with the numbers: why the badge says what it says, or what happens next. */
  explanation: string;
  /** The outcome shown is computed from attendance so far, not yet settled. */
  provisional: boolean;
  /** For records: whether the lesson counts as held; null while it has not happened yet. */
  held: boolean | null;
  tutorSeconds: number;
  learnerSeconds: number;
  actions: LessonActions;
  window: JoinWindow;
};

const NO_ACTIONS: LessonActions = {
  join: false,
  rejoin: false,
  review: false,
  snapshot: false,
  note: false,
  changeAttendee: false,
};

/** Who the lesson is for (attendee.ts `learnerOf`, repeated on the facts' shape). */
const learner = (facts: LessonFacts): Named => facts.student ?? facts.client;

/** Who attends may change only before the window opens and while nobody has been in the classroom. */
export function attendeeLocked(
  facts: Pick<LessonFacts, "status" | "sessionStartTime" | "sessionDuration"> & { presence: readonly unknown[] },
  now: Date,
): boolean {
  return (
    facts.status === "Completed" || facts.presence.length > 0 || now.getTime() >= joinWindow(facts).opensAt.getTime()
  );
}

/** "12 s", "3 min": how long someone was in the classroom. */
const stay = (seconds: number) => formatSeconds(seconds);

function minimum(plannedMinutes: number): string {
  return `at least ${stay(attendanceThresholdSeconds(plannedMinutes))} of both`;
}

/** Why a lesson was not held, or who was absent, in one line with the numbers. */
function reason(
  state: "student_absent" | "tutor_absent" | "too_short" | "not_held",
  tutor: { name: string; seconds: number },
  pupil: { name: string; seconds: number },
  plannedMinutes: number,
): string {
  const was = (person: { name: string; seconds: number }) =>
    person.seconds === 0
      ? `${person.name} did not join`
      : `${person.name} was in the classroom for ${stay(person.seconds)}`;
  const needs = `a lesson needs ${minimum(plannedMinutes)}`;
  switch (state) {
    case "student_absent":
      return `${was(pupil)}; ${needs}.`;
    case "tutor_absent":
      return `${was(tutor)} (tutor); ${needs}.`;
    case "too_short": {
      // Name the shorter stay first: it is the reason.
      const [first, second] = tutor.seconds <= pupil.seconds ? [tutor, pupil] : [pupil, tutor];
      return `${was(first)} and ${second.name} for ${stay(second.seconds)}; ${needs}.`;
    }
    case "not_held":
      if (tutor.seconds === 0 && pupil.seconds === 0) return "Nobody joined the classroom.";
      return `${was(tutor)} and ${pupil.seconds === 0 ? `${pupil.name} did not join` : `${pupil.name} was there for ${stay(pupil.seconds)}`}; ${needs}.`;
  }
}

const OUTCOME_BADGES: Record<LessonState, string> = {
  upcoming: "Upcoming",
  ready: "Ready to join",
  in_progress: "In progress",
  ended: "Ended",
  held: "Held",
  student_absent: "Student absent",
  tutor_absent: "Tutor absent",
  too_short: "Too short",
  not_held: "Not held",
  unrecorded: "No record",
  cancelled: "Cancelled",
};

/** The badge for a state (the few that depend on more than the state are decided in presentLesson). */
export const badgeOf = (state: LessonState): string => OUTCOME_BADGES[state];

export function presentLesson(facts: LessonFacts, now: Date, timeZone: string): LessonPresentation {
  const window = joinWindow(facts);
  const t = now.getTime();
  const pupil = learner(facts);
  const base = { provisional: false, held: null, tutorSeconds: 0, learnerSeconds: 0, window };
  const changeAttendee = !attendeeLocked(facts, now) && facts.status !== "Cancelled" && facts.status !== "Declined";

  if (facts.status === "Cancelled" || facts.status === "Declined") {
    const declined = facts.status === "Declined";
    return {
      ...base,
      state: "cancelled",
      badge: declined ? "Declined" : "Cancelled",
      explanation: declined ? "The tutor declined this booking." : "This lesson was cancelled.",
      actions: NO_ACTIONS,
    };
  }

  const over = facts.status === "Completed" || t >= window.closesAt.getTime();
  if (!over) {
    if (facts.status === "Pending" || t < window.opensAt.getTime()) {
      const starts = formatDateTime(window.startsAt, timeZone, now);
      return {
        ...base,
        state: "upcoming",
        badge: facts.status === "Pending" ? "Awaiting confirmation" : "Upcoming",
        // The button beside it says when Join opens, or that the tutor has yet to confirm.
        explanation: `Scheduled for ${starts}.`,
        actions: { ...NO_ACTIONS, changeAttendee },
      };
    }
    const started = t >= window.startsAt.getTime();
    if (classroomSessionsEnded(facts.sessions)) {
      return {
        ...base,
        state: "ended",
        badge: badgeOf("ended"),
        explanation: `The lesson has ended. You can rejoin the classroom until ${formatTimeNear(window.closesAt, window.startsAt, timeZone, now)}.`,
        actions: { ...NO_ACTIONS, rejoin: true, snapshot: true, note: true },
      };
    }
    return started
      ? {
          ...base,
          state: "in_progress",
          badge: badgeOf("in_progress"),
          explanation: `In progress until ${formatTimeNear(window.endsAt, window.startsAt, timeZone, now)}.`,
          actions: { ...NO_ACTIONS, join: true, snapshot: true, note: true },
        }
      : {
          ...base,
          state: "ready",
          badge: badgeOf("ready"),
          explanation: `The classroom is open. The lesson starts at ${formatDateTime(window.startsAt, timeZone, now)}.`,
          actions: { ...NO_ACTIONS, join: true, changeAttendee },
        };
  }

  // Over: what it turned out to be.
  const happened = { ...NO_ACTIONS, review: true, snapshot: true, note: true };
  const noRecords = facts.presence.length === 0 && facts.sessions.length === 0;
  const predatesRecords = t - window.closesAt.getTime() > OUTCOME_SWEEP_HORIZON_MS;
  if (facts.outcome === null && noRecords && (facts.status === "Completed" || predatesRecords)) {
    const completed = facts.status === "Completed";
    return {
      ...base,
      state: "unrecorded",
      badge: completed ? "Completed" : badgeOf("unrecorded"),
      explanation: completed
        ? "Marked completed; the classroom recorded no attendance, so how long it ran is not known."
        : "The classroom recorded no attendance for this lesson.",
      held: completed,
      actions: completed ? happened : NO_ACTIONS,
    };
  }

  const settled = facts.outcome !== null;
  const decision = settled
    ? {
        outcome: facts.outcome!,
        tutorSeconds: facts.outcomeTutorSeconds ?? 0,
        attendeeSeconds: facts.outcomeAttendeeSeconds ?? 0,
      }
    : decideOutcome({
        tutorId: facts.tutor.id,
        attendeeId: pupil.id,
        plannedMinutes: facts.sessionDuration,
        // Open visits count until the window closes (or now, if the booking was completed early).
        secondsByProfile: secondsPresentByProfile(facts.presence, new Date(Math.min(t, window.closesAt.getTime()))),
      });
  const tutor = { name: facts.tutor.fullName, seconds: decision.tutorSeconds };
  const attendee = { name: pupil.fullName, seconds: decision.attendeeSeconds };
  const common = {
    ...base,
    provisional: !settled,
    tutorSeconds: decision.tutorSeconds,
    learnerSeconds: decision.attendeeSeconds,
  };
  if (decision.outcome === "held") {
    return {
      ...common,
      state: "held",
      badge: badgeOf("held"),
      explanation: `${pupil.fullName} attended ${attendedMinutes(decision.attendeeSeconds, facts.sessionDuration)} of ${facts.sessionDuration} minutes.`,
      held: true,
      actions: happened,
    };
  }
  const state =
    decision.outcome === "not_held" && tutor.seconds > 0 && attendee.seconds > 0 ? "too_short" : decision.outcome;
  return {
    ...common,
    state,
    badge: badgeOf(state),
    explanation: reason(state, tutor, attendee, facts.sessionDuration),
    held: false,
    actions: NO_ACTIONS,
  };
}

/** States in which the lesson is over and its outcome (or the lack of records) is what we show. */
export const OUTCOME_STATES: ReadonlySet<LessonState> = new Set([
  "held",
  "student_absent",
  "tutor_absent",
  "too_short",
  "not_held",
  "unrecorded",
]);

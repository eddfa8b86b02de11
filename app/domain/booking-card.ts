/**
 * What a booking card says for one viewer at one moment, and the dashboard's order. Pure: the
 * loader passes the bookings, the viewer, `now` and the viewer's time zone; the component only
 * renders the text it gets. State, badge, reason and actions come from lesson-presentation.ts.
 */
import { formatMinutes, formatSeconds, formatTimeNear, formatTimeRange } from "./format";
import { nextStateChange, type JoinWindowInput } from "./join-window";
import type { AttendanceRecord, LessonOutcome } from "./lesson-outcome";
import { OUTCOME_STATES, presentLesson, type LessonState } from "./lesson-presentation";
import { canAssignStudent, type BookingParties } from "./permissions";

type Named = { id: string; fullName: string };

export type LessonspaceSessionTimes = { startedAt: Date | null; endedAt: Date | null };

export type CardBooking = BookingParties & {
  id: string;
  serviceName: string;
  recordingUrl: string | null;
  /** Seconds spent in Lessonspace, summed over the booking's sessions (webhook). */
  durationActual: number | null;
  client: Named;
  tutor: Named;
  student: Named | null;
  sessions: LessonspaceSessionTimes[];
  /** Everyone's presence in each session (lessonspace_attendance). */
  presence: AttendanceRecord[];
  /** Settled when the join window closed (services/lesson-outcomes); null until then. */
  outcome: LessonOutcome | null;
  outcomeTutorSeconds: number | null;
  outcomeAttendeeSeconds: number | null;
};

export type RecordingStatus = "available" | "preparing" | "none";

/**
 * A card carries only what it renders: it is serialised into the page's HTML for hydration, so
 * nothing beyond the words and the actions this viewer has
 * (docs/decisions/0033-cards-carry-only-what-their-state-renders.md).
 */
export type BookingCardView = {
  id: string;
  serviceName: string;
  tutorName: string;
  clientName: string;
  /** Who attends: the assigned student, else the client as an adult learner. */
  attendee: { name: string; asAdultLearner: boolean };
  /** "Wed 25 Nov, 15:00–16:00" in the viewer's zone. */
  when: string;
  plannedDuration: string;
  actualDuration: string | null;
  state: LessonState;
  badge: string;
  /** One line: why the badge says what it says, or what happens next. */
  explanation: string;
  /** The button: "Join Lesson", "Rejoin", or disabled with why ("Join opens at 14:45"). */
  join: { kind: "join" | "rejoin" } | { kind: "disabled"; label: string } | null;
  /** Only once the lesson is over (or ended with the window open); null otherwise. */
  recording: RecordingStatus | null;
  /** Whether this viewer may choose who attends now (and has someone to choose). */
  canAssignStudent: boolean;
};

/** Lessonspace prepares recordings within hours; after a day without one we say there is none. */
export const RECORDING_PREPARATION_MS = 24 * 60 * 60_000;

/**
 * "View Recording" when there is one; "being prepared" while a Lessonspace session is open or
 * ended less than a day ago; otherwise honestly none.
 */
export function recordingStatus(booking: Pick<CardBooking, "recordingUrl" | "sessions">, now: Date): RecordingStatus {
  if (booking.recordingUrl) return "available";
  if (booking.sessions.length === 0) return "none";
  let lastActivity = -Infinity;
  for (const session of booking.sessions) {
    if (!session.endedAt) return "preparing";
    lastActivity = Math.max(lastActivity, session.endedAt.getTime());
  }
  return now.getTime() - lastActivity < RECORDING_PREPARATION_MS ? "preparing" : "none";
}

/**
 * `hasWards`: whether the viewer holds an active guardian edge to anyone. Without one, choosing
 * who attends is a dead end (the only choice is the one already made), so it is not offered.
 */
export function presentBookingCard(
  booking: CardBooking,
  viewerId: string,
  now: Date,
  timeZone: string,
  hasWards = false,
): BookingCardView {
  const lesson = presentLesson(booking, now, timeZone);
  const { window } = lesson;
  const join: BookingCardView["join"] = lesson.actions.join
    ? { kind: "join" }
    : lesson.actions.rejoin
      ? { kind: "rejoin" }
      : lesson.state === "upcoming"
        ? {
            kind: "disabled",
            label:
              booking.status === "Pending"
                ? "Waiting for the tutor to confirm"
                : `Join opens at ${formatTimeNear(window.opensAt, window.startsAt, timeZone, now)}`,
          }
        : null;
  return {
    id: booking.id,
    serviceName: booking.serviceName,
    tutorName: booking.tutor.fullName,
    clientName: booking.client.fullName,
    attendee: booking.student
      ? { name: booking.student.fullName, asAdultLearner: false }
      : { name: booking.client.fullName, asAdultLearner: true },
    when: formatTimeRange(window.startsAt, window.endsAt, timeZone, now),
    plannedDuration: formatMinutes(booking.sessionDuration),
    actualDuration: booking.durationActual === null ? null : formatSeconds(booking.durationActual),
    state: lesson.state,
    badge: lesson.badge,
    explanation: lesson.explanation,
    join,
    recording: OUTCOME_STATES.has(lesson.state) || lesson.state === "ended" ? recordingStatus(booking, now) : null,
    canAssignStudent:
      hasWards &&
      lesson.actions.changeAttendee &&
      canAssignStudent(booking, viewerId, null, new Set(), now, booking.presence.length > 0).ok,
  };
}

/** Pages refresh themselves at the next window edge, if one comes within this horizon. */
export const REFRESH_HORIZON_MS = 6 * 60 * 60_000;

export type RefreshPlan = {
  /** For the JavaScript timer: exact milliseconds until the edge. */
  afterMs: number;
  /** For `<meta http-equiv="refresh">`: whole seconds, rounded up so the reload lands on or after the edge. */
  afterSeconds: number;
};

export function refreshPlan(bookings: readonly JoinWindowInput[], now: Date): RefreshPlan | null {
  let earliest: number | null = null;
  for (const booking of bookings) {
    const edge = nextStateChange(booking, now)?.getTime();
    if (edge !== undefined && (earliest === null || edge < earliest)) earliest = edge;
  }
  if (earliest === null) return null;
  const afterMs = Math.max(0, earliest - now.getTime());
  if (afterMs > REFRESH_HORIZON_MS) return null;
  return { afterMs, afterSeconds: Math.max(1, Math.ceil(afterMs / 1000)) };
}

/** How many upcoming and how many past lessons the dashboard shows; the rest are on /lessons. */
export const DASHBOARD_SECTION_LIMIT = 10;

export type DashboardSection = "ready" | "upcoming" | "recent";

/**
 * Where a lesson goes on the dashboard: joinable now → Ready; not yet joinable (or awaiting
 * confirmation) → Upcoming; otherwise by its time, so a cancelled or declined lesson that is
 * still ahead stays under Upcoming (marked cancelled) instead of sinking into Recent. A lesson the
 * tutor ended is over, so it is Recent even while Rejoin is still possible.
 */
export function dashboardSection(state: LessonState, booking: JoinWindowInput, now: Date): DashboardSection {
  if (state === "ready" || state === "in_progress") return "ready";
  if (state === "upcoming") return "upcoming";
  return booking.sessionStartTime.getTime() > now.getTime() ? "upcoming" : "recent";
}

export type Dashboard = {
  ready: BookingCardView[];
  upcoming: BookingCardView[];
  recent: BookingCardView[];
  /** Whether more upcoming / past lessons exist than the section shows (the link to /lessons). */
  moreUpcoming: boolean;
  moreRecent: boolean;
  refresh: RefreshPlan | null;
};

/**
 * Ready first (earliest start first, all of them), then the next `limit` upcoming (soonest first),
 * then the last `limit` recent (newest first). The caller may pass more bookings than are shown
 * (the query reads one past each limit): `moreUpcoming` / `moreRecent` say whether any were left out.
 */
export function presentDashboard(
  bookings: readonly CardBooking[],
  viewerId: string,
  now: Date,
  timeZone: string,
  limit = DASHBOARD_SECTION_LIMIT,
  hasWards = false,
): Dashboard {
  const byStart = (a: CardBooking, b: CardBooking) =>
    a.sessionStartTime.getTime() - b.sessionStartTime.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  type Presented = { booking: CardBooking; card: BookingCardView };
  const groups: Record<DashboardSection, Presented[]> = { ready: [], upcoming: [], recent: [] };
  for (const booking of bookings) {
    const card = presentBookingCard(booking, viewerId, now, timeZone, hasWards);
    groups[dashboardSection(card.state, booking, now)].push({ booking, card });
  }
  const byStartOf = (a: Presented, b: Presented) => byStart(a.booking, b.booking);
  groups.ready.sort(byStartOf);
  groups.upcoming.sort(byStartOf);
  groups.recent.sort((a, b) => byStartOf(b, a));
  const cards = (list: Presented[]) => list.map(({ card }) => card);
  return {
    ready: cards(groups.ready),
    upcoming: cards(groups.upcoming.slice(0, limit)),
    recent: cards(groups.recent.slice(0, limit)),
    moreUpcoming: groups.upcoming.length > limit,
    moreRecent: groups.recent.length > limit,
    refresh: refreshPlan(bookings, now),
  };
}

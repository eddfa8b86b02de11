/**
 * What a booking card says for one viewer at one moment, and the dashboard's order. Pure: the
 * loader passes the bookings, the viewer, `now` and the viewer's time zone; the component only
 * renders the text it gets, so nothing about the join window is decided in the browser.
 */
import { formatDateTime, formatMinutes, formatSeconds, formatTimeNear, formatTimeRange } from "./format";
import { cardState, classroomSessionsEnded, nextStateChange, type JoinWindowInput } from "./join-window";
import { learnerOf } from "./attendee";
import { describeOutcome, type LessonOutcome, type OutcomeWords } from "./lesson-outcome";
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
  /** Settled when the join window closed (services/lesson-outcomes); null until then. */
  outcome: LessonOutcome | null;
  outcomeTutorSeconds: number | null;
  outcomeAttendeeSeconds: number | null;
};

export type RecordingStatus = "available" | "preparing" | "none";

/**
 * A card carries only what its state renders: it is serialised into the page's HTML for
 * hydration, so a completed lesson's join times (or an upcoming one's recording) would be bytes
 * and serialisation work for nothing (docs/decisions/0033-cards-carry-only-what-their-state-renders.md).
 */
export type BookingCardView = CardCommon & (ReadyCard | UpcomingCard | CompletedCard | CancelledCard);

type CardCommon = {
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
  canAssignStudent: boolean;
};

type ReadyCard = {
  state: "ready";
  inProgress: boolean;
  /** The window is open but the classroom's sessions have ended (the tutor ended the lesson): offer "Rejoin". */
  rejoin: boolean;
  startsAt: string;
  endsAt: string;
  /** When the window closes (Rejoin stays possible until then). */
  closesAt: string;
};

type UpcomingCard = {
  state: "upcoming";
  awaitingConfirmation: boolean;
  startsAt: string;
  /** When the Join button opens: a time, or a date and time when it is another day. */
  opensAt: string;
};

type CompletedCard = {
  state: "completed";
  recording: RecordingStatus;
  /** The settled outcome in a parent's words; null while it is not settled. */
  outcome: (OutcomeWords & { kind: LessonOutcome }) | null;
};

type CancelledCard = { state: "cancelled"; declined: boolean };

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

/** A card's settled outcome in words: only a completed lesson's card carries one. */
export function outcomeOf(card: BookingCardView): CompletedCard["outcome"] {
  return card.state === "completed" ? card.outcome : null;
}

/** The stored outcome in words; the stored seconds, never recomputed from attendance that may still change. */
export function presentOutcome(booking: CardBooking): CompletedCard["outcome"] {
  if (booking.outcome === null) return null;
  const words = describeOutcome(
    {
      outcome: booking.outcome,
      tutorSeconds: booking.outcomeTutorSeconds ?? 0,
      attendeeSeconds: booking.outcomeAttendeeSeconds ?? 0,
      plannedMinutes: booking.sessionDuration,
    },
    learnerOf(booking).fullName,
  );
  return { kind: booking.outcome, ...words };
}

export function presentBookingCard(
  booking: CardBooking,
  viewerId: string,
  now: Date,
  timeZone: string,
): BookingCardView {
  const state = cardState(booking, now);
  const { window } = state;
  const common: CardCommon = {
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
    // Whether this viewer may choose who attends at all; the chosen student is checked on submit.
    canAssignStudent: canAssignStudent(booking, viewerId, null, new Set(), now).ok,
  };
  switch (state.kind) {
    case "ready":
      return {
        ...common,
        state: "ready",
        inProgress: state.inProgress,
        rejoin: classroomSessionsEnded(booking.sessions),
        startsAt: formatDateTime(window.startsAt, timeZone, now),
        endsAt: formatTimeNear(window.endsAt, window.startsAt, timeZone, now),
        closesAt: formatTimeNear(window.closesAt, window.startsAt, timeZone, now),
      };
    case "upcoming":
      return {
        ...common,
        state: "upcoming",
        awaitingConfirmation: state.awaitingConfirmation,
        startsAt: formatDateTime(window.startsAt, timeZone, now),
        opensAt: formatTimeNear(window.opensAt, window.startsAt, timeZone, now),
      };
    case "completed":
      // The outcome shows only once the lesson reads as over; a settled outcome on a booking moved later waits.
      return {
        ...common,
        state: "completed",
        recording: recordingStatus(booking, now),
        outcome: presentOutcome(booking),
      };
    case "cancelled":
      return { ...common, state: "cancelled", declined: state.declined };
  }
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
 * still ahead stays under Upcoming (marked cancelled) instead of sinking into Recent.
 */
export function dashboardSection(booking: JoinWindowInput, now: Date): DashboardSection {
  const kind = cardState(booking, now).kind;
  if (kind === "ready" || kind === "upcoming") return kind;
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
): Dashboard {
  const byStart = (a: CardBooking, b: CardBooking) =>
    a.sessionStartTime.getTime() - b.sessionStartTime.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const groups: Record<DashboardSection, CardBooking[]> = { ready: [], upcoming: [], recent: [] };
  for (const booking of bookings) groups[dashboardSection(booking, now)].push(booking);
  groups.ready.sort(byStart);
  groups.upcoming.sort(byStart);
  groups.recent.sort((a, b) => byStart(b, a));
  const present = (booking: CardBooking) => presentBookingCard(booking, viewerId, now, timeZone);
  return {
    ready: groups.ready.map(present),
    upcoming: groups.upcoming.slice(0, limit).map(present),
    recent: groups.recent.slice(0, limit).map(present),
    moreUpcoming: groups.upcoming.length > limit,
    moreRecent: groups.recent.length > limit,
    refresh: refreshPlan(bookings, now),
  };
}

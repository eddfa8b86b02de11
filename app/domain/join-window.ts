/**
 * When may people join a lesson? The one rule behind the card, the details page, the launch
 * route and the classroom page (docs/decisions/0012-join-window-closes-15-minutes-after-end.md). Pure: the caller passes `now`.
 *
 * The room opens 15 minutes before the start and stays open through the lesson until 15 minutes
 * after the scheduled end, so someone who drops out or arrives late can still join. The window
 * is half-open: joinable from `opensAt` inclusive until `closesAt` exclusive.
 */
export const JOIN_EARLY_MS = 15 * 60_000;
export const JOIN_LATE_MS = 15 * 60_000;

export type BookingStatus = "Pending" | "Confirmed" | "Completed" | "Cancelled" | "Declined";

export type JoinWindowInput = {
  status: BookingStatus;
  sessionStartTime: Date;
  /** Planned length in minutes. */
  sessionDuration: number;
};

export type JoinWindow = { opensAt: Date; startsAt: Date; endsAt: Date; closesAt: Date };

export type CardState =
  | { kind: "upcoming"; window: JoinWindow; awaitingConfirmation: boolean }
  | { kind: "ready"; window: JoinWindow; inProgress: boolean }
  | { kind: "completed"; window: JoinWindow }
  | { kind: "cancelled"; window: JoinWindow; declined: boolean };

export function joinWindow(booking: Pick<JoinWindowInput, "sessionStartTime" | "sessionDuration">): JoinWindow {
  const start = booking.sessionStartTime.getTime();
  const end = start + booking.sessionDuration * 60_000;
  return {
    opensAt: new Date(start - JOIN_EARLY_MS),
    startsAt: new Date(start),
    endsAt: new Date(end),
    closesAt: new Date(end + JOIN_LATE_MS),
  };
}

export function cardState(booking: JoinWindowInput, now: Date): CardState {
  const window = joinWindow(booking);
  const t = now.getTime();
  if (booking.status === "Cancelled" || booking.status === "Declined") {
    return { kind: "cancelled", window, declined: booking.status === "Declined" };
  }
  if (booking.status === "Completed" || t >= window.closesAt.getTime()) return { kind: "completed", window };
  if (booking.status === "Pending" || t < window.opensAt.getTime()) {
    return { kind: "upcoming", window, awaitingConfirmation: booking.status === "Pending" };
  }
  return { kind: "ready", window, inProgress: t >= window.startsAt.getTime() };
}

/** The next instant at which this booking's state changes by the clock alone, if any. */
export function nextStateChange(booking: JoinWindowInput, now: Date): Date | null {
  const state = cardState(booking, now);
  if (state.kind === "upcoming" && !state.awaitingConfirmation) return state.window.opensAt;
  if (state.kind === "ready") return state.inProgress ? state.window.closesAt : state.window.startsAt;
  return null;
}

/** Whether a lesson has started (for snapshot uploads) — by status or by the clock. */
export function hasStarted(booking: JoinWindowInput, now: Date): boolean {
  return booking.status === "Completed" || now.getTime() >= booking.sessionStartTime.getTime();
}

/**
 * Whether the classroom's sessions are over while the window is still open: the booking had
 * Lessonspace sessions and every one has ended (the tutor pressed "End lesson", or everyone left
 * and Lessonspace closed the session). The card then offers "Rejoin" rather than "Join Lesson";
 * the window itself, and so launch, still allows joining until it closes.
 */
export function classroomSessionsEnded(sessions: readonly { endedAt: Date | null }[]): boolean {
  return sessions.length > 0 && sessions.every((session) => session.endedAt !== null);
}

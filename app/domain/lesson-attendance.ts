/**
 * Rules for what a finished lesson "really" was: how long each Lessonspace session ran, what the
 * booking's actual duration is, which recording represents it, and how long each person was in
 * the room. Pure: times come in as arguments.
 */

/** A session longer than this is a clock or data error, not a lesson. */
export const MAX_SESSION_SECONDS = 24 * 60 * 60;

/**
 * Whole seconds from start to end, or null when either is unknown or the span is impossible
 * (end before start) or absurd (over 24 hours). A null duration is stored as such and left out of
 * the booking's total, so one bad report cannot inflate or erase what the parent sees.
 */
export function sessionDurationSeconds(startedAt: Date | null, endedAt: Date | null): number | null {
  if (!startedAt || !endedAt) return null;
  const seconds = Math.round((endedAt.getTime() - startedAt.getTime()) / 1000);
  if (seconds < 0 || seconds > MAX_SESSION_SECONDS) return null;
  return seconds;
}

/** bookings.duration_actual: the sum over the booking's distinct sessions with a known duration. */
export function bookingDurationSeconds(sessions: readonly { durationSeconds: number | null }[]): number | null {
  const known = sessions.filter((s) => s.durationSeconds !== null);
  if (known.length === 0) return null;
  return known.reduce((sum, s) => sum + s.durationSeconds!, 0);
}

export type RecordedSession = {
  sessionId: string;
  durationSeconds: number | null;
  endedAt: Date | null;
  recordingAvailable: boolean;
};

/**
 * The session whose recording bookings.recording_url points at: the longest recorded one (the
 * lesson itself, not a two-minute reconnect), the latest on a tie. Null when none was recorded.
 */
export function representativeRecording<T extends RecordedSession>(sessions: readonly T[]): T | null {
  let best: T | null = null;
  for (const session of sessions) {
    if (!session.recordingAvailable) continue;
    if (best === null) {
      best = session;
      continue;
    }
    const length = session.durationSeconds ?? 0;
    const bestLength = best.durationSeconds ?? 0;
    const later = (session.endedAt?.getTime() ?? 0) > (best.endedAt?.getTime() ?? 0);
    if (length > bestLength || (length === bestLength && later)) best = session;
  }
  return best;
}

/**
 * One person's presence in one session. `joinedAt` is when the latest visit began, `leftAt` when
 * it ended (null while they are in the room), `secondsPresent` the sum of all closed visits.
 */
export type Presence = { joinedAt: Date | null; leftAt: Date | null; secondsPresent: number };

export const NO_PRESENCE: Presence = { joinedAt: null, leftAt: null, secondsPresent: 0 };

function isOpen(p: Presence): p is Presence & { joinedAt: Date } {
  return p.joinedAt !== null && (p.leftAt === null || p.leftAt.getTime() < p.joinedAt.getTime());
}

function seconds(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

/**
 * A join opens a visit. Joining while already in the room (a second tab) changes nothing, and a
 * join no later than the last leave is a stale report, so replays cannot reopen a closed visit.
 */
export function applyJoin(p: Presence, at: Date): Presence {
  if (isOpen(p)) return p;
  if (p.leftAt !== null && at.getTime() <= p.leftAt.getTime()) return p;
  return { joinedAt: at, leftAt: null, secondsPresent: p.secondsPresent };
}

/**
 * A leave closes the open visit and adds its length. A leave with no open visit (its join never
 * reached us) records that the person was there, for no measurable time; a leave from before the
 * visit began is stale and ignored.
 */
export function applyLeave(p: Presence, at: Date): Presence {
  if (isOpen(p)) {
    if (at.getTime() < p.joinedAt.getTime()) return p;
    return { joinedAt: p.joinedAt, leftAt: at, secondsPresent: p.secondsPresent + seconds(p.joinedAt, at) };
  }
  if (p.leftAt !== null && at.getTime() <= p.leftAt.getTime()) return p;
  return { joinedAt: p.joinedAt, leftAt: at, secondsPresent: p.secondsPresent };
}

/** When the session ends, anyone whose leave we never heard of left at its end. */
export function closeAtSessionEnd(p: Presence, endedAt: Date): Presence {
  return isOpen(p) ? applyLeave(p, endedAt) : p;
}

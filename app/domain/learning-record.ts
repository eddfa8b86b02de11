/**
 * A learner's record over time (docs/decisions/0051-learning-record.md): per week or month, lessons booked, held and missed,
 * minutes attended against planned, and the learner's share of the talking. Pure: the caller
 * loads one row per lesson (app/.server/bookings/learning-record.ts) and passes `now` and the zone.
 *
 * Definitions (written down because a parent will read them as facts):
 * - booked: every lesson in the period that was not cancelled or declined (upcoming ones too);
 * - held: the learner was in the lesson's classroom (attendance), or the booking's outcome says so
 *   once lesson outcomes exist (the loader decides, see HELD_SQL);
 * - no-show: a booked lesson whose time is over and that was not held;
 * - planned minutes: the booked length of lessons whose time is over; attended minutes: the
 *   learner's measured time in the classroom for those lessons;
 * - talk share: the learner's speaking seconds over everyone's, summed over the period's lessons
 *   that have a transcript (null when none has).
 */
import { calendarDay } from "./format";

export type RecordPeriod = "week" | "month";
export const PERIOD_COUNT: Record<RecordPeriod, number> = { week: 16, month: 12 };

export type RecordLesson = {
  bookingId: string;
  serviceName: string;
  start: Date;
  plannedMinutes: number;
  status: string;
  held: boolean;
  learnerSeconds: number;
  learnerSpokenSeconds: number;
  spokenSeconds: number;
  hasRecording: boolean;
  hasSnapshot: boolean;
  hasReview: boolean;
  hasTranscript: boolean;
};

export type PeriodSummary = {
  key: string;
  label: string;
  booked: number;
  held: number;
  noShows: number;
  plannedMinutes: number;
  attendedMinutes: number;
  /** 0..1, or null when no lesson of the period has a transcript. */
  talkShare: number | null;
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A civil date "YYYY-MM-DD" moved by `days` (calendar arithmetic, no zone involved). */
function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The Monday of the week holding the civil date `day`. */
function mondayOf(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(day, -weekday);
}

/** The period a moment falls in, in the viewer's zone: "2026-11" or the week's Monday "2026-11-23". */
export function periodKey(date: Date, period: RecordPeriod, timeZone: string): string {
  const day = calendarDay(date, timeZone);
  return period === "month" ? day.slice(0, 7) : mondayOf(day);
}

export function periodLabel(key: string, period: RecordPeriod): string {
  const [y, m, d] = key.split("-").map(Number) as [number, number, number];
  return period === "month" ? `${MONTHS[m - 1]} ${y}` : `w/c ${d} ${MONTHS[m - 1]}`;
}

/** The last PERIOD_COUNT periods up to the one holding `now`, oldest first. */
export function recentPeriods(period: RecordPeriod, now: Date, timeZone: string): string[] {
  const current = periodKey(now, period, timeZone);
  const count = PERIOD_COUNT[period];
  const keys: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    if (period === "week") keys.push(addDays(current, -7 * back));
    else {
      const [y, m] = current.split("-").map(Number) as [number, number];
      const index = y * 12 + (m - 1) - back;
      keys.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`);
    }
  }
  return keys;
}

/** A safe lower bound for the query: a day before the oldest period starts in any zone. */
export function earliestStart(period: RecordPeriod, now: Date, timeZone: string): Date {
  const oldest = recentPeriods(period, now, timeZone)[0]!;
  const day = period === "month" ? `${oldest}-01` : oldest;
  return new Date(`${addDays(day, -1)}T00:00:00Z`);
}

const NOT_BOOKED = new Set(["Cancelled", "Declined"]);

export function isOver(lesson: Pick<RecordLesson, "start" | "plannedMinutes">, now: Date): boolean {
  return lesson.start.getTime() + lesson.plannedMinutes * 60_000 <= now.getTime();
}

export function summarisePeriods(
  lessons: readonly RecordLesson[],
  period: RecordPeriod,
  now: Date,
  timeZone: string,
): PeriodSummary[] {
  const keys = recentPeriods(period, now, timeZone);
  const byKey = new Map(
    keys.map((key) => [
      key,
      {
        key,
        label: periodLabel(key, period),
        booked: 0,
        held: 0,
        noShows: 0,
        plannedMinutes: 0,
        attendedSeconds: 0,
        learnerSpoken: 0,
        spoken: 0,
        transcribed: 0,
      },
    ]),
  );
  for (const lesson of lessons) {
    if (NOT_BOOKED.has(lesson.status)) continue;
    const bucket = byKey.get(periodKey(lesson.start, period, timeZone));
    if (!bucket) continue;
    bucket.booked += 1;
    if (lesson.held) bucket.held += 1;
    if (isOver(lesson, now)) {
      if (!lesson.held) bucket.noShows += 1;
      bucket.plannedMinutes += lesson.plannedMinutes;
      bucket.attendedSeconds += lesson.learnerSeconds;
    }
    if (lesson.spokenSeconds > 0) {
      bucket.transcribed += 1;
      bucket.learnerSpoken += lesson.learnerSpokenSeconds;
      bucket.spoken += lesson.spokenSeconds;
    }
  }
  return [...byKey.values()].map((bucket) => ({
    key: bucket.key,
    label: bucket.label,
    booked: bucket.booked,
    held: bucket.held,
    noShows: bucket.noShows,
    plannedMinutes: bucket.plannedMinutes,
    attendedMinutes: Math.round(bucket.attendedSeconds / 60),
    talkShare: bucket.transcribed > 0 && bucket.spoken > 0 ? bucket.learnerSpoken / bucket.spoken : null,
  }));
}

export type RecordLink = { id: string; fullName: string; own: boolean };

/**
 * Learning records worth linking from a viewer's bookings (the dashboard's "Progress"; no query
 * of its own): the viewer's own when they are the learner (the assigned student, or the client
 * of a lesson with none), and each child they booked for. Own first, then by name. The record
 * page checks access again.
 */
export function learningRecordLinks(
  bookings: readonly { clientId: string; studentId: string | null; student: { id: string; fullName: string } | null }[],
  viewerId: string,
): RecordLink[] {
  const links = new Map<string, RecordLink>();
  for (const booking of bookings) {
    if (booking.studentId === viewerId || (booking.clientId === viewerId && booking.studentId === null))
      links.set(viewerId, { id: viewerId, fullName: "", own: true });
    else if (booking.clientId === viewerId && booking.student)
      links.set(booking.student.id, { id: booking.student.id, fullName: booking.student.fullName, own: false });
  }
  return [...links.values()].sort((a, b) => Number(b.own) - Number(a.own) || a.fullName.localeCompare(b.fullName));
}

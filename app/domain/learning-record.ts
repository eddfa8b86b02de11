/**
 * A learner's record over time (docs/decisions/0051-learning-record.md): per week or month, lessons booked, held and missed,
 * minutes attended against planned, and the learner's share of the talking. Pure: the caller
 * loads one row per lesson (app/.server/bookings/learning-record.ts) and passes `now` and the zone.
 *
 * Every figure comes from the lesson's presentation (lesson-presentation.ts), the same one the
 * booking page shows, and the totals, the periods and the list are made from one list of entries
 * (`recordEntries`), so they cannot disagree. Definitions (a parent will read them as facts):
 * - booked: every lesson in the period that was not cancelled or declined (upcoming ones too);
 * - held: the presentation says it was held (the settled outcome, or the provisional one while
 *   the outcome is not yet settled; a Completed lesson without classroom records counts as held);
 * - missed: the presentation says it was not held (absent, too short, not held, or no record);
 * - planned and attended minutes: over the lessons that are over and whose attendance is known
 *   (a lesson without classroom records has no minutes to count, either way); attended is the
 *   learner's time in the classroom as the presentation counts it, capped at the planned length;
 * - talk share: the learner's speaking seconds over everyone's, summed over the period's lessons
 *   that have a transcript (null when none has);
 * - homework set: the items of the published notes of the period's lessons; homework done: items
 *   (of the lessons shown) ticked done in the period, whenever they were set.
 */
import { calendarDay } from "./format";
import { attendedMinutes } from "./lesson-outcome";
import { presentLesson, type LessonFacts, type LessonState } from "./lesson-presentation";

export type RecordPeriod = "week" | "month";
export const PERIOD_COUNT: Record<RecordPeriod, number> = { week: 16, month: 12 };

export type RecordLesson = LessonFacts & {
  bookingId: string;
  serviceName: string;
  learnerSpokenSeconds: number;
  spokenSeconds: number;
  hasRecording: boolean;
  hasSnapshot: boolean;
  hasReview: boolean;
  hasTranscript: boolean;
  /** The first line of the published note (note-headline.ts); null without one (a draft is none). */
  noteHeadline: string | null;
  /** The published note's homework items, each with when it was ticked done (null: still open). */
  homework: readonly { doneAt: Date | null }[];
};

/** One lesson as the record counts and lists it. */
export type RecordEntry = {
  lesson: RecordLesson;
  /** The period it falls in (periodKey). */
  period: string;
  state: LessonState;
  badge: string;
  explanation: string;
  booked: boolean;
  /** true held, false missed, null not over yet (or cancelled). */
  held: boolean | null;
  /** null when the lesson is not over or its attendance is not known. */
  minutes: { planned: number; attended: number } | null;
};

export type RecordTotals = {
  booked: number;
  held: number;
  noShows: number;
  plannedMinutes: number;
  attendedMinutes: number;
};

export type PeriodSummary = RecordTotals & {
  key: string;
  label: string;
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

/**
 * The lessons of the periods shown (newest first, as loaded), each with its presentation in the
 * viewer's zone. Lessons outside the periods are dropped here, so the list and the totals hold
 * the same lessons.
 */
export function recordEntries(
  lessons: readonly RecordLesson[],
  period: RecordPeriod,
  now: Date,
  timeZone: string,
): RecordEntry[] {
  const keys = new Set(recentPeriods(period, now, timeZone));
  const entries: RecordEntry[] = [];
  for (const lesson of lessons) {
    const key = periodKey(lesson.sessionStartTime, period, timeZone);
    if (!keys.has(key)) continue;
    const shown = presentLesson(lesson, now, timeZone);
    entries.push({
      lesson,
      period: key,
      state: shown.state,
      badge: shown.badge,
      explanation: shown.explanation,
      booked: shown.state !== "cancelled",
      held: shown.held,
      minutes:
        shown.held === null || shown.state === "unrecorded"
          ? null
          : {
              planned: lesson.sessionDuration,
              attended: attendedMinutes(shown.learnerSeconds, lesson.sessionDuration),
            },
    });
  }
  return entries;
}

/** Booked, held, missed and minutes over some entries: one sum for the headline and each period. */
export function recordTotals(entries: readonly RecordEntry[]): RecordTotals {
  const totals: RecordTotals = { booked: 0, held: 0, noShows: 0, plannedMinutes: 0, attendedMinutes: 0 };
  for (const entry of entries) {
    if (!entry.booked) continue;
    totals.booked += 1;
    if (entry.held === true) totals.held += 1;
    if (entry.held === false) totals.noShows += 1;
    if (entry.minutes) {
      totals.plannedMinutes += entry.minutes.planned;
      totals.attendedMinutes += entry.minutes.attended;
    }
  }
  return totals;
}

/** Every period shown, oldest first, with its totals and talk share (empty periods too). */
export function summarisePeriods(
  entries: readonly RecordEntry[],
  period: RecordPeriod,
  now: Date,
  timeZone: string,
): PeriodSummary[] {
  return recentPeriods(period, now, timeZone).map((key) => {
    const inPeriod = entries.filter((entry) => entry.period === key && entry.booked);
    const transcribed = inPeriod.filter((entry) => entry.lesson.spokenSeconds > 0);
    const spoken = transcribed.reduce((sum, entry) => sum + entry.lesson.spokenSeconds, 0);
    const learnerSpoken = transcribed.reduce((sum, entry) => sum + entry.lesson.learnerSpokenSeconds, 0);
    return {
      key,
      label: periodLabel(key, period),
      ...recordTotals(inPeriod),
      talkShare: spoken > 0 ? learnerSpoken / spoken : null,
    };
  });
}

export type HomeworkPeriod = { key: string; label: string; set: number; done: number };

/** Homework set and ticked done in every period shown, oldest first (empty periods too). */
export function homeworkByPeriod(
  entries: readonly RecordEntry[],
  period: RecordPeriod,
  now: Date,
  timeZone: string,
): HomeworkPeriod[] {
  const periods = recentPeriods(period, now, timeZone).map((key) => ({
    key,
    label: periodLabel(key, period),
    set: 0,
    done: 0,
  }));
  const byKey = new Map(periods.map((p) => [p.key, p]));
  for (const entry of entries) {
    for (const item of entry.lesson.homework) {
      const setIn = byKey.get(entry.period);
      if (setIn) setIn.set += 1;
      const doneIn = item.doneAt ? byKey.get(periodKey(item.doneAt, period, timeZone)) : undefined;
      if (doneIn) doneIn.done += 1;
    }
  }
  return periods;
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

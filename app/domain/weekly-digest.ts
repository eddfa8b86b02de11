/**
 * The weekly family digest (docs/decisions/0068-weekly-digest-once-per-recipient-and-week.md): when it is due, for which week,
 * and what it says. Pure: the sweep and the sender pass `now`, the recipient's zone and their rows.
 *
 * - A week is Monday 00:00 to the next Monday 00:00 on the recipient's wall clock.
 * - The digest of a week goes out on the configured weekday and local time (DIGEST_DAY,
 *   DIGEST_LOCAL_TIME; default Sunday 18:00) on or after the week's Sunday: with the default, the
 *   Sunday evening that ends the week it reports on.
 * - Due from that instant until 12:00 local the next day (a worker down on Sunday evening catches
 *   up overnight or on Monday morning); from then on the week is stale and never sent.
 * - It reports on: the week's lessons (held or missed, in the words of lesson-presentation.ts), the
 *   first line of each published note of them, homework still open from lessons of the last
 *   HOMEWORK_WEEKS weeks, and the next week's lessons. Nothing to say, nothing sent.
 */
import { learnerOf } from "./attendee";
import { formatDateTime, formatDay } from "./format";
import { attendedMinutes } from "./lesson-outcome";
import { presentLesson, type LessonFacts } from "./lesson-presentation";
import { noteHeadline } from "./note-headline";
import { addDays, instantAt, mondayOf, weekdayIndex } from "./wall-clock";
import { calendarDay } from "./format";

export const DIGEST_KIND = "weekly_digest" as const;

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type DigestSchedule = { day: Weekday; /** "HH:MM", 24-hour */ time: string };
export const DEFAULT_DIGEST_SCHEDULE: DigestSchedule = { day: "sunday", time: "18:00" };

/** The day after the send day, at this local time, the week is stale. */
export const STALE_AT_LOCAL_TIME = "12:00";
/** Homework still open from lessons up to this many weeks back (the reported week included). */
export const HOMEWORK_WEEKS = 4;

export type DigestWeek = {
  /** The week's Monday, "2026-11-30". */
  monday: string;
  /** The row's key: that Monday at 00:00 UTC (the same whatever the zone, so a move abroad mid-week sends no second one). */
  key: Date;
  /** Monday 00:00 local, and the next Monday 00:00 local: the reported week is [from, to). */
  from: Date;
  to: Date;
  /** The end of the next week (the Monday after `to`, 00:00 local). */
  nextTo: Date;
  /** Open homework is looked for on lessons from here (HOMEWORK_WEEKS weeks before `to`). */
  homeworkFrom: Date;
  sendAt: Date;
  staleAt: Date;
};

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
export function isLocalTime(value: string): boolean {
  return HHMM.test(value);
}

/** The week starting on the civil date `monday`, with its send window in `timeZone`. */
export function digestWeekOf(monday: string, timeZone: string, schedule: DigestSchedule): DigestWeek {
  const sunday = addDays(monday, 6);
  const sendDay = addDays(sunday, (WEEKDAYS.indexOf(schedule.day) - 6 + 7) % 7);
  return {
    monday,
    key: new Date(`${monday}T00:00:00Z`),
    from: instantAt(monday, "00:00", timeZone),
    to: instantAt(addDays(monday, 7), "00:00", timeZone),
    nextTo: instantAt(addDays(monday, 14), "00:00", timeZone),
    homeworkFrom: instantAt(addDays(monday, 7 - 7 * HOMEWORK_WEEKS), "00:00", timeZone),
    sendAt: instantAt(sendDay, schedule.time, timeZone),
    staleAt: instantAt(addDays(sendDay, 1), STALE_AT_LOCAL_TIME, timeZone),
  };
}

/** The week a digest row was queued for (its for_start_time). */
export function digestWeekOfKey(key: Date, timeZone: string, schedule: DigestSchedule): DigestWeek {
  return digestWeekOf(key.toISOString().slice(0, 10), timeZone, schedule);
}

/** The week whose digest is due at `now` in `timeZone`, or null when none is. */
export function dueDigestWeek(now: Date, timeZone: string, schedule: DigestSchedule): DigestWeek | null {
  const today = calendarDay(now, timeZone);
  // The send day is today or, while catching up before noon, yesterday.
  for (const sendDay of [today, addDays(today, -1)]) {
    if (weekdayIndex(sendDay) !== WEEKDAYS.indexOf(schedule.day)) continue;
    // The reported week ends on the last Sunday on or before the send day.
    const monday = mondayOf(addDays(sendDay, -((weekdayIndex(sendDay) + 1) % 7)));
    const week = digestWeekOf(monday, timeZone, schedule);
    if (now.getTime() >= week.sendAt.getTime() && now.getTime() < week.staleAt.getTime()) return week;
  }
  return null;
}

/** A queued digest must not go out once its week is stale (a send that waited past the limit). */
export function isDigestStale(week: DigestWeek, now: Date): boolean {
  return now.getTime() >= week.staleAt.getTime();
}

// ---------------------------------------------------------------------------------------------
// What it says

export type DigestLesson = LessonFacts & {
  bookingId: string;
  serviceName: string;
  /** The published note's "What we covered"; null when there is none or it is a draft. */
  publishedNote: string | null;
  /** Open items of the published note. */
  openHomework: readonly { text: string; dueOn: string | null }[];
};

export type DigestContents = {
  /** "Mon 30 Nov – Sun 6 Dec". */
  weekLabel: string;
  summary: string;
  past: { bookingId: string; title: string; when: string; badge: string; explanation: string }[];
  notes: { bookingId: string; title: string; headline: string }[];
  homework: { bookingId: string; title: string; text: string; due: string }[];
  next: { bookingId: string; title: string; when: string }[];
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The digest of `week` for one recipient from their lessons (every lesson of the family from
 * `week.homeworkFrom` to `week.nextTo`), or null when there is nothing to say.
 */
export function digestContents(
  lessons: readonly DigestLesson[],
  week: DigestWeek,
  now: Date,
  timeZone: string,
): DigestContents | null {
  const sorted = [...lessons].sort((a, b) => a.sessionStartTime.getTime() - b.sessionStartTime.getTime());
  const inRange = (lesson: DigestLesson, from: Date, to: Date) =>
    lesson.sessionStartTime.getTime() >= from.getTime() && lesson.sessionStartTime.getTime() < to.getTime();
  const live = (lesson: DigestLesson) => lesson.status !== "Cancelled" && lesson.status !== "Declined";
  const title = (lesson: DigestLesson) => `${learnerOf(lesson).fullName}: ${lesson.serviceName}`;

  const pastLessons = sorted.filter((l) => live(l) && l.status !== "Pending" && inRange(l, week.from, week.to));
  let held = 0;
  let missed = 0;
  let planned = 0;
  let attended = 0;
  const past = pastLessons.map((lesson) => {
    const shown = presentLesson(lesson, now, timeZone);
    if (shown.held === true) held++;
    if (shown.held === false) missed++;
    if (shown.held !== null && shown.state !== "unrecorded") {
      planned += lesson.sessionDuration;
      attended += attendedMinutes(shown.learnerSeconds, lesson.sessionDuration);
    }
    return {
      bookingId: lesson.bookingId,
      title: title(lesson),
      when: formatDateTime(lesson.sessionStartTime, timeZone, now),
      badge: shown.badge,
      explanation: shown.explanation,
    };
  });
  const notes = pastLessons.flatMap((lesson) => {
    const headline = lesson.publishedNote === null ? null : noteHeadline(lesson.publishedNote);
    return headline ? [{ bookingId: lesson.bookingId, title: title(lesson), headline }] : [];
  });
  const homework = sorted
    .filter((l) => live(l) && inRange(l, week.homeworkFrom, week.to))
    .flatMap((lesson) =>
      lesson.openHomework.map((item) => ({
        bookingId: lesson.bookingId,
        title: title(lesson),
        text: item.text,
        dueOn: item.dueOn,
        due: item.dueOn === null ? "no due date" : `due ${formatDay(new Date(`${item.dueOn}T12:00:00Z`), "UTC", now)}`,
      })),
    )
    // Soonest due first; items without a date last.
    .sort((a, b) => (a.dueOn ?? "9999").localeCompare(b.dueOn ?? "9999"))
    .map(({ dueOn: _, ...item }) => item);
  const next = sorted
    .filter((l) => l.status === "Confirmed" && inRange(l, week.to, week.nextTo) && l.sessionStartTime > now)
    .map((lesson) => ({
      bookingId: lesson.bookingId,
      title: title(lesson),
      when: formatDateTime(lesson.sessionStartTime, timeZone, now),
    }));
  if (past.length === 0 && homework.length === 0 && next.length === 0) return null;

  const sunday = addDays(week.monday, 6);
  const weekLabel = `${formatDay(new Date(`${week.monday}T12:00:00Z`), "UTC", now)} – ${formatDay(new Date(`${sunday}T12:00:00Z`), "UTC", now)}`;
  const summary =
    past.length === 0
      ? "No lessons this week."
      : `${plural(past.length, "lesson")} this week: ${held} held, ${missed} missed; ${attended} of ${planned} planned minutes attended.`;
  return { weekLabel, summary, past, notes, homework, next };
}

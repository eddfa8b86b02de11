/**
 * The words the lifecycle e-mails share (docs/decisions/0040-notifications-found-by-a-sweep.md), for the HTML components and the
 * plain-text versions alike. Pure: times come formatted in the recipient's zone with `now` injected.
 */
import { JOIN_EARLY_MS, JOIN_LATE_MS } from "~/domain/join-window";
import {
  calendarDay,
  formatDateTime,
  formatDay,
  formatMinutes,
  formatTime,
  formatTimeRange,
  timeZoneLabel,
} from "~/domain/format";
import type {
  BookingNotificationKind,
  NotificationEmailInput,
  NotificationKind,
  RecipientRole,
} from "~/domain/notification-kinds";
import { usableTimeZone } from "~/domain/time-zone";

/** Where the message's buttons and footer point; built by the server from APP_URL. */
export type EmailLinks = {
  /** Our booking page: the only place a Join Lesson button leads (never a Lessonspace client_url). */
  bookingUrl: string;
  /** The booking's review form. */
  reviewUrl: string;
  /** One-click unsubscribe from this kind (signed). */
  unsubscribeUrl: string;
  /** The page where the recipient chooses which e-mails they get. */
  settingsUrl: string;
};

export type EmailProps = { input: NotificationEmailInput; links: EmailLinks; now: Date };

// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators: in a header they
// could start a new header line; in a body, a fake line of their own.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A name or title on one line, safe in a header or subject: control characters become spaces. */
export function oneLine(value: string, maxLength = 200): string {
  const clean = value.replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

/** Free text that may keep its line breaks (a review comment), without any other control character. */
export function multiLine(value: string, maxLength = 2000): string {
  const clean = value
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

export type LessonWords = {
  service: string;
  tutor: string;
  attendee: string;
  /** The recipient's first name, for the greeting ("Hi Tara,"). */
  recipient: string;
  /** "Charlie's lesson with Tina Tutor", "your lesson with Tina Tutor", "your lesson with Charlie". */
  lesson: string;
  /** "Wed 2 Dec, 15:00–16:00". */
  when: string;
  /** "Wed 2 Dec". */
  day: string;
  /** "today", "tomorrow" or "on Wed 2 Dec", from `now` in the recipient's zone (a late reminder stays true). */
  relativeDay: string;
  /** "15:00". */
  startTime: string;
  /** "Europe/London (GMT)". */
  zone: string;
  duration: string;
};

/** The first word of a full name; a blank name still greets ("Hi there,"). */
export function firstName(fullName: string): string {
  return oneLine(fullName).split(" ")[0] || "there";
}

function learnsThemselves(input: NotificationEmailInput): boolean {
  const { role, fullName } = input.recipient;
  return role === "student" || (role === "client" && oneLine(fullName) === oneLine(input.booking.attendeeName));
}

export function lessonWords(input: NotificationEmailInput, now: Date): LessonWords {
  const { booking, recipient } = input;
  // One bad stored zone must not stop the message; it is written in UTC instead.
  const zone = usableTimeZone(recipient.timeZone);
  const service = oneLine(booking.serviceName);
  const tutor = oneLine(booking.tutorName);
  const attendee = oneLine(booking.attendeeName);
  const end = new Date(booking.sessionStartTime.getTime() + booking.sessionDuration * 60_000);
  const lesson =
    recipient.role === "tutor"
      ? `your lesson with ${attendee}`
      : learnsThemselves(input)
        ? `your lesson with ${tutor}`
        : `${attendee}'s lesson with ${tutor}`;
  return {
    service,
    tutor,
    attendee,
    recipient: firstName(recipient.fullName),
    lesson,
    when: formatTimeRange(booking.sessionStartTime, end, zone, now),
    day: formatDay(booking.sessionStartTime, zone, now),
    relativeDay: relativeDay(booking.sessionStartTime, zone, now),
    startTime: formatTime(booking.sessionStartTime, zone),
    zone: timeZoneLabel(zone, booking.sessionStartTime),
    duration: formatMinutes(booking.sessionDuration),
  };
}

function relativeDay(date: Date, zone: string, now: Date): string {
  const day = calendarDay(date, zone);
  if (day === calendarDay(now, zone)) return "today";
  // The day after the zone's own date, by calendar arithmetic (a day is not always 24 h in a zone).
  const [y, m, d] = calendarDay(now, zone).split("-").map(Number) as [number, number, number];
  const tomorrow = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return day === tomorrow ? "tomorrow" : `on ${formatDay(date, zone, now)}`;
}

/** The subject line: one line, from words already made header-safe. */
export function subjectFor(
  kind: BookingNotificationKind,
  words: LessonWords,
  input: NotificationEmailInput,
  now: Date,
): string {
  const other = input.recipient.role === "tutor" ? words.attendee : words.tutor;
  switch (kind) {
    case "reminder_day_before":
      return oneLine(
        `Reminder: ${words.service} with ${other}, ${formatDateTime(input.booking.sessionStartTime, usableTimeZone(input.recipient.timeZone), now)}`,
        250,
      );
    case "reminder_classroom_open":
      return oneLine(`The classroom is open: ${words.service} with ${other} at ${words.startTime}`, 250);
    case "lesson_record":
      return oneLine(`Lesson record: ${words.service} with ${words.tutor}, ${words.day}`, 250);
    case "review_prompt":
      return oneLine(`How was your session with ${words.attendee}?`, 250);
    case "tutor_late":
      return oneLine(
        `Your lesson with ${words.attendee} started ${startedAgo(input.booking.sessionStartTime, now)}`,
        250,
      );
    case "tutor_reminded":
      return oneLine(`${words.tutor} has not joined yet: we have reminded them`, 250);
    case "learner_late":
      return oneLine(`${words.tutor} is waiting in the classroom: ${words.service} started at ${words.startTime}`, 250);
  }
}

/** The lesson's rows, labelled for who reads them. */
export function lessonDetails(words: LessonWords): { label: string; value: string }[] {
  return [
    { label: "Lesson", value: words.service },
    { label: "Tutor", value: words.tutor },
    { label: "Attending", value: words.attendee },
    { label: "When", value: `${words.when}, ${words.zone}` },
    { label: "Length", value: words.duration },
  ];
}

export const JOIN_WINDOW_NOTE = `The Join Lesson button works from ${JOIN_EARLY_MS / 60_000} minutes before the start until ${JOIN_LATE_MS / 60_000} minutes after the end.`;

const ROLE_REASON: Record<RecipientRole, (attendee: string) => string> = {
  tutor: () => "you teach this lesson",
  client: () => "you booked this lesson",
  guardian: (attendee) => `you are ${attendee}'s guardian`,
  student: () => "you attend this lesson",
};

const KIND_NAME: Record<NotificationKind, string> = {
  reminder_day_before: "reminders the day before",
  reminder_classroom_open: '"classroom is open" e-mails',
  lesson_record: "lesson records",
  review_prompt: "review prompts",
  tutor_late: '"your lesson has started" e-mails',
  tutor_reminded: '"tutor running late" e-mails',
  learner_late: '"tutor is waiting" e-mails',
  weekly_digest: "weekly digests",
};

/** "Stop weekly digests": the footer's unsubscribe link, for any kind. */
export function stopWords(kind: NotificationKind): string {
  return `Stop ${KIND_NAME[kind]}`;
}

export function footerWords(input: NotificationEmailInput, words: LessonWords) {
  return {
    reason: `You receive this e-mail from Tutorwise Classroom because ${ROLE_REASON[input.recipient.role](words.attendee)}.`,
    unsubscribe: stopWords(input.kind),
    settings: "Choose which e-mails you get",
  };
}

/** "5 minutes ago", "1 minute ago": how long ago the lesson started, at the moment of sending. */
export function startedAgo(start: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - start.getTime()) / 60_000));
  return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
}

export function ratingText(rating: number): string {
  const stars = Math.max(0, Math.min(5, Math.round(rating)));
  return `${stars} out of 5`;
}

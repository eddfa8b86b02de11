/**
 * The messages the lesson lifecycle sends (docs/decisions/0040-notifications-found-by-a-sweep.md), and the shapes shared by the
 * sweep that decides what is due, the recipients rule, the settings page and the e-mail renderer.
 * Pure: no I/O.
 */
export const NOTIFICATION_KINDS = [
  "reminder_day_before",
  "reminder_classroom_open",
  "lesson_record",
  "review_prompt",
  "tutor_late",
  "tutor_reminded",
  "learner_late",
  // About a week rather than one lesson (app/domain/weekly-digest.ts).
  "weekly_digest",
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** The kinds about one booking (every kind but the weekly digest). */
export type BookingNotificationKind = Exclude<NotificationKind, "weekly_digest">;

export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === "string" && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** Words for the settings page and the unsubscribe confirmation. */
export const NOTIFICATION_LABELS: Record<NotificationKind, { title: string; description: string }> = {
  reminder_day_before: {
    title: "Reminder the day before",
    description: "An e-mail 24 hours before each lesson, with a calendar entry.",
  },
  reminder_classroom_open: {
    title: "Classroom is open",
    description: "An e-mail when the classroom opens, 15 minutes before the lesson.",
  },
  lesson_record: {
    title: "Lesson record",
    description: "After each lesson: attended minutes, and the recording, snapshot and review once they exist.",
  },
  review_prompt: {
    title: "Review prompt (tutors)",
    description: 'After each lesson you teach: "How was your session?"',
  },
  tutor_late: {
    title: "Late start (tutors)",
    description: "If you have not joined a few minutes after a lesson you teach starts, while the family waits.",
  },
  tutor_reminded: {
    title: "Tutor running late",
    description: "If the tutor has not joined a few minutes after the start: we tell you they have been reminded.",
  },
  learner_late: {
    title: "Tutor is waiting",
    description: "If the tutor is in the classroom a few minutes after the start and the learner is not.",
  },
  weekly_digest: {
    title: "Weekly digest",
    description:
      "Once a week: that week's lessons, the tutors' notes, homework still to do, and the next week's lessons.",
  },
};

/** Why someone receives a booking's messages. */
export type RecipientRole = "tutor" | "client" | "guardian" | "student";

export type NotificationRecipient = {
  profileId: string;
  fullName: string;
  email: string;
  /** IANA zone the message's times are written in. */
  timeZone: string;
  role: RecipientRole;
};

/** Everything the e-mail renderer needs; built by the sender from the database. */
export type NotificationEmailInput = {
  kind: BookingNotificationKind;
  recipient: NotificationRecipient;
  booking: {
    id: string;
    serviceName: string;
    sessionStartTime: Date;
    /** Planned minutes. */
    sessionDuration: number;
    /** The calendar entry's SEQUENCE: kept by the database, one more at every change of time, length or status. */
    calendarSequence: number;
    tutorName: string;
    /** Who attends: the assigned student, else the client (adult learner). */
    attendeeName: string;
  };
  /** The late-start alerts only: attendance as it stood when the message was sent. */
  lateStart?: { learnerJoined: boolean };
  /** lesson_record and review_prompt only. */
  record?: {
    /** A sentence a parent understands, e.g. "Charlie attended 52 of 60 minutes" or "Tutor did not join". */
    outcomeSummary: string;
    recordingAvailable: boolean;
    snapshotAvailable: boolean;
    reviews: { reviewerName: string; rating: number; comment: string }[];
    /** The tutor's published lesson note, when there is one by the time it is sent (never the private note). */
    note?: { covered: string; homework: { text: string; dueOn: string | null }[] } | null;
  };
};

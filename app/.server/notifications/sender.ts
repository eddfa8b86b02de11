// The send job: one notifications row → one e-mail, exactly once (docs/decisions/0041-each-notification-sent-exactly-once.md).
//
// 1. Load the row; a row already sent, failed for good or skipped is done (a repeated job does nothing).
// 2. Re-check the booking: cancelled, moved (start ≠ the start the row was computed for) or no longer
//    due (a classroom-open reminder after the lesson ended), and the recipient: no deliverable
//    address, or this kind switched off since the row was queued → mark skipped, send nothing.
// 3. Claim it: queued → sending, or a `sending` row whose claim is older than CLAIM_TIMEOUT_MS (its
//    worker died). A fresh claim by another worker makes this attempt retry later instead.
// 4. Compose, send over SMTP, then mark sent with the Message-ID (recorded after sending).
//
// The weekly digest has no booking: step 2 checks its week instead (stale from noon the day after
// it was due) and what it would say (nothing to say → skipped), docs/decisions/0068-weekly-digest-once-per-recipient-and-week.md.
//
// The residual window: a worker killed after the mail server accepted the message but before the
// `sent` UPDATE commits (a few milliseconds) leaves the row `sending`; after CLAIM_TIMEOUT_MS another
// worker sends it again. The second copy carries the same Message-ID and X-Entity-Ref-ID (the
// notification id), so mail clients and support can tell it is the same message.
import { presentLesson } from "~/domain/lesson-presentation";
import { usableTimeZone } from "~/domain/time-zone";
import { CLAIM_TIMEOUT_MS, isRecordKind, staleReasonOf } from "~/domain/notification-due";
import { learnerIdOf, learnerOf } from "~/domain/attendee";
import type {
  BookingNotificationKind,
  NotificationEmailInput,
  NotificationRecipient,
  RecipientRole,
} from "~/domain/notification-kinds";
import type { Prisma } from "~/generated/prisma/client";
import { isNotificationKind } from "~/domain/notification-kinds";
import {
  isLateStartKind,
  lateStartAttendance,
  lateStartSkipReason,
  type LateStartAttendance,
} from "~/domain/late-start";
import { db, sql } from "../db";
import { env } from "../env";
import { sendMail } from "./mailer";
import { composeDigestEmail, composeNotificationEmail } from "./email";
import { digestOf, digestSchedule } from "./digest";
import { DIGEST_KIND, isDigestStale, type DigestContents, type DigestSchedule } from "~/domain/weekly-digest";
import type { SendMailOptions } from "nodemailer";
import { NOTIFIABLE_PROFILE_SELECT } from "./recipients";
import { logger } from "../logger";
import { joinedSql, type JoinedRow } from "./late-start-sql";

/** A permanent refusal (5xx) is believed after this many tries; then the address is marked undeliverable. */
export const PERMANENT_FAILURE_TRIES = 2;

export type SendOutcome = "sent" | "already-done" | "skipped" | "failed-permanent" | "missing";

/** Thrown so that pg-boss retries the job with backoff. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
}

export type SenderOptions = {
  now?: () => Date;
  claimTimeoutMs?: number;
  permanentFailureTries?: number;
  /** When the weekly digest goes out; default DIGEST_DAY and DIGEST_LOCAL_TIME. */
  digest?: DigestSchedule;
  /** Default LATE_START_AFTER_MINUTES. */
  lateStartAfterMinutes?: number;
};

const DONE = new Set(["sent", "failed_permanent", "skipped"]);

const BOOKING_SELECT = {
  id: true,
  status: true,
  serviceName: true,
  sessionStartTime: true,
  sessionDuration: true,
  createdAt: true,
  calendarSequence: true,
  tutorId: true,
  clientId: true,
  studentId: true,
  outcome: true,
  outcomeSettledAt: true,
  outcomeTutorSeconds: true,
  outcomeAttendeeSeconds: true,
  recordingUrl: true,
  sessionArtifacts: true,
  reviews: {
    select: { rating: true, comment: true, reviewer: { select: { fullName: true } } },
    orderBy: { createdAt: "asc" },
  },
  // The published note only: a draft and the private note never leave the tutor's page.
  lessonNote: {
    select: {
      publishedAt: true,
      covered: true,
      homework: { select: { text: true, dueOn: true }, orderBy: { position: "asc" } },
    },
  },
  tutor: { select: { id: true, fullName: true } },
  client: { select: { id: true, fullName: true } },
  student: { select: { id: true, fullName: true } },
  // What the lesson's presentation is decided from (a provisional outcome, too short or not).
  sessions: {
    select: {
      startedAt: true,
      endedAt: true,
      attendance: { select: { profileId: true, joinedAt: true, leftAt: true, secondsPresent: true } },
    },
  },
} as const satisfies Prisma.BookingSelect;

export async function sendNotification(notificationId: string, options: SenderOptions = {}): Promise<SendOutcome> {
  const now = options.now ?? (() => new Date());
  const claimTimeoutMs = options.claimTimeoutMs ?? CLAIM_TIMEOUT_MS;
  const permanentTries = options.permanentFailureTries ?? PERMANENT_FAILURE_TRIES;

  // Read again at send: a kind switched off since the sweep queued it (an unsubscribe link
  // pressed in between) is not sent.
  const row = await loadNotification(notificationId);
  // The booking (or the person) was deleted: the row went with it.
  if (!row) return "missing";
  if (DONE.has(row.status)) return "already-done";

  const fields = { notificationId, kind: row.kind, bookingId: row.bookingId, recipient: row.recipientProfileId };
  const { booking, recipient } = row;
  const recipientNow = {
    ...recipient,
    switchedOff: recipient.notificationPreferences.map((preference) => preference.kind),
  };
  const skip = async (reason: string, from: ("queued" | "sending")[]) => {
    await db.notification.updateMany({
      where: { id: notificationId, status: { in: from } },
      data: { status: "skipped", lastError: reason },
    });
    logger.info({ ...fields, reason }, "notification.skipped");
    return "skipped" as const;
  };
  let digest: DigestContents | null = null;
  let attendance: LateStartAttendance | null = null;
  let staleReason: string | null;
  if (row.kind === DIGEST_KIND) {
    const found = await digestOf(recipient, row.forStartTime, now(), options.digest ?? digestSchedule());
    digest = found.contents;
    staleReason = isDigestStale(found.week, now())
      ? "week stale"
      : !recipient.email || recipient.emailUndeliverableAt
        ? "address undeliverable"
        : recipientNow.switchedOff.includes(DIGEST_KIND)
          ? "switched off by the recipient"
          : digest === null
            ? "nothing to say"
            : null;
  } else if (!booking) {
    // Only the digest is without a booking (a CHECK in 084_weekly_digest).
    return "missing";
  } else {
    const lateStartAfterMinutes = options.lateStartAfterMinutes ?? env().LATE_START_AFTER_MINUTES;
    attendance = lateStartAttendance(
      { tutorId: booking.tutorId, learnerId: learnerIdOf(booking) },
      booking.sessions.flatMap((session) => session.attendance),
    );
    staleReason =
      staleReasonOf(
        row,
        { ...booking, notePublishedAt: booking.lessonNote?.publishedAt ?? null },
        recipientNow,
        now(),
        lateStartAfterMinutes,
      ) ?? (isLateStartKind(row.kind) ? lateStartSkipReason(row.kind, attendance) : null);
  }
  if (staleReason) return skip(staleReason, ["queued", "sending"]);

  const claimed = await claimNotification(notificationId, now(), claimTimeoutMs);
  if (claimed === null) {
    const current = await db.notification.findUnique({ where: { id: notificationId }, select: { status: true } });
    if (!current || DONE.has(current.status)) return current ? "already-done" : "missing";
    throw new RetryLaterError(`notification ${notificationId} is being sent by another worker`);
  }
  const { attempts } = claimed;
  if (booking && isLateStartKind(row.kind)) {
    // Attendance as it stands now, under this claim: the last moment before the message leaves.
    const [current] = await sql<JoinedRow>(joinedSql(booking.id));
    if (!current) return "missing";
    attendance = { tutorJoined: current.tutor_joined, learnerJoined: current.learner_joined };
    const reason = lateStartSkipReason(row.kind, attendance);
    if (reason) return skip(reason, ["sending"]);
  }
  if (!isNotificationKind(row.kind)) throw new Error(`Unknown notification kind ${row.kind}`);
  let result: Awaited<ReturnType<typeof sendMail>>;
  try {
    const mail =
      row.kind === DIGEST_KIND
        ? composeDigestEmail({
            recipient: { profileId: recipient.id, fullName: recipient.fullName, email: recipient.email! },
            contents: digest!,
          })
        : composeBookingEmail(row.kind, row.recipientRole, recipient, booking!, now(), attendance);
    // The notification id identifies the message: a resend after a crash is recognisably the same one.
    mail.messageId = `<${notificationId}@${new URL(env().APP_URL).hostname}>`;
    mail.headers = { ...(mail.headers as Record<string, string> | undefined), "X-Entity-Ref-ID": notificationId };
    result = await sendMail(mail);
  } catch (error) {
    // Nothing reached the mail server: give the row back for the retry.
    await db.notification.update({
      where: { id: notificationId },
      data: { status: "queued", lastError: String(error) },
    });
    throw error;
  }
  return recordResult(notificationId, result, { fields, attempts, recipient, now, permanentTries });
}

type LoadedRow = NonNullable<Awaited<ReturnType<typeof loadNotification>>>;

function loadNotification(notificationId: string) {
  return db.notification.findUnique({
    where: { id: notificationId },
    include: {
      recipient: { select: NOTIFIABLE_PROFILE_SELECT },
      booking: { select: BOOKING_SELECT },
    },
  });
}

/** A lesson's message: the booking's words, and for a record its outcome, recording, snapshot and reviews. */
function composeBookingEmail(
  kind: BookingNotificationKind,
  recipientRole: string,
  recipient: LoadedRow["recipient"],
  booking: NonNullable<LoadedRow["booking"]>,
  now: Date,
  attendance: LateStartAttendance | null,
): SendMailOptions {
  const row = { kind, recipientRole };
  const input: NotificationEmailInput = {
    kind: row.kind,
    recipient: {
      profileId: recipient.id,
      fullName: recipient.fullName,
      email: recipient.email!,
      timeZone: recipient.timeZone,
      role: row.recipientRole as RecipientRole,
    } satisfies NotificationRecipient,
    booking: {
      id: booking.id,
      serviceName: booking.serviceName,
      sessionStartTime: booking.sessionStartTime,
      sessionDuration: booking.sessionDuration,
      calendarSequence: booking.calendarSequence,
      tutorName: booking.tutor.fullName,
      attendeeName: learnerOf(booking).fullName,
    },
  };
  if (isLateStartKind(row.kind) && attendance) input.lateStart = { learnerJoined: attendance.learnerJoined };
  if (isRecordKind(row.kind)) {
    const publishedNote = booking.lessonNote?.publishedAt ? booking.lessonNote : null;
    const artifacts = (booking.sessionArtifacts ?? {}) as Record<string, unknown>;
    // The same words as the lesson's page: the badge and why, with the numbers.
    const lesson = presentLesson(
      { ...booking, presence: booking.sessions.flatMap((session) => session.attendance) },
      now,
      usableTimeZone(recipient.timeZone),
    );
    input.record = {
      outcomeSummary: `${lesson.badge}. ${lesson.explanation}`,
      recordingAvailable: booking.recordingUrl !== null,
      snapshotAvailable: typeof artifacts.whiteboard_snapshot_url === "string",
      reviews: booking.reviews.map((r) => ({
        reviewerName: r.reviewer.fullName,
        rating: r.rating,
        comment: r.comment,
      })),
      note: publishedNote
        ? {
            covered: publishedNote.covered,
            homework: publishedNote.homework.map((item) => ({
              text: item.text,
              dueOn: item.dueOn ? item.dueOn.toISOString().slice(0, 10) : null,
            })),
          }
        : null,
    };
  }
  return composeNotificationEmail(input);
}

/** Marks the row after the mail server answered: sent, failed for good (address marked), or back to queued for a retry. */
async function recordResult(
  notificationId: string,
  result: Awaited<ReturnType<typeof sendMail>>,
  context: {
    fields: Record<string, unknown>;
    attempts: number;
    recipient: { id: string; email: string | null };
    now: () => Date;
    permanentTries: number;
  },
): Promise<SendOutcome> {
  const { fields, attempts, recipient, now, permanentTries } = context;
  if (result.ok) {
    await db.notification.update({
      where: { id: notificationId },
      data: { status: "sent", sentAt: now(), messageId: result.messageId, lastError: null },
    });
    logger.info({ ...fields, attempts, messageId: result.messageId }, "notification.sent");
    return "sent";
  }

  if (result.permanent && attempts >= permanentTries) {
    await db.$transaction([
      db.notification.update({
        where: { id: notificationId },
        data: { status: "failed_permanent", lastError: result.reason },
      }),
      // Only the address that was refused: a person who has since changed theirs is not marked.
      db.profile.updateMany({
        where: { id: recipient.id, email: recipient.email, emailUndeliverableAt: null },
        data: { emailUndeliverableAt: now() },
      }),
    ]);
    logger.error({ ...fields, attempts, error: result.reason }, "notification.failed_permanent");
    return "failed-permanent";
  }

  // Give the row back so the retry (or any worker) can claim it at once.
  await db.notification.update({ where: { id: notificationId }, data: { status: "queued", lastError: result.reason } });
  logger.warn({ ...fields, attempts, permanent: result.permanent, error: result.reason }, "notification.retry");
  throw new RetryLaterError(
    `sending notification ${notificationId} failed (${result.permanent ? "refused" : "temporary"}): ${result.reason}`,
  );
}

/**
 * Marks the row as being sent by this worker: from queued, or from sending when the last claim is
 * older than `claimTimeoutMs` (that worker died). Null when someone else holds it or it is done.
 */
export async function claimNotification(
  notificationId: string,
  now: Date,
  claimTimeoutMs = CLAIM_TIMEOUT_MS,
): Promise<{ attempts: number } | null> {
  const [claimed] = await db.notification.updateManyAndReturn({
    where: {
      id: notificationId,
      OR: [{ status: "queued" }, { status: "sending", claimedAt: { lt: new Date(now.getTime() - claimTimeoutMs) } }],
    },
    data: { status: "sending", claimedAt: now, attempts: { increment: 1 } },
    select: { attempts: true },
  });
  return claimed ?? null;
}

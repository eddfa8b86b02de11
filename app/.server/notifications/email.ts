// From a notification to the message nodemailer sends (docs/decisions/0044-email-over-smtp-with-ics.md): sender and recipient
// as address objects (nodemailer encodes them; no string building), subject, HTML and text in the
// recipient's zone, one-click unsubscribe (RFC 8058) and, for reminders, the calendar entry.
import type { SendMailOptions } from "nodemailer";
import { lessonCalendar } from "~/emails/calendar";
import { oneLine, type EmailLinks } from "~/emails/content";
import { renderNotificationEmail } from "~/emails/render";
import { renderDigestEmail } from "~/emails/WeeklyDigestEmail";
import type { DigestContents } from "~/domain/weekly-digest";
import type { NotificationEmailInput } from "~/domain/notification-kinds";
import { env, parseMailbox } from "../env";
import { unsubscribeUrl } from "./unsubscribe-token";

/** Our pages the message links to; never a Lessonspace URL. */
export function notificationLinks(input: Pick<NotificationEmailInput, "kind" | "recipient" | "booking">): EmailLinks {
  const appUrl = env().APP_URL;
  const booking = `/bookings/${encodeURIComponent(input.booking.id)}`;
  return {
    bookingUrl: new URL(booking, appUrl).toString(),
    reviewUrl: new URL(`${booking}/review`, appUrl).toString(),
    unsubscribeUrl: unsubscribeUrl({ profileId: input.recipient.profileId, kind: input.kind }),
    settingsUrl: new URL("/settings/notifications", appUrl).toString(),
  };
}

/** The sender from MAIL_FROM (validated at start). */
export function mailFrom(): { name: string; address: string } {
  const from = parseMailbox(env().MAIL_FROM);
  if (!from) throw new Error("MAIL_FROM is not a single address");
  return { name: oneLine(from.name), address: from.address };
}

// An address comes from our own database, but a header is no place to find out it held a line break.
const headerAddress = (address: string) => address.replace(/[\u0000-\u0020\u007f-\u009f\u2028\u2029]+/g, "");

export function composeNotificationEmail(input: NotificationEmailInput, options: { now?: Date } = {}): SendMailOptions {
  const now = options.now ?? new Date();
  const links = notificationLinks(input);
  const from = mailFrom();
  const rendered = renderNotificationEmail(input, links, now);
  const isReminder = input.kind === "reminder_day_before" || input.kind === "reminder_classroom_open";
  return {
    from,
    to: { name: oneLine(input.recipient.fullName), address: headerAddress(input.recipient.email) },
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    list: { unsubscribe: links.unsubscribeUrl },
    headers: {
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      // RFC 3834: sent by a program, so out-of-office robots do not answer it.
      "Auto-Submitted": "auto-generated",
    },
    icalEvent: isReminder
      ? {
          method: "REQUEST",
          filename: "lesson.ics",
          content: lessonCalendar(input, { organizer: from, bookingUrl: links.bookingUrl }, now),
        }
      : undefined,
  };
}

/** The weekly digest (app/emails/WeeklyDigestEmail.tsx): no calendar entry, the same headers as the others. */
export function composeDigestEmail(input: {
  recipient: { profileId: string; fullName: string; email: string };
  contents: DigestContents;
}): SendMailOptions {
  const appUrl = env().APP_URL;
  const links = {
    bookingUrl: (bookingId: string) => new URL(`/bookings/${encodeURIComponent(bookingId)}`, appUrl).toString(),
    homeUrl: new URL("/", appUrl).toString(),
    unsubscribeUrl: unsubscribeUrl({ profileId: input.recipient.profileId, kind: "weekly_digest" }),
    settingsUrl: new URL("/settings/notifications", appUrl).toString(),
  };
  const rendered = renderDigestEmail({ recipientName: input.recipient.fullName, contents: input.contents, links });
  return {
    from: mailFrom(),
    to: { name: oneLine(input.recipient.fullName), address: headerAddress(input.recipient.email) },
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    list: { unsubscribe: links.unsubscribeUrl },
    headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated" },
  };
}

// Every lifecycle e-mail composed, sent over real SMTP with sendMail, and read back from this
// file's catcher as a mail client would parse it: both parts, links to our booking page, times in
// the recipient's zone, the calendar entry, one-click unsubscribe, and names that try to inject.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeMailer, sendMail } from "~/.server/notifications/mailer";
import { composeNotificationEmail } from "~/.server/notifications/email";
import { verifyUnsubscribeToken } from "~/.server/notifications/unsubscribe-token";
import type { NotificationEmailInput, BookingNotificationKind } from "~/domain/notification-kinds";
import type { CaughtMessage } from "../stand-ins/smtp.ts";
import { testStandIns } from "../support/stand-ins.ts";

const APP_URL = "http://app.test";
const NOW = new Date("2026-12-01T15:00:00Z");
const START = new Date("2026-12-02T15:00:00Z"); // 15:00 in London, 10:00 in New York, 02:00 (3 Dec) in Sydney

function inputFor(
  kind: BookingNotificationKind,
  overrides: {
    recipient?: Partial<NotificationEmailInput["recipient"]>;
    booking?: Partial<NotificationEmailInput["booking"]>;
  } = {},
): NotificationEmailInput {
  return {
    kind,
    recipient: {
      profileId: "4b8f9a52-6f5e-4c1e-9d3b-2a7c8e1f0a11",
      fullName: "Pat Parent",
      email: `pat.${kind}@example.test`,
      timeZone: "America/New_York",
      role: "guardian",
      ...overrides.recipient,
    },
    booking: {
      id: "0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a",
      serviceName: "GCSE Maths",
      sessionStartTime: START,
      sessionDuration: 60,
      calendarSequence: 3,
      tutorName: "Tina Tutor",
      attendeeName: "Charlie Child",
      ...overrides.booking,
    },
    record:
      kind === "lesson_record" || kind === "review_prompt"
        ? {
            outcomeSummary: "Charlie Child attended 52 of 60 minutes",
            recordingAvailable: true,
            snapshotAvailable: false,
            reviews: [{ reviewerName: "Tina Tutor", rating: 4, comment: "Good work on fractions.\nPractise ratios." }],
          }
        : undefined,
  };
}

async function sendAndCatch(input: NotificationEmailInput): Promise<CaughtMessage> {
  const outcome = await sendMail(composeNotificationEmail(input, { now: NOW }));
  if (!outcome.ok) throw new Error(`send failed: ${outcome.reason}`);
  return testStandIns.smtp.waitFor((m) => m.messageId === outcome.messageId);
}

const calendarOf = (m: CaughtMessage) => m.attachments.find((a) => a.contentType === "text/calendar")?.text ?? "";
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, "");
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.replace(/&amp;/g, "&"));

beforeEach(() => {
  testStandIns.smtp.clear();
});
afterAll(async () => {
  await closeMailer();
});

describe("lesson reminders", () => {
  it("the day-before reminder: both parts, the recipient's time, a Join Lesson button to our booking page", async () => {
    const m = await sendAndCatch(inputFor("reminder_day_before"));
    expect(m.from).toEqual({ address: "classroom@tutorwise.test", name: "Tutorwise Classroom" });
    expect(m.to).toEqual([{ address: "pat.reminder_day_before@example.test", name: "Pat Parent" }]);
    expect(m.subject).toBe("Reminder: GCSE Maths with Tina Tutor, Wed 2 Dec, 10:00");
    // HTML: the button is a link to our booking page and nothing else points elsewhere.
    expect(m.html).toMatch(
      /<a href="http:\/\/app\.test\/bookings\/0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a"[^>]*>Join Lesson<\/a>/,
    );
    for (const href of hrefs(m.html!)) expect(href.startsWith(`${APP_URL}/`)).toBe(true);
    expect(m.html).toContain("Wed 2 Dec, 10:00–11:00, America/New_York (GMT-5)");
    expect(m.html).toContain("Charlie Child&#x27;s lesson with Tina Tutor is tomorrow");
    // Text: written for text, the link on its own line.
    expect(m.text).toContain("Join Lesson:\nhttp://app.test/bookings/0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a\n");
    expect(m.text).toContain("When:      Wed 2 Dec, 10:00–11:00, America/New_York (GMT-5)");
    expect(m.text).not.toMatch(/<[a-z]/i);
    expect(m.text).not.toContain("lessonspace");
    expect(m.html).not.toContain("lessonspace");
  });

  it("writes the time in each recipient's own zone, including the day when it differs", async () => {
    const sydney = await sendAndCatch(
      inputFor("reminder_classroom_open", { recipient: { timeZone: "Australia/Sydney", email: "syd@example.test" } }),
    );
    expect(sydney.text).toContain("Thu 3 Dec, 02:00–03:00, Australia/Sydney (GMT+11)");
    expect(sydney.subject).toBe("The classroom is open: GCSE Maths with Tina Tutor at 02:00");
    const london = await sendAndCatch(
      inputFor("reminder_classroom_open", { recipient: { timeZone: "Europe/London", email: "ldn@example.test" } }),
    );
    expect(london.text).toContain("Wed 2 Dec, 15:00–16:00, Europe/London (GMT)");
  });

  it("speaks to the tutor about the attendee, and to an adult learner about their own lesson", async () => {
    const tutor = await sendAndCatch(
      inputFor("reminder_day_before", {
        recipient: { role: "tutor", fullName: "Tina Tutor", email: "tina@example.test" },
      }),
    );
    expect(tutor.subject).toBe("Reminder: GCSE Maths with Charlie Child, Wed 2 Dec, 10:00");
    expect(tutor.text).toContain("Your lesson with Charlie Child is tomorrow");
    expect(tutor.text).toContain("because you teach this lesson");
    const learner = await sendAndCatch(
      inputFor("reminder_day_before", {
        recipient: { role: "client", fullName: "Charlie Child", email: "adult@example.test" },
      }),
    );
    expect(learner.text).toContain("Your lesson with Tina Tutor is tomorrow");
  });

  it("carries a calendar entry with a UID stable per booking, DTSTART in UTC, and a SEQUENCE that grows when the lesson moves", async () => {
    const first = unfold(calendarOf(await sendAndCatch(inputFor("reminder_day_before"))));
    expect(first).toContain("METHOD:REQUEST");
    expect(first).toContain("UID:booking-0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a@tutorwise.classroom");
    expect(first).toContain("DTSTART:20261202T150000Z");
    expect(first).toContain("DTEND:20261202T160000Z");
    expect(first).toContain("URL:http://app.test/bookings/0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a");

    const moved = unfold(
      calendarOf(
        await sendAndCatch(
          inputFor("reminder_classroom_open", {
            booking: {
              sessionStartTime: new Date("2026-12-03T16:30:00Z"),
              calendarSequence: 4,
            },
          }),
        ),
      ),
    );
    expect(moved).toContain("UID:booking-0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a@tutorwise.classroom");
    expect(moved).toContain("DTSTART:20261203T163000Z");
    const sequence = (ics: string) => Number(/^SEQUENCE:(\d+)$/m.exec(ics)?.[1]);
    expect(sequence(moved)).toBeGreaterThan(sequence(first));
    expect(sequence(first)).toBeGreaterThan(0);
  });

  it("offers one-click unsubscribe (RFC 8058) with a token that verifies for this person and kind", async () => {
    const m = await sendAndCatch(inputFor("reminder_classroom_open"));
    const header = m.headers["list-unsubscribe"]!;
    expect(header).toMatch(/^<http:\/\/app\.test\/unsubscribe\?token=[A-Za-z0-9_.-]+>$/);
    expect(m.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    const url = new URL(header.slice(1, -1));
    expect(verifyUnsubscribeToken(url.searchParams.get("token"))).toEqual({
      profileId: "4b8f9a52-6f5e-4c1e-9d3b-2a7c8e1f0a11",
      kind: "reminder_classroom_open",
    });
    // The same link is in both parts for people whose client shows no unsubscribe button.
    expect(hrefs(m.html!)).toContain(url.toString());
    expect(m.text).toContain(url.toString());
  });
});

describe("after the lesson", () => {
  it("the parent's lesson record: the outcome in words, recording and snapshot, reviews, a button to the booking page", async () => {
    const m = await sendAndCatch(inputFor("lesson_record"));
    expect(m.subject).toBe("Lesson record: GCSE Maths with Tina Tutor, Wed 2 Dec");
    expect(m.attachments).toEqual([]);
    for (const part of [m.html!, m.text!]) {
      expect(part).toContain("Charlie Child attended 52 of 60 minutes");
      expect(part).toContain("Tina Tutor");
      expect(part).toContain("4 out of 5");
    }
    expect(m.text).toContain("Recording:           available on the lesson page");
    expect(m.text).toContain("Whiteboard snapshot: not available");
    expect(m.text).toContain("- Tina Tutor (4 out of 5)\n  Good work on fractions.\n  Practise ratios.");
    expect(m.html).toMatch(
      /<a href="http:\/\/app\.test\/bookings\/0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a"[^>]*>View the lesson<\/a>/,
    );
    expect(m.headers["list-unsubscribe"]).toBeTruthy();
  });

  it("the tutor's review prompt asks about the attendee and links to the review form", async () => {
    const m = await sendAndCatch(
      inputFor("review_prompt", {
        recipient: {
          role: "tutor",
          fullName: "Tina Tutor",
          email: "tina.review@example.test",
          timeZone: "Europe/London",
        },
      }),
    );
    expect(m.subject).toBe("How was your session with Charlie Child?");
    expect(m.html).toMatch(
      /<a href="http:\/\/app\.test\/bookings\/0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a\/review"[^>]*>Leave a review<\/a>/,
    );
    expect(m.text).toContain("Leave a review:\nhttp://app.test/bookings/0d7e3c1a-5b2f-4e8d-9a6c-1f2e3d4c5b6a/review\n");
    expect(m.text).toContain("GCSE Maths, Wed 2 Dec, 15:00–16:00, Europe/London (GMT).");
    expect(m.attachments).toEqual([]);
  });
});

describe("names and titles cannot inject", () => {
  const hostile = {
    recipient: {
      fullName: 'Eve "Evil"\r\nBcc: victim@example.test\r\nX-Injected: yes <script>alert(1)</script>',
      email: "eve@example.test",
    },
    booking: {
      serviceName: "Maths\r\nSubject: Free money\r\n\r\n<img src=x onerror=alert(1)>",
      tutorName: "Tutor\nReply-To: attacker@example.test",
      attendeeName: "<b>Kid</b>\u2028Cc: other@example.test",
    },
  };

  for (const kind of ["reminder_day_before", "lesson_record"] as const) {
    it(`${kind}: headers stay ours, one recipient, and the HTML shows the markup as text`, async () => {
      const m = await sendAndCatch(inputFor(kind, hostile));
      expect(m.envelope.to).toEqual(["eve@example.test"]);
      expect(m.to).toHaveLength(1);
      expect(m.to[0]!.address).toBe("eve@example.test");
      expect(m.to[0]!.name).toContain("Eve");
      for (const name of ["bcc", "cc", "x-injected", "reply-to"]) expect(m.headers[name], name).toBeUndefined();
      expect(Object.keys(m.headers).filter((h) => h === "subject")).toHaveLength(1);
      expect(m.subject).not.toMatch(/[\r\n]/);
      expect(m.subject).toContain("Maths Subject: Free money");
      // No element from a name reached the HTML; it shows as text.
      expect(m.html).not.toMatch(/<script|<img|<b>Kid/i);
      expect(m.html).toContain("&lt;b&gt;Kid&lt;/b&gt;");
      // And the text part has no line a name started.
      expect(m.text).not.toMatch(/^(Bcc|Cc|Reply-To|Subject|X-Injected):/m);
      const ics = calendarOf(m);
      if (kind === "reminder_day_before") {
        expect(ics).toContain("BEGIN:VCALENDAR");
        expect(unfold(ics)).not.toMatch(/^(Subject|Reply-To|Bcc|X-Injected)/m);
        expect(unfold(ics).match(/^ATTENDEE/gm)).toHaveLength(1);
      }
    });
  }
});

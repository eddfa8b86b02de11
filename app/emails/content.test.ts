import { describe, expect, it } from "vitest";
import type { NotificationEmailInput } from "~/domain/notification-kinds";
import { firstName, lessonWords, multiLine, oneLine, subjectFor } from "./content";
import { calendarUid, lessonCalendar } from "./calendar";
import { renderNotificationEmail } from "./render";

const links = {
  bookingUrl: "https://classroom.example/bookings/b-1",
  reviewUrl: "https://classroom.example/bookings/b-1/review",
  unsubscribeUrl: "https://classroom.example/unsubscribe?token=t",
  settingsUrl: "https://classroom.example/settings/notifications",
};

function input(kind: NotificationEmailInput["kind"], start: Date, timeZone = "Europe/London"): NotificationEmailInput {
  return {
    kind,
    recipient: { profileId: "p-1", fullName: "Pat Parent", email: "pat@example.test", timeZone, role: "guardian" },
    booking: {
      id: "b-1",
      serviceName: "Piano",
      sessionStartTime: start,
      sessionDuration: 45,
      calendarSequence: 7,
      tutorName: "Tina Tutor",
      attendeeName: "Charlie",
    },
  };
}

describe("oneLine and multiLine", () => {
  it("turn every control character and line separator into a single space", () => {
    expect(oneLine("a\r\nBcc: b\u0000c\u0085d\u2028e\u2029f\tg")).toBe("a Bcc: b c d e f g");
    expect(oneLine("  spaced   out  ")).toBe("spaced out");
  });

  it("cut long values with an ellipsis", () => {
    expect(oneLine("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
  });

  it("multiLine keeps line breaks (normalised) and drops other control characters", () => {
    expect(multiLine("one\r\ntwo\rthree\u0007\u2028four")).toBe("one\ntwo\nthree four");
  });
});

describe("lessonWords", () => {
  it("says today, tomorrow or the day, by the recipient's calendar", () => {
    const now = new Date("2026-06-10T20:00:00Z"); // 21:00 in London, 06:00 on the 11th in Sydney
    const start = new Date("2026-06-11T09:00:00Z"); // 10:00 on the 11th in London, 19:00 on the 11th in Sydney
    expect(lessonWords(input("reminder_day_before", start), now).relativeDay).toBe("tomorrow");
    expect(lessonWords(input("reminder_day_before", start, "Australia/Sydney"), now).relativeDay).toBe("today");
    expect(lessonWords(input("reminder_day_before", new Date("2026-06-13T09:00:00Z")), now).relativeDay).toBe(
      "on Sat 13 Jun",
    );
  });

  it("finds tomorrow across the end of a month and a clock change", () => {
    // 25 Oct 2026: London leaves summer time, a 25-hour day.
    const now = new Date("2026-10-24T22:30:00Z"); // 23:30 BST on the 24th
    expect(lessonWords(input("reminder_day_before", new Date("2026-10-25T23:00:00Z")), now).relativeDay).toBe(
      "tomorrow",
    );
    expect(
      lessonWords(input("reminder_day_before", new Date("2026-11-01T10:00:00Z")), new Date("2026-10-31T10:00:00Z"))
        .relativeDay,
    ).toBe("tomorrow");
  });

  it("writes times in UTC when the stored zone is unusable, instead of failing the message", () => {
    const broken = input("reminder_day_before", new Date("2026-06-11T09:00:00Z"), "Mars/Olympus_Mons");
    const words = lessonWords(broken, new Date("2026-06-10T09:00:00Z"));
    expect(words.when).toBe("Thu 11 Jun, 09:00–09:45");
    expect(words.zone).toBe("UTC");
  });

  it("subjects are one line even when a title is not", () => {
    const hostile = input("review_prompt", new Date("2026-06-11T09:00:00Z"));
    hostile.booking.attendeeName = "Kid\r\nBcc: x@example.test";
    const now = new Date("2026-06-11T10:00:00Z");
    expect(subjectFor("review_prompt", lessonWords(hostile, now), hostile, now)).toBe(
      "How was your session with Kid Bcc: x@example.test?",
    );
  });
});

describe("calendar entry", () => {
  it("UID is stable per booking; SEQUENCE is the booking's calendar sequence", () => {
    expect(calendarUid("b-1")).toBe("booking-b-1@tutorwise.classroom");
    const ics = lessonCalendar(
      input("reminder_day_before", new Date("2026-06-11T09:00:00Z")),
      { organizer: { name: "Tutorwise Classroom", address: "lessons@example.test" }, bookingUrl: links.bookingUrl },
      new Date("2026-06-10T09:00:00Z"),
    );
    expect(ics).toMatch(/^SEQUENCE:7\r?$/m);
  });

  it("is a METHOD:REQUEST event in UTC with our booking page, stamped at `now`", () => {
    const ics = lessonCalendar(
      input("reminder_day_before", new Date("2026-06-11T09:00:00Z")),
      { organizer: { name: "Tutorwise", address: "noreply@example.test" }, bookingUrl: links.bookingUrl },
      new Date("2026-06-10T09:00:00Z"),
    ).replace(/\r\n[ \t]/g, "");
    expect(ics).toContain("METHOD:REQUEST");
    expect(ics).toContain("DTSTART:20260611T090000Z");
    expect(ics).toContain("DTEND:20260611T094500Z");
    expect(ics).toContain("DTSTAMP:20260610T090000Z");
    expect(ics).toContain(`URL:${links.bookingUrl}`);
    expect(ics).toContain("SUMMARY:Piano with Tina Tutor");
  });
});

describe("plain-text versions", () => {
  it("are written for text: no markup, labels aligned, each link on its own line", () => {
    const { text } = renderNotificationEmail(
      input("reminder_classroom_open", new Date("2026-06-11T09:00:00Z")),
      links,
      new Date("2026-06-11T08:45:00Z"),
    );
    expect(text).toBe(`Hi Pat,

The classroom is open
=====================

Charlie's lesson with Tina Tutor starts at 10:00. You can join now.

Lesson:    Piano
Tutor:     Tina Tutor
Attending: Charlie
When:      Thu 11 Jun, 10:00–10:45, Europe/London (BST)
Length:    45 min

Join Lesson:
https://classroom.example/bookings/b-1

The Join Lesson button works from 15 minutes before the start until 15 minutes after the end.

--
You receive this e-mail from Tutorwise Classroom because you are Charlie's guardian.
Stop "classroom is open" e-mails: https://classroom.example/unsubscribe?token=t
Choose which e-mails you get: https://classroom.example/settings/notifications
`);
  });

  it("a lesson record without reviews or record data still reads", () => {
    const { text, html } = renderNotificationEmail(
      input("lesson_record", new Date("2026-06-11T09:00:00Z")),
      links,
      new Date("2026-06-11T11:00:00Z"),
    );
    expect(text).toContain("Reviews: none yet.");
    expect(text).toContain("The lesson's outcome is not known yet.");
    expect(html).toContain("No reviews yet.");
  });
});

describe("the lesson record with the tutor's note", () => {
  const withNote = (): NotificationEmailInput => ({
    ...input("lesson_record", new Date("2026-06-11T09:00:00Z")),
    record: {
      outcomeSummary: "Held. Charlie attended 45 of 45 minutes.",
      recordingAvailable: true,
      snapshotAvailable: false,
      reviews: [],
      note: {
        covered: "Scales in <b>G major</b>\nthen a new piece",
        homework: [
          { text: "Practise <script>alert(1)</script> daily", dueOn: "2026-06-18" },
          { text: "Listen to the recording", dueOn: null },
        ],
      },
    },
  });

  it("carries what was covered and the homework as text in both parts, never as HTML", () => {
    const { text, html } = renderNotificationEmail(withNote(), links, new Date("2026-06-11T11:00:00Z"));
    expect(text).toContain("What we covered:\nScales in <b>G major</b>\nthen a new piece");
    expect(text).toContain("Homework and next steps:\n- Practise <script>alert(1)</script> daily (due Thu 18 Jun)");
    expect(text).toContain("- Listen to the recording");
    expect(html).toContain("Scales in &lt;b&gt;G major&lt;/b&gt;</span><span><br/>then a new piece");
    expect(html).toContain("Practise &lt;script&gt;alert(1)&lt;/script&gt; daily");
    expect(html).not.toContain("<b>G major</b>");
    expect(html).not.toContain("<script>");
  });

  it("says nothing of a note when none was published", () => {
    const { text, html } = renderNotificationEmail(
      { ...withNote(), record: { ...withNote().record!, note: null } },
      links,
      new Date("2026-06-11T11:00:00Z"),
    );
    expect(text).not.toContain("What we covered");
    expect(html).not.toContain("Homework");
  });
});

describe("the classroom-open reminder", () => {
  const start = new Date("2026-06-11T14:48:00Z");

  it("before the start says the lesson starts, and greets by first name in HTML and text", () => {
    const { text, html } = renderNotificationEmail(
      input("reminder_classroom_open", start),
      links,
      new Date("2026-06-11T14:33:00Z"),
    );
    expect(text).toContain("Hi Pat,\n");
    expect(html).toContain("Hi Pat,");
    expect(html).not.toContain("Pat Parent,");
    expect(text).toContain("Charlie's lesson with Tina Tutor starts at 15:48. You can join now.");
    expect(html).toContain("starts at 15:48. You can join now.");
  });

  it("sent after the start says it started, in HTML and text", () => {
    const { text, html } = renderNotificationEmail(
      input("reminder_classroom_open", start),
      links,
      new Date("2026-06-11T14:55:00Z"),
    );
    expect(text).toContain("Charlie's lesson with Tina Tutor started at 15:48. You can join now.");
    expect(html).toContain("started at 15:48. You can join now.");
    expect(html).not.toContain("starts at 15:48");
  });

  it("a one-word or blank name still greets", () => {
    expect(firstName("  Tara   Tutor ")).toBe("Tara");
    expect(firstName("Cher")).toBe("Cher");
    expect(firstName(" ")).toBe("there");
  });
});

describe("the late-start alerts", () => {
  const start = new Date("2026-06-11T14:00:00Z");
  const fiveAfter = new Date("2026-06-11T14:05:20Z");
  const as = (kind: NotificationEmailInput["kind"], role: "tutor" | "guardian" | "student", learnerJoined = true) => {
    const base = input(kind, start);
    return { ...base, recipient: { ...base.recipient, role }, lateStart: { learnerJoined } };
  };

  it("tell the tutor the lesson started 5 minutes ago and they are waiting, with Join Lesson to our booking page", () => {
    const message = as("tutor_late", "tutor");
    const { subject, text, html } = renderNotificationEmail(message, links, fiveAfter);
    expect(subject).toBe("Your lesson with Charlie started 5 minutes ago");
    expect(text).toContain("Your lesson with Charlie started 5 minutes ago and they are waiting.");
    expect(text).toContain("Join Lesson:\nhttps://classroom.example/bookings/b-1");
    expect(html).toContain('href="https://classroom.example/bookings/b-1"');
    expect(text).toContain('Stop "your lesson has started" e-mails: https://classroom.example/unsubscribe?token=t');
    // Nobody in the room: no claim that someone is waiting.
    const empty = renderNotificationEmail(as("tutor_late", "tutor", false), links, fiveAfter);
    expect(empty.text).toContain("started 5 minutes ago, and you have not joined yet.");
    expect(empty.text).not.toContain("waiting");
  });

  it("tell the family the tutor has been reminded", () => {
    const { subject, text } = renderNotificationEmail(as("tutor_reminded", "guardian"), links, fiveAfter);
    expect(subject).toBe("Tina Tutor has not joined yet: we have reminded them");
    expect(text).toContain(
      "Charlie's lesson with Tina Tutor started at 15:00, and Tina Tutor is not in the classroom yet. We have reminded them by e-mail.",
    );
  });

  it("tell the learner the tutor is waiting for them, and a guardian that the tutor is waiting for the child", () => {
    const student = renderNotificationEmail(as("learner_late", "student"), links, fiveAfter);
    expect(student.subject).toBe("Tina Tutor is waiting in the classroom: Piano started at 15:00");
    expect(student.text).toContain("Tina Tutor is in the classroom and waiting for you.");
    const guardian = renderNotificationEmail(as("learner_late", "guardian"), links, fiveAfter);
    expect(guardian.text).toContain("Tina Tutor is in the classroom and waiting for Charlie.");
  });

  it("never render names as markup: HTML escapes them, the text keeps them as written", () => {
    const hostile = as("tutor_late", "tutor");
    hostile.booking.attendeeName = "<b>Kid</b>";
    const { text, html } = renderNotificationEmail(hostile, links, fiveAfter);
    expect(html).toContain("&lt;b&gt;Kid&lt;/b&gt;");
    expect(html).not.toContain("<b>Kid</b>");
    expect(text).toContain("Your lesson with <b>Kid</b> started 5 minutes ago");
  });
});

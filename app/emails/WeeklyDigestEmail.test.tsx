import { describe, expect, it } from "vitest";
import type { DigestContents } from "~/domain/weekly-digest";
import { renderDigestEmail } from "./WeeklyDigestEmail";

const contents: DigestContents = {
  weekLabel: "Mon 30 Nov – Sun 6 Dec",
  summary: "1 lesson this week: 1 held, 0 missed; 52 of 60 planned minutes attended.",
  past: [
    {
      bookingId: "b1",
      title: "Charlie: Maths",
      when: "Thu 3 Dec, 16:00",
      badge: "Held",
      explanation: "Charlie attended 52 of 60 minutes.",
    },
  ],
  notes: [{ bookingId: "b1", title: "Charlie: Maths", headline: '<img src=x onerror="alert(1)"> & fractions' }],
  homework: [{ bookingId: "b1", title: "Charlie: Maths", text: "Worksheet\r\nBcc: someone", due: "due Thu 10 Dec" }],
  next: [{ bookingId: "b2", title: "Charlie: Maths", when: "Wed 9 Dec, 16:00" }],
};
const links = {
  bookingUrl: (id: string) => `https://app.example/bookings/${id}`,
  homeUrl: "https://app.example/",
  unsubscribeUrl: "https://app.example/unsubscribe?token=t",
  settingsUrl: "https://app.example/settings/notifications",
};

describe("the weekly digest e-mail", () => {
  const email = renderDigestEmail({ recipientName: "Paula Brown", contents, links });

  it("says the week in the subject and greets by first name, in both parts", () => {
    expect(email.subject).toBe("Your week: Mon 30 Nov – Sun 6 Dec");
    expect(email.text.startsWith("Hi Paula,\n\nYour week: Mon 30 Nov – Sun 6 Dec\n")).toBe(true);
    expect(email.html).toContain(">Hi Paula,</p>");
  });

  it("keeps text as text: escaped in the HTML, one line each in the plain part", () => {
    expect(email.html).not.toContain("<img");
    expect(email.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; fractions");
    expect(email.text).toContain(
      '- Charlie: Maths: <img src=x onerror="alert(1)"> & fractions\n  https://app.example/bookings/b1',
    );
    expect(email.text).toContain("- Worksheet Bcc: someone (due Thu 10 Dec), Charlie: Maths");
  });

  it("links every lesson to its booking page, and ends with the stop and settings links", () => {
    expect(email.html).toContain('href="https://app.example/bookings/b2"');
    expect(email.text).toContain("Next week:\n- Charlie: Maths, Wed 9 Dec, 16:00\n  https://app.example/bookings/b2");
    expect(email.text).toContain("Stop weekly digests: https://app.example/unsubscribe?token=t");
    expect(email.html).toContain("Stop weekly digests");
  });
});

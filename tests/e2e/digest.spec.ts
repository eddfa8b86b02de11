// The weekly family digest, with JavaScript on and off: a parent switches it off and on again on the
// settings page; and a digest reaches the local web inbox (the SMTP catcher the app really sends to),
// where its note's line links to the booking page. The digest is due on Sunday at 18:00 on the
// recipient's clock: this test's parent lives in Pacific/Chatham (nobody else here does), and the
// test runs the digest sweep for the coming Sunday 18:05 there; the app's own workers then send it
// (a digest is sendable until Monday noon of that week, so the real clock before it is fine).
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { openQueue } from "../../app/.server/queue.ts";
import { runDigestSweep } from "../../app/.server/notifications/sweep.ts";
import { calendarDay } from "../../app/domain/format.ts";
import { addDays, instantAt, weekdayIndex } from "../../app/domain/wall-clock.ts";
import { DEFAULT_DIGEST_SCHEDULE, dueDigestWeek } from "../../app/domain/weekly-digest.ts";
import { createDemoBooking, createPerson, db, demoProfiles, signInAs } from "./fixtures.ts";
import { openMessage } from "./mail.ts";

const ZONE = "Pacific/Chatham";
const box = (page: import("@playwright/test").Page) => page.getByRole("checkbox", { name: "Weekly digest" });

test("a parent switches the weekly digest off and on again on the settings page", async ({ page }) => {
  const parent = await createPerson("Wendy Weekly", ["client"]);
  await signInAs(page, parent.email, "/settings/notifications");
  await expect(page.getByText("Once a week: that week's lessons")).toBeVisible();
  await expect(box(page)).toBeChecked();
  await box(page).uncheck();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your choices are saved.");
  await expect(box(page)).not.toBeChecked();
  const choice = () =>
    db().notificationPreference.findUnique({
      where: { profileId_kind: { profileId: parent.id, kind: "weekly_digest" } },
      select: { enabled: true },
    });
  expect(await choice()).toEqual({ enabled: false });

  // From a fresh page, so the confirmation below is the second save's, not the first's.
  await page.goto("/settings/notifications");
  await expect(page.getByRole("status")).toHaveCount(0);
  await box(page).check();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your choices are saved.");
  await expect(box(page)).toBeChecked();
  expect(await choice()).toEqual({ enabled: true });
});

test("the weekly digest arrives in the inbox with the tutor's note, and its link opens the lesson", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const parent = await createPerson("Dana Digest", ["client"]);
  await db().profile.update({ where: { id: parent.id }, data: { timeZone: ZONE } });
  // The coming Sunday 18:05 on the parent's clock, and the week it reports on.
  const today = calendarDay(new Date(), ZONE);
  const sunday = [0, 1, 2, 3, 4, 5, 6, 7]
    .map((d) => addDays(today, d))
    .find((day) => weekdayIndex(day) === 6 && instantAt(day, "18:05", ZONE).getTime() > Date.now())!;
  const sweepAt = instantAt(sunday, "18:05", ZONE);
  const week = dueDigestWeek(sweepAt, ZONE, DEFAULT_DIGEST_SCHEDULE)!;

  const serviceName = `Digest ${randomUUID().slice(0, 8)}`;
  const booking = await createDemoBooking({
    clientId: parent.id,
    studentId: null,
    serviceName,
    // Tuesday 16:00 of that week on the parent's clock.
    sessionStartTime: instantAt(addDays(week.monday, 1), "16:00", ZONE),
  });
  await db().lessonNote.create({
    data: {
      bookingId: booking.id,
      tutorId: demoProfiles.tutor.id,
      covered: "Past tense verbs, regular and irregular\nMore detail below.",
      privateNote: "Tutor only: keep an eye on spelling",
      publishedAt: new Date(),
      homework: { create: [{ position: 1, text: "Write ten sentences" }] },
    },
  });

  const queue = await openQueue({ schedule: false, supervise: false, max: 2 });
  try {
    expect(await runDigestSweep(queue, sweepAt, { digest: DEFAULT_DIGEST_SCHEDULE })).toBeGreaterThanOrEqual(1);
  } finally {
    await queue.stop();
  }

  await signInAs(page, parent.email);
  await openMessage(page, parent.email, "Your week:");
  const email = page.frameLocator('iframe[title="HTML body"]');
  await expect(email.getByText("Past tense verbs, regular and irregular")).toBeVisible();
  await expect(email.getByText("Write ten sentences (no due date)")).toBeVisible();
  await expect(email.getByText("keep an eye on spelling")).toHaveCount(0);
  const lessonLinks = email.getByRole("link", { name: `Dana Digest: ${serviceName}` });
  await expect(lessonLinks.first()).toHaveAttribute("href", `${baseURL}/bookings/${booking.id}`);
  await lessonLinks.first().click();

  await expect(page).toHaveURL(`${baseURL}/bookings/${booking.id}`);
  await expect(page.getByRole("heading", { level: 1, name: serviceName })).toBeVisible();
  const rows = await db().notification.findMany({
    where: { recipientProfileId: parent.id, kind: "weekly_digest" },
    select: { status: true, bookingId: true, forStartTime: true },
  });
  expect(rows).toEqual([{ status: "sent", bookingId: null, forStartTime: week.key }]);
});

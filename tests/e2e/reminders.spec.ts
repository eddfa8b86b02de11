// The reminders' headline, with JavaScript on and off: the parent opens the "classroom is open"
// reminder in the local web inbox (the SMTP catcher the app really sent it to), presses its Join
// Lesson button, lands on our booking page, and joins the lesson in the classroom. The workers run
// inside the e2e app server (app/entry.server.tsx); the test asks for a sweep instead of waiting
// for the minute's cron.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createDemoBooking, createPerson, db, demoProfiles, signInAs } from "./fixtures.ts";
import { openMessage, requestSweep } from "./mail.ts";

test("the parent opens the reminder from the inbox, presses its Join Lesson button, and lands in the classroom", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const { parent, child } = demoProfiles;
  const serviceName = `Reminder ${randomUUID().slice(0, 8)}`;
  // Starts in 10 minutes: the classroom is open (start − 15 min), so the reminder is due now.
  const booking = await createDemoBooking({
    serviceName,
    sessionStartTime: new Date(Date.now() + 10 * 60_000),
    sessionDuration: 45,
  });
  await signInAs(page, parent.email);
  await requestSweep();

  await openMessage(page, parent.email, `The classroom is open: ${serviceName}`);
  const email = page.frameLocator('iframe[title="HTML body"]');
  const join = email.getByRole("link", { name: "Join Lesson" });
  await expect(join).toHaveAttribute("href", `${baseURL}/bookings/${booking.id}`);
  await join.click();

  await expect(page).toHaveURL(`${baseURL}/bookings/${booking.id}`);
  await expect(page.getByRole("heading", { level: 1, name: serviceName })).toBeVisible();
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.getByRole("region", { name: "Join" }).getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  await tab.waitForLoadState();
  await expect(tab).toHaveURL(new RegExp(`/bookings/${booking.id}/classroom$`));
  // The parent enters as the child who attends (docs/decisions/0014-attendee-and-leader.md), in the stand-in's classroom.
  await expect(tab.frameLocator("iframe.classroom-frame").locator("#me")).toContainText(child.fullName);
});

test("a student with their own address gets the reminder too, and its Stop link, once confirmed, lands on their settings with it switched off", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(150_000);
  // A student of this test's own: unsubscribing the demo child would starve the other project's run.
  const student = await createPerson("Stella Student", ["student"]);
  const serviceName = `Own address ${randomUUID().slice(0, 8)}`;
  await createDemoBooking({
    serviceName,
    studentId: student.id,
    sessionStartTime: new Date(Date.now() + 10 * 60_000),
    sessionDuration: 45,
  });
  await signInAs(page, student.email);
  await requestSweep();

  await openMessage(page, student.email, `The classroom is open: ${serviceName}`);
  await page
    .frameLocator('iframe[title="HTML body"]')
    .getByRole("link", { name: /^Stop .classroom is open. e-mails$/ })
    .click();
  // Opening the link only asks (mail scanners fetch links); the button applies.
  await page.getByRole("button", { name: "Unsubscribe" }).click();

  await expect(page).toHaveURL(`${baseURL}/settings/notifications?unsubscribed=reminder_classroom_open`);
  await expect(page.getByRole("status")).toContainText("you will no longer get “Classroom is open” e-mails");
  await expect(page.getByRole("checkbox", { name: "Classroom is open" })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: "Reminder the day before" })).toBeChecked();
  const rows = await db().notificationPreference.findMany({
    where: { profileId: student.id },
    select: { kind: true, enabled: true },
  });
  expect(rows).toEqual([{ kind: "reminder_classroom_open", enabled: false }]);
});

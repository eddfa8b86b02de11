// Late start (docs/decisions/0078-late-start-alerts.md), with JavaScript on
// and off: a lesson whose tutor does not come. Five minutes after the start the app's own workers
// (asked for a sweep instead of waiting for the minute's cron) e-mail the tutor and tell the family;
// both messages arrive in the local SMTP catcher's web inbox, and the tutor's Join Lesson button
// leads to our booking page. Each test makes its own people, so their inboxes and choices are theirs.
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createDemoBooking, createPerson, db, signInAs } from "./fixtures.ts";
import { openMessage, requestSweep } from "./mail.ts";

test("the tutor does not come: the tutor's 'started 5 minutes ago' and the family's notice arrive, and Join Lesson leads to the lesson", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const tutor = await createPerson("Lena Late", ["tutor"]);
  const learner = await createPerson("Wanda Waiting", ["client"]);
  const serviceName = `Late start ${randomUUID().slice(0, 8)}`;
  // Started 5 minutes ago; the learner (an adult who booked for herself) is in the classroom, the tutor is not.
  const startedAt = new Date(Date.now() - 5 * 60_000 - 5_000);
  const booking = await createDemoBooking({
    serviceName,
    tutorId: tutor.id,
    clientId: learner.id,
    studentId: null,
    sessionStartTime: startedAt,
    sessionDuration: 45,
    // Confirmed once the learner is in the room, so that no sweep (the cron runs every minute) sees it before.
    status: "Pending",
  });
  const sessionId = `e2e-${randomUUID()}`;
  await db().lessonspaceSession.create({ data: { sessionId, bookingId: booking.id, startedAt } });
  await db().lessonspaceAttendance.create({ data: { sessionId, profileId: learner.id, joinedAt: startedAt } });
  await db().booking.update({ where: { id: booking.id }, data: { status: "Confirmed" } });
  await requestSweep();

  await openMessage(page, learner.email, "Lena Late has not joined yet: we have reminded them");
  const notice = page.frameLocator('iframe[title="HTML body"]');
  await expect(
    notice.getByRole("paragraph").filter({
      hasText:
        /Your lesson with Lena Late started at \d\d:\d\d, and Lena Late is not in the classroom yet\. We have reminded them by e-mail\./,
    }),
  ).toBeVisible();
  await expect(notice.getByRole("link", { name: "Open the lesson" })).toHaveAttribute(
    "href",
    `${baseURL}/bookings/${booking.id}`,
  );

  await signInAs(page, tutor.email);
  await openMessage(page, tutor.email, "Your lesson with Wanda Waiting started \\d+ minutes? ago");
  const email = page.frameLocator('iframe[title="HTML body"]');
  await expect(
    email
      .getByRole("paragraph")
      .filter({ hasText: /Your lesson with Wanda Waiting started \d+ minutes? ago and they are waiting\./ }),
  ).toBeVisible();
  const join = email.getByRole("link", { name: "Join Lesson" });
  await expect(join).toHaveAttribute("href", `${baseURL}/bookings/${booking.id}`);
  await join.click();
  await expect(page).toHaveURL(`${baseURL}/bookings/${booking.id}`);
  await expect(page.getByRole("heading", { level: 1, name: serviceName })).toBeVisible();

  // Once each, whatever the sweeps since: the tutor's message and the family's, one row each.
  const rows = await db().notification.findMany({
    where: { bookingId: booking.id, kind: { in: ["tutor_late", "tutor_reminded", "learner_late"] } },
    orderBy: { kind: "asc" },
  });
  expect(rows.map((row) => [row.kind, row.recipientProfileId])).toEqual([
    ["tutor_late", tutor.id],
    ["tutor_reminded", learner.id],
  ]);
});

const box = (page: Page, name: string) => page.getByRole("checkbox", { name });

async function choicesOf(profileId: string) {
  const rows = await db().notificationPreference.findMany({ where: { profileId }, orderBy: { kind: "asc" } });
  return Object.fromEntries(rows.map((row) => [row.kind, row.enabled]));
}

test("the settings page switches the late-start e-mails off and on: the tutor's alert, and the family's two notices", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const tutor = await createPerson("Tomas Tardy", ["tutor"]);
  await signInAs(page, tutor.email, "/settings/notifications");
  await expect(page.getByText("If you have not joined a few minutes after a lesson you teach starts")).toBeVisible();
  await box(page, "Late start (tutors)").uncheck();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your choices are saved.");
  await expect(box(page, "Late start (tutors)")).not.toBeChecked();
  expect((await choicesOf(tutor.id)).tutor_late).toBe(false);
  await box(page, "Late start (tutors)").check();
  await page.getByRole("button", { name: "Save choices" }).click();
  // With JavaScript the box is ticked before the answer arrives: wait for the saved choice itself.
  await expect.poll(async () => (await choicesOf(tutor.id)).tutor_late).toBe(true);
  await expect(box(page, "Late start (tutors)")).toBeChecked();

  const parent = await createPerson("Fiona Family", ["client"]);
  await page.context().clearCookies();
  await signInAs(page, parent.email, "/settings/notifications");
  await expect(box(page, "Late start (tutors)")).toHaveCount(0);
  await box(page, "Tutor running late").uncheck();
  await box(page, "Tutor is waiting").uncheck();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your choices are saved.");
  await expect(box(page, "Tutor running late")).not.toBeChecked();
  await expect(box(page, "Tutor is waiting")).not.toBeChecked();
  const choices = await choicesOf(parent.id);
  expect([choices.tutor_reminded, choices.learner_late, choices.lesson_record]).toEqual([false, false, true]);
});

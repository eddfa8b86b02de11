// Lesson outcomes end to end, with JavaScript on and off: once the tutor ends the lesson the card
// offers Rejoin (still opening the classroom) instead of Join Lesson; once the window has closed
// and the outcome is settled, the card and the details page say what happened in a parent's words.
import { randomUUID } from "node:crypto";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { settleLessonOutcome } from "../../app/.server/lessonspace/outcomes.ts";
import { createDemoBooking, db, demoProfiles, signInAs } from "./fixtures.ts";

async function personPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
  return context.newPage();
}

const card = (page: Page, serviceName: string) => page.getByRole("article", { name: serviceName });

test("after the tutor ends the lesson, the card and the details page offer Rejoin, which still opens the classroom", async ({
  page,
  browser,
}, testInfo) => {
  // Three people's sign-ins, a classroom and a webhook round trip on a shared 2-core machine.
  test.slow();
  const booking = await createDemoBooking();

  const tutorPage = await personPage(browser, testInfo);
  await signInAs(tutorPage, demoProfiles.tutor.email, `/bookings/${booking.id}`);
  const [tutorClassroom] = await Promise.all([
    tutorPage.waitForEvent("popup"),
    tutorPage.getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  const tutorFrame = tutorClassroom.frameLocator("iframe");
  await expect(tutorFrame.locator("#me")).toContainText(demoProfiles.tutor.fullName);
  await tutorFrame.getByRole("button", { name: "End lesson" }).click();
  await expect(tutorFrame.getByRole("heading", { name: "The lesson has ended" })).toBeVisible();
  // The stand-in's session.end webhook reaches our server on its own.
  await expect
    .poll(
      async () =>
        (await db().lessonspaceSession.findMany({ where: { bookingId: booking.id }, select: { endedAt: true } })).map(
          (s) => s.endedAt !== null,
        ),
      {
        timeout: 15_000,
      },
    )
    .toEqual([true]);

  await signInAs(page, demoProfiles.parent.email, "/");
  const lesson = card(page, booking.serviceName);
  await expect(lesson.getByText("The lesson has ended. You can rejoin the classroom until")).toBeVisible();
  await expect(lesson.getByRole("button", { name: "Join Lesson" })).toHaveCount(0);
  const rejoin = lesson.getByRole("button", { name: "Rejoin" });
  await expect(rejoin).toBeVisible();
  await expect(rejoin).not.toHaveClass(/primary/);

  await page.goto(`/bookings/${booking.id}`);
  await expect(page.getByRole("button", { name: "Join Lesson" })).toHaveCount(0);
  const [classroom] = await Promise.all([
    page.waitForEvent("popup"),
    page.getByRole("button", { name: "Rejoin" }).click(),
  ]);
  // The parent enters as the attendee, Charlie, as with Join Lesson.
  await expect(classroom.frameLocator("iframe").locator("#me")).toContainText(demoProfiles.child.fullName);

  await tutorPage.context().close();
});

/** A lesson three hours ago with one ended session and this attendance, settled by the service the sweep calls. */
async function settledLesson(attendance: { profileId: string; seconds: number }[]) {
  const start = new Date(Date.now() - 3 * 60 * 60_000);
  const booking = await createDemoBooking({
    sessionStartTime: start,
    serviceName: `Outcome ${randomUUID().slice(0, 8)}`,
  });
  const sessionId = randomUUID();
  await db().lessonspaceSession.create({
    data: {
      sessionId,
      bookingId: booking.id,
      startedAt: start,
      endedAt: new Date(start.getTime() + 60 * 60_000),
      durationSeconds: 3600,
    },
  });
  for (const { profileId, seconds } of attendance) {
    await db().lessonspaceAttendance.create({
      data: {
        sessionId,
        profileId,
        joinedAt: start,
        leftAt: new Date(start.getTime() + seconds * 1000),
        secondsPresent: seconds,
      },
    });
  }
  expect(await settleLessonOutcome(booking.id, new Date())).not.toBeNull();
  return booking;
}

test("a settled lesson says how long Charlie attended, on the card and on the details page", async ({ page }) => {
  const booking = await settledLesson([
    { profileId: demoProfiles.tutor.id, seconds: 3600 },
    { profileId: demoProfiles.child.id, seconds: 52 * 60 + 10 },
  ]);

  await signInAs(page, demoProfiles.parent.email, "/");
  const lesson = card(page, booking.serviceName);
  await expect(lesson.getByText("Charlie Brown attended 52 of 60 minutes")).toBeVisible();
  await expect(lesson.locator(".badge")).toHaveText("Held");

  await lesson.getByRole("link", { name: "Lesson details" }).click();
  await expect(page).toHaveURL(new RegExp(`/bookings/${booking.id}$`));
  await expect(page.getByText("Charlie Brown attended 52 of 60 minutes")).toBeVisible();
});

test("a lesson the tutor missed says so, instead of Completed", async ({ page }) => {
  const booking = await settledLesson([{ profileId: demoProfiles.child.id, seconds: 40 * 60 }]);

  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  // The badge says who was absent, the line beside it why, with the minimum.
  await expect(
    page.getByText(`${demoProfiles.tutor.fullName} did not join (tutor); a lesson needs at least 12 min of both.`),
  ).toBeVisible();
  await expect(page.locator(".booking-card-head .badge")).toHaveText("Tutor absent");
});

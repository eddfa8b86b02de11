// Proof of value, end to end: tutor and child join through the app's Join Lesson, the tutor ends
// the lesson in the (stand-in) classroom, Lessonspace's signed webhooks reach our server, and the
// parent's booking shows the actual duration, who attended, and a View Recording that plays.
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { formatSeconds } from "../../app/domain/format.ts";
import { createDemoBooking, db, demoProfiles, signInAs } from "./fixtures.ts";

/** A second person's browser, with the same JavaScript setting as this project. */
async function personPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
  return context.newPage();
}

/** Join Lesson opens the embedded classroom in a new tab; returns that tab. */
async function joinLesson(page: Page, bookingId: string): Promise<Page> {
  await page.goto(`/bookings/${bookingId}`);
  const [classroom] = await Promise.all([
    page.waitForEvent("popup"),
    page.getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  await classroom.waitForLoadState();
  return classroom;
}

test("when the tutor ends the lesson, the parent sees its duration, attendance and recording", async ({
  page,
  browser,
}, testInfo) => {
  const booking = await createDemoBooking();

  const tutorPage = await personPage(browser, testInfo);
  await signInAs(tutorPage, demoProfiles.tutor.email, `/bookings/${booking.id}`);
  const tutorClassroom = await joinLesson(tutorPage, booking.id);
  const tutorFrame = tutorClassroom.frameLocator("iframe");
  await expect(tutorFrame.locator("#me")).toContainText(demoProfiles.tutor.fullName);

  const childPage = await personPage(browser, testInfo);
  await signInAs(childPage, demoProfiles.child.email, `/bookings/${booking.id}`);
  const childClassroom = await joinLesson(childPage, booking.id);
  await expect(childClassroom.frameLocator("iframe").locator("#me")).toContainText(demoProfiles.child.fullName);

  await tutorFrame.getByRole("button", { name: "End lesson" }).click();
  await expect(tutorFrame.getByRole("heading", { name: "The lesson has ended" })).toBeVisible();

  // The webhooks arrive on their own: session.start, two joins, two leaves, session.end.
  await expect
    .poll(async () => (await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).recordingUrl, {
      timeout: 15_000,
    })
    .not.toBeNull();
  const stored = await db().booking.findUniqueOrThrow({
    where: { id: booking.id },
    include: { sessions: { include: { attendance: true } } },
  });
  expect(stored.sessions).toHaveLength(1);
  expect(stored.durationActual).toBe(stored.sessions[0]!.durationSeconds);
  expect(stored.sessions[0]!.attendance.map((a) => a.profileId).sort()).toEqual(
    [demoProfiles.tutor.id, demoProfiles.child.id].sort(),
  );
  expect(stored.status).toBe("Confirmed");

  // Later that day: the lesson's time is over, so the booking reads as completed.
  await db().booking.update({
    where: { id: booking.id },
    data: { sessionStartTime: new Date(Date.now() - 3 * 60 * 60_000) },
  });

  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  await expect(page.getByText(`${formatSeconds(stored.durationActual!)} in the classroom`)).toBeVisible();
  const attendance = page.getByRole("region", { name: "Attendance" });
  await expect(attendance.getByRole("listitem").filter({ hasText: demoProfiles.tutor.fullName })).toBeVisible();
  await expect(attendance.getByRole("listitem").filter({ hasText: demoProfiles.child.fullName })).toBeVisible();

  const [recording] = await Promise.all([
    page.waitForResponse((response) => response.url().includes("/recordings/")),
    page.getByRole("link", { name: "View Recording" }).click(),
  ]);
  expect(recording.status()).toBe(200);
  expect(recording.headers()["content-type"]).toBe("video/mp4");

  await Promise.all([tutorPage.context().close(), childPage.context().close()]);
});

test("a recording that is not ready yet shows a friendly page with a way to try again", async ({ page }) => {
  const booking = await createDemoBooking({
    sessionStartTime: new Date(Date.now() - 3 * 60 * 60_000),
    status: "Completed",
  });
  // A reference to a session Lessonspace has no recording for (yet): its playback answers 404.
  const reference = `${process.env.LESSONSPACE_API_URL}/v2/organisations/${process.env.LESSONSPACE_ORGANISATION_ID}/sessions/${crypto.randomUUID()}/playback/`;
  await db().booking.update({ where: { id: booking.id }, data: { recordingUrl: reference } });

  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}/recording`);
  await expect(page.getByRole("heading", { name: "Your recording is being prepared" })).toBeVisible();
  const response = await page.goto(`/bookings/${booking.id}/recording`);
  expect(response?.status()).toBe(202);
  await expect(page.getByRole("link", { name: "Try again" })).toHaveAttribute(
    "href",
    `/bookings/${booking.id}/recording`,
  );
});

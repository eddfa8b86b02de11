// Running a lesson in the stand-in classroom from a spec: a browser per person (the project's
// JavaScript setting), joining through the booking page's Join Lesson, and speaking in the room.
import { expect, type Browser, type FrameLocator, type Page, type TestInfo } from "@playwright/test";

/** A page of its own (cookies apart) for one more person, with the project's JavaScript setting. */
export async function personPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
  return context.newPage();
}

/** Presses Join Lesson on the booking page; answers the classroom's frame in the window it opened. */
export async function joinLesson(page: Page, bookingId: string): Promise<FrameLocator> {
  await page.goto(`/bookings/${bookingId}`);
  const [classroom] = await Promise.all([
    page.waitForEvent("popup"),
    page.getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  await classroom.waitForLoadState();
  return classroom.frameLocator("iframe");
}

/** Says something in the room (for `seconds`, when given), retried until the room shows it was said. */
export async function say(frame: FrameLocator, text: string, seconds?: number) {
  await expect(async () => {
    await frame.getByLabel("What you say").fill(text);
    if (seconds !== undefined) await frame.getByLabel("For how many seconds (optional)").fill(String(seconds));
    await frame.getByRole("button", { name: "Say it" }).click();
    await expect(frame.locator("#said")).toContainText(text, { timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
}

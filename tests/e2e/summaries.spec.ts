// A lesson held in the stand-in classroom ends; its transcript is stored, and Lessonspace's summary
// is fetched and kept as the tutor's draft (docs/decisions/0063-lessonspace-summaries-api-contract.md),
// which no page shows to the family. The test runs the two jobs itself, as transcripts.spec.ts does;
// the server's own workers may take a batch first (SKIP LOCKED), which changes nothing here.
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { fetchDueSummaries } from "../../app/.server/lessonspace/summaries.ts";
import { fetchDueTranscripts } from "../../app/.server/transcripts/ingest.ts";
import { createDemoBooking, db, demoProfiles, signInAs } from "./fixtures.ts";

async function personInClassroom(browser: Browser, testInfo: TestInfo, email: string, bookingId: string) {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
  const page = await context.newPage();
  await signInAs(page, email, `/bookings/${bookingId}`);
  const [classroom] = await Promise.all([
    page.waitForEvent("popup"),
    page.getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  await classroom.waitForLoadState();
  return classroom.frameLocator("iframe");
}

async function say(frame: ReturnType<Page["frameLocator"]>, text: string) {
  await expect(async () => {
    await frame.getByLabel("What you say").fill(text);
    await frame.getByRole("button", { name: "Say it" }).click();
    await expect(frame.locator("#said")).toContainText(text, { timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
}

test("a held lesson's summary is stored as the tutor's draft and never shown to the family", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  const booking = await createDemoBooking();
  const word = `wombat${Math.random().toString(36).slice(2, 8)}`;
  const tutor = await personInClassroom(browser, testInfo, demoProfiles.tutor.email, booking.id);
  const child = await personInClassroom(browser, testInfo, demoProfiles.child.email, booking.id);
  await say(tutor, `Today we learn about the ${word}. It digs burrows.`);
  await say(child, "It has a pouch? I think so");
  await tutor.getByRole("button", { name: "End lesson" }).click();
  await expect(tutor.getByRole("heading", { name: "The lesson has ended" })).toBeVisible();

  const summary = () => db().lessonSummary.findFirst({ where: { bookingId: booking.id } });
  await expect
    .poll(
      async () => {
        await fetchDueTranscripts(new Date(), 10);
        await fetchDueSummaries(new Date(), 10);
        return (await summary())?.text ?? null;
      },
      { timeout: 30_000 },
    )
    .toBe(
      `${demoProfiles.tutor.fullName}: Today we learn about the ${word}.\n${demoProfiles.child.fullName}: It has a pouch?`,
    );
  expect((await summary())?.source).toBe("lessonspace");

  // Later that day, the parent opens the lesson: nothing machine-written is there.
  await db().booking.update({
    where: { id: booking.id },
    data: { sessionStartTime: new Date(Date.now() - 3 * 60 * 60_000) },
  });
  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.locator("body")).not.toContainText(word);
  await expect(page.locator("body")).not.toContainText("It has a pouch?");
});

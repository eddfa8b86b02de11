// The family's control over a learner's data, end to end with JavaScript on and off: the tutor
// reads a lesson's transcript; the parent sees that visit in "Who has looked", deletes the
// transcript (a confirmation page and a plain form), and downloads everything as one ZIP.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import yauzl from "yauzl";
import { createDemoBooking, db, demoProfiles, signInAs } from "./fixtures.ts";

async function personPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
    acceptDownloads: true,
  });
  return context.newPage();
}

/** A held lesson of the demo family with a stored transcript (as the fetch job leaves it). */
async function lessonWithTranscript(words: string) {
  const booking = await createDemoBooking({
    sessionStartTime: new Date(Date.now() - 3 * 3600_000),
    status: "Completed",
  });
  const sessionId = randomUUID();
  const start = booking.sessionStartTime;
  await db().lessonspaceSession.create({
    data: { sessionId, bookingId: booking.id, startedAt: start, endedAt: new Date(start.getTime() + 50 * 60_000) },
  });
  await db().transcriptFetch.create({
    data: {
      sessionId,
      url: "https://example.invalid/t.json",
      deliveryId: randomUUID(),
      status: "done",
      segmentCount: 2,
    },
  });
  const { tutor, child } = demoProfiles;
  await db().transcriptSegment.createMany({
    data: [
      {
        sessionId,
        bookingId: booking.id,
        position: 0,
        speakerProfileId: tutor.id,
        speakerName: tutor.fullName,
        startSeconds: 0,
        endSeconds: 30,
        text: "Today: leaves.",
      },
      {
        sessionId,
        bookingId: booking.id,
        position: 1,
        speakerProfileId: child.id,
        speakerName: child.fullName,
        startSeconds: 30,
        endSeconds: 50,
        text: words,
      },
    ],
  });
  await db().transcriptSpeaker.createMany({
    data: [
      {
        sessionId,
        bookingId: booking.id,
        speakerKey: tutor.id,
        speakerProfileId: tutor.id,
        speakerName: tutor.fullName,
        seconds: 30,
      },
      {
        sessionId,
        bookingId: booking.id,
        speakerKey: child.id,
        speakerProfileId: child.id,
        speakerName: child.fullName,
        seconds: 20,
      },
    ],
  });
  return booking;
}

async function zipEntries(file: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: false }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => names.push(entry.fileName));
    zip.on("end", resolve);
    zip.on("error", reject);
  });
  return names;
}

test("the tutor reads a transcript; the parent sees the visit, deletes the transcript and downloads everything", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  const words = `Chlorophyll is green, like a ${randomUUID().slice(0, 8)}.`;
  const booking = await lessonWithTranscript(words);
  const { tutor, parent, child } = demoProfiles;

  const tutorPage = await personPage(browser, testInfo);
  await signInAs(tutorPage, tutor.email, `/bookings/${booking.id}/transcript`);
  await expect(tutorPage.getByText(words)).toBeVisible();
  // The tutor is never offered the deletion.
  await expect(tutorPage.getByRole("link", { name: "Delete this transcript and summary" })).toHaveCount(0);

  // The parent finds the tutor's visit, filtered to the tutor.
  await signInAs(page, parent.email, "/");
  await page
    .getByRole("link", { name: `Who has looked at ${child.fullName}'s lessons` })
    .first()
    .click();
  await expect(page.getByRole("heading", { name: `Who has looked at ${child.fullName}'s lessons` })).toBeVisible();
  await page.getByLabel("Person").selectOption({ label: tutor.fullName });
  await page.getByRole("button", { name: "Show" }).click();
  const visit = page.getByRole("row").filter({ hasText: booking.serviceName }).first();
  await expect(visit).toContainText(tutor.fullName);
  await expect(visit).toContainText("Read the transcript");

  // The parent deletes the transcript: a confirmation page, then a plain form.
  await page.goto(`/bookings/${booking.id}/transcript`);
  await expect(page.getByText(words)).toBeVisible();
  await page.getByRole("link", { name: "Delete this transcript and summary" }).click();
  await expect(page.getByRole("heading", { name: "Delete the transcript and summary" })).toBeVisible();
  await page.getByRole("button", { name: "Delete the transcript and summary" }).click();
  await expect(page).toHaveURL(new RegExp(`/bookings/${booking.id}/transcript$`));
  await expect(page.getByText(`Deleted by ${parent.fullName} on`)).toBeVisible();
  await expect(page.getByText(words)).toHaveCount(0);
  expect(await db().transcriptSegment.count({ where: { bookingId: booking.id } })).toBe(0);

  // The tutor's page says so too.
  await tutorPage.reload();
  await expect(tutorPage.getByText(`Deleted by ${parent.fullName} on`)).toBeVisible();

  // And the parent downloads everything as one ZIP.
  await page.goto(`/students/${child.id}/access`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: `Download everything held about ${child.fullName} (ZIP)` }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^tutorwise-export-\d{4}-\d{2}-\d{2}\.zip$/);
  const file = testInfo.outputPath("export.zip");
  await download.saveAs(file);
  expect(fs.statSync(file).size).toBeGreaterThan(0);
  expect(await zipEntries(file)).toEqual(
    expect.arrayContaining(["README.txt", "lessons.json", "transcripts.csv", "access-log.csv"]),
  );
});

// The family decides what is kept (docs/decisions/0070-consent-per-learner.md), end to end with
// JavaScript on and off: a parent switches transcription off, a lesson is held in the stand-in
// classroom (tutor and child speak) and no transcript appears; the parent switches it on, and the
// next lesson has one. Each run has its own family, so the two projects never share a choice.
import { expect, test, type Page } from "@playwright/test";
import { fetchDueTranscripts } from "../../app/.server/transcripts/ingest.ts";
import { createPerson, db, signInAs } from "./fixtures.ts";
import { joinLesson, personPage, say } from "./classroom.ts";

/** Tutor and child join the lesson, both speak, and the tutor ends it; answers when our server has the end. */
async function holdLesson(tutor: Page, child: Page, bookingId: string) {
  const tutorFrame = await joinLesson(tutor, bookingId);
  const childFrame = await joinLesson(child, bookingId);
  await say(tutorFrame, "Today we look at fractions.", 3);
  await say(childFrame, "A half is two quarters.", 2);
  await tutorFrame.getByRole("button", { name: "End lesson" }).click();
  await expect(tutorFrame.getByRole("heading", { name: "The lesson has ended" })).toBeVisible();
  await expect
    .poll(async () => db().lessonspaceSession.count({ where: { bookingId, endedAt: { not: null } } }), {
      timeout: 15_000,
    })
    .toBe(1);
}

async function setChoices(page: Page, learnerId: string, choices: { transcription: boolean; summaries: boolean }) {
  await page.goto(`/students/${learnerId}/privacy`);
  const transcription = page.getByLabel("Keep a transcript");
  const summaries = page.getByLabel("Let the tutor draft from a summary");
  await transcription.setChecked(choices.transcription);
  await summaries.setChecked(choices.summaries);
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toContainText("Your choices are saved.");
  await expect(transcription).toBeChecked({ checked: choices.transcription });
}

test("a parent switches transcription off and the lesson has no transcript; switched on, the next lesson has one", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const [tutor, parent, child] = await Promise.all([
    createPerson("Tina Tutor", ["tutor"]),
    createPerson("Petra Parent", ["client"]),
    createPerson("Kit Child", ["student"]),
  ]);
  await db().profileGraph.create({
    data: { sourceProfileId: parent.id, targetProfileId: child.id, relationshipType: "GUARDIAN", status: "ACTIVE" },
  });
  const lesson = () =>
    db().booking.create({
      data: {
        clientId: parent.id,
        tutorId: tutor.id,
        studentId: child.id,
        serviceName: "Fractions",
        sessionStartTime: new Date(Date.now() - 5 * 60_000),
        sessionDuration: 60,
        status: "Confirmed",
      },
    });

  // The parent finds the page from the child's learning record once there is a lesson, and opts in, then out.
  const first = await lesson();
  await signInAs(page, parent.email, `/students/${child.id}/record`);
  await page.getByRole("link", { name: `What is kept of ${child.fullName}'s lessons` }).click();
  await expect(page.getByRole("heading", { name: `What is kept of ${child.fullName}'s lessons` })).toBeVisible();
  // A transcript needs a recording: refused with the reason, nothing saved.
  await page.getByLabel("Record lessons (audio and video)").setChecked(false);
  await page.getByLabel("Keep a transcript").setChecked(true);
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByText("Transcripts need recording")).toBeVisible();
  expect(await db().learnerConsent.count({ where: { learnerId: child.id } })).toBe(0);
  await page.getByLabel("Record lessons (audio and video)").setChecked(true);
  await setChoices(page, child.id, { transcription: false, summaries: false });

  const tutorPage = await personPage(browser, testInfo);
  const childPage = await personPage(browser, testInfo);
  await signInAs(tutorPage, tutor.email, `/bookings/${first.id}`);
  await expect(
    tutorPage.getByText("This lesson is recorded but not transcribed, at the family's request."),
  ).toBeVisible();
  await signInAs(childPage, child.email, `/bookings/${first.id}`);
  await holdLesson(tutorPage, childPage, first.id);
  // Lessonspace was not asked to transcribe: no transcription.finish, nothing to fetch.
  await tutorPage.waitForTimeout(2_000);
  expect(await db().transcriptFetch.count({ where: { session: { bookingId: first.id } } })).toBe(0);

  await setChoices(page, child.id, { transcription: true, summaries: false });
  const second = await lesson();
  await holdLesson(tutorPage, childPage, second.id);
  await expect
    .poll(async () => db().transcriptFetch.count({ where: { session: { bookingId: second.id } } }), {
      timeout: 15_000,
    })
    .toBe(1);
  await expect
    .poll(
      async () => {
        await fetchDueTranscripts(new Date(), 10);
        return (await db().transcriptFetch.findFirstOrThrow({ where: { session: { bookingId: second.id } } })).status;
      },
      { timeout: 15_000 },
    )
    .toBe("done");
  expect(await db().transcriptFetch.count({ where: { session: { bookingId: first.id } } })).toBe(0);
});

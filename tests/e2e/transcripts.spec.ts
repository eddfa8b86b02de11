// Proof of value a parent can see, end to end: tutor and child speak in the stand-in
// classroom, the tutor ends the lesson, Lessonspace's transcription.finish reaches our server, the
// transcript is fetched, and the parent reads it, sees the child's share, searches it and opens
// the learning record.
//
// There is no job queue on this branch yet: the test runs the fetch job itself
// (fetchDueTranscripts, against the stack's DATABASE_URL). After the merge the in-process pg-boss
// worker runs it on a schedule.
import { expect, test } from "@playwright/test";
import { fetchDueTranscripts } from "../../app/.server/transcripts/ingest.ts";
import { createDemoBooking, db, demoProfiles, signInAs } from "./fixtures.ts";
import { joinLesson, personPage, say } from "./classroom.ts";

/** Types into the stand-in classroom's say form (the page refreshes itself every few seconds, so retry until it shows). */

test("the parent reads the transcript, sees the child's share, finds a word and opens the learning record", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(150_000);
  const booking = await createDemoBooking();
  // A word only this run says, so parallel runs (js and no-js) never find each other's lessons.
  const word = `quokka${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("")}`;

  const tutorPage = await personPage(browser, testInfo);
  await signInAs(tutorPage, demoProfiles.tutor.email, `/bookings/${booking.id}`);
  const tutorFrame = await joinLesson(tutorPage, booking.id);
  await expect(tutorFrame.locator("#me")).toContainText(demoProfiles.tutor.fullName);

  const childPage = await personPage(browser, testInfo);
  await signInAs(childPage, demoProfiles.child.email, `/bookings/${booking.id}`);
  const childFrame = await joinLesson(childPage, booking.id);
  await expect(childFrame.locator("#me")).toContainText(demoProfiles.child.fullName);

  await say(tutorFrame, "Today we look at how plants make food.", 3);
  await say(childFrame, `Chlorophyll catches the light, like a ${word}.`, 2);

  await tutorFrame.getByRole("button", { name: "End lesson" }).click();
  await expect(tutorFrame.getByRole("heading", { name: "The lesson has ended" })).toBeVisible();

  // transcription.finish only records what to fetch; the job then fetches it (here, the test runs it).
  await expect
    .poll(async () => db().transcriptFetch.count({ where: { session: { bookingId: booking.id } } }), {
      timeout: 15_000,
    })
    .toBe(1);
  await expect
    .poll(
      async () => {
        await fetchDueTranscripts(new Date(), 10);
        return (await db().transcriptFetch.findFirstOrThrow({ where: { session: { bookingId: booking.id } } })).status;
      },
      { timeout: 15_000 },
    )
    .toBe("done");

  // Later that day, the parent opens the lesson.
  await db().booking.update({
    where: { id: booking.id },
    data: { sessionStartTime: new Date(Date.now() - 3 * 60 * 60_000) },
  });
  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  const talk = page.getByRole("region", { name: "Who spoke how much" });
  // Each speaker's seconds are bounded by their time in the classroom, which in the stand-in's
  // lesson of a few real seconds may be shorter than the 2 s and 3 s said: at most those. The
  // shares come from the transcript alone.
  await expect(talk).toContainText(
    new RegExp(`${demoProfiles.child.fullName} spoke for \\d s of the lesson's \\d+ (s|min): 40% of the talking\\.`),
  );
  await expect(talk).toContainText(
    new RegExp(`${demoProfiles.tutor.fullName} spoke for \\d s of the lesson's \\d+ (s|min): 60% of the talking\\.`),
  );

  await page.getByRole("link", { name: "Read the transcript" }).click();
  await expect(page.getByRole("heading", { name: "Transcript", exact: true })).toBeVisible();
  const childLine = page.getByRole("listitem").filter({ hasText: word });
  await expect(childLine).toContainText(demoProfiles.child.fullName);
  await expect(childLine).toHaveAttribute("id", /^segment-[0-9a-f-]{36}$/);
  await expect(page.getByRole("listitem").filter({ hasText: "how plants make food" })).toContainText(
    demoProfiles.tutor.fullName,
  );

  await page.getByLabel("Search your lesson transcripts").fill(word);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`/transcripts/search\\?q=${word}`));
  const results = page.getByRole("listitem").filter({ hasText: word });
  await expect(results).toHaveCount(1);
  await expect(results.locator("mark")).toHaveText(word);
  await results.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/bookings/${booking.id}/transcript#segment-`));
  await expect(page.locator(":target")).toContainText(word);

  await page.goto(`/bookings/${booking.id}`);
  await page.getByRole("link", { name: `${demoProfiles.child.fullName}'s learning record` }).click();
  await expect(page.getByRole("heading", { name: `Learning record: ${demoProfiles.child.fullName}` })).toBeVisible();
  await expect(page.getByRole("img", { name: /Lessons booked, held and missed, by month/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /share of the talking, by month/ })).toBeVisible();
  await page.getByRole("link", { name: "By week" }).click();
  await expect(page.getByRole("img", { name: /Lessons booked, held and missed, by week/ })).toBeVisible();
  await expect(page.getByRole("link", { name: "Transcript" }).first()).toHaveAttribute("href", /\/transcript$/);

  await Promise.all([tutorPage.context().close(), childPage.context().close()]);
});

test("the transcript is readable at 320 px and someone else's is the same 404", async ({ page }) => {
  const booking = await createDemoBooking({ sessionStartTime: new Date(Date.now() - 3 * 60 * 60_000) });
  const sessionId = crypto.randomUUID();
  await db().lessonspaceSession.create({
    data: { sessionId, bookingId: booking.id, startedAt: booking.sessionStartTime },
  });
  await db().transcriptSegment.create({
    data: {
      sessionId,
      bookingId: booking.id,
      position: 0,
      speakerProfileId: demoProfiles.child.id,
      speakerName: demoProfiles.child.fullName,
      startSeconds: 5,
      endSeconds: 9,
      text: "A rather long sentence about photosynthesis that has to wrap nicely on a small phone screen without scrolling sideways.",
    },
  });
  await page.setViewportSize({ width: 320, height: 640 });
  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}/transcript`);
  await expect(page.getByText("A rather long sentence")).toBeVisible();
  // No sideways scrolling. evaluate runs in Playwright's own context, so this holds with the page's
  // JavaScript off too; a failure to measure fails the test.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);

  await page.context().clearCookies();
  await signInAs(page, demoProfiles.otherParent.email, "/");
  const response = await page.goto(`/bookings/${booking.id}/transcript`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a search with more moments than a page goes on with plain links, and comes back", async ({ page }) => {
  const booking = await createDemoBooking({ sessionStartTime: new Date(Date.now() - 3 * 60 * 60_000) });
  const sessionId = crypto.randomUUID();
  // A word only this run says, so the js and no-js runs never find each other's moments.
  const word = `wombat${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("")}`;
  await db().lessonspaceSession.create({
    data: { sessionId, bookingId: booking.id, startedAt: booking.sessionStartTime },
  });
  await db().transcriptSegment.createMany({
    data: Array.from({ length: 60 }, (_, i) => ({
      sessionId,
      bookingId: booking.id,
      position: i,
      speakerProfileId: demoProfiles.child.id,
      speakerName: demoProfiles.child.fullName,
      startSeconds: i * 10,
      endSeconds: i * 10 + 5,
      text: `Card ${i + 1}: the ${word} hops on.`,
    })),
  });
  await signInAs(page, demoProfiles.parent.email, `/transcripts/search?q=${word}`);
  await expect(page.getByText(`Moments 1–50 for “${word}”`)).toBeVisible();
  const results = page.locator("ol.search-results > li");
  await expect(results).toHaveCount(50);
  await expect(results.first()).toContainText(`Card 1: the ${word} hops on.`);

  await page.getByRole("link", { name: "More moments →" }).click();
  await expect(page).toHaveURL(new RegExp(`/transcripts/search\\?q=${word}&page=2$`));
  await expect(page.getByText(`Moments 51–60 for “${word}”`)).toBeVisible();
  await expect(results).toHaveCount(10);
  await expect(results.last()).toContainText(`Card 60: the ${word} hops on.`);
  await expect(page.getByRole("link", { name: "More moments →" })).toHaveCount(0);

  await page.getByRole("link", { name: "← Better matches" }).click();
  await expect(page.getByText(`Moments 1–50 for “${word}”`)).toBeVisible();
});

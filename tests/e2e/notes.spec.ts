// The lesson note end to end, with JavaScript on and off: tutor and child speak in the stand-in
// classroom, the tutor ends the lesson and writes the note from Lessonspace's summary, adds
// homework and publishes; the parent reads it on the lesson page and in the e-mail inbox, the child
// ticks an item, and the tutor sees "1 of 3 done" on the next lesson with the same child.
//
// A family of the test's own (parent and child), so the js and no-js runs, and other specs on
// the demo family, never see each other's lessons or mail. Lessonspace's summary is stored by a job
// of its own; here the test stores one for the session, as that job would.
import { expect, test } from "@playwright/test";
import { createDemoBooking, createPerson, db, demoProfiles, signInAs } from "./fixtures.ts";
import { joinLesson, personPage, say } from "./classroom.ts";
import { openMessage } from "./mail.ts";

/** Types into the stand-in classroom's say form (the page refreshes itself, so retry until it shows). */

test("the tutor publishes the note with homework; the parent reads it and its e-mail, the child ticks, the tutor sees the count", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const parent = await createPerson("Pia Parent", ["client"]);
  const child = await createPerson("Kit Child", ["student"]);
  await db().profileGraph.create({
    data: { sourceProfileId: parent.id, targetProfileId: child.id, relationshipType: "GUARDIAN", status: "ACTIVE" },
  });
  const booking = await createDemoBooking({ clientId: parent.id, studentId: child.id });

  const tutorPage = await personPage(browser, testInfo);
  await signInAs(tutorPage, demoProfiles.tutor.email, `/bookings/${booking.id}`);
  const tutorFrame = await joinLesson(tutorPage, booking.id);
  await expect(tutorFrame.locator("#me")).toContainText(demoProfiles.tutor.fullName);
  const childPage = await personPage(browser, testInfo);
  await signInAs(childPage, child.email, `/bookings/${booking.id}`);
  const childFrame = await joinLesson(childPage, booking.id);
  await expect(childFrame.locator("#me")).toContainText(child.fullName);
  await say(tutorFrame, "Today: adding fractions with different denominators.");
  await say(childFrame, "So I find a common denominator first.");
  await tutorFrame.getByRole("button", { name: "End lesson" }).click();
  await expect(tutorFrame.getByRole("heading", { name: "The lesson has ended" })).toBeVisible();

  await expect
    .poll(() => db().lessonspaceSession.count({ where: { bookingId: booking.id, endedAt: { not: null } } }), {
      timeout: 15_000,
    })
    .toBe(1);
  const session = await db().lessonspaceSession.findFirstOrThrow({ where: { bookingId: booking.id } });
  await db().lessonSummary.upsert({
    where: { sessionId: session.sessionId },
    create: {
      sessionId: session.sessionId,
      bookingId: booking.id,
      text: "The session covered adding fractions with unlike denominators.",
      source: "lessonspace",
    },
    update: {},
  });

  // The tutor writes the note from the summary's draft.
  await tutorPage.goto(`/bookings/${booking.id}`);
  await tutorPage.getByRole("link", { name: "Write the lesson note" }).click();
  await expect(tutorPage.getByText("is a draft from Lessonspace’s summary")).toBeVisible();
  const covered = tutorPage.getByLabel("What we covered");
  await expect(covered).toHaveValue("The session covered adding fractions with unlike denominators.");
  await covered.fill("Adding <b>fractions</b> with unlike denominators.\nNext: mixed numbers.");
  await tutorPage.getByLabel("Item 1", { exact: true }).fill("Worksheet 3, questions 1-8");
  await tutorPage.getByLabel("Item 2", { exact: true }).fill("Practise finding common denominators");
  await tutorPage.getByLabel("Item 3", { exact: true }).fill("Bring questions about mixed numbers");
  await tutorPage.getByLabel("Private note").fill("Rushes the last step; slow down next time.");
  await tutorPage.getByRole("button", { name: "Add another item" }).click();
  // A fourth row (JavaScript adds it at once; without, the server answers the form one row longer, text kept).
  await expect(tutorPage.getByLabel("Item 4", { exact: true })).toBeVisible();
  await expect(tutorPage.getByLabel("Item 1", { exact: true })).toHaveValue("Worksheet 3, questions 1-8");
  await tutorPage.getByRole("button", { name: "Publish" }).click();
  await expect(tutorPage.getByText("Saved. The family can read the note on the lesson page.")).toBeVisible();
  await expect(tutorPage.getByRole("button", { name: "Save changes" })).toBeVisible();

  // The parent reads it on the lesson page: text as written, never the private note.
  await signInAs(page, parent.email, `/bookings/${booking.id}`);
  const note = page.getByRole("region", { name: "Lesson note" });
  await expect(note.getByText("Adding <b>fractions</b> with unlike denominators.")).toBeVisible();
  await expect(note.getByText("Worksheet 3, questions 1-8")).toBeVisible();
  await expect(note.getByText("0 of 3 done")).toBeVisible();
  await expect(page.getByText("Rushes the last step")).toHaveCount(0);

  // … and in the lesson record, sent at publishing.
  const inbox = await personPage(browser, testInfo);
  await openMessage(inbox, parent.email, "Lesson record");
  const email = inbox.frameLocator('iframe[title="HTML body"]');
  await expect(email.getByText("Worksheet 3, questions 1-8")).toBeVisible();
  await expect(email.getByText("Adding <b>fractions</b> with unlike denominators.")).toBeVisible();
  await expect(email.getByText("Rushes the last step")).toHaveCount(0);

  // The child ticks the first item.
  await childPage.goto(`/bookings/${booking.id}`);
  await childPage.getByRole("button", { name: "Mark done: Worksheet 3, questions 1-8" }).click();
  await expect(childPage.getByText("1 of 3 done")).toBeVisible();
  await expect(childPage.getByRole("button", { name: "Mark not done: Worksheet 3, questions 1-8" })).toBeVisible();

  // The tutor's next lesson with the child shows last lesson's homework.
  const next = await createDemoBooking({
    clientId: parent.id,
    studentId: child.id,
    sessionStartTime: new Date(Date.now() + 2 * 24 * 60 * 60_000),
  });
  await tutorPage.goto(`/bookings/${next.id}`);
  await expect(tutorPage.getByText("1 of 3 done")).toBeVisible();
  await expect(tutorPage.getByRole("link", { name: "Last lesson’s homework" })).toHaveAttribute(
    "href",
    `/bookings/${booking.id}#homework`,
  );

  for (const context of [tutorPage.context(), childPage.context(), inbox.context()]) await context.close();
});

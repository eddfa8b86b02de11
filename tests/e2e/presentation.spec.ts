// One truth about a lesson, end to end with JavaScript on and off: a lesson that was too short
// says so, with why, on every page and in the lesson-record e-mail, and offers no review; once the
// tutor has ended a lesson nobody is offered a change of who attends, and the change is refused;
// the learning record fits a 320 px screen, its number tables scrolling in boxes of their own.
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createDemoBooking, createPerson, db, demoProfiles, signInAs } from "./fixtures.ts";
import { openMessage, requestSweep } from "./mail.ts";

const MINUTE = 60_000;

/** A parent and child of the test's own (an active guardian edge), so their pages and inbox hold only this test's lessons. */
async function family() {
  const [parent, child] = await Promise.all([
    createPerson("Pia Parent", ["client"]),
    createPerson("Kit Child", ["student"]),
  ]);
  await db().profileGraph.create({
    data: { sourceProfileId: parent.id, targetProfileId: child.id, relationshipType: "GUARDIAN", status: "ACTIVE" },
  });
  return { parent, child };
}

/** One classroom session of the booking, ended, with each person's time in it. */
async function classroom(
  bookingId: string,
  start: Date,
  endedAt: Date,
  stays: { profileId: string; seconds: number }[],
) {
  const sessionId = randomUUID();
  await db().lessonspaceSession.create({
    data: {
      sessionId,
      bookingId,
      startedAt: start,
      endedAt,
      durationSeconds: Math.round((endedAt.getTime() - start.getTime()) / 1000),
    },
  });
  await db().lessonspaceAttendance.createMany({
    data: stays.map(({ profileId, seconds }) => ({
      sessionId,
      profileId,
      joinedAt: start,
      leftAt: new Date(start.getTime() + seconds * 1000),
      secondsPresent: seconds,
    })),
  });
}

test("a 3-minute lesson of 30 planned, with the tutor there 12 seconds, reads Too short with why everywhere, and offers no review", async ({
  page,
  baseURL,
}) => {
  // A sweep, an e-mail through the catcher and five pages on a shared machine.
  test.setTimeout(150_000);
  const { parent, child } = await family();
  const tutor = demoProfiles.tutor;
  const serviceName = `Too short ${randomUUID().slice(0, 8)}`;
  const start = new Date(Date.now() - 2 * 60 * MINUTE);
  const booking = await createDemoBooking({
    clientId: parent.id,
    studentId: child.id,
    serviceName,
    sessionStartTime: start,
    sessionDuration: 30,
  });
  await classroom(booking.id, start, new Date(start.getTime() + 3 * MINUTE), [
    { profileId: tutor.id, seconds: 12 },
    { profileId: child.id, seconds: 180 },
  ]);
  const why = `${tutor.fullName} was in the classroom for 12 s and ${child.fullName} for 3 min; a lesson needs at least 6 min of both.`;

  await signInAs(page, parent.email, `/bookings/${booking.id}`);
  await expect(page.locator(".booking-card-head .badge")).toHaveText("Too short");
  await expect(page.getByText(why)).toBeVisible();
  await expect(page.getByRole("link", { name: "Leave a review" })).toHaveCount(0);

  const review = await page.goto(`/bookings/${booking.id}/review`);
  expect(review?.status()).toBe(403);
  await expect(page.getByRole("alert")).toContainText(`Too short: ${why}`);
  await expect(page.getByRole("button", { name: /review/i })).toHaveCount(0);
  const posted = await page.request.post(`/bookings/${booking.id}/review`, {
    form: { rating: "5", comment: "Lovely" },
    headers: { Origin: baseURL! },
  });
  expect(posted.status()).toBe(403);
  expect(await db().review.count({ where: { bookingId: booking.id } })).toBe(0);

  await page.goto("/lessons");
  const listed = page.getByRole("article", { name: serviceName });
  await expect(listed.locator(".badge")).toHaveText("Too short");
  await expect(listed.getByText(why)).toBeVisible();

  await page.goto(`/students/${child.id}/record`);
  const entry = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: serviceName }) });
  await expect(entry.locator(".badge")).toHaveText("Too short");
  await expect(entry).toContainText(why);
  await expect(page.getByText("1 lesson booked, 0 held, 1 missed; 3 of 30 planned minutes attended.")).toBeVisible();

  // The sweep settles the outcome and sends the lesson record in the same words.
  await requestSweep();
  await openMessage(page, parent.email, `Lesson record: ${serviceName}`);
  const email = page.frameLocator('iframe[title="HTML body"]');
  // Visible in the body (the inbox preview line above it is hidden).
  await expect(email.getByText(`Too short. ${why}`).filter({ visible: true })).toHaveCount(1);
  await expect(email.getByRole("link", { name: /review/i })).toHaveCount(0);
});

test("once the tutor has ended a lesson, no page offers Choose who attends, and the change is refused with why", async ({
  page,
  baseURL,
}) => {
  const { parent, child } = await family();
  const serviceName = `Ended ${randomUUID().slice(0, 8)}`;
  const start = new Date(Date.now() - 5 * MINUTE);
  const booking = await createDemoBooking({
    clientId: parent.id,
    studentId: child.id,
    serviceName,
    sessionStartTime: start,
  });
  // The tutor opened the classroom, Kit joined, and the tutor ended it a minute ago: the window is still open.
  await classroom(booking.id, start, new Date(Date.now() - MINUTE), [
    { profileId: demoProfiles.tutor.id, seconds: 240 },
    { profileId: child.id, seconds: 200 },
  ]);
  const choose = (where: Page) => where.getByRole("link", { name: "Choose who attends" });

  await signInAs(page, parent.email, "/");
  const card = page.getByRole("article", { name: serviceName });
  await expect(card.getByText("The lesson has ended. You can rejoin the classroom until")).toBeVisible();
  await expect(choose(page)).toHaveCount(0);

  await page.goto("/lessons");
  await expect(page.getByRole("article", { name: serviceName })).toBeVisible();
  await expect(choose(page)).toHaveCount(0);

  await page.goto(`/bookings/${booking.id}`);
  await expect(page.locator(".booking-card-head .badge")).toHaveText("Ended");
  await expect(choose(page)).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Change who attends" })).toHaveCount(0);

  const refusal =
    "The classroom has already opened for this lesson, so who attends can no longer change: attendance is a record of who was there.";
  await page.goto(`/bookings/${booking.id}/student`);
  await expect(page.getByRole("status")).toHaveText(refusal);
  await expect(page.getByRole("button", { name: /save|assign|attend/i })).toHaveCount(0);
  // A form kept open from before: the action refuses it, and Kit still attends.
  const posted = await page.request.post(`/bookings/${booking.id}/student`, {
    form: { studentId: "" },
    headers: { Origin: baseURL! },
  });
  expect(posted.status()).toBe(400);
  expect(await posted.text()).toContain("who attends can no longer change");
  expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).studentId).toBe(child.id);
});

test.describe("on a 320 px phone", () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test("the learning record fits the screen, and each number table scrolls in its own box to its last column", async ({
    page,
  }) => {
    await signInAs(page, demoProfiles.parent.email, `/students/${demoProfiles.child.id}/record`);
    await expect(page.getByRole("heading", { level: 1, name: /Learning record/ })).toBeVisible();
    for (const summary of await page.locator("details > summary").all()) await summary.click();
    // One table per chart (lessons, minutes, talk time, homework), each in its own scroll box.
    const boxes = page.getByRole("region").and(page.locator(".table-scroll"));
    await expect(boxes).toHaveCount(4);

    // Nothing is wider than the screen, except what sits inside a scroll box of its own.
    const overflowing = await page.evaluate((width) => {
      const wide: string[] = [];
      for (const element of document.body.querySelectorAll("*")) {
        if (element.closest(".table-scroll") && !element.classList.contains("table-scroll")) continue;
        const box = element.getBoundingClientRect();
        if (box.width > 0 && (box.left < 0 || box.right > width))
          wide.push(
            `${element.tagName.toLowerCase()}.${element.className} ${Math.round(box.left)}–${Math.round(box.right)}`,
          );
      }
      return wide;
    }, 320);
    expect(overflowing).toEqual([]);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(320);

    for (const box of await boxes.all()) {
      await expect(box).toHaveAttribute("tabindex", "0");
      const last = box.locator("thead th").last();
      await last.scrollIntoViewIfNeeded();
      const rect = (await last.boundingBox())!;
      expect(rect.x).toBeGreaterThanOrEqual(0);
      expect(rect.x + rect.width).toBeLessThanOrEqual(320);
    }
  });
});

// Keyboard only: sign-in, join, snapshot upload, review and student assignment done
// with Tab, Shift+Tab, Enter, Space and typing, never a click; with JavaScript on and off.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { makePng } from "../integration/artifacts-images.ts";
import { createDemoBooking, db, DEMO_PASSWORD, demoProfiles } from "./fixtures.ts";

const HOUR = 60 * 60_000;
// Enough for any page here; a control further away than this is out of a keyboard user's reach.
const MAX_TABS = 40;

/** Presses Tab (or Shift+Tab) until `target` has the focus, and checks that the focus is visible. */
async function tabTo(page: Page, target: Locator, key: "Tab" | "Shift+Tab" = "Tab") {
  for (let presses = 0; presses < MAX_TABS; presses++) {
    await page.keyboard.press(key);
    if (await target.evaluate((element) => element === document.activeElement)) {
      const outline = await target.evaluate((element) => getComputedStyle(element).outlineStyle);
      expect(outline, "the focused control shows a focus ring").not.toBe("none");
      return;
    }
  }
  throw new Error(`${target} could not be reached with ${key} in ${MAX_TABS} presses`);
}

/** Signs in by typing: the email field has the focus when the page opens. */
async function signInByKeyboard(page: Page, email: string, returnTo: string) {
  await page.goto(`/sign-in?redirectTo=${encodeURIComponent(returnTo)}`);
  await expect(page.getByLabel("Email")).toBeFocused();
  await page.keyboard.type(email);
  await tabTo(page, page.getByLabel("Password"));
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

test("join: the parent signs in and opens the classroom with the keyboard alone", async ({ page }) => {
  const booking = await createDemoBooking();
  await signInByKeyboard(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  await expect(page.getByRole("heading", { level: 1, name: booking.serviceName })).toBeVisible();
  const [classroom] = await Promise.all([
    page.context().waitForEvent("page"),
    (async () => {
      await tabTo(page, page.getByRole("button", { name: "Join Lesson" }));
      await page.keyboard.press("Enter");
    })(),
  ]);
  await expect(classroom).toHaveURL(new RegExp(`/bookings/${booking.id}/classroom$`));
  await expect(classroom.getByText(`You are ${demoProfiles.child.fullName}`)).toBeVisible();
  // The classroom's own way back is within reach too.
  await tabTo(classroom, classroom.getByRole("link", { name: "Back to your lessons" }));
});

test("upload: the tutor chooses a snapshot with Space and sends it with Enter", async ({ page }) => {
  const booking = await createDemoBooking({ sessionStartTime: new Date(Date.now() - 3 * HOUR), status: "Completed" });
  await signInByKeyboard(page, demoProfiles.tutor.email, `/bookings/${booking.id}`);
  await tabTo(page, page.getByRole("link", { name: "Upload whiteboard snapshot" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/bookings/${booking.id}/snapshot/upload$`));

  const fileInput = page.getByLabel("Whiteboard snapshot");
  await tabTo(page, fileInput);
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Space")]);
  await chooser.setFiles({ name: "whiteboard.png", mimeType: "image/png", buffer: makePng(64, 48) });
  await tabTo(page, page.getByRole("button", { name: "Upload Whiteboard Snapshot" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("Snapshot uploaded.");

  const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
  expect((row.sessionArtifacts as Record<string, string>).whiteboard_snapshot_path).toMatch(/\.png$/);
});

test("review: the parent rates the lesson and writes a comment with the keyboard alone", async ({ page }) => {
  const booking = await createDemoBooking({ sessionStartTime: new Date(Date.now() - 3 * HOUR), status: "Completed" });
  // Held, and settled so: a Completed lesson without attendance would be settled "not held" by the
  // next minute's sweep, which then (rightly) refuses the review mid-test.
  await db().booking.update({
    where: { id: booking.id },
    data: { outcome: "held", outcomeSettledAt: new Date(), outcomeTutorSeconds: 3300, outcomeAttendeeSeconds: 3300 },
  });
  await signInByKeyboard(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  await tabTo(page, page.getByRole("link", { name: "Leave a review" }));
  await page.keyboard.press("Enter");
  await expect(
    page.getByRole("heading", { name: `How was your lesson with ${demoProfiles.tutor.fullName}?` }),
  ).toBeVisible();

  const comment = page.getByLabel("Comment (optional)");
  await tabTo(page, comment);
  await page.keyboard.type("Clear explanations, thank you.");
  // Back up to the rating, choose "5 – Excellent" by typing its first character, then on to Save.
  const rating = page.getByLabel("Rating");
  await tabTo(page, rating, "Shift+Tab");
  await page.keyboard.type("5");
  await expect(rating).toHaveValue("5");
  await tabTo(page, page.getByRole("button", { name: "Save review" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("your review is saved");

  const reviews = await db().review.findMany({ where: { bookingId: booking.id } });
  expect(reviews).toMatchObject([
    {
      reviewerId: demoProfiles.parent.id,
      revieweeId: demoProfiles.tutor.id,
      rating: 5,
      comment: "Clear explanations, thank you.",
    },
  ]);
});

test("assignment: the parent chooses their child as the attendee with the keyboard alone", async ({ page }) => {
  const booking = await createDemoBooking({ studentId: null, sessionStartTime: new Date(Date.now() + 2 * HOUR) });
  await signInByKeyboard(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  const who = page.getByLabel("Who attends", { exact: true });
  await tabTo(page, who);
  await page.keyboard.type(demoProfiles.child.fullName);
  await expect(who).toHaveValue(demoProfiles.child.id);
  await tabTo(page, page.getByRole("button", { name: "Save who attends" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("definition").filter({ hasText: demoProfiles.child.fullName })).toBeVisible();

  const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
  expect(row.studentId).toBe(demoProfiles.child.id);
});

// Proof of value, manual: the tutor uploads a whiteboard snapshot and leaves a review,
// and the parent sees both with the lesson. Runs with JavaScript on and off.
//
// The Recent Sessions widget's forms post to /bookings/:id/snapshot/upload and link to
// /bookings/:id/review; until the widget is wired into the dashboard these tests drive those two
// pages directly (the widget itself is covered in tests/integration/artifacts-recent-sessions.test.ts).
import { expect, test, type Page } from "@playwright/test";
import { createDemoBooking, db, demoProfiles, signInAs } from "./fixtures.ts";
import { makePng, SVG_WITH_SCRIPT } from "../integration/artifacts-images.ts";

const HOUR = 60 * 60_000;
const PNG = makePng(240, 160);

function finishedLesson() {
  return createDemoBooking({ sessionStartTime: new Date(Date.now() - 3 * HOUR), status: "Completed" });
}

async function imageLoaded(page: Page, selector: string) {
  return page
    .locator(selector)
    .first()
    .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);
}

test("the tutor uploads a PNG and leaves a review; the parent sees both on the lesson", async ({ page, browser }) => {
  const booking = await finishedLesson();

  await signInAs(page, demoProfiles.tutor.email, `/bookings/${booking.id}/snapshot/upload`);
  await expect(page.getByRole("heading", { name: "How was your session with Charlie Brown?" })).toBeVisible();
  await page
    .getByLabel("Whiteboard snapshot")
    .setInputFiles({ name: "whiteboard.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload Whiteboard Snapshot" }).click();
  await expect(page.getByRole("status")).toContainText("Snapshot uploaded.");
  await expect.poll(() => imageLoaded(page, `img[src="/bookings/${booking.id}/snapshot"]`)).toBe(true);

  await page.goto(`/bookings/${booking.id}/review`);
  await page.getByLabel("Rating").selectOption("5");
  await page.getByLabel("Comment (optional)").fill("Charlie cracked simultaneous equations today.");
  await page.getByRole("button", { name: "Save review" }).click();
  await expect(page.getByRole("status")).toContainText("your review is saved");
  await expect(page.getByRole("button", { name: "Update review" })).toBeVisible();

  const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id }, include: { reviews: true } });
  expect((row.sessionArtifacts as Record<string, string>).whiteboard_snapshot_path).toMatch(
    new RegExp(`^${booking.id}/[0-9a-f-]{36}\\.png$`),
  );
  expect(row.reviews).toMatchObject([
    { reviewerId: demoProfiles.tutor.id, revieweeId: demoProfiles.child.id, rating: 5 },
  ]);

  // The parent's lesson record: the snapshot (served by our route) and the tutor's review.
  const parentContext = await browser.newContext();
  const parent = await parentContext.newPage();
  await signInAs(parent, demoProfiles.parent.email, `/bookings/${booking.id}`);
  const thumbnail = `img[src="/bookings/${booking.id}/snapshot"]`;
  await expect(parent.locator(thumbnail)).toBeVisible();
  await expect.poll(() => imageLoaded(parent, thumbnail)).toBe(true);
  await expect(parent.getByText("Charlie cracked simultaneous equations today.")).toBeVisible();
  const image = await parent.request.get(`/bookings/${booking.id}/snapshot`);
  expect(image.status()).toBe(200);
  expect(image.headers()["content-type"]).toBe("image/png");
  expect(image.headers()["x-content-type-options"]).toBe("nosniff");
  expect(Buffer.from(await image.body()).equals(PNG)).toBe(true);
  // Following the thumbnail's link opens the full image in the browser (inline, not a download).
  await parent.locator(thumbnail).click();
  await expect(parent).toHaveURL(new RegExp(`/bookings/${booking.id}/snapshot$`));
  await expect.poll(() => parent.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
  await parentContext.close();
});

test("an SVG with a script is refused with a message and the lesson keeps no snapshot", async ({ page }) => {
  const booking = await finishedLesson();
  await signInAs(page, demoProfiles.tutor.email, `/bookings/${booking.id}/snapshot/upload`);
  await page
    .getByLabel("Whiteboard snapshot")
    .setInputFiles({ name: "whiteboard.png", mimeType: "image/png", buffer: SVG_WITH_SCRIPT });
  await page.getByRole("button", { name: "Upload Whiteboard Snapshot" }).click();
  await expect(page.getByRole("alert")).toHaveText(/not a PNG, JPEG or WebP image/);
  await expect(page.getByLabel("Whiteboard snapshot")).toBeVisible();
  const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
  expect(row.sessionArtifacts).toEqual({});
});

test("a photo over 10 MB is refused with a message the browser can show", async ({ page }) => {
  const booking = await finishedLesson();
  await signInAs(page, demoProfiles.tutor.email, `/bookings/${booking.id}/snapshot/upload`);
  const big = Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]);
  await page.getByLabel("Whiteboard snapshot").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: big });
  await page.getByRole("button", { name: "Upload Whiteboard Snapshot" }).click();
  await expect(page.getByRole("alert")).toHaveText(/larger than 10 MB/);
  const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
  expect(row.sessionArtifacts).toEqual({});
});

test("the parent cannot upload a snapshot for the tutor", async ({ page }) => {
  const booking = await finishedLesson();
  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}/snapshot/upload`);
  await expect(page.getByRole("alert")).toHaveText("Only the lesson's tutor can upload a whiteboard snapshot.");
  await expect(page.getByLabel("Whiteboard snapshot")).toHaveCount(0);
});

test("from Recent Sessions on the dashboard the tutor uploads and reviews, and the lesson then asks only for its note", async ({
  page,
}) => {
  const booking = await finishedLesson();
  await signInAs(page, demoProfiles.tutor.email, "/");
  const widget = page.getByRole("region", { name: "Recent Sessions" });
  const card = widget.getByRole("article").filter({ hasText: booking.serviceName });
  await expect(card.getByRole("heading", { name: "How was your session with Charlie Brown?" })).toBeVisible();

  await card
    .getByLabel("Whiteboard snapshot")
    .setInputFiles({ name: "board.jpg.exe", mimeType: "application/octet-stream", buffer: PNG });
  await card.getByRole("button", { name: "Upload Whiteboard Snapshot" }).click();

  // The form returns to the dashboard, where the same card now only asks for the review.
  await expect(page).toHaveURL(/\/$/);
  const sameCard = page
    .getByRole("region", { name: "Recent Sessions" })
    .getByRole("article")
    .filter({ hasText: booking.serviceName });
  await expect(sameCard.getByText("Whiteboard snapshot uploaded.")).toBeVisible();
  await sameCard.getByRole("link", { name: "Leave Review" }).click();
  // With JavaScript the same form opens in a <dialog>; without, the link opens the review page.
  const withJavaScript = test.info().project.name === "js";
  const form = withJavaScript ? page.locator("dialog[open]") : page.locator("main");
  if (withJavaScript) await expect(form).toBeVisible();
  else await expect(page).toHaveURL(new RegExp(`/bookings/${booking.id}/review`));
  await form.getByLabel("Rating").selectOption("4");
  await form.getByRole("button", { name: "Save review" }).click();

  // Back on the dashboard, the lesson asks for nothing but the lesson note (it leaves the widget
  // once the note is published: tests/integration/artifacts-recent-sessions.test.ts).
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Your lessons" })).toBeVisible();
  const lastCard = page
    .getByRole("region", { name: "Recent Sessions" })
    .getByRole("article")
    .filter({ hasText: booking.serviceName });
  await expect(lastCard.getByRole("link", { name: "Write the lesson note" })).toBeVisible();
  await expect(lastCard.getByRole("link", { name: "Leave Review" })).toHaveCount(0);
  await expect(lastCard.getByLabel("Whiteboard snapshot")).toHaveCount(0);
  const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id }, include: { reviews: true } });
  expect((row.sessionArtifacts as Record<string, string>).whiteboard_snapshot_path).toMatch(/\.png$/);
  expect(row.reviews).toMatchObject([{ reviewerId: demoProfiles.tutor.id, rating: 4 }]);
});

// Join Lesson end to end, with JavaScript on and off: the card's plain form opens our branded
// classroom page in a new tab, with the Lessonspace stand-in's classroom framed inside it.
import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from "@playwright/test";
import { createDemoBooking, db, DEMO_PASSWORD, demoProfiles, signInAs } from "./fixtures.ts";

/** Another person at another computer: a context of their own, with this project's JavaScript setting. */
async function newPerson(browser: Browser, testInfo: TestInfo): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
  });
}

/** Presses Join Lesson inside the dashboard card of this lesson and returns the tab it opens. */
async function joinFromCard(page: Page, serviceName: string): Promise<Page> {
  await page.goto("/");
  const card = page.getByRole("article", { name: serviceName });
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    card.getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  await tab.waitForLoadState();
  return tab;
}

/** Script errors and console errors (hydration mismatches, CSP refusals) in any tab of this context. */
function collectErrors(context: BrowserContext): string[] {
  const errors: string[] = [];
  context.on("weberror", (error) => errors.push(error.error().message));
  context.on("console", (message) => {
    if (message.type() === "error") errors.push(`${message.text()} (${message.location().url})`);
  });
  return errors;
}

function classroomFrame(tab: Page) {
  return tab.frameLocator("iframe.classroom-frame");
}

test("the parent joins as their child in a new branded tab, and the tutor joins the same room as leader", async ({
  page,
  browser,
}, testInfo) => {
  const booking = await createDemoBooking({ sessionStartTime: new Date(Date.now() - 5 * 60_000), sessionDuration: 60 });
  const { parent, tutor, child } = demoProfiles;
  const errors = collectErrors(page.context());

  await signInAs(page, parent.email);
  const parentTab = await joinFromCard(page, booking.serviceName);
  await expect(parentTab).toHaveURL(new RegExp(`/bookings/${booking.id}/classroom$`));
  await expect(parentTab.getByRole("heading", { name: `${booking.serviceName} with ${tutor.fullName}` })).toBeVisible();
  await expect(parentTab.getByText(`You are ${child.fullName}`)).toBeVisible();
  await expect(parentTab.getByRole("timer")).toHaveText(/min left/);
  await expect(parentTab.getByRole("link", { name: "Open the classroom on its own" })).toHaveAttribute(
    "href",
    /\/room\//,
  );
  await expect(parentTab.getByRole("link", { name: "Back to your lessons" })).toHaveAttribute("href", "/");
  const frame = parentTab.locator("iframe.classroom-frame");
  await expect(frame).toHaveAttribute("allow", "camera; microphone; display-capture; fullscreen; autoplay");
  await expect(classroomFrame(parentTab).locator("#me")).toContainText(child.fullName);
  await expect(classroomFrame(parentTab).locator("#me")).toContainText("Participant");

  const stored = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
  expect(stored.meetingProviderId).not.toBeNull();
  expect(stored.meetingUrl).toMatch(new RegExp(`/bookings/${booking.id}$`));

  const tutorContext = await newPerson(browser, testInfo);
  try {
    const tutorPage = await tutorContext.newPage();
    await signInAs(tutorPage, tutor.email);
    const tutorTab = await joinFromCard(tutorPage, booking.serviceName);
    await expect(tutorTab.getByText(`You are ${tutor.fullName} (leading)`)).toBeVisible();
    const tutorRoom = classroomFrame(tutorTab);
    await expect(tutorRoom.locator("#me")).toContainText(tutor.fullName);
    await expect(tutorRoom.locator("#me")).toContainText("Leader");
    await expect(tutorRoom.locator("#others")).toContainText(child.fullName);
    // Same room: the frames point at one room id.
    const roomOf = async (tab: Page) =>
      new URL((await tab.locator("iframe.classroom-frame").getAttribute("src"))!).pathname;
    expect(await roomOf(tutorTab)).toBe(await roomOf(parentTab));
    expect(await roomOf(tutorTab)).toBe(`/room/${stored.meetingProviderId}`);
    expect(errors).toEqual([]);
  } finally {
    await tutorContext.close();
  }
});

test("reloading the classroom tab keeps you in the lesson without re-sending a form", async ({ page }) => {
  const booking = await createDemoBooking({ studentId: null, sessionStartTime: new Date(Date.now() - 2 * 60_000) });
  await signInAs(page, demoProfiles.parent.email);
  const tab = await joinFromCard(page, booking.serviceName);
  await expect(classroomFrame(tab).locator("#me")).toContainText(demoProfiles.parent.fullName);
  const response = await tab.reload();
  expect(response?.status()).toBe(200);
  expect(response?.request().method()).toBe("GET");
  await expect(tab.getByText(`You are ${demoProfiles.parent.fullName}`)).toBeVisible();
  await expect(classroomFrame(tab).locator("#me")).toContainText(demoProfiles.parent.fullName);
});

test("a lesson cancelled while the dashboard was open shows a readable 409 page in the new tab", async ({ page }) => {
  const booking = await createDemoBooking();
  const errors = collectErrors(page.context());
  await signInAs(page, demoProfiles.parent.email);
  await page.goto("/");
  await db().booking.update({ where: { id: booking.id }, data: { status: "Cancelled" } });
  const launched = page
    .context()
    .waitForEvent("response", (response) => response.url().endsWith(`/api/bookings/${booking.id}/launch`));
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.getByRole("article", { name: booking.serviceName }).getByRole("button", { name: "Join Lesson" }).click(),
  ]);
  expect((await launched).status()).toBe(409);
  await expect(tab.getByRole("heading", { name: "This lesson was cancelled" })).toBeVisible();
  await expect(tab.getByText("There is no classroom for it.")).toBeVisible();
  await tab.getByRole("link", { name: "Back to your lessons" }).click();
  await expect(tab.getByRole("heading", { name: "Your lessons" })).toBeVisible();
  const stored = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
  expect(stored.meetingProviderId).toBeNull();
  // The browser logs a failed status on its own; anything else would be ours.
  expect(errors.filter((line) => !line.includes("409"))).toEqual([]);
});

test("a signed-out visit to the classroom goes through sign-in and back into the classroom", async ({ page }) => {
  const booking = await createDemoBooking({ clientId: demoProfiles.adult.id, studentId: null });
  await page.goto(`/bookings/${booking.id}/classroom`);
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=/);
  await page.getByLabel("Email").fill(demoProfiles.adult.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/bookings/${booking.id}/classroom$`));
  await expect(classroomFrame(page).locator("#me")).toContainText(demoProfiles.adult.fullName);
});

test("the launch address answers JSON to a script and sends a browser visit to the lesson's page", async ({ page }) => {
  const booking = await createDemoBooking({ clientId: demoProfiles.adult.id, studentId: null });
  await signInAs(page, demoProfiles.adult.email);
  const response = await page.request.post(`/api/bookings/${booking.id}/launch`, {
    headers: { Accept: "application/json" },
  });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/json");
  const body = (await response.json()) as { url: string };
  expect(Object.keys(body)).toEqual(["url"]);
  expect(body.url).toMatch(/\/room\/[0-9a-f-]+\?token=/);

  const visit = await page.request.get(`/api/bookings/${booking.id}/launch`, { maxRedirects: 0 });
  expect(visit.status()).toBe(303);
  expect(visit.headers()["location"]).toBe(`/bookings/${booking.id}`);
});

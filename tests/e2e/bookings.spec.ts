// Booking cards, details, assignment and time zones, with JavaScript on and off. The database is
// shared with other specs: every test makes its own bookings (and, where it changes a profile,
// its own people) and only looks inside its own cards.
import { randomUUID } from "node:crypto";
import { createClient } from "@supabase/supabase-js";
import { expect, test, type Page } from "@playwright/test";
import WebSocket from "ws";
import { createDemoBooking, db, DEMO_PASSWORD, demoProfiles, signInAs } from "./fixtures.ts";

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

function wallClock(date: Date, timeZone: string) {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    date,
  );
}

function card(page: Page, serviceName: string) {
  return page.getByRole("article", { name: serviceName });
}

function whoAttends(page: Page) {
  return page.getByRole("combobox", { name: "Who attends", exact: true });
}

/** A person of this test's own (Auth user and profile), so changing their settings touches nobody else. */
async function createPerson(fullName: string) {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  }).auth.admin;
  const email = `e2e-${randomUUID()}@example.com`;
  const { data, error } = await admin.createUser({ email, password: DEMO_PASSWORD, email_confirm: true });
  if (error || !data.user) throw new Error(`Could not create ${email}: ${error?.message}`);
  const profile = await db().profile.create({
    data: { id: data.user.id, email, fullName, roles: ["client"], timeZone: "Europe/London" },
  });
  return { ...profile, email };
}

test("a parent sees upcoming, ready, completed and cancelled cards, with times in their zone", async ({ page }) => {
  // A parent of this test's own: the dashboard shows the next and last ten lessons (docs/decisions/0030-bounded-dashboard-and-keyset-history.md), and
  // the demo family's fill up as other specs run, so the demo parent's would push these out.
  const parent = await createPerson("Pat Own");
  const createOwn = (overrides: Parameters<typeof createDemoBooking>[0]) =>
    createDemoBooking({ clientId: parent.id, ...overrides });
  const tag = randomUUID().slice(0, 8);
  const upcomingStart = minutes(3 * 60);
  await createOwn({ serviceName: `Upcoming ${tag}`, sessionStartTime: upcomingStart });
  const ready = await createOwn({ serviceName: `Ready ${tag}`, sessionStartTime: minutes(5), studentId: null });
  const completed = await createOwn({
    serviceName: `Completed ${tag}`,
    sessionStartTime: minutes(-26 * 60),
    status: "Completed",
  });
  await db().booking.update({
    where: { id: completed.id },
    data: { recordingUrl: "https://lessonspace.example/playback/", durationActual: 55 * 60 },
  });
  const unrecorded = await createOwn({
    serviceName: `Unrecorded ${tag}`,
    sessionStartTime: minutes(-50 * 60),
    status: "Completed",
  });
  await createOwn({ serviceName: `Cancelled ${tag}`, sessionStartTime: minutes(24 * 60), status: "Cancelled" });
  const { timeZone } = parent;

  // With JavaScript, hydration must not complain (server and browser render the same text).
  const browserErrors: string[] = [];
  page.on("console", (message) => {
    // Network noise (a missing favicon) is not what this is about.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      browserErrors.push(message.text());
  });
  page.on("pageerror", (error) => browserErrors.push(error.message));

  await signInAs(page, parent.email);
  await expect(page.getByText(`Times are in ${timeZone}`)).toBeVisible();

  const upcomingCard = card(page, `Upcoming ${tag}`);
  await expect(upcomingCard).toContainText(`Scheduled for`);
  await expect(upcomingCard).toContainText(wallClock(upcomingStart, timeZone));
  await expect(
    upcomingCard.getByRole("button", {
      name: `Join opens at ${wallClock(new Date(upcomingStart.getTime() - 15 * 60_000), timeZone)}`,
    }),
  ).toBeDisabled();
  await expect(upcomingCard).toContainText("Charlie Brown");
  await expect(upcomingCard).toContainText("Tara Singh");

  const readyCard = card(page, `Ready ${tag}`);
  const join = readyCard.getByRole("button", { name: "Join Lesson" });
  await expect(join).toBeEnabled();
  const joinForm = readyCard.locator("form").filter({ has: page.getByRole("button", { name: "Join Lesson" }) });
  await expect(joinForm).toHaveAttribute("action", `/api/bookings/${ready.id}/launch`);
  await expect(joinForm).toHaveAttribute("method", "post");
  await expect(joinForm).toHaveAttribute("target", "_blank");
  await expect(readyCard).toContainText("Pat Own (adult learner)");

  const completedCard = card(page, `Completed ${tag}`);
  await expect(completedCard.getByRole("link", { name: "View Recording" })).toHaveAttribute(
    "href",
    `/bookings/${completed.id}/recording`,
  );
  await expect(completedCard).toContainText("1 h planned, 55 min in the classroom");
  await expect(card(page, `Unrecorded ${tag}`)).toContainText("No recording");
  await expect(card(page, `Cancelled ${tag}`)).toContainText("This lesson was cancelled.");
  await expect(card(page, `Cancelled ${tag}`).getByRole("button")).toHaveCount(0);

  // Ready cards come before upcoming ones, and upcoming before recent; a lesson cancelled for
  // tomorrow is still placed by its time, under Upcoming.
  const order = await page
    .getByRole("article")
    .evaluateAll((articles) => articles.map((a) => a.querySelector("h3")?.textContent ?? ""));
  const position = (name: string) => order.indexOf(name);
  expect(position(`Ready ${tag}`)).toBeLessThan(position(`Upcoming ${tag}`));
  expect(position(`Upcoming ${tag}`)).toBeLessThan(position(`Cancelled ${tag}`));
  expect(position(`Cancelled ${tag}`)).toBeLessThan(position(`Completed ${tag}`));
  await expect(
    page.getByRole("region", { name: "Upcoming", exact: true }).getByRole("article", { name: `Cancelled ${tag}` }),
  ).toBeVisible();
  expect(position(`Completed ${tag}`)).toBeLessThan(position(`Unrecorded ${tag}`));

  await card(page, `Unrecorded ${tag}`).getByRole("link", { name: "Lesson details" }).click();
  await expect(page).toHaveURL(`/bookings/${unrecorded.id}`);
  await expect(page.getByRole("heading", { level: 1, name: `Unrecorded ${tag}` })).toBeVisible();
  await expect(page.getByText("Nobody joined the classroom for this lesson.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Leave a review" })).toHaveAttribute(
    "href",
    `/bookings/${unrecorded.id}/review`,
  );
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: `Unrecorded ${tag}` })).toBeVisible();
  expect(browserErrors).toEqual([]);
});

test("a parent assigns their child; the card names the child, and the child sees the lesson", async ({ page }) => {
  const serviceName = `Assign ${randomUUID().slice(0, 8)}`;
  // Soon (ready or nearly): the dashboard shows every ready lesson but only the next ten upcoming,
  // and other specs add many upcoming lessons to the demo family.
  await createDemoBooking({ serviceName, sessionStartTime: minutes(30), studentId: null });

  await signInAs(page, demoProfiles.parent.email);
  await expect(card(page, serviceName)).toContainText("Paula Brown (adult learner)");
  await card(page, serviceName).getByRole("link", { name: "Choose who attends" }).click();
  await expect(page.getByRole("heading", { name: `Who attends ${serviceName}` })).toBeVisible();
  // Only the parent's active wards are offered: Charlie, not the other family's Sam.
  await expect(whoAttends(page).locator("option")).toHaveText([
    "Paula Brown (adult learner, no student)",
    "Charlie Brown",
  ]);
  await whoAttends(page).selectOption({ label: "Charlie Brown" });
  await page.getByRole("button", { name: "Save who attends" }).click();

  await expect(page).toHaveURL("/");
  await expect(card(page, serviceName)).toContainText("Charlie Brown");
  await expect(card(page, serviceName)).not.toContainText("adult learner");

  await page.getByRole("button", { name: "Sign out" }).click();
  await signInAs(page, demoProfiles.child.email);
  await expect(card(page, serviceName)).toContainText("Charlie Brown");
  await expect(card(page, serviceName).getByRole("link", { name: "Choose who attends" })).toHaveCount(0);
});

test("the details page's own form changes who attends, and a refusal is explained with the booking unchanged", async ({
  page,
  javaScriptEnabled,
}) => {
  // The whole route manifest comes with the app's code (react-router.config.ts, routeDiscovery
  // "initial"): the page's form to another route (/student) sends no /__manifest request.
  const discoveries: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/__manifest") discoveries.push(request.url());
  });
  const serviceName = `Details assign ${randomUUID().slice(0, 8)}`;
  const booking = await createDemoBooking({ serviceName, sessionStartTime: minutes(90), studentId: null });

  await signInAs(page, demoProfiles.parent.email, `/bookings/${booking.id}`);
  await whoAttends(page).selectOption({ label: "Charlie Brown" });
  // Meanwhile the lesson is cancelled: the server re-checks and refuses.
  await db().booking.update({ where: { id: booking.id }, data: { status: "Cancelled" } });
  await page.getByRole("button", { name: "Save who attends" }).click();
  await expect(page.getByText("This lesson was cancelled.").first()).toBeVisible();
  expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).studentId).toBeNull();

  await db().booking.update({ where: { id: booking.id }, data: { status: "Confirmed" } });
  await page.goto(`/bookings/${booking.id}`);
  await whoAttends(page).selectOption({ label: "Charlie Brown" });
  await page.getByRole("button", { name: "Save who attends" }).click();
  await expect(page).toHaveURL(`/bookings/${booking.id}`);
  await expect(page.getByRole("definition").filter({ hasText: "Charlie Brown" })).toBeVisible();
  if (javaScriptEnabled) expect(discoveries).toEqual([]);
});

test("changing the time zone changes the times shown", async ({ page }) => {
  const person = await createPerson("Zoe Traveller");
  const serviceName = `Zone ${randomUUID().slice(0, 8)}`;
  const start = minutes(4 * 60);
  await createDemoBooking({ serviceName, clientId: person.id, studentId: null, sessionStartTime: start });

  await signInAs(page, person.email);
  await expect(card(page, serviceName)).toContainText(`Scheduled for`);
  await expect(card(page, serviceName)).toContainText(wallClock(start, "Europe/London"));

  await page.getByRole("link", { name: /Time zone: Europe\/London/ }).click();
  await expect(page.getByRole("heading", { name: "Your time zone" })).toBeVisible();
  await page.getByRole("combobox", { name: "Time zone" }).selectOption("Asia/Tokyo");
  await page.getByRole("button", { name: "Save time zone" }).click();

  await expect(page).toHaveURL("/");
  await expect(page.getByText("Times are in Asia/Tokyo")).toBeVisible();
  await expect(card(page, serviceName)).toContainText(wallClock(start, "Asia/Tokyo"));
  expect((await db().profile.findUniqueOrThrow({ where: { id: person.id } })).timeZone).toBe("Asia/Tokyo");
});

test("a card turns ready at the opening by itself", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const serviceName = `Edge ${randomUUID().slice(0, 8)}`;
  // The room opens 15 minutes before the start: here, twenty seconds from now.
  const opensAt = Date.now() + 20_000;
  await createDemoBooking({ serviceName, sessionStartTime: new Date(opensAt + 15 * 60_000) });
  await signInAs(page, demoProfiles.parent.email);
  await expect(card(page, serviceName).getByRole("button", { name: /Join opens at/ })).toBeDisabled();
  const javaScript = testInfo.project.name === "js";
  // With JavaScript the page revalidates in place (no reload); without, a meta refresh reloads it.
  if (javaScript) await page.evaluate(() => ((window as { stillHere?: boolean }).stillHere = true));
  await expect(card(page, serviceName).getByRole("button", { name: "Join Lesson" })).toBeEnabled({ timeout: 45_000 });
  // Not before the edge: the server decided, at or after the opening.
  expect(Date.now()).toBeGreaterThanOrEqual(opensAt);
  if (javaScript) expect(await page.evaluate(() => (window as { stillHere?: boolean }).stillHere)).toBe(true);
});

test("a stranger opening another family's booking gets the 404 page", async ({ page }) => {
  const booking = await createDemoBooking({ serviceName: `Private ${randomUUID().slice(0, 8)}` });
  await signInAs(page, demoProfiles.otherParent.email);
  for (const path of [`/bookings/${booking.id}`, `/bookings/${booking.id}/student`, "/bookings/not-a-booking"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByText(booking.serviceName)).toHaveCount(0);
  }
});

// All your lessons (/lessons), with JavaScript on and off: a tutor with 60 past lessons goes from
// the dashboard's bounded Recent section to the full history and pages through it with Older and
// Newer, filters it with the GET form, and a broken link gets a clear page. The tutor and their
// learners are this test's own, so the shared demo accounts' dashboards are untouched.
import { randomUUID } from "node:crypto";
import { createClient } from "@supabase/supabase-js";
import { expect, test, type Page } from "@playwright/test";
import WebSocket from "ws";
import { db, DEMO_PASSWORD, signInAs } from "./fixtures.ts";

const HOUR = 60 * 60_000;

// Sixty lessons and a dozen page loads: more than the default 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

/** A tutor with an Auth user, two learners (profiles only: they never sign in) and 60 past lessons, one a day. */
async function tutorWithHistory() {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  }).auth.admin;
  const email = `e2e-history-${randomUUID()}@example.com`;
  const { data, error } = await admin.createUser({ email, password: DEMO_PASSWORD, email_confirm: true });
  if (error || !data.user) throw new Error(`Could not create ${email}: ${error?.message}`);
  const tutor = await db().profile.create({
    data: { id: data.user.id, email, fullName: "History Tutor", roles: ["tutor"], timeZone: "Europe/London" },
  });
  const [ada, ben] = await Promise.all(
    ["Ada Learner", "Ben Learner"].map((fullName) =>
      db().profile.create({
        data: { id: randomUUID(), email: `${randomUUID()}@example.com`, fullName, roles: ["client"] },
      }),
    ),
  );
  const now = Date.now();
  // Lesson 1 is yesterday, lesson 60 two months ago; every seventh was cancelled.
  const lessons = Array.from({ length: 60 }, (_, i) => ({
    clientId: i % 2 === 0 ? ada!.id : ben!.id,
    tutorId: tutor.id,
    serviceName: `Past lesson ${String(i + 1).padStart(2, "0")}`,
    sessionStartTime: new Date(now - (i + 1) * 24 * HOUR),
    sessionDuration: 60,
    status: (i % 7 === 6 ? "Cancelled" : "Completed") as "Cancelled" | "Completed",
  }));
  await db().booking.createMany({ data: lessons });
  return { tutor: { ...tutor, email }, lessons };
}

const titles = (page: Page) =>
  page
    .getByRole("region", { name: /lessons/ })
    .getByRole("article")
    .locator("h3")
    .allTextContents();
const expected = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `Past lesson ${String(from + i).padStart(2, "0")}`);

test("a tutor with 60 past lessons pages through them with Older and Newer, and filters them", async ({ page }) => {
  const { tutor, lessons } = await tutorWithHistory();
  await signInAs(page, tutor.email);

  // The dashboard shows the last 10 and links to the rest.
  const recent = page.getByRole("region", { name: "Recent", exact: true });
  await expect(recent.getByRole("article")).toHaveCount(10);
  await expect(recent.getByRole("article").first()).toContainText("Past lesson 01");
  await recent.getByRole("link", { name: "All past lessons" }).click();

  await expect(page).toHaveURL(/\/lessons\?when=past$/);
  await expect(page.getByRole("heading", { level: 1, name: "All your lessons" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "60 lessons match" })).toBeVisible();
  expect(await titles(page)).toEqual(expected(1, 20));
  const pager = page.getByRole("navigation", { name: "Pages of lessons" });
  await expect(pager.getByRole("link", { name: /Newer lessons/ })).toHaveCount(0);

  await pager.getByRole("link", { name: /Older lessons/ }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect.poll(() => titles(page)).toEqual(expected(21, 40));
  await pager.getByRole("link", { name: /Older lessons/ }).click();
  await expect.poll(() => titles(page)).toEqual(expected(41, 60));
  await expect(pager.getByRole("link", { name: /Older lessons/ })).toHaveCount(0);

  await pager.getByRole("link", { name: /Newer lessons/ }).click();
  await expect.poll(() => titles(page)).toEqual(expected(21, 40));
  await pager.getByRole("link", { name: /Newest lessons/ }).click();
  await expect.poll(() => titles(page)).toEqual(expected(1, 20));

  // Filters are a plain GET form: cancelled lessons of one month.
  const cancelled = lessons.filter((lesson) => lesson.status === "Cancelled");
  await page.getByLabel("Status").selectOption("Cancelled");
  await page.getByRole("button", { name: "Show lessons" }).click();
  await expect(page.getByRole("heading", { level: 2, name: `${cancelled.length} lessons match` })).toBeVisible();
  await expect(page).toHaveURL(/status=Cancelled/);
  expect(await titles(page)).toEqual(cancelled.map((lesson) => lesson.serviceName));
  await expect(
    page
      .getByRole("region", { name: /lessons/ })
      .getByRole("article")
      .first(),
  ).toContainText("Cancelled");

  // A date range typed the wrong way round: the page says so, with the form to fix it.
  await page.getByLabel("From").fill("2026-11-30");
  await page.getByLabel("To").fill("2026-11-01");
  await page.getByRole("button", { name: "Show lessons" }).click();
  await expect(page.getByRole("alert")).toContainText("The “from” date is after the “to” date.");
  await expect(page.getByRole("region", { name: /lessons/ })).toHaveCount(0);
});

test("a broken page link gets a clear 400 page, not an error", async ({ page }) => {
  const { tutor } = await tutorWithHistory();
  await signInAs(page, tutor.email);
  const response = await page.goto("/lessons?cursor=not-a-real-cursor&size=lots");
  expect(response?.status()).toBe(400);
  await expect(page.getByRole("alert")).toContainText("This page link is broken or out of date.");
  await expect(page.getByRole("alert")).toContainText("page size");
  await page.getByRole("link", { name: "Start again with every lesson" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "60 lessons" })).toBeVisible();
});

// E-mail notification settings and the unsubscribe link, with JavaScript on and off. Each test
// makes its own person, so changing their choices touches nobody else in the shared database.
import { expect, test, type Page } from "@playwright/test";
import { signUnsubscribeToken } from "../../app/.server/notifications/unsubscribe-token.ts";
import type { NotificationKind } from "../../app/domain/notification-kinds.ts";
import { createPerson, db, DEMO_PASSWORD, signInAs } from "./fixtures.ts";

async function choicesOf(profileId: string) {
  const rows = await db().notificationPreference.findMany({ where: { profileId }, orderBy: { kind: "asc" } });
  return Object.fromEntries(rows.map((row) => [row.kind, row.enabled]));
}

const unsubscribeLink = (profileId: string, kind: NotificationKind) =>
  `/unsubscribe?token=${encodeURIComponent(signUnsubscribeToken({ profileId, kind }, process.env.MAIL_SIGNING_SECRET!))}`;

const box = (page: Page, name: string) => page.getByRole("checkbox", { name });

test("a parent switches off the day-before reminder from the header's E-mails link, and the page remembers", async ({
  page,
}) => {
  const parent = await createPerson("Nina Notify", ["client"]);
  await signInAs(page, parent.email);
  await page.getByRole("link", { name: "E-mails" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "E-mail notifications" })).toBeVisible();
  const group = page.getByRole("group", { name: "Send me these e-mails" });
  await expect(group.getByRole("checkbox")).toHaveCount(6);
  await expect(box(page, "Review prompt (tutors)")).toHaveCount(0);
  for (const name of [
    "Reminder the day before",
    "Classroom is open",
    "Lesson record",
    "Weekly digest",
    "Tutor running late",
  ])
    await expect(box(page, name)).toBeChecked();

  await box(page, "Reminder the day before").uncheck();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your choices are saved.");
  await expect(box(page, "Reminder the day before")).not.toBeChecked();
  await expect(box(page, "Classroom is open")).toBeChecked();
  expect(await choicesOf(parent.id)).toEqual({
    learner_late: true,
    lesson_record: true,
    reminder_classroom_open: true,
    reminder_day_before: false,
    tutor_reminded: true,
    weekly_digest: true,
  });

  await page.reload();
  await expect(box(page, "Reminder the day before")).not.toBeChecked();
});

test("a tutor can switch off the review prompt", async ({ page }) => {
  const tutor = await createPerson("Tobias Teach", ["tutor"]);
  await signInAs(page, tutor.email, "/settings/notifications");
  await box(page, "Review prompt (tutors)").uncheck();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your choices are saved.");
  expect((await choicesOf(tutor.id)).review_prompt).toBe(false);
});

test("an unsubscribe link, opened signed in, asks first; the button applies and lands on the settings page saying so", async ({
  page,
}) => {
  const parent = await createPerson("Ursula Unsub", ["client"]);
  await signInAs(page, parent.email);
  await page.goto(unsubscribeLink(parent.id, "lesson_record"));
  await expect(
    page.getByRole("heading", { level: 1, name: "Unsubscribe from “Lesson record” e-mails?" }),
  ).toBeVisible();
  expect(await choicesOf(parent.id)).toEqual({});
  await page.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(page).toHaveURL(/\/settings\/notifications\?unsubscribed=lesson_record$/);
  await expect(page.getByRole("status")).toContainText("you will no longer get “Lesson record” e-mails");
  await expect(box(page, "Lesson record")).not.toBeChecked();
  await expect(box(page, "Reminder the day before")).toBeChecked();
  expect(await choicesOf(parent.id)).toEqual({ lesson_record: false });

  // Switching it back on is one tick away.
  await box(page, "Lesson record").check();
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your choices are saved.");
  expect((await choicesOf(parent.id)).lesson_record).toBe(true);
});

test("an unsubscribe link, opened signed out, asks first; the button applies and offers sign-in to manage the rest; a broken one changes nothing", async ({
  page,
}) => {
  const parent = await createPerson("Quentin Quiet", ["client"]);
  await page.goto(unsubscribeLink(parent.id, "reminder_classroom_open"));
  await expect(page.getByText("Quentin")).toHaveCount(0);
  expect(await choicesOf(parent.id)).toEqual({});
  await page.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "You are unsubscribed" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("You will no longer get “Classroom is open” e-mails.");
  await expect(page.getByText("Quentin")).toHaveCount(0);
  expect(await choicesOf(parent.id)).toEqual({ reminder_classroom_open: false });

  await page.getByRole("link", { name: "Sign in to choose which e-mails you get" }).click();
  await page.getByLabel("Email").fill(parent.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/notifications$/);
  await expect(box(page, "Classroom is open")).not.toBeChecked();

  const broken = await page.goto(`${unsubscribeLink(parent.id, "lesson_record").slice(0, -4)}`);
  expect(broken?.status()).toBe(400);
  await expect(page.getByRole("heading", { level: 1, name: "This unsubscribe link does not work" })).toBeVisible();
  expect(await choicesOf(parent.id)).toEqual({ reminder_classroom_open: false });
});

test("a mail provider's one-click POST (no cookies, no Origin) answers 200 and applies", async ({
  playwright,
  baseURL,
}) => {
  const parent = await createPerson("Olga OneClick", ["client"]);
  const provider = await playwright.request.newContext({ baseURL });
  try {
    for (let i = 0; i < 2; i++) {
      const answer = await provider.post(unsubscribeLink(parent.id, "reminder_day_before"), {
        form: { "List-Unsubscribe": "One-Click" },
        maxRedirects: 0,
      });
      expect(answer.status()).toBe(200);
    }
    expect(await choicesOf(parent.id)).toEqual({ reminder_day_before: false });
    const forged = await provider.post("/settings/notifications", {
      form: { enabled: "lesson_record" },
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
  } finally {
    await provider.dispose();
  }
});

import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, demoProfiles } from "../../prisma/seed.ts";

test("a signed-out visit goes to sign-in and comes back after", async ({ page }) => {
  await page.goto("/?from=email");
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2F%3Ffrom%3Demail$/);
  await page.getByLabel("Email").fill(demoProfiles.parent.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/\?from=email$/);
  await expect(page.getByRole("heading", { name: "Your lessons" })).toBeVisible();
});

test("a session that ends while a page is open: the next link goes to sign-in and back to that page, not to React Router's data address", async ({
  page,
  context,
}) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(demoProfiles.parent.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your lessons" })).toBeVisible();
  // Signed out elsewhere; with JavaScript the link below is fetched as /lessons.data.
  await context.clearCookies();
  await page.getByRole("link", { name: "All your lessons, with filters" }).click();
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Flessons$/);
  await page.getByLabel("Email").fill(demoProfiles.parent.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/lessons$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
});

test("a wrong password says so and sets no session cookie", async ({ page, context }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(demoProfiles.parent.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an account.");
  const cookies = await context.cookies();
  expect(cookies.filter((cookie) => cookie.name.startsWith("sb-"))).toEqual([]);
});

test("sign in, see your lessons, sign out", async ({ page, context }) => {
  await page.goto("/");
  await page.getByLabel("Email").fill(demoProfiles.tutor.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your lessons" })).toBeVisible();
  const sessionCookie = (await context.cookies()).find((cookie) => cookie.name.startsWith("sb-"));
  expect(sessionCookie?.httpOnly).toBe(true);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("an unknown page is a proper 404", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

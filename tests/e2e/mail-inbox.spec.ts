// The local mail catcher's web inbox, as a newcomer uses it: a message the app stack received over
// SMTP is listed, opens with its headers, and the links in its HTML body are followable, with
// JavaScript on and off (the HTML is in a sandboxed frame whose links replace the inbox page).
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import nodemailer from "nodemailer";

test("a message sent over SMTP is listed in the inbox and its link leads into the app", async ({ page, baseURL }) => {
  const id = randomUUID().slice(0, 8);
  const subject = `Inbox check ${id}`;
  const address = `inbox-${id}@example.test`;
  const transport = nodemailer.createTransport(process.env.SMTP_URL!);
  try {
    await transport.sendMail({
      from: process.env.MAIL_FROM,
      to: { name: "Pat Parent", address },
      subject,
      text: `Open Tutorwise: ${baseURL}/sign-in`,
      html: `<p>Hello</p><p><a href="${baseURL}/sign-in">Open Tutorwise</a></p>`,
    });
  } finally {
    transport.close();
  }

  await page.goto(process.env.MAIL_INBOX_URL!);
  const row = page.getByRole("row").filter({ hasText: subject });
  await expect(row).toContainText(`Pat Parent <${address}>`);
  await row.getByRole("link", { name: subject }).click();

  await expect(page.getByRole("heading", { name: subject })).toBeVisible();
  await expect(page.getByRole("row", { name: /^to / })).toContainText(address);

  const body = page.frameLocator('iframe[title="HTML body"]');
  await expect(body.getByText("Hello")).toBeVisible();
  await body.getByRole("link", { name: "Open Tutorwise" }).click();
  await expect(page).toHaveURL(`${baseURL}/sign-in`);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

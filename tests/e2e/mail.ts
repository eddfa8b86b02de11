// The e-mail side of end-to-end tests: ask the app's workers for a sweep now, and open what the
// local SMTP catcher received in its web inbox.
import { expect, type Page } from "@playwright/test";
import { openQueue, QUEUES } from "../../app/.server/queue.ts";

/** Queues one sweep now (the same job the cron queues every minute), then lets go of the queue. */
export async function requestSweep() {
  const queue = await openQueue({ schedule: false, supervise: false, max: 2 });
  try {
    await queue.boss.send(QUEUES.sweep, {});
  } finally {
    await queue.stop();
  }
}

/** Opens the inbox filtered to `to` until a message whose subject holds `text` is listed; opens it. */
export async function openMessage(page: Page, to: string, text: string) {
  const inbox = process.env.MAIL_INBOX_URL;
  if (!inbox) throw new Error("MAIL_INBOX_URL is not set by tests/e2e/global-setup.ts");
  const subject = page.getByRole("link", { name: new RegExp(text) });
  await expect(async () => {
    await page.goto(`${inbox}/?to=${encodeURIComponent(to)}`);
    await expect(subject).toHaveCount(1, { timeout: 500 });
  }).toPass({ timeout: 90_000, intervals: [1_000] });
  await subject.click();
}

// Starts the whole embedded stack and the production build once for the Playwright run.
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { startLocalStack } from "../../scripts/lib/local-stack.ts";

export default async function globalSetup() {
  const port = Number(process.env.E2E_PORT ?? 4317);
  const appUrl = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-e2e-"));
  const stack = await startLocalStack({ dataDir, appUrl, seed: true, ephemeral: true, log: () => {} });
  // Many specs press Join as the same demo people; the limit itself has its own integration tests.
  // MAIL_INBOX_URL: the SMTP catcher's web inbox, where specs open the e-mails the app sent.
  Object.assign(process.env, stack.env, { NODE_ENV: "production", LAUNCH_RATE_LIMIT_PER_MINUTE: "1000", MAIL_INBOX_URL: stack.smtp.url });
  const { createAppServer } = await import("../../server.ts");
  const server = await createAppServer({ log: () => {} });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return async () => {
    await new Promise((resolve) => server.close(resolve));
    // The build started the background workers in this process (app/.server/worker.ts keeps them on
    // globalThis): stop them before their database goes away.
    const workers = (globalThis as { __tutorwiseWorkers?: Promise<{ stop(options?: { graceful?: boolean }): Promise<void> }> | null }).__tutorwiseWorkers;
    await workers?.then((running) => running.stop({ graceful: false }), () => {});
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

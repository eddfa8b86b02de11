// Starts the whole embedded stack and the production server once for the Playwright run: the
// compiled build run by plain `node`, as `npm start` runs it (tests/support/production-server.ts).
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { startLocalStack } from "../../scripts/lib/local-stack.ts";
import { compiledServer, spawnProductionServer } from "../support/production-server.ts";

export default async function globalSetup() {
  const port = Number(process.env.E2E_PORT ?? 4317);
  const appUrl = `http://127.0.0.1:${port}`;
  compiledServer(); // before starting anything: a missing build says so at once
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-e2e-"));
  const stack = await startLocalStack({ dataDir, appUrl, seed: true, ephemeral: true, log: () => {} });
  // Many specs press Join as the same demo people; the limit itself has its own integration tests.
  // The specs read this environment too (the database URL, the stand-ins, MAIL_INBOX_URL: the SMTP
  // catcher's web inbox where specs open the e-mails the app sent). The server runs as its own
  // process, so its background workers stop with it.
  Object.assign(process.env, stack.env, {
    NODE_ENV: "production",
    LAUNCH_RATE_LIMIT_PER_MINUTE: "1000",
    MAIL_INBOX_URL: stack.smtp.url,
  });
  const server = await spawnProductionServer({ port, env: process.env, stdout: "ignore" }).catch(
    async (error: unknown) => {
      await stack.stop();
      throw error;
    },
  );
  return async () => {
    await server.stop();
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

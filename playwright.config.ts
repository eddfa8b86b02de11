import { availableParallelism } from "node:os";
import { defineConfig } from "@playwright/test";

// Every flow runs twice: with JavaScript and without (progressive enhancement is the product).
const port = Number(process.env.E2E_PORT ?? 4317);
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // This machine's network is closed: keep Chromium from calling home at every start.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: "./tests/e2e/global-setup.ts",
  fullyParallel: true,
  // One worker per core (at least two: the specs mostly wait on the server and the browser).
  workers: Math.max(2, availableParallelism()),
  // CI gets one retry so a single stumble of the shared 2-core machine does not throw away a whole
  // run; a test that needed it is still reported (as flaky, with its first error) so it gets fixed.
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  // CI shows only the tail of its output: the dot reporter prints every failure's error there, at
  // the end (the line reporter prints it mid-run, where it is lost).
  reporter: process.env.CI ? "dot" : "list",
  use: { baseURL: `http://127.0.0.1:${port}`, trace: "retain-on-failure" },
  projects: [
    { name: "js", use: { ...chromium, javaScriptEnabled: true } },
    { name: "no-js", use: { ...chromium, javaScriptEnabled: false } },
  ],
});

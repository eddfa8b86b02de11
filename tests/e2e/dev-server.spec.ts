// `npm run dev` as a newcomer meets it on a fresh clone: no Vite dependency cache yet (--force
// bundles the dependencies again, as the first start does), its own embedded PostgreSQL, the demo
// data. The first pages must work at once: no "504 Outdated Optimize Dep" answers while Vite finds
// dependencies late, no second copy of React ("Invalid hook call"), no hydration warnings, and the
// sign-in form enhanced; when the server stops, its client waits for it quietly. A browser with
// JavaScript: once per run, in the JavaScript-on project.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type Locator, test } from "@playwright/test";
import { freePort } from "../../scripts/lib/free-port.ts";
import { ROOT } from "../support/production-server.ts";
import { DEMO_PASSWORD, demoProfiles } from "./fixtures.ts";

test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, "a browser with JavaScript: once per run is enough");

/** `npm run dev -- --force` in a process group of its own, with what a newcomer's shell has: no database or service settings. */
async function startDevServer(port: number, dataDir: string, args = ["--", "--force"]) {
  const output: string[] = [];
  const child = spawn("npm", ["run", "dev", ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      TUTORWISE_DATA_DIR: dataDir,
      DEV_FIXED_PORTS: "0",
    },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        output.push(...chunk.split("\n"));
        if (chunk.includes("Tutorwise Classroom is running at")) resolve();
      });
    }
    void exited.then(() => reject(new Error(`npm run dev stopped before it was ready:\n${output.join("\n")}`)));
  });
  return {
    ready,
    output,
    /** The process group: npm and everything it started. */
    group: child.pid!,
    /** What a terminal or a process manager does: SIGTERM to the npm process alone. */
    async terminate() {
      if (child.exitCode === null) process.kill(child.pid!, "SIGTERM");
      await exited;
    },
    async stop() {
      // The whole group: npm, scripts/dev.ts, the React Router CLI and the embedded PostgreSQL.
      if (child.exitCode === null) process.kill(-child.pid!, "SIGTERM");
      await exited;
    },
  };
}

/** Waits until React has hydrated this element (it keeps its fiber on every DOM node it hydrated). */
async function hydrated(element: Locator) {
  await element.evaluate(
    (node) =>
      new Promise<void>((resolve) => {
        const check = () =>
          Object.keys(node).some((key) => key.startsWith("__reactFiber")) ? resolve() : setTimeout(check, 50);
        check();
      }),
    undefined,
    { timeout: 60_000 },
  );
}

test("npm run dev on a fresh clone serves its first pages hydrated, without failed answers, errors or warnings, also when it stops", async ({
  page,
}) => {
  // Starting PostgreSQL, migrating, seeding and bundling every dependency on a 2-core machine.
  test.setTimeout(240_000);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-dev-test-"));
  const dev = await startDevServer(port, dataDir);
  try {
    await dev.ready;
    const complaints: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        complaints.push(`${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => complaints.push(`page error: ${error.message}`));
    const failedAnswers: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failedAnswers.push(`${response.status()} ${response.url()}`);
    });
    const documents: string[] = [];
    page.on("request", (request) => {
      if (request.resourceType() === "document") documents.push(new URL(request.url()).pathname);
    });

    await page.goto(`http://localhost:${port}/sign-in`, { timeout: 120_000 });
    // Hydrated: React keeps its fiber on every DOM node it hydrated. With two copies of React, or a
    // dependency that failed to load, it never gets there.
    await hydrated(page.getByRole("button", { name: "Sign in" }));
    await page.getByLabel("Email").fill(demoProfiles.parent.email);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Your lessons" })).toBeVisible({ timeout: 60_000 });
    await hydrated(page.getByRole("heading", { name: "Your lessons" }));
    // The router posted the form and moved to the dashboard itself: the only document is the first.
    expect(documents.filter((pathname) => pathname !== "/sign-in")).toEqual([]);

    expect(failedAnswers).toEqual([]);
    expect(complaints).toEqual([]);

    // The dev server goes away (a developer restarts it): Vite's client notices and waits for it to
    // come back, in a worker made from a blob (which the development policy allows), without an error.
    const waiting = page.waitForEvent("console", {
      predicate: (message) => message.text().includes("Polling for restart"),
      timeout: 30_000,
    });
    await dev.stop();
    await waiting;
    await page.waitForTimeout(1_000);
    expect(complaints).toEqual([]);
  } finally {
    await dev.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Processes still in the group, or anywhere mentioning the data folder (PostgreSQL's -D). */
function leftovers(group: number, dataDir: string): string[] {
  const lines = execFileSync("ps", ["-eo", "pid=,pgid=,args="], { encoding: "utf8" }).split("\n");
  return lines.filter((line) => {
    const [, pgid] = line.trim().split(/\s+/);
    return line.trim() !== "" && (Number(pgid) === group || line.includes(dataDir)) && !line.includes(" ps -eo ");
  });
}

function postmasterPids(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith("postmaster.pid"));
}

test("SIGTERM to the npm run dev process stops every child with it, PostgreSQL cleanly", async () => {
  test.setTimeout(180_000);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-dev-sigterm-"));
  const dev = await startDevServer(port, dataDir, []);
  try {
    await dev.ready;
    // Running: the dev server, the embedded PostgreSQL with its pid file, tsx, all in npm's group.
    expect(leftovers(dev.group, dataDir).length).toBeGreaterThanOrEqual(4);
    expect(postmasterPids(dataDir)).toHaveLength(1);

    await dev.terminate();
    await expect.poll(() => leftovers(dev.group, dataDir), { timeout: 30_000 }).toEqual([]);
    // A clean shutdown removes the pid file; a killed server leaves it behind.
    expect(postmasterPids(dataDir)).toEqual([]);
    expect(dev.output.join("\n")).not.toMatch(/left running|terminated by signal/);
  } finally {
    await dev.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// The production server as `npm start` runs it: plain `node` on <build>/server.js, the JavaScript
// `npm run build` compiled beside React Router's build (vite.server.config.ts), no TypeScript loader.
// End-to-end tests start it this way so they test what production runs.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** BUILD_DIR as react-router.config.ts and vite.server.config.ts read it (relative to the project). */
export function buildDir(): string {
  return path.resolve(ROOT, process.env.BUILD_DIR ?? "build");
}

/** The compiled server of the current build; says what to run when it is missing. */
export function compiledServer(dir = buildDir()): string {
  const entry = path.join(dir, "server.js");
  if (!fs.existsSync(entry))
    throw new Error(`${path.relative(ROOT, entry)} is missing: run \`npm run build\` first (with the same BUILD_DIR).`);
  return entry;
}

/**
 * The Node flags of package.json's `start` script (`node --max-old-space-size=… <build>/server.js`):
 * the memory limits production runs with, so that tests and the bench run the server the same way.
 */
export function startScriptFlags(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const words = manifest.scripts.start.split(/\s+/);
  const flags: string[] = [];
  for (const word of words.slice(words.indexOf("node") + 1)) {
    if (!word.startsWith("--")) break;
    flags.push(word);
  }
  return flags;
}

/**
 * Node 22.6+ can strip TypeScript types by itself; forbid that here, so a compiled server that
 * still imported a .ts file fails on every Node version, not only on Node 20.
 */
export function noTypeStripping(): string[] {
  return "typescript" in process.features ? ["--no-experimental-strip-types"] : [];
}

export type SpawnedServer = {
  child: ChildProcess;
  url: string;
  /** Lines the server wrote, in order: stderr, and stdout (the request log) unless ignored. */
  output: string[];
  stop(): Promise<void>;
};

/** Starts `node <build>/server.js` on `port` and waits until /healthz answers 200. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `Port ${port} is already in use (a server left over from an interrupted run?): stop it, or set E2E_PORT.`,
            )
          : error,
      ),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

export async function spawnProductionServer(options: {
  port: number;
  env: Record<string, string | undefined>;
  /** "ignore" drops the request log (a long run's shared server). Default: kept in `output`. */
  stdout?: "keep" | "ignore";
}): Promise<SpawnedServer> {
  const url = `http://127.0.0.1:${options.port}`;
  // A server left over from an interrupted run would answer /healthz below in place of ours (which
  // could not bind the port), and every test would talk to it: refuse to start instead.
  await assertPortFree(options.port);
  const child = spawn(process.execPath, [...noTypeStripping(), ...startScriptFlags(), compiledServer()], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, PORT: String(options.port) },
    stdio: ["ignore", options.stdout === "ignore" ? "ignore" : "pipe", "pipe"],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop()!;
      output.push(...lines);
    });
  }
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      // A server that dies on its own is the bug a test is looking at: say why in the test's output.
      if (!stopping)
        console.error(
          `[production server :${options.port}] exited (${code ?? signal}); its last lines:\n${output.slice(-40).join("\n")}`,
        );
      resolve();
    }),
  );
  const stop = async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `node ${path.relative(ROOT, compiledServer())} exited (${child.exitCode}):\n${output.join("\n")}`,
      );
    const ok = await fetch(`${url}/healthz`).then(
      async (response) => (await response.arrayBuffer(), response.ok),
      () => false,
    );
    if (ok) return { child, url, output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${url}/healthz did not answer 200 within 60 s:\n${output.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

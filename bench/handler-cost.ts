// bench/handler-cost: CPU milliseconds per request of the app's React Router handler for the
// dashboard (50 bookings), the booking page, the sign-in page (a document with no data), the 404
// page (the smallest document) and /healthz (a resource route), measured in one process without HTTP
// (bench/lib/handler-cost.ts: the median of blocks of 50 requests). To weigh a change, give it the
// build before and the build after: it alternates between them, so both see the same machine.
//   npx tsx bench/handler-cost.ts [buildDir …]   (default: the bench build)
//   HANDLER_ROUNDS=1000 (per build and page)  HANDLER_WARMUP=2500 (requests first, per build and page)
//   HANDLER_REPEATS=2  HANDLER_PAGES=dashboard,sign-in (by name prefix)
//   HANDLER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/handler-profiles"   (a profile without HTTP or load generator)
import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { demoBookingIds, demoProfiles } from "../prisma/seed.ts";
import { buildDirFromEnv, ensureBuild, prepareOutsideBuild, root } from "./lib/build.ts";
import { addBookings } from "./lib/seed.ts";
import { signIn, startBenchContext } from "./lib/stack.ts";

const REPEATS = Number(process.env.HANDLER_REPEATS ?? 2);
const given = process.argv.slice(2).map((dir) => path.resolve(dir));
const builds = given.length ? given : [ensureBuild(buildDirFromEnv()).buildDir];
for (const dir of builds) prepareOutsideBuild(dir);
console.log(
  `bench/handler-cost — Node ${process.version}, ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" / ")}`,
);
const context = await startBenchContext({
  name: "handler-cost",
  seed: true,
  buildDir: builds[0],
  echoServerStderr: false,
});
try {
  await addBookings(context.db, { clientId: demoProfiles.adult.id, tutorId: demoProfiles.otherTutor.id, count: 49 });
  const cookie = await signIn(context.appUrl, demoProfiles.adult.email);
  const pages = [
    { name: "dashboard (50 bookings)", path: "/", cookie },
    { name: "booking page", path: `/bookings/${demoBookingIds.adultReady}`, cookie },
    // React Router's fixed cost of a document: a page with no session, no query and little markup.
    { name: "sign-in page", path: "/sign-in", cookie: "" },
    // The smallest document React Router serves here: no session, no loader data, the root's
    // error boundary (a 404) in the app's layout. Its cost is what any page pays before its own.
    { name: "404 page", path: "/no-such-page", cookie: "", status: 404 },
    { name: "healthz", path: "/healthz", cookie: "" },
  ];
  const wanted = (process.env.HANDLER_PAGES ?? "").split(",").filter(Boolean);
  const targets = wanted.length ? pages.filter((page) => wanted.some((name) => page.name.startsWith(name))) : pages;
  const nodeFlags = (process.env.HANDLER_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  // The workers stay in the app server; this process only answers requests.
  const env = {
    ...process.env,
    ...context.stack.env,
    NODE_ENV: "production",
    WORKERS_IN_PROCESS: "false",
    APP_URL: context.appUrl,
    HANDLER_BUILDS: builds.join(","),
    HANDLER_TARGETS: JSON.stringify(targets),
  };
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [...nodeFlags, "--import", "tsx", "bench/lib/handler-cost.ts"],
        { cwd: root, env, maxBuffer: 1 << 20 },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    );
    const { rounds, results } = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
      rounds: number;
      results: { build: string; target: string; msPerRequest: number; msWall: number; bytes: number }[];
    };
    console.log(`  run ${repeat} (${rounds} requests per build and page, median of blocks of 50):`);
    for (const r of results)
      console.log(
        `    ${r.target.padEnd(24)} ${path.relative(root, r.build).padEnd(28)} ${r.msPerRequest.toFixed(3)} ms CPU  ${r.msWall.toFixed(2)} ms wall  ${r.bytes.toLocaleString("en-GB")} B`,
      );
  }
} finally {
  await context.stop();
}

// The stack's floor under the dashboard: what React, React Router's smallest document and the
// hydration data cost at least (bench/lib/render-floor.tsx), against what 50% per CPU second allows.
import { execFile } from "node:child_process";
import { root } from "../lib/build.ts";
import type { BenchContext } from "../lib/stack.ts";
import { kib } from "../lib/stats.ts";
import { pct } from "./context.ts";
import type { RenderFloor, FloorBound } from "./figures.ts";

/** bench/lib/render-floor.tsx in a process of its own, with the app's environment and the build the bench serves. */
export async function measureRenderFloor(ctx: BenchContext, cookie: string, quick: boolean): Promise<RenderFloor> {
  const env = {
    ...process.env,
    ...ctx.stack.env,
    NODE_ENV: "production",
    BUILD_DIR: ctx.buildDir,
    APP_URL: ctx.appUrl,
    // The workers stay in the app server; this process only renders.
    WORKERS_IN_PROCESS: "false",
    FLOOR_COOKIE: cookie,
    FLOOR_APP_URL: ctx.appUrl,
    ...(quick ? { FLOOR_ROUNDS: "150" } : {}),
  };
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ["--import", "tsx", "bench/lib/render-floor.tsx"],
      { cwd: root, env, maxBuffer: 1 << 20 },
      (error, out) => (error ? reject(error) : resolve(out)),
    ),
  );
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as RenderFloor;
}

/**
 * What 50% per CPU second asks against what the required stack costs at least. The app does all
 * the ceiling does but its markup (the same cookie check, queries and card rules), renders that
 * markup with React instead, and serves it as a React Router document, which costs at least what
 * the smallest one (the 404 page) costs, with its loader's data encoded for hydration. The ceiling's
 * template time includes the card rules, so they are added back: floor = ceiling − templates +
 * rules + React + smallest document + hydration data. Left out (so the floor is low, never high):
 * writing that data into the page's scripts, the HTTP adapter, security headers, the request log.
 */
export function floorBound(floor: RenderFloor, appPerCpuSecond: number, ceilingPerCpuSecond: number): FloorBound {
  const appMs = 1000 / appPerCpuSecond;
  const ceilingMs = 1000 / ceilingPerCpuSecond;
  const allowedMs = ceilingMs / 0.5;
  const floorMs = ceilingMs - floor.templateMs + floor.rulesMs + floor.reactMs + floor.documentMs + floor.hydrationMs;
  return { appMs, ceilingMs, allowedMs, floorMs, reachable: floorMs <= allowedMs };
}

export function describeFloor(floor: RenderFloor, bound: FloorBound): string[] {
  const f = (n: number) => `${n.toFixed(2)} ms`;
  const margin = bound.allowedMs - bound.floorMs;
  return [
    `The stack's floor (bench/lib/render-floor.tsx, one process, no HTTP, ${floor.rounds} rounds after a warm-up):`,
    `  React: the dashboard route's component rendered from its loader's data, ${f(floor.reactMs)} CPU per page (${kib(floor.reactBytes)}, no <head> or scripts);`,
    `  React Router's smallest document (the build's handler answering the 404 page): ${f(floor.documentMs)} (${kib(floor.documentBytes)});`,
    `  the dashboard's hydration data, encoded as React Router encodes it (turbo-stream): ${f(floor.hydrationMs)} (${kib(floor.hydrationBytes)});`,
    `  the card rules (app/domain presentDashboard, run by both): ${f(floor.rulesMs)}; the ceiling's templates, card rules included, ${f(floor.templateMs)} (${kib(floor.templateBytes)}).`,
    `  Per dashboard at c10: ceiling ${f(bound.ceilingMs)}, app ${f(bound.appMs)}. 50% per CPU second allows the app ${f(bound.allowedMs)}; the ceiling's work`,
    `  as a React Router page costs at least ${f(bound.ceilingMs)} − ${f(floor.templateMs)} + ${f(floor.rulesMs)} + ${f(floor.reactMs)} + ${f(floor.documentMs)} + ${f(floor.hydrationMs)} = ${f(bound.floorMs)}: ` +
      (bound.reachable
        ? `${f(margin)} (${pct(margin / bound.allowedMs)} of the allowance) is left for the HTTP adapter, the page's scripts and everything else; the app spends ${f(bound.appMs - bound.floorMs)} there.`
        : `OUT OF REACH of React Router with React server rendering, before the HTTP adapter or any other overhead (the app is ${f(bound.appMs - bound.floorMs)} above this floor).`),
  ];
}

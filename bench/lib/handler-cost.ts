// CPU per request of the app's own request handler, in one process, without HTTP or a load
// generator: a production build's React Router handler called in turn with the same request,
// each answer read to its end. Given several builds (HANDLER_BUILDS, comma-separated folders), it
// alternates between them in short blocks, so a slower minute of the machine falls on all of them
// alike: the way to see whether a change saved 3% (a load run's noise is larger than that).
// Run by bench/handler-cost.ts with the app's environment; HANDLER_TARGETS is a JSON list of
// { name, path, cookie, status? } (status: the answer expected, 200 unless said).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "react-router";

type Target = { name: string; path: string; cookie: string; status?: number };
type Handler = (request: Request) => Promise<Response>;

const ROUNDS = Number(process.env.HANDLER_ROUNDS ?? 1_000);
// V8's optimising compiler needs ~2,500 dashboards before the CPU per request settles (the load
// runs warm up as long): measured before that, a page looks dearer than it is over HTTP.
const WARMUP = Number(process.env.HANDLER_WARMUP ?? 2_500);
const BLOCK = 50;
// Requests in flight at once (as a load run's connections): more live objects per collection.
const CONCURRENCY = Number(process.env.HANDLER_CONCURRENCY ?? 1);
const targets = JSON.parse(process.env.HANDLER_TARGETS ?? "[]") as Target[];
const buildDirs = (process.env.HANDLER_BUILDS ?? process.env.BUILD_DIR!).split(",");
const handlers: Handler[] = [];
for (const dir of buildDirs) {
  const build = (await import(pathToFileURL(path.join(dir, "server/index.js")).href)) as ServerBuild;
  handlers.push(createRequestHandler(build, "production"));
}

async function once(handle: Handler, target: Target): Promise<number> {
  const response = await handle(
    new Request(new URL(target.path, process.env.APP_URL), { headers: { cookie: target.cookie } }),
  );
  const bytes = (await response.arrayBuffer()).byteLength;
  if (response.status !== (target.status ?? 200)) throw new Error(`${target.name} answered ${response.status}`);
  return bytes;
}

async function block(handle: Handler, target: Target): Promise<{ cpu: number; wall: number }> {
  const before = process.cpuUsage();
  const started = performance.now();
  const chain = async (count: number) => {
    for (let i = 0; i < count; i++) await once(handle, target);
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, i) =>
      chain(Math.floor(BLOCK / CONCURRENCY) + (i < BLOCK % CONCURRENCY ? 1 : 0)),
    ),
  );
  const used = process.cpuUsage(before);
  return { cpu: (used.user + used.system) / 1000 / BLOCK, wall: ((performance.now() - started) * CONCURRENCY) / BLOCK };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results: { build: string; target: string; msPerRequest: number; msWall: number; bytes: number }[] = [];
for (const target of targets) {
  const bytes = await Promise.all(handlers.map((handle) => once(handle, target)));
  for (let i = 0; i < WARMUP / BLOCK; i++) for (const handle of handlers) await block(handle, target);
  const blocks: { cpu: number; wall: number }[][] = handlers.map(() => []);
  // A B B A …: neither build always goes first.
  for (let i = 0; i < ROUNDS / BLOCK; i++) {
    const order = [...handlers.keys()];
    if (i % 2) order.reverse();
    for (const b of order) blocks[b]!.push(await block(handlers[b]!, target));
  }
  for (const [b, dir] of buildDirs.entries())
    results.push({
      build: dir,
      target: target.name,
      msPerRequest: median(blocks[b]!.map((x) => x.cpu)),
      msWall: median(blocks[b]!.map((x) => x.wall)),
      bytes: bytes[b]!,
    });
}
console.log(JSON.stringify({ rounds: ROUNDS, block: BLOCK, results }));
process.exit(0);

// The floor the required stack sets under the dashboard's server cost (docs/decisions/0037-server-cost-measured-against-a-no-framework-ceiling.md), measured in one
// process without HTTP or load generator, each part after a warm-up:
//   - React: the dashboard route's own component beside the site header the root renders, given
//     the data their loaders returned for the bench's viewer (through the root's viewer middleware), rendered to one buffer by the app's own renderToBuffer (as
//     app/entry.server.tsx renders), inside the smallest data router its components accept
//     (createRoutesStub: no hydration scripts, no <head>);
//   - React Router's smallest document: the production build's request handler answering the 404
//     page (middleware, root loader, the layout with its <head> and scripts, the hydration
//     handoff), which every page pays before its own work;
//   - the page's hydration data: the dashboard's loader data encoded as React Router encodes every
//     document's (its turbo-stream encoder, which it does not export: loaded from its own bundle);
//   - the card rules (presentDashboard in app/domain), which the app and the ceiling both run;
//   - beside them, the no-framework ceiling's template strings building the same page from the
//     same rows (bench/lib/ceiling-no-framework.ts; its dashboardHtml runs the card rules too).
// Prints one JSON line; run by bench/run.ts with the app's environment, FLOOR_COOKIE (the viewer's
// session), FLOOR_APP_URL and BUILD_DIR (the production build the bench serves).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { decodeJwt } from "jose";
import type { ReactElement } from "react";
import { createRequestHandler, createRoutesStub, RouterContextProvider, type ServerBuild } from "react-router";
import { viewerFrom, viewerMiddleware } from "../../app/.server/auth.ts";
import { renderToBuffer } from "../../app/.server/render-to-buffer.ts";
import { cardBookingOf } from "../../app/.server/bookings/cards-sql.ts";
import { SiteHeader } from "../../app/components/SiteHeader.tsx";
import { presentDashboard } from "../../app/domain/booking-card.ts";
import { usableTimeZone } from "../../app/domain/time-zone.ts";
import Dashboard, { loader } from "../../app/routes/dashboard.tsx";
import { accessToken } from "./ceiling-common.ts";
import { closePool, dashboardHtml, dashboardRows, profileOf } from "./ceiling-no-framework.ts";

const ROUNDS = Number(process.env.FLOOR_ROUNDS ?? 1_000);
// As long as the server's own warm-up (bench/run.ts): the render's CPU settles after ~2,500 pages.
const WARMUP = Number(process.env.FLOOR_WARMUP ?? ROUNDS * 2.5);

/** Exactly app/entry.server.tsx's rendering; any error React recovers from fails the measure. */
async function render(element: ReactElement): Promise<number> {
  let failure: unknown;
  const html = await renderToBuffer(element, { timeoutMs: 5_000, onError: (error) => (failure ??= error) });
  if (failure !== undefined) throw failure;
  return html.byteLength;
}

/** CPU milliseconds (user + system) per call, after a warm-up. */
async function cpuPerCall(task: () => unknown): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await task();
  const before = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await task();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / ROUNDS;
}

const url = new URL("/", process.env.FLOOR_APP_URL);
const request = new Request(url, { headers: { cookie: process.env.FLOOR_COOKIE ?? "" } });
const context = new RouterContextProvider();
const args = { request, url, params: {}, context } as never;
const page: { loaderData?: unknown; viewer?: { fullName: string; timeZone: string } } = {};
await viewerMiddleware(args, async () => {
  page.loaderData = await loader(args);
  const { viewer } = await viewerFrom(context);
  if (viewer) page.viewer = { fullName: viewer.fullName, timeZone: viewer.timeZone };
  return new Response();
});
const { loaderData, viewer: headerViewer } = page;
if (!headerViewer) throw new Error("The floor's cookie names no profile.");
const props = { loaderData, params: {}, matches: [] } as unknown as Parameters<typeof Dashboard>[0];
const Page = () => (
  <>
    <SiteHeader viewer={headerViewer} />
    <Dashboard {...props} />
  </>
);
const Stub = createRoutesStub([{ path: "/", Component: Page }]);
const reactBytes = await render(<Stub initialEntries={["/"]} />);
const reactMs = await cpuPerCall(() => render(<Stub initialEntries={["/"]} />));

// The ceiling's page from the rows its queries read for the same viewer at the same moment.
const now = new Date();
const viewer = await profileOf(decodeJwt(accessToken(process.env.FLOOR_COOKIE) ?? "").sub ?? "");
if (!viewer) throw new Error("The floor's cookie names no profile.");
const rows = await dashboardRows(viewer.id, now);
const templateBytes = Buffer.byteLength(dashboardHtml(viewer, rows, now));
const templateMs = await cpuPerCall(() => dashboardHtml(viewer, rows, now));
const rulesMs = await cpuPerCall(() =>
  presentDashboard(rows.cards.map(cardBookingOf), viewer.id, now, usableTimeZone(viewer.time_zone)),
);

// React Router's smallest document, from the build the bench serves (its own copy of the app).
const build = (await import(pathToFileURL(path.join(process.env.BUILD_DIR!, "server/index.js")).href)) as ServerBuild;
const handle = createRequestHandler(build, "production");
const notFound = async () => {
  const response = await handle(new Request(new URL("/no-such-page", process.env.FLOOR_APP_URL)));
  if (response.status !== 404) throw new Error(`The 404 page answered ${response.status}`);
  return (await response.arrayBuffer()).byteLength;
};
const documentBytes = await notFound();

/** React Router's turbo-stream `encode`: not exported, so found in its bundle by its declaration. */
async function reactRouterEncoder(): Promise<(input: unknown) => ReadableStream<Uint8Array>> {
  const dist = path.join(
    path.dirname(createRequire(import.meta.url).resolve("react-router/package.json")),
    "dist/development",
  );
  for (const file of fs.readdirSync(dist).filter((name) => name.endsWith(".mjs"))) {
    if (!fs.readFileSync(path.join(dist, file), "utf8").includes("function encode(input, options)")) continue;
    const bundle = (await import(pathToFileURL(path.join(dist, file)).href)) as {
      encode?: (input: unknown) => ReadableStream<Uint8Array>;
    };
    if (typeof bundle.encode === "function") return bundle.encode;
  }
  throw new Error(`React Router's turbo-stream encoder is not in ${dist} any more: update bench/lib/render-floor.tsx.`);
}
const encode = await reactRouterEncoder();
// As React Router hands a document's data over: every route's loader data, no action data or errors.
const handoff = {
  loaderData: { root: { nonce: "x".repeat(24), viewer: headerViewer }, "routes/dashboard": loaderData },
  actionData: null,
  errors: null,
};
const hydration = async () => {
  const reader = encode(handoff).getReader();
  let bytes = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.byteLength;
  return bytes;
};
const hydrationBytes = await hydration();
const hydrationMs = await cpuPerCall(hydration);
const documentMs = await cpuPerCall(notFound);
await closePool();
console.log(
  JSON.stringify({
    rounds: ROUNDS,
    reactMs,
    reactBytes,
    templateMs,
    templateBytes,
    rulesMs,
    documentMs,
    documentBytes,
    hydrationMs,
    hydrationBytes,
  }),
);
process.exit(0);

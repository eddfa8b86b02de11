// The floor React rendering sets under the dashboard's server cost (issue 11), measured in one
// process without HTTP, a database round trip or React Router's request handling: the dashboard
// route's own component, given the data its own loader returned for the bench's viewer, rendered
// to one buffer by the app's own renderToBuffer (as app/entry.server.tsx renders), inside the
// smallest data router its components accept (createRoutesStub: no hydration scripts, no <head>). Beside it, the no-framework ceiling's template strings building the same page from the
// same rows (bench/lib/ceiling-no-framework.ts). Prints one JSON line; run by bench/run.ts with
// the app's environment, FLOOR_COOKIE (the viewer's session) and FLOOR_APP_URL.
import { decodeJwt } from "jose";
import type { ReactElement } from "react";
import { createRoutesStub, RouterContextProvider } from "react-router";
import { renderToBuffer } from "../../app/.server/render-to-buffer.ts";
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
const answer = (await loader({ request, url, params: {}, context: new RouterContextProvider() } as never)) as { data: unknown };
const loaderData = answer.data as { viewer: { fullName: string } };
const props = { loaderData, params: {}, matches: [] } as unknown as Parameters<typeof Dashboard>[0];
const Page = () => <Dashboard {...props} />;
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
await closePool();
console.log(JSON.stringify({ rounds: ROUNDS, reactMs, reactBytes, templateMs, templateBytes }));
process.exit(0);

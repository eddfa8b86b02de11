// bench/paint: a cheap phone on a poor network. Chromium (Debian's, through Playwright) opens the
// parent's dashboard and a booking page with a cold cache, with JavaScript on and off, on two
// emulated phones (network and CPU throttled through the DevTools protocol):
//   (a) 400 kbps down and up, 400 ms round trip, CPU slowed 6×;
//   (b) Lighthouse's mobile profile: 1.6 Mbps down, 750 kbps up, 150 ms round trip, CPU 4×.
// Each case runs several times (a fresh browser context each: empty cache, new connections) and
// prints the medians of:
//   - first contentful paint: the 'paint' performance entry;
//   - Join visible: the first animation frame in which the Join Lesson (or Rejoin) button is laid
//     out (frames do not run while the stylesheet still blocks rendering);
//   - hydrated (JavaScript on): the first frame in which React has hydrated that button (it keeps
//     its props on every DOM node it hydrated; the page has no Suspense boundary, so the whole
//     document is hydrated in the same commit);
//   - bytes received, as the protocol's Network.loadingFinished counts them (headers included).
// The floor: with JavaScript on, first paint no later than 10% after the same page without
// JavaScript, on both profiles (docs/decisions/0081-first-paint-before-scripts.md).
//
//   npx tsx bench/paint.ts    (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   PAINT_RUNS=… (default 5)   PAINT_PHONES=a or b (default both)   CHROMIUM_PATH=… (default /usr/bin/chromium)
import os from "node:os";
import { chromium, type Browser, type BrowserContext, type CDPSession } from "@playwright/test";
import { demoBookingIds, demoProfiles } from "../prisma/seed.ts";
import { isMain, runStandalone, signIn, type BenchContext } from "./lib/stack.ts";
import { kib, median, table } from "./lib/stats.ts";

export type PhoneProfile = { name: string; downKbps: number; upKbps: number; rttMs: number; cpuSlowdown: number };

export const PHONES: PhoneProfile[] = [
  { name: "(a) 400 kbps, 400 ms RTT, CPU 6×", downKbps: 400, upKbps: 400, rttMs: 400, cpuSlowdown: 6 },
  { name: "(b) 1.6 Mbps, 150 ms RTT, CPU 4×", downKbps: 1600, upKbps: 750, rttMs: 150, cpuSlowdown: 4 },
];

/** With JavaScript on, first paint may come at most this much later than without it. */
export const PAINT_ALLOWANCE = 0.1;

type Run = { fcp: number; join: number | null; hydrated: number | null; bytes: number };

export type PaintCase = {
  phone: string;
  page: string;
  javaScript: boolean;
  runs: Run[];
  fcp: number;
  join: number | null;
  hydrated: number | null;
  bytes: number;
};

export type PaintVerdict = { phone: string; page: string; on: number; off: number; ratio: number; met: boolean };

export type PaintFigures = {
  runs: number;
  cases: PaintCase[];
  verdicts: PaintVerdict[];
  ok: boolean;
  problems: string[];
};

// Runs in every document before its own scripts. With JavaScript on it runs in the page's world
// (React's hydration marks are visible there); with it off, in a world of its own, which the
// browser runs even when the page's scripts are disabled (the DevTools protocol's isolated worlds).
const MARKS_SCRIPT = `(() => {
  const marks = { join: null, hydrated: null };
  Object.defineProperty(window, "__paintMarks", { value: marks });
  const button = () =>
    Array.from(document.querySelectorAll("button")).find((b) => /^(Join Lesson|Rejoin)$/.test(b.textContent.trim()));
  const frame = () => {
    const join = button();
    if (join && marks.join === null && join.getClientRects().length > 0) marks.join = performance.now();
    if (join && marks.hydrated === null && Object.keys(join).some((key) => key.startsWith("__reactProps"))) marks.hydrated = performance.now();
    if (marks.join === null || marks.hydrated === null) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

const MARKS_WORLD = "paint-bench";

async function measureOnce(
  browser: Browser,
  appUrl: string,
  cookie: string,
  path: string,
  phone: PhoneProfile,
  javaScript: boolean,
): Promise<Run> {
  const context: BrowserContext = await browser.newContext({
    javaScriptEnabled: javaScript,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  try {
    await context.addCookies(
      cookie.split("; ").map((pair) => {
        const at = pair.indexOf("=");
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url: appUrl };
      }),
    );
    const page = await context.newPage();
    const cdp: CDPSession = await context.newCDPSession(page);
    let bytes = 0;
    cdp.on("Network.loadingFinished", (event: { encodedDataLength: number }) => (bytes += event.encodedDataLength));
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: phone.rttMs,
      downloadThroughput: (phone.downKbps * 1000) / 8,
      uploadThroughput: (phone.upKbps * 1000) / 8,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: phone.cpuSlowdown });
    await cdp.send("Page.enable");
    await cdp.send(
      "Page.addScriptToEvaluateOnNewDocument",
      javaScript ? { source: MARKS_SCRIPT } : { source: MARKS_SCRIPT, worldName: MARKS_WORLD },
    );
    await page.goto(`${appUrl}${path}`, { waitUntil: "load", timeout: 120_000 });
    // Read the marks in the world that set them, once they are all in (or 60 s have passed).
    const read = `(() => {
      const marks = window.__paintMarks ?? { join: null, hydrated: null };
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      return { fcp: fcp ? fcp.startTime : null, join: marks.join, hydrated: marks.hydrated };
    })()`;
    let marks: { fcp: number | null; join: number | null; hydrated: number | null } = {
      fcp: null,
      join: null,
      hydrated: null,
    };
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const { result } = (await cdp.send("Runtime.evaluate", {
        expression: read,
        returnByValue: true,
        ...(javaScript ? {} : { contextId: await isolatedWorld(cdp) }),
      })) as { result: { value: typeof marks } };
      marks = result.value;
      if (marks.fcp !== null && marks.join !== null && (marks.hydrated !== null || !javaScript)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Let requests still in flight (late module chunks) finish before counting their bytes.
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => {});
    if (marks.fcp === null) throw new Error(`no first contentful paint on ${path}`);
    // A frame's time comes before it is shown; the first contentful one is shown at first paint.
    const join = marks.join === null ? null : Math.max(marks.join, marks.fcp);
    return { fcp: marks.fcp, join, hydrated: javaScript ? marks.hydrated : null, bytes };
  } finally {
    await context.close();
  }
}

/** The execution context of our isolated world in the main frame (created with the document). */
async function isolatedWorld(cdp: CDPSession): Promise<number> {
  const { frameTree } = (await cdp.send("Page.getFrameTree")) as { frameTree: { frame: { id: string } } };
  const { executionContextId } = (await cdp.send("Page.createIsolatedWorld", {
    frameId: frameTree.frame.id,
    worldName: MARKS_WORLD,
  })) as { executionContextId: number };
  return executionContextId;
}

const msOrDash = (n: number | null) => (n === null ? "—" : `${Math.round(n)} ms`);

export async function paintBench(
  context: BenchContext,
  options: { runs: number; phones?: PhoneProfile[] },
): Promise<PaintFigures> {
  const phones = options.phones ?? PHONES;
  const cookie = await signIn(context.appUrl, demoProfiles.parent.email);
  const pages = [
    { name: "dashboard (parent)", path: "/" },
    { name: "booking page", path: `/bookings/${demoBookingIds.inProgress}` },
  ];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // As the e2e tests run it: no calls home, whose timing would land in the figures.
    args: ["--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const cases: PaintCase[] = [];
  const verdicts: PaintVerdict[] = [];
  const problems: string[] = [];
  try {
    // One load first, unmeasured: the browser's first page pays for starting its processes.
    await measureOnce(browser, context.appUrl, cookie, pages[0]!.path, phones[0]!, true);
    for (const phone of phones) {
      console.log(`\n${phone.name}: median of ${options.runs} cold loads each`);
      const rows: string[][] = [["page", "JavaScript", "first paint", "Join visible", "hydrated", "received"]];
      for (const page of pages) {
        const pair: Partial<Record<"on" | "off", PaintCase>> = {};
        // Alternate JavaScript off and on, so that the machine's load drifts over both alike.
        const runs: Record<"on" | "off", Run[]> = { on: [], off: [] };
        for (let i = 0; i < options.runs; i++)
          for (const javaScript of i % 2 ? [true, false] : [false, true])
            runs[javaScript ? "on" : "off"].push(
              await measureOnce(browser, context.appUrl, cookie, page.path, phone, javaScript),
            );
        for (const key of ["off", "on"] as const) {
          const measured = runs[key];
          const joins = measured.flatMap((r) => (r.join === null ? [] : [r.join]));
          const hydrations = measured.flatMap((r) => (r.hydrated === null ? [] : [r.hydrated]));
          const figures: PaintCase = {
            phone: phone.name,
            page: page.name,
            javaScript: key === "on",
            runs: measured,
            fcp: median(measured.map((r) => r.fcp)),
            join: joins.length === measured.length ? median(joins) : null,
            hydrated: hydrations.length === measured.length ? median(hydrations) : null,
            bytes: median(measured.map((r) => r.bytes)),
          };
          if (figures.join === null)
            problems.push(`${phone.name}, ${page.name}, JavaScript ${key}: no Join button seen`);
          if (key === "on" && figures.hydrated === null)
            problems.push(`${phone.name}, ${page.name}: not hydrated within 60 s`);
          pair[key] = figures;
          cases.push(figures);
          rows.push([
            page.name,
            key,
            msOrDash(figures.fcp),
            msOrDash(figures.join),
            msOrDash(figures.hydrated),
            kib(figures.bytes),
          ]);
        }
        const ratio = pair.on!.fcp / pair.off!.fcp;
        verdicts.push({
          phone: phone.name,
          page: page.name,
          on: pair.on!.fcp,
          off: pair.off!.fcp,
          ratio,
          met: ratio <= 1 + PAINT_ALLOWANCE,
        });
      }
      console.log(table(rows));
      for (const v of verdicts.filter((v) => v.phone === phone.name))
        console.log(
          `  ${v.page}: first paint with JavaScript ${Math.round(v.on)} ms vs ${Math.round(v.off)} ms without = ${v.ratio.toFixed(2)}× (floor ≤ ${(1 + PAINT_ALLOWANCE).toFixed(2)}×): ${v.met ? "PASS" : "FAIL"}`,
        );
    }
  } finally {
    await browser.close();
  }
  for (const problem of problems) console.log(`  PROBLEM: ${problem}`);
  return { runs: options.runs, cases, verdicts, ok: problems.length === 0 && verdicts.every((v) => v.met), problems };
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "paint" }, async (context) => {
    console.log(
      `\nbench/paint — production build, Node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(" / ")}`,
    );
    const only = process.env.PAINT_PHONES?.split(",").map((letter) => `(${letter.trim()})`);
    const figures = await paintBench(context, {
      runs: Number(process.env.PAINT_RUNS ?? 5),
      phones: only ? PHONES.filter((phone) => only.some((prefix) => phone.name.startsWith(prefix))) : PHONES,
    });
    console.log("");
    return figures;
  });
}

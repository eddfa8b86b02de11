// Page weight: what each page costs a low-powered device on the wire, and whether it works
// with zero bytes of JavaScript. Bytes are measured as sent by the production server (its
// gzip middleware decides what is compressed); CSS and JavaScript are the files the HTML links.
import http from "node:http";
import { gunzipSync } from "node:zlib";

export type PageSpec = {
  name: string;
  path: string;
  cookie?: string;
  expectStatus?: number;
  /** What must be in the HTML with every script removed: the content and the forms that make the page work. */
  mustContain: (string | RegExp)[];
};

export type PageWeight = {
  name: string;
  path: string;
  status: number;
  htmlRaw: number;
  /** As sent with Accept-Encoding: gzip (pages under the middleware's 1 KB threshold go uncompressed). */
  htmlGzip: number;
  /** Of htmlRaw: inline <script> bytes (scroll restoration, route manifest, hydration data), used only with JavaScript. */
  inlineScriptRaw: number;
  cssFiles: number;
  cssRaw: number;
  cssGzip: number;
  jsFiles: number;
  jsRaw: number;
  jsGzip: number;
  /** mustContain entries missing from the HTML once scripts are removed. */
  missingWithoutJs: string[];
  statusOk: boolean;
};

type Fetched = { status: number; headers: http.IncomingHttpHeaders; wire: number; body: Buffer };

/** One GET over a fresh connection, reporting the bytes on the wire and the decoded body. */
export function get(url: string, headers: Record<string, string> = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { "accept-encoding": "gzip", ...headers }, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const wireBody = Buffer.concat(chunks);
        const body = response.headers["content-encoding"] === "gzip" ? gunzipSync(wireBody) : wireBody;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, wire: wireBody.length, body });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)?.[1];

/** The stylesheets and JavaScript modules a page makes the browser fetch. */
export function linkedAssets(html: string): { css: string[]; js: string[] } {
  const css = new Set<string>();
  const js = new Set<string>();
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attribute(tag, "rel");
    const href = attribute(tag, "href");
    if (!href) continue;
    if (rel === "stylesheet") css.add(href);
    if (rel === "modulepreload") js.add(href);
  }
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attribute(tag, "src");
    if (src) js.add(src);
  }
  // Static imports in the inline module script (the route modules, also preloaded).
  for (const [, inline] of html.matchAll(/<script\b[^>]*type="module"[^>]*>([\s\S]*?)<\/script>/gi)) {
    for (const [, specifier] of inline!.matchAll(/import\s+(?:[^"']*?\s+from\s+)?["']([^"']+\.js)["']/g))
      js.add(specifier!);
  }
  return { css: [...css], js: [...js] };
}

/** The page as a browser without JavaScript gets it: no scripts, no module preloads. */
export function withoutJavaScript(html: string): string {
  return html
    .replace(/<script\b[\s\S]*?<\/script>/gi, "")
    .replace(/<link\b[^>]*rel="modulepreload"[^>]*>/gi, "")
    .replace(/<!-- -->/g, "");
}

export async function measurePages(baseUrl: string, pages: PageSpec[]): Promise<PageWeight[]> {
  const assetCache = new Map<string, { raw: number; gzip: number }>();
  const asset = async (href: string) => {
    let found = assetCache.get(href);
    if (!found) {
      const fetched = await get(new URL(href, baseUrl).toString());
      if (fetched.status !== 200) throw new Error(`${href} answered ${fetched.status}`);
      found = { raw: fetched.body.length, gzip: fetched.wire };
      assetCache.set(href, found);
    }
    return found;
  };
  const results: PageWeight[] = [];
  for (const page of pages) {
    const fetched = await get(`${baseUrl}${page.path}`, page.cookie ? { cookie: page.cookie } : {});
    const html = fetched.body.toString("utf8");
    const { css, js } = linkedAssets(html);
    const cssSizes = await Promise.all(css.map(asset));
    const jsSizes = await Promise.all(js.map(asset));
    const inlineScriptRaw = [...html.matchAll(/<script\b[\s\S]*?<\/script>/gi)].reduce(
      (sum, [m]) => sum + Buffer.byteLength(m),
      0,
    );
    const plain = withoutJavaScript(html);
    const missingWithoutJs = page.mustContain
      .filter((needle) => (typeof needle === "string" ? !plain.includes(needle) : !needle.test(plain)))
      .map(String);
    results.push({
      name: page.name,
      path: page.path,
      status: fetched.status,
      statusOk: fetched.status === (page.expectStatus ?? 200),
      htmlRaw: fetched.body.length,
      htmlGzip: fetched.wire,
      inlineScriptRaw,
      cssFiles: css.length,
      cssRaw: cssSizes.reduce((sum, s) => sum + s.raw, 0),
      cssGzip: cssSizes.reduce((sum, s) => sum + s.gzip, 0),
      jsFiles: js.length,
      jsRaw: jsSizes.reduce((sum, s) => sum + s.raw, 0),
      jsGzip: jsSizes.reduce((sum, s) => sum + s.gzip, 0),
      missingWithoutJs,
    });
  }
  return results;
}

export type Budget = Partial<Record<"htmlRaw" | "htmlGzip" | "cssGzip" | "jsGzip", number>>;
export type BudgetFile = { note?: string; pages: Record<string, Budget> };

/** Every figure over its budget, as "page: field 12,345 B > 12,000 B"; a page without a budget is an overrun too. */
export function overBudget(weights: PageWeight[], budget: BudgetFile): string[] {
  const over: string[] = [];
  for (const weight of weights) {
    const limits = budget.pages[weight.name];
    if (!limits) {
      over.push(`${weight.name}: no budget in bench/budget.json`);
      continue;
    }
    for (const [field, limit] of Object.entries(limits) as [keyof Budget, number][]) {
      const value = weight[field];
      if (value > limit)
        over.push(
          `${weight.name}: ${field} ${value.toLocaleString("en-GB")} B > budget ${limit.toLocaleString("en-GB")} B`,
        );
    }
  }
  return over;
}

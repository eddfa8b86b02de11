// Production runs plain JavaScript: `npm start` is `node <build>/server.js`, compiled by
// `npm run build`, with no TypeScript loader (docs/decisions/0008-compiled-server-no-typescript-loader.md). No browser involved: it runs
// once per run, in the JavaScript-off project (the one CI also runs on the newer Node).
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "../../scripts/lib/free-port.ts";
import { buildDir, compiledServer, ROOT, spawnProductionServer } from "../support/production-server.ts";

test.skip(({ javaScriptEnabled }) => javaScriptEnabled !== false, "no browser: once per run is enough");

test("npm start runs the compiled server with plain node: it answers /healthz and writes no warnings", async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  expect(manifest.scripts.start).toMatch(/^node\b.*\bserver\.js$/);
  expect(manifest.scripts.start).not.toMatch(/tsx|--import|--loader|\.ts\b/);

  // What the build left: JavaScript only, importing packages and nothing of our TypeScript.
  const source = fs.readFileSync(compiledServer(), "utf8");
  expect(source).not.toMatch(/from\s+["'][^"']+\.tsx?["']|import\(\s*["'][^"']+\.tsx?["']/);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The environment the Playwright run's own server has (global-setup.ts), with this server's URL,
  // and no workers: on the shared database they would send the run's e-mails with this address.
  const server = await spawnProductionServer({
    port,
    env: { ...process.env, APP_URL: url, WORKERS_IN_PROCESS: "false" },
  });
  try {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    // Pages go gzipped with their length known; small /api/ answers go as they are (fetch asks for gzip).
    const page = await fetch(`${url}/sign-in`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Encoding")).toBe("gzip");
    expect(await page.text()).toContain("<form");
    // The icon browsers ask for on every cold visit is a real file, cached, not a 404 page.
    for (const [icon, type] of [
      ["/favicon.ico", /^image\/(x-icon|vnd\.microsoft\.icon)$/],
      ["/favicon.svg", /^image\/svg\+xml$/],
    ] as const) {
      const answer = await fetch(`${url}${icon}`);
      expect(answer.status, icon).toBe(200);
      expect(answer.headers.get("Content-Type"), icon).toMatch(type);
      expect(answer.headers.get("Cache-Control"), icon).toBe("public, max-age=86400");
      expect((await answer.arrayBuffer()).byteLength, icon).toBeGreaterThan(100);
    }
    const api = await fetch(`${url}/api/webhooks/lessonspace`);
    expect(api.status).toBe(405);
    expect(api.headers.get("Content-Encoding")).toBeNull();
    expect(await api.json()).toEqual({ error: "Use POST." });
    // Everything the server logs is a JSON line on stdout, the start included; anything else is a
    // warning or error. supabase-js's own notice on Node 20 ("Node.js 20 and below are deprecated") is theirs.
    const unexpected = server.output.filter(
      (line) => line.trim() && !line.startsWith("{") && !/supabase-js/.test(line),
    );
    expect(unexpected).toEqual([]);
    const log = server.output.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as object);
    expect(log).toContainEqual(expect.objectContaining({ level: "info", msg: "server.listening" }));
    expect(log).toContainEqual(expect.objectContaining({ msg: "request", route: "/healthz", status: 200 }));
    expect(log.filter((line) => (line as { status?: number }).status === 404)).toEqual([]);
  } finally {
    await server.stop();
  }
  expect(path.dirname(compiledServer())).toBe(buildDir());
});

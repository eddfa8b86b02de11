import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestListener } from "@react-router/node";
import compression from "compression";
import type { ServerBuild } from "react-router";
import sirv from "sirv";
import { env } from "./app/.server/env.ts";

/**
 * The production HTTP server: node:http, gzip, immutable static assets, the React Router build,
 * and one structured log line per request (no query strings: they can carry tokens).
 */
export async function createAppServer(options: { buildDir?: string; log?: (line: string) => void } = {}) {
  const buildDir = options.buildDir ?? defaultBuildDir();
  const build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
  // Validate the configuration before accepting traffic, naming every missing variable.
  env();
  const log = options.log ?? batchedStdout();
  // Pages, styles and scripts are gzipped. /api/ answers (webhook receipts, the launch JSON) are a
  // few hundred bytes, sent as a stream without a length, so compression could not apply its size
  // threshold and started a gzip stream for each: more CPU than the bytes it saved.
  const gzip = compression({ filter: (req, res) => !req.url?.startsWith("/api/") && compression.filter(req, res) });
  const assets = sirv(path.join(buildDir, "client"), {
    gzip: false,
    etag: true,
    setHeaders(res, pathname) {
      if (pathname.startsWith("/assets/")) res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      // Browsers ask for the icon on every cold visit; a day, not immutable, as its name never changes.
      else if (pathname.startsWith("/favicon.")) {
        res.setHeader("Cache-Control", "public, max-age=86400");
        // sirv's type table has no .ico.
        if (pathname === "/favicon.ico") res.setHeader("Content-Type", "image/x-icon");
      }
    },
  });
  const handle = neverRejects(createRequestListener({ build, mode: process.env.NODE_ENV ?? "production" }));
  const webhook = webhookListenerOf(build);

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    res.setHeader("X-Request-Id", id);
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (req.url ?? "/").split("?")[0];
      log(
        JSON.stringify({
          at: new Date().toISOString(),
          id,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        }),
      );
    });
    if (webhook && req.method === "POST" && (req.url ?? "").split("?")[0] === webhook.path) {
      webhook.listener(req, res);
      return;
    }
    gzip(req as never, res as never, () => {
      assets(req, res, () => {
        handle(req, res);
      });
    });
  });
}

/**
 * Lessonspace's webhook posts go straight to the app's own handler for them (exported by
 * app/entry.server.tsx, app/.server/lessonspace/webhook-endpoint.ts explains why), not through gzip, the
 * static files and React Router; everything else, other methods on that path included, goes on.
 */
function webhookListenerOf(
  build: ServerBuild,
): { path: string; listener: (req: IncomingMessage, res: ServerResponse) => void } | null {
  const entry = build.entry.module as { lessonspaceWebhookListener?: Listener; WEBHOOK_PATH?: string };
  if (!entry.lessonspaceWebhookListener || !entry.WEBHOOK_PATH) return null;
  return { path: entry.WEBHOOK_PATH, listener: neverRejects(entry.lessonspaceWebhookListener) };
}

/** A request listener that may return a promise (React Router's does, though typed as void). */
type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * React Router's listener returns a promise that rejects when a response fails after it began (the
 * body stream breaks, or its error page cannot be sent because headers already went). Left
 * unheard, that rejection ends the whole process and every request in it; here it ends only this
 * response: a bare 500 if nothing was sent yet, else the connection is cut (the client sees a
 * truncated answer, not a wrong one).
 */
export function neverRejects(listener: Listener, logError: (line: string) => void = console.error) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const fail = (error: unknown) => {
      const route = (req.url ?? "/").split("?")[0];
      logError(
        JSON.stringify({
          at: new Date().toISOString(),
          event: "response.failed",
          method: req.method,
          route,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.end("Internal Server Error");
      } else {
        res.destroy();
      }
    };
    try {
      Promise.resolve(listener(req, res)).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/**
 * Request log lines written once per turn of the event loop, not once per request: under load a
 * write per line (a system call each when stdout is a file) cost more than forming the line.
 */
function batchedStdout(): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    const lines = pending;
    pending = [];
    process.stdout.write(lines.join("\n") + "\n");
  };
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}

/**
 * Compiled (`npm start` runs <build>/server.js, see vite.server.config.ts): the build this file sits
 * in. From source (`tsx server.ts`): BUILD_DIR relative to the project, as react-router.config.ts
 * reads it, so several runs can share a checkout.
 */
function defaultBuildDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (fs.existsSync(path.join(here, "server/index.js"))) return here;
  return path.resolve(here, process.env.BUILD_DIR ?? "build");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const port = Number(process.env.PORT ?? 3000);
  const server = await createAppServer().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
  server.listen(port, () => console.log(`Tutorwise Classroom listening on http://localhost:${port}`));
  // A deploy's SIGTERM: stop taking requests, let the in-process workers finish their sends, exit.
  // (The workers' state is on globalThis, shared with the copy of worker.ts inside the build.)
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.close();
      void import("./app/.server/worker.ts")
        .then(({ stopWorkers }) => stopWorkers({ graceful: true, timeoutMs: 8_000 }))
        .catch((error: unknown) => console.error(error))
        .finally(() => process.exit(0));
    });
  }
}

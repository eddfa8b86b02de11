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
import { logger, runWithRequestId } from "./app/.server/logger.ts";
import { acceptedRequestId } from "./app/domain/request-id.ts";

/**
 * The production HTTP server: node:http, gzip, immutable static assets, the React Router build,
 * and one log line per request ("request", without the query string: it can carry tokens).
 */
export async function createAppServer(options: { buildDir?: string } = {}) {
  const buildDir = options.buildDir ?? defaultBuildDir();
  const build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
  // Validate the configuration before accepting traffic, naming every missing variable.
  env();
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

  return createServer(
    withRequestLog((req, res) => {
      if (webhook && req.method === "POST" && (req.url ?? "").split("?")[0] === webhook.path) {
        webhook.listener(req, res);
        return;
      }
      gzip(req as never, res as never, () => {
        assets(req, res, () => {
          handle(req, res);
        });
      });
    }),
  );
}

/**
 * Gives each request its id (the caller's X-Request-Id when safe, else a new one), answers it in
 * X-Request-Id, runs the listener with it on every log line, and logs one "request" line when
 * the answer is sent. Nothing else per request: the dashboard and the webhooks are benchmarked.
 */
export function withRequestLog(listener: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const requestId = acceptedRequestId(req.headers["x-request-id"]) ?? randomUUID();
    res.setHeader("X-Request-Id", requestId);
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          requestId,
          method: req.method,
          route: (req.url ?? "/").split("?")[0],
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        "request",
      );
    });
    runWithRequestId(requestId, () => listener(req, res));
  };
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
export function neverRejects(listener: Listener) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const fail = (error: unknown) => {
      const route = (req.url ?? "/").split("?")[0];
      logger.error({ method: req.method, route, err: error }, "response.failed");
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
    // The message names every missing setting; a stack would only bury it.
    logger.fatal({ error: error instanceof Error ? error.message : String(error) }, "server.start_failed");
    process.exit(1);
  });
  server.listen(port, () => logger.info({ url: `http://localhost:${port}` }, "server.listening"));
  // A deploy's SIGTERM: stop taking requests, let the in-process workers finish their sends, exit.
  // (The workers' state is on globalThis, shared with the copy of worker.ts inside the build.)
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.close();
      void import("./app/.server/worker.ts")
        .then(({ stopWorkers }) => stopWorkers({ graceful: true, timeoutMs: 8_000 }))
        .catch((error: unknown) => logger.error({ err: error }, "workers.stop_failed"))
        .finally(() => process.exit(0));
    });
  }
}

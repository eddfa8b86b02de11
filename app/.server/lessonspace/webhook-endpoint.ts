import type { IncomingMessage, ServerResponse } from "node:http";
import { MAX_BODY_BYTES } from "~/domain/webhook-payload";
import { logger } from "../logger";
import { declaredTooLarge } from "../read-limited";
import { ingestLessonspaceWebhook, type BodyRead, type HeaderReader, type WebhookOutcome } from "./webhooks";

/**
 * POST /api/webhooks/lessonspace, answered two ways by the same rules: the React Router resource
 * route (app/routes/api.webhooks.lessonspace.ts: `npm run dev` and other methods) and
 * `lessonspaceWebhookListener`, which the production server (server.ts) puts in front of React
 * Router for this one path. Lessonspace posts every join, leave and end here, in bursts when
 * classes start; the framework's request adapter (a WHATWG Request with its abort signal, the
 * middleware chain, a Response streamed back) was half of a delivery's CPU (bench/webhooks.ts:
 * 2.9 → 1.45 ms), and a webhook reads no cookie and renders nothing.
 */
export const WEBHOOK_PATH = "/api/webhooks/lessonspace";

export type WebhookReply = { status: number; body: Record<string, string>; headers: Record<string, string> };

export async function receiveLessonspaceWebhook(
  method: string,
  headers: HeaderReader,
  readBody: () => Promise<BodyRead>,
): Promise<WebhookReply> {
  if (method !== "POST") return methodNotAllowed();
  const read = await readBody();
  if (!read.ok) {
    return read.reason === "too-large"
      ? reply(413, { error: "The body is larger than 64 KB." })
      : reply(400, { error: "The body could not be read." });
  }
  const outcome = await ingestLessonspaceWebhook({ body: read.bytes, headers, now: new Date() });
  if (outcome.kind !== "applied" && outcome.kind !== "duplicate") logRefusal(outcome);
  return respond(outcome);
}

export function methodNotAllowed(): WebhookReply {
  return reply(405, { error: "Use POST." }, { Allow: "POST" });
}

function respond(outcome: WebhookOutcome): WebhookReply {
  switch (outcome.kind) {
    case "applied":
    case "ignored":
    case "duplicate":
      return reply(200, { outcome: outcome.kind, detail: outcome.detail });
    case "unsigned":
      return reply(401, { error: "Missing x-webhook-signature." });
    case "bad-signature":
      return reply(401, { error: "The signature does not match." });
    case "unknown-room":
      return reply(404, { error: "Unknown room." });
    case "malformed":
      return reply(400, { error: outcome.detail });
    case "unprocessable":
      return reply(422, { error: outcome.detail });
    case "unavailable":
      // 5xx makes Lessonspace retry later with the same x-webhook-id.
      return reply(503, { error: "Temporarily unavailable, retry later." }, { "Retry-After": "30" });
  }
}

function logRefusal(outcome: WebhookOutcome) {
  if (outcome.kind === "ignored") return;
  logger.warn({ kind: outcome.kind, detail: "detail" in outcome ? outcome.detail : undefined }, "webhook.refused");
}

function reply(status: number, body: Record<string, string>, headers: Record<string, string> = {}): WebhookReply {
  return { status, body, headers: { "Cache-Control": "no-store", ...headers } };
}

/** For the React Router route. */
export function webhookResponse({ status, body, headers }: WebhookReply): Response {
  return Response.json(body, { status, headers });
}

/**
 * For node:http: the same answers, with the headers the root middleware gives every response
 * (app/.server/security.ts). No cross-site check: this path is exempt from it (signed instead).
 */
export function lessonspaceWebhookListener(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers: HeaderReader = {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
  return receiveLessonspaceWebhook(req.method ?? "GET", headers, () => readLimitedNodeBody(req)).then(
    ({ status, body, headers: extra }) => {
      const json = JSON.stringify(body);
      res.writeHead(status, {
        ...extra,
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(json),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        // A body we stopped reading is not drained for a next request: the connection ends with it.
        ...(req.complete ? {} : { Connection: "close" }),
      });
      res.end(json);
    },
  );
}

/** readLimitedBody's rules on a node:http request: the declared length first, then counting. */
export function readLimitedNodeBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  if (declaredTooLarge(req.headers["content-length"], limit))
    return Promise.resolve({ ok: false, reason: "too-large" });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (result: BodyRead) => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        req.pause();
        settle({ ok: false, reason: "too-large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle({ ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
    const onError = () => settle({ ok: false, reason: "unreadable" });
    req.on("data", onData).on("end", onEnd).on("error", onError).on("aborted", onError);
  });
}

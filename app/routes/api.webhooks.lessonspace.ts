import { ingestLessonspaceWebhook, readLimitedBody, type WebhookOutcome } from "~/.server/webhooks";
import type { Route } from "./+types/api.webhooks.lessonspace";

// Lessonspace posts here from its servers: no cookies are read or set, and the root middleware's
// cross-site check exempts this path because the signature is verified instead (app/.server/webhooks.ts).

export async function action({ request }: Route.ActionArgs) {
  if (request.method !== "POST") return answer(405, { error: "Use POST." }, { Allow: "POST" });
  const read = await readLimitedBody(request);
  if (!read.ok) {
    return read.reason === "too-large"
      ? answer(413, { error: "The body is larger than 64 KB." })
      : answer(400, { error: "The body could not be read." });
  }
  const outcome = await ingestLessonspaceWebhook({ body: read.bytes, headers: request.headers, now: new Date() });
  if (outcome.kind !== "applied" && outcome.kind !== "duplicate") logRefusal(outcome);
  return respond(outcome);
}

export function loader() {
  return answer(405, { error: "Use POST." }, { Allow: "POST" });
}

function respond(outcome: WebhookOutcome): Response {
  switch (outcome.kind) {
    case "applied":
    case "ignored":
    case "duplicate":
      return answer(200, { outcome: outcome.kind, detail: outcome.detail });
    case "unsigned":
      return answer(401, { error: "Missing x-webhook-signature." });
    case "bad-signature":
      return answer(401, { error: "The signature does not match." });
    case "unknown-room":
      return answer(404, { error: "Unknown room." });
    case "malformed":
      return answer(400, { error: outcome.detail });
    case "unprocessable":
      return answer(422, { error: outcome.detail });
    case "unavailable":
      // 5xx makes Lessonspace retry later with the same x-webhook-id.
      return answer(503, { error: "Temporarily unavailable, retry later." }, { "Retry-After": "30" });
  }
}

function logRefusal(outcome: WebhookOutcome) {
  if (outcome.kind === "ignored") return;
  const detail = "detail" in outcome ? `: ${outcome.detail}` : "";
  console.warn(`[webhooks] delivery refused (${outcome.kind})${detail}`);
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

import { methodNotAllowed, receiveLessonspaceWebhook, webhookResponse } from "~/.server/lessonspace/webhook-endpoint";
import { readLimitedBody } from "~/.server/lessonspace/webhooks";
import type { Route } from "./+types/api.webhooks.lessonspace";

// Lessonspace posts here from its servers: no cookies are read or set, and the root middleware's
// cross-site check exempts this path because the signature is verified instead (app/.server/lessonspace/webhooks.ts).
// The production server answers POSTs to this path before React Router, with the same function
// (lessonspaceWebhookListener in app/.server/lessonspace/webhook-endpoint.ts); this route answers them in
// `npm run dev` and the tests, and answers every other method.

export async function action({ request }: Route.ActionArgs) {
  return webhookResponse(
    await receiveLessonspaceWebhook(request.method, request.headers, () => readLimitedBody(request)),
  );
}

export function loader() {
  return webhookResponse(methodNotAllowed());
}

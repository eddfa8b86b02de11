import { type EntryContext, type RouterContextProvider, ServerRouter } from "react-router";
import { renderToBuffer } from "./.server/render-to-buffer";
import { logger } from "./.server/logger";
import { nonceContext } from "./.server/security";
import { startWorkersInProcess } from "./.server/worker";

export const streamTimeout = 5_000;

// For server.ts, which answers Lessonspace's webhook posts before React Router does (see the
// module): taken from the build, so the server and the routes share one copy of its state.
export { lessonspaceWebhookListener, WEBHOOK_PATH } from "./.server/lessonspace/webhook-endpoint";

// The app process runs the background workers (reminders) unless WORKERS_IN_PROCESS=false; this
// module is loaded once per server (production and dev), which makes it the one place to start them.
startWorkersInProcess();

// Every loader finishes before we answer (no deferred data): the whole document, in one buffer.
export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  routerContext: EntryContext,
  loadContext: RouterContextProvider,
) {
  if (request.method.toUpperCase() === "HEAD") {
    return new Response(null, { status: responseStatusCode, headers: responseHeaders });
  }
  const nonce = loadContext.get(nonceContext);
  let status = responseStatusCode;
  const html = await renderToBuffer(<ServerRouter context={routerContext} url={request.url} nonce={nonce} />, {
    nonce,
    timeoutMs: streamTimeout + 1000,
    onError(error) {
      status = 500;
      logger.error({ err: error }, "render.failed");
    },
  });
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  responseHeaders.set("Content-Length", String(html.byteLength));
  return new Response(html, { headers: responseHeaders, status });
}

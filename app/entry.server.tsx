import { Writable } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { type EntryContext, type RouterContextProvider, ServerRouter } from "react-router";
import { nonceContext } from "./.server/security";
import { startWorkersInProcess } from "./.server/worker";

export const streamTimeout = 5_000;

// For server.ts, which answers Lessonspace's webhook posts before React Router does (see the
// module): taken from the build, so the server and the routes share one copy of its state.
export { lessonspaceWebhookListener, WEBHOOK_PATH } from "./.server/webhook-endpoint";

// The app process runs the background workers (reminders) unless WORKERS_IN_PROCESS=false; this
// module is loaded once per server (production and dev), which makes it the one place to start them.
startWorkersInProcess();

// Every loader finishes before we answer (no deferred data), so we wait for the whole document:
// one complete HTML response is what a cheap phone with JavaScript off needs.
export default function handleRequest(
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
  return new Promise<Response>((resolve, reject) => {
    let status = responseStatusCode;
    const { pipe, abort } = renderToPipeableStream(
      <ServerRouter context={routerContext} url={request.url} nonce={nonce} />,
      {
        nonce,
        onAllReady() {
          // Everything is ready, so React writes the whole document at once: gather its small
          // chunks into one buffer and answer with that (one write to the socket, a Content-Length),
          // rather than a stream whose every 2 KB chunk became a write of its own.
          const chunks: Buffer[] = [];
          const document = new Writable({
            write(chunk: Buffer, _encoding, done) {
              chunks.push(chunk);
              done();
            },
            final(done) {
              const html = Buffer.concat(chunks);
              responseHeaders.set("Content-Type", "text/html; charset=utf-8");
              responseHeaders.set("Content-Length", String(html.byteLength));
              resolve(new Response(html, { headers: responseHeaders, status }));
              done();
            },
          });
          document.on("error", reject);
          pipe(document);
        },
        onShellError: reject,
        onError(error) {
          status = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1000).unref();
  });
}

import { Writable } from "node:stream";
import type { ReactNode } from "react";
import { renderToPipeableStream } from "react-dom/server";

/**
 * Renders a whole document into one buffer once everything is ready (no deferred data in this
 * app): one complete HTML response is what a cheap phone with JavaScript off needs, and React's
 * small chunks gathered into one buffer become one write to the socket with a Content-Length,
 * rather than a stream whose every 2 KB chunk was a write of its own. Rejects when the shell
 * cannot render; `onError` hears the errors React recovered from. After `timeoutMs` React is told
 * to stop waiting and finishes with what it has.
 */
export function renderToBuffer(element: ReactNode, options: { nonce?: string; timeoutMs: number; onError: (error: unknown) => void }): Promise<Buffer<ArrayBuffer>> {
  return new Promise<Buffer<ArrayBuffer>>((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(element, {
      nonce: options.nonce,
      onAllReady() {
        const chunks: Buffer[] = [];
        const document = new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done();
          },
          final(done) {
            clearTimeout(timer);
            resolve(Buffer.concat(chunks));
            done();
          },
        });
        document.on("error", reject);
        pipe(document);
      },
      onShellError(error) {
        clearTimeout(timer);
        reject(error);
      },
      onError: options.onError,
    });
    const timer = setTimeout(abort, options.timeoutMs).unref();
  });
}

import type { ReactNode } from "react";
// React's Bun build of the same server renderer (Node APIs only: stream, util, crypto). Its
// destination receives the document as strings, where the Node build encodes every small piece
// into bytes as it goes (TextEncoder.encodeInto per piece: ~10% of a dashboard's CPU in profiles).
// render-to-buffer.test.ts checks that both builds write the very same document.
import { renderToPipeableStream } from "react-dom/server.bun";

/**
 * Renders a whole document into one buffer once everything is ready (no deferred data in this
 * app): one complete HTML response is what a cheap phone with JavaScript off needs, sent as one
 * write with a Content-Length rather than a stream of small writes. The pieces React writes are
 * gathered as strings and encoded once. Rejects when the shell cannot render; `onError` hears the
 * errors React recovered from. After `timeoutMs` React is told to stop waiting and finishes with
 * what it has.
 */
export function renderToBuffer(
  element: ReactNode,
  options: { nonce?: string; timeoutMs: number; onError: (error: unknown) => void },
): Promise<Buffer<ArrayBuffer>> {
  return new Promise<Buffer<ArrayBuffer>>((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(element, {
      nonce: options.nonce,
      onAllReady() {
        const pieces: string[] = [];
        // All React calls on its destination: write (a string), end, destroy on error, and `on`
        // for drain/error/close, which a buffer in memory never emits. A Writable would cost
        // more than the encoding saved: React writes thousands of pieces a page.
        const document = {
          write(piece: string) {
            pieces.push(piece);
            return true;
          },
          end() {
            clearTimeout(timer);
            resolve(Buffer.from(pieces.join(""), "utf8") as Buffer<ArrayBuffer>);
          },
          destroy(error: unknown) {
            clearTimeout(timer);
            reject(error);
          },
          on() {
            return document;
          },
        };
        pipe(document as unknown as NodeJS.WritableStream);
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

import { Writable } from "node:stream";
import { createElement as h, Suspense, use, type ReactNode } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { renderToBuffer } from "./render-to-buffer";

/** The same element through React's Node build, gathered as it writes it: the reference. */
function renderWithNodeBuild(element: ReactNode, nonce?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const { pipe } = renderToPipeableStream(element, {
      nonce,
      onAllReady() {
        const chunks: Buffer[] = [];
        pipe(
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              chunks.push(chunk);
              done();
            },
            final(done) {
              resolve(Buffer.concat(chunks));
              done();
            },
          }),
        );
      },
      onShellError: reject,
    });
  });
}

const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 5));

/** What React Router's document has: head tags, escaping, non-ASCII, nonce'd inline script, and
 * data read through Suspense one piece at a time (as its hydration data is). */
function documentLike(pieces: Promise<string>[]) {
  function Piece({ index }: { index: number }): ReactNode {
    const text = use(pieces[index]!);
    return h(
      "li",
      null,
      text,
      index + 1 < pieces.length ? h(Suspense, { fallback: null }, h(Piece, { index: index + 1 })) : null,
    );
  }
  const long = "Fractions → decimals · “quoted” ★ café ".repeat(120); // > React's 2 KB write buffer, multi-byte
  return h(
    "html",
    { lang: "en-GB" },
    h(
      "head",
      null,
      h("meta", { charSet: "utf-8" }),
      h("title", null, "Maths · Year 6 — ★"),
      h("link", { rel: "stylesheet", href: "/assets/a.css" }),
    ),
    h(
      "body",
      null,
      h("main", { className: "page" }, h("h1", null, 'Your lessons <& "quotes">'), h("p", { title: "a'b\"c" }, long)),
      h("ul", null, h(Suspense, { fallback: h("li", null, "loading") }, h(Piece, { index: 0 }))),
      h("script", { nonce: "n0nce", dangerouslySetInnerHTML: { __html: 'window.x = "</scr" + "ipt>";' } }),
    ),
  );
}

describe("renderToBuffer", () => {
  it("writes the very document React's Node build writes, byte for byte", async () => {
    const pieces = () => ["one", "två", "三", "<four>"].map(later);
    const ours = await renderToBuffer(documentLike(pieces()), {
      nonce: "n0nce",
      timeoutMs: 5_000,
      onError: (error) => expect.fail(String(error)),
    });
    const reference = await renderWithNodeBuild(documentLike(pieces()), "n0nce");
    expect(ours.byteLength).toBeGreaterThan(5_000);
    expect(ours.toString("utf8")).toContain("<li>三<");
    expect(ours.equals(reference)).toBe(true);
  });

  it("rejects when the shell itself cannot render", async () => {
    function Broken(): ReactNode {
      throw new Error("no shell");
    }
    await expect(renderToBuffer(h(Broken), { timeoutMs: 5_000, onError: () => {} })).rejects.toThrow("no shell");
  });

  it("recovers inside a Suspense boundary: the fallback is sent and onError hears why", async () => {
    function Failing(): ReactNode {
      throw new Error("part failed");
    }
    const heard: unknown[] = [];
    const html = await renderToBuffer(
      h("div", null, h(Suspense, { fallback: h("p", null, "Could not load") }, h(Failing))),
      {
        timeoutMs: 5_000,
        onError: (error) => {
          heard.push(error);
        },
      },
    );
    expect(html.toString("utf8")).toContain("Could not load");
    expect(heard.map(String)).toEqual(["Error: part failed"]);
  });

  it("stops waiting after timeoutMs and finishes with what it has", async () => {
    function Never(): ReactNode {
      use(new Promise<never>(() => {}));
      return null;
    }
    const heard: unknown[] = [];
    const started = Date.now();
    const html = await renderToBuffer(
      h("div", null, h(Suspense, { fallback: h("p", null, "Still loading") }, h(Never))),
      {
        timeoutMs: 50,
        onError: (error) => {
          heard.push(error);
        },
      },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(html.toString("utf8")).toContain("Still loading");
    expect(heard).toHaveLength(1);
  });
});

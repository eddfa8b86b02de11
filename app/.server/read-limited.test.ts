import { describe, expect, it } from "vitest";
import { declaredTooLarge, readAtMost } from "./read-limited";

function streamOf(chunks: Uint8Array[], failAfter?: number) {
  let sent = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && sent === failAfter) return controller.error(new Error("connection reset"));
      const next = chunks[sent++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, wasCancelled: () => cancelled, pulled: () => sent };
}

const bytes = (n: number) => new Uint8Array(n).fill(65);

describe("reading a body without holding more than a limit", () => {
  it("returns every byte of a body at the limit", async () => {
    const { stream } = streamOf([bytes(6), bytes(4)]);
    const read = await readAtMost(stream, 10);
    expect(read).toEqual({ ok: true, bytes: expect.any(Uint8Array) });
    expect(read.ok && read.bytes.byteLength).toBe(10);
  });

  it("stops at the first chunk past the limit and cancels the rest", async () => {
    const { stream, wasCancelled, pulled } = streamOf([bytes(6), bytes(6), bytes(6), bytes(6)]);
    expect(await readAtMost(stream, 10)).toEqual({ ok: false, reason: "too-large" });
    expect(pulled()).toBe(2);
    await Promise.resolve();
    expect(wasCancelled()).toBe(true);
  });

  it("says unreadable, with the cause, when the stream breaks off", async () => {
    const { stream } = streamOf([bytes(3), bytes(3)], 1);
    const read = await readAtMost(stream, 10);
    expect(read).toMatchObject({ ok: false, reason: "unreadable" });
    expect(!read.ok && read.reason === "unreadable" && String(read.error)).toMatch(/connection reset/);
  });

  it.each([
    ["11", true],
    [" 11 ", true],
    ["10", false],
    [null, false],
    [undefined, false],
    ["-5", false],
    ["lots", false],
  ])("declared length %j over 10: %s (odd or missing ones are counted instead)", (declared, expected) => {
    expect(declaredTooLarge(declared, 10)).toBe(expected);
  });
});

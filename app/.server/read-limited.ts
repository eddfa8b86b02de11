/**
 * Reading a body from outside (a webhook delivery, a downloaded transcript) without ever holding
 * more than a limit: refused first by its declared length, then by counting while reading, so a
 * lying or missing Content-Length never makes us buffer more.
 */

/** A Content-Length over `limit`: refused before a byte is read (a missing or odd one is counted instead). */
export function declaredTooLarge(declared: string | null | undefined, limit: number): boolean {
  return declared != null && /^\d+$/.test(declared.trim()) && Number(declared) > limit;
}

export type LimitedRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: "too-large" }
  | { ok: false; reason: "unreadable"; error: unknown };

/** Reads `stream` to its end, or stops (and cancels it) as soon as it passes `limit` bytes. */
export async function readAtMost(stream: ReadableStream<Uint8Array>, limit: number): Promise<LimitedRead> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        void reader.cancel().catch(() => undefined);
        return { ok: false, reason: "too-large" };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, reason: "unreadable", error };
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

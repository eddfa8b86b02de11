// Garbage collection on demand in the server under test, from outside it: the server runs with
// --inspect on a loopback port of its own choosing, and the soak asks V8 through the inspector
// protocol to collect garbage and report its heap. Nothing in the app's code is involved.
import WebSocket from "ws";

/** The inspector's WebSocket URL from the "Debugger listening on ws://…" line Node writes to stderr. */
export function inspectorUrlFrom(line: string): string | null {
  return /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1] ?? null;
}

/** Lines Node prints about the inspector itself, not worth passing on. */
export function isInspectorChatter(line: string): boolean {
  return /^(Debugger listening on|Debugger attached\.|Debugger ending on|For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector|Waiting for the debugger to disconnect)/.test(
    line.trim(),
  );
}

/** A full collection, then V8's heap figures: used and total bytes. */
export async function collectGarbage(url: string): Promise<{ usedBytes: number; totalBytes: number }> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
  });
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    const usage = await call("Runtime.getHeapUsage");
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  } finally {
    socket.close();
  }
}

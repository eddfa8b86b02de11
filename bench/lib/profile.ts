// Looking inside the server under test from outside it, over the inspector protocol (the server
// runs with --inspect on a loopback port): CPU profiles, process.memoryUsage() samples, full GCs
// and heap snapshots, and short text summaries of them. Nothing in the app's code is involved.
import fs from "node:fs";
import WebSocket from "ws";

type Pending = { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void };

/** One inspector session: call(method, params) and listen to events. */
export class InspectorSession {
  private socket: WebSocket;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Map<string, ((params: Record<string, unknown>) => void)[]>();
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.socket = new WebSocket(url, { maxPayload: 2 ** 31 });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once("open", () => resolve());
      this.socket.once("error", reject);
    });
    this.socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
      };
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error.message));
        else waiter?.resolve(message.result ?? {});
      } else if (message.method) {
        for (const listener of this.listeners.get(message.method) ?? []) listener(message.params ?? {});
      }
    });
  }

  static async open(url: string): Promise<InspectorSession> {
    const session = new InspectorSession(url);
    await session.opened;
    return session;
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, listener: (params: Record<string, unknown>) => void): void {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), listener]);
  }

  close(): void {
    this.socket.close();
  }

  // --- CPU ---------------------------------------------------------------------------------

  async startCpuProfile(samplingIntervalUs = 200): Promise<void> {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
    await this.call("Profiler.start");
  }

  async stopCpuProfile(): Promise<CpuProfile> {
    const { profile } = await this.call("Profiler.stop");
    await this.call("Profiler.disable");
    return profile as CpuProfile;
  }

  // --- Memory ------------------------------------------------------------------------------

  /** process.memoryUsage() of the server, in bytes. */
  async memoryUsage(): Promise<NodeJS.MemoryUsage> {
    const { result } = await this.call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    return JSON.parse((result as { value: string }).value) as NodeJS.MemoryUsage;
  }

  /** A full GC, then V8's heap used and total. */
  async collectGarbage(): Promise<{ usedBytes: number; totalBytes: number }> {
    await this.call("HeapProfiler.collectGarbage");
    const usage = await this.call("Runtime.getHeapUsage");
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  }

  /** A heap snapshot as text (the .heapsnapshot JSON), taken after a GC. */
  async heapSnapshot(): Promise<string> {
    const chunks: string[] = [];
    this.on("HeapProfiler.addHeapSnapshotChunk", (params) => chunks.push(String(params.chunk)));
    await this.call("HeapProfiler.enable");
    await this.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false, captureNumericValue: false });
    this.listeners.delete("HeapProfiler.addHeapSnapshotChunk");
    await this.call("HeapProfiler.disable");
    return chunks.join("");
  }
}

// --- CPU profile summaries ---------------------------------------------------------------------

export type CpuProfile = {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

export type SelfTimeRow = { name: string; where: string; ms: number; share: number };

function shortUrl(url: string, root: string): string {
  if (!url) return "";
  let u = url.replace(/^file:\/\//, "");
  if (u.startsWith(root)) u = u.slice(root.length + 1);
  const modules = u.lastIndexOf("node_modules/");
  if (modules >= 0) u = u.slice(modules + "node_modules/".length);
  return u;
}

/** Which package or part of the program a frame belongs to. */
export function areaOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native / V8 builtins)";
  if (url.startsWith("node:")) return "node internals";
  const u = shortUrl(url, root);
  if (url.includes("node_modules/")) {
    const parts = u.split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (/\/server\/index\.js$/.test(u) || /^build[^/]*\/server\//.test(u)) return "app (server build)";
  if (u.startsWith("app/generated/")) return "app/generated (Prisma client)";
  return u.split("/").slice(0, 2).join("/");
}

/** Self time per function and per area (package), busiest first. */
export function summariseCpuProfile(
  profile: CpuProfile,
  root: string,
  top = 25,
): { total: number; functions: SelfTimeRow[]; areas: SelfTimeRow[]; idleMs: number } {
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byArea = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const name = functionName || "(anonymous)";
    const where = url ? `${shortUrl(url, root)}:${lineNumber + 1}` : "";
    const key = `${name}@${where}`;
    const entry = byFunction.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const area = areaOf(url, functionName, root);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const functions = [...byFunction.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: f.us / totalUs }));
  const areas = [...byArea.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, where: "", ms: us / 1000, share: us / totalUs }));
  return { total: totalUs / 1000, functions, areas, idleMs: idleUs / 1000 };
}

// --- Heap snapshot summaries -------------------------------------------------------------------

export type HeapRow = { type: string; name: string; count: number; selfBytes: number };

/** Self size per node type and constructor (or string/code kind), biggest first. */
export function summariseHeapSnapshot(
  text: string,
  top = 30,
): { totalBytes: number; byType: HeapRow[]; byConstructor: HeapRow[] } {
  const snapshot = JSON.parse(text) as {
    snapshot: { meta: { node_fields: string[]; node_types: (string[] | string)[] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0] as string[];
  const stride = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const byType = new Map<string, HeapRow>();
  const byConstructor = new Map<string, HeapRow>();
  let totalBytes = 0;
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]!] ?? "?";
    const size = nodes[i + sizeAt]!;
    totalBytes += size;
    let name = strings[nodes[i + nameAt]!] ?? "";
    if (type === "string" || type === "concatenated string" || type === "sliced string") name = "(strings)";
    else if (type === "code") name = "(compiled code)";
    else if (type === "number") name = "(heap numbers)";
    else if (type === "array") name = `(array) ${name.slice(0, 40)}`;
    else if (type === "closure") name = "(closures)";
    else if (type === "regexp") name = "(regexps)";
    else name = name.slice(0, 60);
    const t = byType.get(type) ?? { type, name: "", count: 0, selfBytes: 0 };
    t.count++;
    t.selfBytes += size;
    byType.set(type, t);
    const key = `${type}|${name}`;
    const c = byConstructor.get(key) ?? { type, name, count: 0, selfBytes: 0 };
    c.count++;
    c.selfBytes += size;
    byConstructor.set(key, c);
  }
  const sorted = (m: Map<string, HeapRow>) => [...m.values()].sort((a, b) => b.selfBytes - a.selfBytes).slice(0, top);
  return { totalBytes, byType: sorted(byType), byConstructor: sorted(byConstructor) };
}

export function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value));
}

// Drives HTTP load with autocannon from a process of its own (bench/lib/load-worker.ts), so that
// neither the server under test nor the stand-ins in this process compete with the load
// generator's event loop. Samples the target server's RSS while the load runs.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { root } from "./build.ts";
import { cpuSeconds, sampleRss, type RssTrace } from "./processes.ts";

export type StaticRequest = { method: "GET" | "POST"; path: string; headers?: Record<string, string>; body?: string };
/** A room the webhook generator signs deliveries for (user.join / user.leave of `profileId`). */
export type WebhookRoom = { roomId: string; secret: string; sessionId: string; profileId: string };
export type WebhookRequests = { webhook: { rooms: WebhookRoom[] } };

export type LoadSpec = {
  url: string;
  connections: number;
  seconds: number;
  /** Run this long first at the same concurrency, outside the figures. */
  warmupSeconds?: number;
  /** Sent in turn by every connection; webhook entries are new signed deliveries each time. */
  requests: (StaticRequest | WebhookRequests)[];
  /** Statuses that count as right (default [200]); any other is counted as unexpected. */
  okStatuses?: number[];
};

export type LoadResult = {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  /** Answers with a status outside okStatuses. */
  unexpected: number;
  /** Answers outside 2xx and 3xx. */
  non2xx3xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  firstError?: string;
  bytes: number;
};

export type MeasuredLoad = LoadResult & {
  rss?: RssTrace;
  /** CPU seconds the sampled process used during the measured part. */
  serverCpuSeconds?: number;
  /** serverCpuSeconds over the run's length: the share of one core it got (1 = a whole core). */
  serverCpuShare?: number;
  /** Answers per CPU second of the sampled process: its efficiency, little moved by busy neighbours. */
  perCpuSecond?: number;
};

type Reply = { id: number; result?: LoadResult; error?: string };

export class LoadGenerator {
  private child: ChildProcess;
  private ready: Promise<void>;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    const worker = fileURLToPath(new URL("./load-worker.ts", import.meta.url));
    this.child = fork(worker, [], {
      cwd: root,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.once("error", reject);
      this.child.once("exit", (code) => {
        const error = new Error(`The load generator exited with code ${code}`);
        reject(error);
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
      this.child.on("message", (message: Reply | { ready: true }) => {
        if ("ready" in message) return resolve();
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.result!);
      });
    });
  }

  /** Runs `spec`; with `samplePid`, the RSS of that process is sampled for the measured part. */
  async run(spec: LoadSpec, samplePid?: number): Promise<MeasuredLoad> {
    await this.ready;
    const id = this.nextId++;
    const answer = new Promise<LoadResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.child.send({ id, spec });
    let sampler: ReturnType<typeof sampleRss> | undefined;
    let cpuAtStart: number | undefined;
    let warmupTimer: NodeJS.Timeout | undefined;
    if (samplePid) {
      const start = () => {
        sampler = sampleRss(samplePid);
        cpuAtStart = cpuSeconds(samplePid);
      };
      if (spec.warmupSeconds) warmupTimer = setTimeout(start, spec.warmupSeconds * 1000);
      else start();
    }
    try {
      const result = await answer;
      if (!samplePid || cpuAtStart === undefined) return result;
      const used = cpuSeconds(samplePid) - cpuAtStart;
      return {
        ...result,
        rss: sampler?.stop(),
        serverCpuSeconds: used,
        serverCpuShare: used / result.seconds,
        perCpuSecond: used > 0 ? result.requests / used : NaN,
      };
    } finally {
      clearTimeout(warmupTimer);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}

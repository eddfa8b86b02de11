// Child-process servers for the bench: the app and the two ceilings each run in a process of their
// own, so the load generator never shares their event loop, and their memory can be read from /proc.
import { execSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { freePort } from "../../scripts/lib/free-port.ts";
import { root } from "./build.ts";

export type ChildServer = {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Resident memory now, in kB (VmRSS). */
  rssKb(): number;
  stop(): Promise<void>;
};

export type SpawnServerOptions = {
  /** A JavaScript file run with plain `node`, or a TypeScript one run with `node --import tsx`. */
  script: string;
  env: Record<string, string | undefined>;
  /** Answers 200 once the server is ready. */
  readyPath: string;
  /** Default: a free one. */
  port?: number;
  /** Extra Node flags, before the script (and --import). */
  nodeFlags?: string[];
  /** Keep the server's stdout (one log line per request for the app): off, it is still written, to /dev/null. */
  showStdout?: boolean;
  /** Each stderr line; default: passed on to ours. */
  onStderrLine?: (line: string) => void;
};

export async function spawnServer(options: SpawnServerOptions): Promise<ChildServer> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const loader = options.script.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...loader, options.script], {
    cwd: root,
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ["ignore", options.showStdout ? "inherit" : "ignore", "pipe"],
  });
  const onLine = options.onStderrLine ?? ((line: string) => process.stderr.write(line + "\n"));
  let pending = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const server: ChildServer = {
    url,
    port,
    pid: child.pid!,
    child,
    rssKb: () => readStatus(child.pid!).rssKb,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitForReady(`${url}${options.readyPath}`, child);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitForReady(readyUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(readyUrl);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${readyUrl} did not answer 200 within 60 s`);
}

/** VmRSS and VmHWM (peak, resettable through clear_refs) of a process, in kB. */
export function readStatus(pid: number): { rssKb: number; hwmKb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssKb: field("VmRSS"), hwmKb: field("VmHWM") };
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) a process has used so far. Its change over a run, divided by the
 * run's length, is the share of one core the process got: on a shared machine, a run whose
 * server got little CPU says more about the neighbours than about the server.
 */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Resets a process's VmHWM to its current RSS; false where the kernel does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export type RssTrace = { startKb: number; peakKb: number; endKb: number; samples: { atMs: number; kb: number }[] };

/** Samples a process's RSS every `everyMs` until stopped; the peak also reads VmHWM when it could be reset. */
export function sampleRss(pid: number, everyMs = 250): { stop(): RssTrace } {
  const started = performance.now();
  const hwmReset = resetPeakRss(pid);
  const samples: { atMs: number; kb: number }[] = [];
  const take = () => {
    try {
      samples.push({ atMs: performance.now() - started, kb: readStatus(pid).rssKb });
    } catch {
      // the process ended
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const kbs = samples.map((s) => s.kb);
      let peakKb = Math.max(...kbs);
      if (hwmReset) {
        try {
          peakKb = Math.max(peakKb, readStatus(pid).hwmKb);
        } catch {
          // the process ended
        }
      }
      return { startKb: kbs[0] ?? 0, peakKb, endKb: kbs.at(-1) ?? 0, samples };
    },
  };
}

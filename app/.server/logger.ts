// The one logger: a JSON line per event on stdout ({"level","time","msg", fields}), where `msg` is
// the event's name ("notification.sent", "webhook.refused") that operators search for. Every line
// written while a request is handled carries its `requestId`, every line of a job its `queue` and
// `jobId`, from the context the server and the workers open (runWithRequestId, runInJob), so no
// module passes a logger around. Errors go under `err` (pino's serializer: type, message, stack).
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from "pino";
import { logSettings, type LogSettings } from "./env";

export type { Logger };

type LogContext = { requestId: string } | { queue: string; jobId: string };

/** Where lines go: pino's stream interface, which is all a test needs to provide too. */
export type LogDestination = { write(line: string): void };

const NO_CONTEXT = {};

// Kept on globalThis: server.ts and the React Router build each bundle a copy of this module, and a
// request opened by one is logged by the other; one stream also keeps their lines whole.
type Shared = { context: AsyncLocalStorage<LogContext>; logger: Logger; redirect: LogDestination | null };
const shared = ((globalThis as { __tutorwiseLog?: Shared }).__tutorwiseLog ??= createShared());

/** The process's logger. */
export const logger: Logger = shared.logger;

/** Runs `fn` (and all it starts) with `requestId` on every line it logs. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return shared.context.run({ requestId }, fn);
}

/** Runs one job's work with its queue and id on every line it logs. */
export function runInJob<T>(queue: string, jobId: string, fn: () => T): T {
  return shared.context.run({ queue, jobId }, fn);
}

/**
 * Sends this process's lines to `destination` instead of stdout (null: back to stdout). For tests,
 * which read what was logged; the lines are the same JSON.
 */
export function logTo(destination: LogDestination | null): void {
  shared.redirect = destination;
}

/** Pretty lines for a person at a terminal, JSON for everything that reads logs (production, CI, tests). */
export function wantsPrettyLogs(settings: LogSettings, nodeEnv: string | undefined, isTty: boolean): boolean {
  return settings.LOG_FORMAT ? settings.LOG_FORMAT === "pretty" : nodeEnv === "development" && isTty;
}

/** A logger of the app's shape on a destination of its own. */
export function createLogger(
  destination: DestinationStream,
  options: { level?: string; context?: AsyncLocalStorage<LogContext> } = {},
): Logger {
  const context = options.context;
  return pino(
    {
      level: options.level ?? "info",
      // No pid and hostname on each line: the platform that collects the lines knows the machine.
      base: null,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: context ? () => context.getStore() ?? NO_CONTEXT : undefined,
      // pino's default merges the line's fields into the mixin's object, which here is the shared
      // context of a whole request: a fresh object keeps each line's fields out of the next one's.
      mixinMergeStrategy: (fields, mixed) => (mixed === NO_CONTEXT ? fields : { ...mixed, ...fields }),
    },
    destination,
  );
}

function createShared(): Shared {
  const source = process.env;
  const settings = logSettings(source);
  // Asynchronous writes: lines written while one write is in flight go out together in the next,
  // so a busy server makes one system call for many lines; pino flushes what is left at exit.
  const stdout = wantsPrettyLogs(settings, source.NODE_ENV, process.stdout.isTTY === true)
    ? prettyStdout()
    : pino.destination({ dest: 1, sync: false });
  const context = new AsyncLocalStorage<LogContext>();
  const state: Shared = {
    context,
    redirect: null,
    logger: null as unknown as Logger,
  };
  const destination = {
    write: (line: string) => (state.redirect ?? stdout).write(line),
    flush: () => (state.redirect ? undefined : (stdout as { flush?: () => void }).flush?.()),
  };
  state.logger = createLogger(destination as DestinationStream, { level: settings.LOG_LEVEL, context });
  return state;
}

/** pino-pretty is a development dependency: loaded only when asked for, never in production. */
function prettyStdout(): DestinationStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as (options: object) => DestinationStream;
  return pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname", singleLine: true });
}

// The job queue (docs/decisions/0039-job-queue-pg-boss-owns-its-schema.md): pg-boss 10 over the app's own PostgreSQL, in its own
// `pgboss` schema, which pg-boss creates and migrates itself at start, under its own advisory lock
// (so many workers starting at once are safe). Not in prisma/migrations: its plpgsql functions
// cannot pass through the pg driver adapter's statement splitting that Prisma's wasm engine uses,
// and pg-boss's own migrations are what an upgrade (10 → 12) needs anyway (README, "Decisions").
// One instance per process (app/.server/worker.ts holds it); tests open several to race them.
import pg from "pg";
import PgBoss from "pg-boss";
import { env } from "./env";
import { logger } from "./logger";

export const QUEUES = {
  /** The periodic sweep for what is due (cron every minute, plus once when a worker starts). */
  sweep: "notification-sweep",
  /** One job per notifications row; the job id is the row id. */
  send: "notification-send",
  /** A per-minute job that wakes a worker's transcript downloads (a safety net: they poll the rows themselves). */
  transcripts: "transcript-fetch",
  /** Lessonspace summaries of sessions whose transcript is stored (cron every minute, and after transcripts are stored). */
  summaries: "summary-fetch",
  /** Removal of expired transcripts, summaries, snapshots and access-log rows (cron once a day). */
  retention: "retention",
} as const;

export const PGBOSS_SCHEMA = "pgboss";

/**
 * Retries for a send: exponential backoff (pg-boss: delay × 2^n with jitter, in seconds), so a
 * mail server that is down for an hour is retried about 30 s, 1, 2, 4, 8, 16, 32 and 64 min later.
 * A job still active after expireInSeconds counts as failed (its worker died) and is retried.
 */
export type SendJobPolicy = { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number };
export const SEND_JOB_POLICY: SendJobPolicy = {
  retryLimit: 8,
  retryDelay: 30,
  retryBackoff: true,
  expireInSeconds: 120,
};

/** A job's failure in words for the log; the database helpers throw Responses (a 503 when it is away). */
export function describeError(error: unknown): string {
  if (error instanceof Response)
    return `HTTP ${error.status}${error.status === 503 ? " (the database is unavailable)" : ""}`;
  return error instanceof Error ? error.message : String(error);
}

export type Queue = {
  boss: PgBoss;
  /** The pool pg-boss runs on; the sweep's transactions use it too, so rows and jobs commit together. */
  pool: pg.Pool;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
};

export type OpenQueueOptions = {
  databaseUrl?: string;
  /** Insert the cron sweep job (one instance per minute does, across all machines). Default true. */
  schedule?: boolean;
  /** Expire dead workers' jobs and archive old ones. Default true. */
  supervise?: boolean;
  /** Pool size; default QUEUE_POOL_SIZE. */
  max?: number;
};

/** A pg-boss executor bound to one connection: jobs sent through it join that connection's transaction. */
export function jobDbFor(client: pg.PoolClient | pg.Pool): PgBoss.Db {
  return { executeSql: (text, values) => client.query(text, values) };
}

let writer: PgBoss | null = null;

/**
 * A pg-boss instance that is never started, for adding jobs inside a caller's transaction
 * (`insert(jobs, { db })`) from a process that runs no workers (WORKERS_IN_PROCESS=false):
 * pg-boss's insert needs only the executor it is given.
 */
export function jobWriter(): PgBoss {
  writer ??= new PgBoss({
    db: { executeSql: () => Promise.reject(new Error("jobWriter: pass { db } to insert")) },
    schema: PGBOSS_SCHEMA,
    migrate: false,
    schedule: false,
    supervise: false,
  });
  return writer;
}

/** Starts a pg-boss instance (workers are added by app/.server/worker.ts). */
export async function openQueue(options: OpenQueueOptions = {}): Promise<Queue> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl ?? env().DATABASE_URL,
    max: options.max ?? env().QUEUE_POOL_SIZE,
    connectionTimeoutMillis: 5_000,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", (error) => logger.error({ err: error }, "queue.pool_error"));
  const boss = new PgBoss({
    db: jobDbFor(pool),
    schema: PGBOSS_SCHEMA,
    migrate: true,
    schedule: options.schedule ?? true,
    supervise: options.supervise ?? true,
    // Find dead workers' sends within a minute rather than pg-boss's default two.
    maintenanceIntervalSeconds: 60,
  });
  // pg-boss emits Errors, and for a worker's failures a plain copy ({ message, queue, worker }).
  boss.on("error", (error: Error & { queue?: string }) =>
    logger.error({ err: error, ...(error?.queue ? { queue: error.queue } : {}) }, "queue.error"),
  );
  try {
    await boss.start();
  } catch (error) {
    await pool.end().catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`The job queue could not start: ${message}`, { cause: error });
  }
  // No-ops once the queues exist (the first start makes each queue's partition table).
  await boss.createQueue(QUEUES.sweep, { name: QUEUES.sweep, policy: "stately" });
  await boss.createQueue(QUEUES.send, { name: QUEUES.send, policy: "standard" });
  await boss.createQueue(QUEUES.transcripts, { name: QUEUES.transcripts, policy: "stately" });
  await boss.createQueue(QUEUES.summaries, { name: QUEUES.summaries, policy: "stately" });
  // A long first run (a year of backlog) may take more than pg-boss's default 15 minutes.
  await boss.createQueue(QUEUES.retention, { name: QUEUES.retention, policy: "stately", expireInSeconds: 3600 });
  let stopped = false;
  return {
    boss,
    pool,
    async stop({ graceful = true, timeoutMs = 10_000 } = {}) {
      if (stopped) return;
      stopped = true;
      // close: false because the pool is ours; wait: resolve once in-flight jobs are done.
      await boss
        .stop({ graceful, timeout: timeoutMs, close: false, wait: true })
        .catch((error: unknown) => logger.error({ err: error }, "queue.stop_error"));
      await pool.end();
    },
  };
}

/** Runs `fn` in one transaction on one connection; `jobs` sends pg-boss jobs inside it. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, jobs: PgBoss.Db) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // A checked-out connection that PostgreSQL drops emits 'error'; unheard, it crashes the process
  // (the workers run inside the app server). Heard, the transaction fails and is retried next sweep.
  let broken: Error | undefined;
  const onConnectionError = (error: Error) => (broken = error);
  client.on("error", onConnectionError);
  try {
    await client.query("BEGIN");
    const result = await fn(client, jobDbFor(client));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => (broken ??= rollbackError));
    throw error;
  } finally {
    client.off("error", onConnectionError);
    client.release(broken);
  }
}

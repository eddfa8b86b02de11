import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Prisma, PrismaClient } from "~/generated/prisma/client";
import { isDatabaseUnavailable } from "./db-errors";
import { env } from "./env";
import { logger } from "./logger";

/**
 * The connection pool Prisma uses, shared with hand-written SQL (`sql` below), the webhook hot
 * path and the rate limiter, so the app holds one pool per database besides pg-boss's
 * (QUEUE_POOL_SIZE, app/.server/queue.ts). DATABASE_POOL_SIZE connections: each request holds one
 * only while its queries run.
 */
function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: env().DATABASE_POOL_SIZE, connectionTimeoutMillis: 3_000 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", (error) => logger.error({ err: error }, "db.pool-error"));
  return pool;
}

function databaseUnavailable(): Response {
  return new Response("Our database is briefly unavailable. Please try again in a minute.", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "30" },
  });
}

function createClient(pool: pg.Pool) {
  return new PrismaClient({ adapter: new PrismaPg(pool) }).$extends({
    query: {
      // An unreachable database is a 503 everywhere (pages show "briefly unavailable", webhooks
      // answer 5xx so Lessonspace retries), not a 500 that looks like our bug.
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (error) {
          if (isDatabaseUnavailable(error)) throw databaseUnavailable();
          throw error;
        }
      },
    },
  });
}

export type Db = ReturnType<typeof createClient>;

/** The client handed to an interactive transaction's callback. */
export type Transaction = Parameters<Parameters<Db["$transaction"]>[0]>[0];

// One client per database URL and process, kept on globalThis so dev-server reloads do not
// open new pools (keyed by URL because each integration test file uses its own database).
const clients = ((globalThis as { __prismaClients?: Map<string, { db: Db; pool: pg.Pool }> }).__prismaClients ??=
  new Map());

function clientFor(url: string): { db: Db; pool: pg.Pool } {
  let client = clients.get(url);
  if (!client) {
    const pool = createPool(url);
    client = { db: createClient(pool), pool };
    clients.set(url, client);
  }
  return client;
}

const client = clientFor(env().DATABASE_URL);
export const db: Db = client.db;
/**
 * The pool under Prisma. Hand-written statements go through `sql` below; the webhook hot path
 * (app/.server/lessonspace/webhooks.ts) also checks out connections from it, and the rate limiter
 * keeps its counters on it.
 */
export const pool: pg.Pool = client.pool;

/**
 * Where a hand-written statement runs: the shared pool (default), an interactive Prisma
 * transaction when it must hold the transaction's locks and see its writes, or a pg connection
 * someone else opened (pg-boss's, so that rows and jobs commit together).
 */
export type SqlExecutor = Transaction | pg.Pool | pg.PoolClient;

/**
 * The one way to run a hand-written statement (the other way to reach the database is Prisma's
 * API). Statements are `Prisma.sql` tagged templates, so every value is bound, never spliced into
 * the text; the row type should match the columns the statement module declares with
 * `columnsOf` (an integration test checks them against PostgreSQL). Off a transaction, the
 * statement goes straight to pg: for the reads every page makes, Prisma's raw-query path cost
 * more CPU than the query. Inside a transaction Prisma maps the values, and a bigint or numeric
 * would arrive as BigInt or Decimal there but as text from pg: cast such columns to int, float8
 * or text in the statement. An unreachable database is the same 503 as through Prisma. The one
 * exception to bound values is the webhook hot path (app/.server/lessonspace/sql-inline.ts).
 */
export async function sql<Row extends pg.QueryResultRow>(
  statement: Prisma.Sql,
  executor: SqlExecutor = pool,
): Promise<Row[]> {
  try {
    if ("$queryRaw" in executor) return await executor.$queryRaw<Row[]>(statement);
    return (await executor.query<Row>(statement.text, statement.values)).rows;
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw databaseUnavailable();
    throw error;
  }
}

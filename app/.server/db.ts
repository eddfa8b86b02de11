import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "~/generated/prisma/client";
import { isDatabaseUnavailable } from "./db-errors";
import { env } from "./env";
import { logger } from "./logger";

/**
 * The connection pool Prisma uses, also open to the few hot paths written in SQL (the webhook
 * ingestion, app/.server/lessonspace/webhooks.ts), so the process holds one pool per database.
 * DATABASE_POOL_SIZE connections: each request holds one only while its queries run.
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
/** Plain `pg` on the same pool, for statements Prisma would split into many round trips. */
export const pool: pg.Pool = client.pool;

/**
 * One hand-written statement on the pool, for reads every page load makes (Prisma's query
 * building cost more than the query): an unreachable database is the same 503 as through Prisma.
 */
export async function sqlQuery<Row extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
  try {
    return (await pool.query<Row>(text, values)).rows;
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw databaseUnavailable();
    throw error;
  }
}

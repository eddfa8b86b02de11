import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";
import { isDatabaseUnavailable } from "./db-errors";
import { env } from "./env";

function createClient(url: string) {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10, connectionTimeoutMillis: 3_000 }) }).$extends({
    query: {
      // An unreachable database is a 503 everywhere (pages show "briefly unavailable", webhooks
      // answer 5xx so Lessonspace retries), not a 500 that looks like our bug.
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (error) {
          if (isDatabaseUnavailable(error)) {
            throw new Response("Our database is briefly unavailable. Please try again in a minute.", {
              status: 503,
              headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "30" },
            });
          }
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
const clients = ((globalThis as { __prismaClients?: Map<string, Db> }).__prismaClients ??= new Map());

function clientFor(url: string): Db {
  let client = clients.get(url);
  if (!client) {
    client = createClient(url);
    clients.set(url, client);
  }
  return client;
}

export const db: Db = clientFor(env().DATABASE_URL);

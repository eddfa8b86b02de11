import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";
import { env } from "./env";

// One client per database URL and process, kept on globalThis so dev-server reloads do not
// open new pools (keyed by URL because each integration test file uses its own database).
const clients = ((globalThis as { __prismaClients?: Map<string, PrismaClient> }).__prismaClients ??=
  new Map());

function clientFor(url: string): PrismaClient {
  let client = clients.get(url);
  if (!client) {
    client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
    clients.set(url, client);
  }
  return client;
}

export const db: PrismaClient = clientFor(env().DATABASE_URL);
export type Db = PrismaClient;

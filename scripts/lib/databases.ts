// Small helpers to make and drop databases on a server we control (embedded PostgreSQL, tests).
import pg from "pg";

/** The URL of database `name` on the same server, with the same credentials. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** CREATE DATABASE, optionally cloned from `template` (which must have no open connections). */
export async function createDatabase(
  serverUrl: string,
  name: string,
  opts: { template?: string } = {},
): Promise<string> {
  await withClient(serverUrl, async (client) => {
    const template = opts.template ? ` TEMPLATE ${client.escapeIdentifier(opts.template)}` : "";
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${template}`);
  });
  return databaseUrl(serverUrl, name);
}

/** DROP DATABASE IF EXISTS, closing any connections still open to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

async function withClient<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // Always talk to the maintenance database: a database cannot be created from or dropped by a session inside it.
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, "postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// Vitest global setup for integration tests: one embedded PostgreSQL for the whole run, with a database
// `template_migrated` that holds the migrations; test files clone it (see database.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDatabase, removeAbandonedClusters, startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.ts";
import { applyMigrations } from "../../scripts/lib/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** postgresql://… of the test server's maintenance database. */
    databaseServerUrl: string;
    /** The migrated database that test databases are cloned from. */
    templateDatabase: string;
  }
}

const PREFIX = "tutorwise-test-pg-";
const TEMPLATE = "template_migrated";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (message: string): void => console.log(`[test db] ${message}`);
  await removeAbandonedClusters(PREFIX, log);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  const server = await startEmbeddedPostgres({ dataDir, ephemeral: true, log });
  try {
    const started = performance.now();
    const templateUrl = await createDatabase(server.url, TEMPLATE);
    await applyMigrations(templateUrl);
    await sealTemplate(server.url);
    log(`Migrated ${TEMPLATE} in ${Math.round(performance.now() - started)} ms.`);
  } catch (error) {
    await server.stop();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
    throw error;
  }
  project.provide("databaseServerUrl", server.url);
  project.provide("templateDatabase", TEMPLATE);

  return async () => {
    await server.stop();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  };
}

// Cloning fails while anyone is connected to the template, so nobody may connect to it any more.
async function sealTemplate(serverUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE ${TEMPLATE} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  } finally {
    await client.end();
  }
}

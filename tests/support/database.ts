// A database of their own for integration tests: a clone of the migrated template (milliseconds).
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { createDatabase } from "../../scripts/lib/databases.ts";

/** Creates a new database with every migration applied and returns its URL. */
export async function freshDatabase(): Promise<string> {
  const name = `test_${randomUUID().replaceAll("-", "")}`;
  return createDatabase(inject("databaseServerUrl"), name, { template: inject("templateDatabase") });
}

/** The test server's maintenance database, for tests that need to create databases of their own. */
export function databaseServerUrl(): string {
  return inject("databaseServerUrl");
}

// Applies prisma/migrations with nothing but `pg`, because the Prisma CLI's schema engine binary cannot be
// downloaded here. Bookkeeping is Prisma's own (_prisma_migrations, same table, checksums and advisory lock),
// so `prisma migrate deploy` accepts a database migrated by this runner and vice versa.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export interface MigrateOptions {
  log?: (message: string) => void;
  /** Defaults to prisma/migrations of this checkout. */
  migrationsDir?: string;
}

export interface Migration {
  name: string;
  script: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

// The key Prisma Migrate locks on, so that this runner and `prisma migrate deploy` never run at once.
const PRISMA_ADVISORY_LOCK = 72707369;

// Prisma's DDL, character for character apart from IF NOT EXISTS (the lock makes the check race-free).
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

export async function applyMigrations(databaseUrl: string, opts: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const migrations = readMigrations(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await useSchemaFromUrl(client, databaseUrl);
    await lock(client, log);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      "SELECT migration_name, checksum, finished_at, rolled_back_at, started_at, logs FROM _prisma_migrations ORDER BY started_at",
    );
    const applied = checkHistory(migrations, rows, log);
    const pending = migrations.filter((m) => !applied.has(m.name));
    if (pending.length === 0) log("No pending migrations.");
    for (const migration of pending) await applyOne(client, migration, log);
    return { applied: pending.map((m) => m.name) };
  } finally {
    await client.end();
  }
}

/** The migration folders in the order Prisma applies them (by name). */
export function readMigrations(migrationsDir: string): Migration[] {
  const lockFile = path.join(migrationsDir, "migration_lock.toml");
  if (fs.existsSync(lockFile) && !/provider\s*=\s*"postgresql"/.test(fs.readFileSync(lockFile, "utf8"))) {
    throw new Error(`${lockFile} names another provider than "postgresql".`);
  }
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      if (!fs.existsSync(file)) throw new Error(`Migration folder ${name} has no migration.sql.`);
      const bytes = fs.readFileSync(file);
      return { name, script: bytes.toString("utf8"), checksum: sha256(bytes) };
    });
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

// Like Prisma, accept a checksum taken with the other kind of line endings (git may convert them).
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  return [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")].some((s) => sha256(s) === checksum);
}

/** Prisma honours ?schema= in the URL; pg ignores it, so apply it by hand. */
async function useSchemaFromUrl(client: pg.Client, databaseUrl: string): Promise<void> {
  const schema = new URL(databaseUrl).searchParams.get("schema");
  if (schema) await client.query(`SET search_path TO ${client.escapeIdentifier(schema)}`);
}

async function lock(client: pg.Client, log: (message: string) => void): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
    PRISMA_ADVISORY_LOCK,
  ]);
  if (rows[0]?.locked) return;
  log("Another migration run holds the lock on this database; waiting for it to finish…");
  await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
}

/** Names of the applied migrations, after refusing a history that is unsafe to build on. */
function checkHistory(migrations: Migration[], rows: AppliedRow[], log: (message: string) => void): Set<string> {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const failed = live.filter((row) => row.finished_at === null);
  if (failed.length > 0) {
    const details = failed.map(
      (row) =>
        `- ${row.migration_name} (started ${row.started_at.toISOString()})${row.logs ? `: ${row.logs.trim()}` : ""}`,
    );
    throw new Error(
      `Failed migrations are recorded in _prisma_migrations; nothing was applied. Find out what they changed, then mark them ` +
        `rolled back (set rolled_back_at) or applied, as \`prisma migrate resolve\` would:\n${details.join("\n")}`,
    );
  }
  const byName = new Map(migrations.map((m) => [m.name, m]));
  const edited = live.filter((row) => {
    const migration = byName.get(row.migration_name);
    return migration !== undefined && !scriptMatchesChecksum(migration.script, row.checksum);
  });
  if (edited.length > 0) {
    throw new Error(
      `These migrations were changed after they were applied to this database (checksum mismatch); nothing was applied. ` +
        `Restore their original migration.sql and put the change in a new migration:\n${edited.map((row) => `- ${row.migration_name}`).join("\n")}`,
    );
  }
  for (const row of live) {
    if (!byName.has(row.migration_name))
      log(`Warning: ${row.migration_name} is applied to the database but missing from the migrations folder.`);
  }
  return new Set(live.map((row) => row.migration_name));
}

// One transaction per migration: a failing script leaves neither its changes nor a history row behind,
// so fixing the script and running again is all it takes.
async function applyOne(client: pg.Client, migration: Migration, log: (message: string) => void): Promise<void> {
  log(`Applying ${migration.name}…`);
  const started = performance.now();
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(
      "INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, clock_timestamp(), $3)",
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.script);
    await client.query(
      "UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1",
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${describe(error, migration.script)}`, {
      cause: error,
    });
  }
  log(`Applied ${migration.name} in ${Math.round(performance.now() - started)} ms.`);
}

function describe(error: unknown, script: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = Number((error as { position?: string }).position);
  if (!Number.isInteger(position) || position <= 0) return message;
  const line = script.slice(0, position - 1).split("\n").length;
  return `${message} (migration.sql line ${line})`;
}

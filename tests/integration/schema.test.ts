import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { createDatabase } from "../../scripts/lib/databases.ts";
import { DEFAULT_MIGRATIONS_DIR, applyMigrations } from "../../scripts/lib/migrate.ts";
import { migrationsList, schemaFiles, withSchemaEngine } from "../../scripts/lib/schema-engine.ts";
import { databaseServerUrl, freshDatabase } from "../support/database.ts";

const SCHEMA_PATH = fileURLToPath(new URL("../../prisma/schema.prisma", import.meta.url));
const NO_FILTERS = { externalTables: [], externalEnums: [] };
const MIGRATIONS = fs
  .readdirSync(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** The SQL Prisma's schema engine would run to make the database match schema.prisma. */
function diffAgainstSchema(databaseUrl: string) {
  const schema = schemaFiles(SCHEMA_PATH);
  return withSchemaEngine(databaseUrl, (engine) =>
    engine.diff({
      from: { tag: "schemaDatasource", ...schema, configDir: path.dirname(SCHEMA_PATH) },
      to: { tag: "schemaDatamodel", ...schema },
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    }),
  );
}

const NOTHING_TO_CHANGE = { exitCode: 0, stdout: expect.stringContaining("empty migration") };

async function query<T extends pg.QueryResultRow>(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function emptyDatabase(): Promise<string> {
  return createDatabase(databaseServerUrl(), `empty_${randomUUID().replaceAll("-", "")}`);
}

/** A scratch copy of prisma/migrations that a test may edit. */
function migrationsCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-migrations-"));
  fs.cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
}

const tableExists = async (databaseUrl: string, table: string): Promise<boolean> =>
  (await query<{ found: string | null }>(databaseUrl, "SELECT to_regclass($1)::text AS found", [table]))[0]?.found !==
  null;

const historyNames = async (databaseUrl: string): Promise<string[]> =>
  (
    await query<{ migration_name: string }>(
      databaseUrl,
      "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name",
    )
  ).map((row) => row.migration_name);

describe("the migrations", () => {
  it("produce exactly the schema in schema.prisma: Prisma's schema engine finds nothing to change", async () => {
    expect(await diffAgainstSchema(process.env.DATABASE_URL!)).toEqual(NOTHING_TO_CHANGE);
  });

  it("fail that check when the database differs from schema.prisma (here: one index missing)", async () => {
    const databaseUrl = await freshDatabase();
    await query(databaseUrl, 'DROP INDEX "bookings_meeting_provider_id_idx"');

    const diff = await diffAgainstSchema(databaseUrl);

    expect(diff.exitCode).toBe(2);
    expect(diff.stdout).toContain('CREATE INDEX "bookings_meeting_provider_id_idx"');
  });

  it("give the same schema and the same _prisma_migrations table when Prisma's own engine applies them", async () => {
    const byPrisma = await emptyDatabase();
    const applied = await withSchemaEngine(byPrisma, (engine) =>
      engine.applyMigrations({ migrationsList: migrationsList(DEFAULT_MIGRATIONS_DIR), filters: NO_FILTERS }),
    );
    expect(applied.appliedMigrationNames).toEqual(MIGRATIONS);
    expect(await diffAgainstSchema(byPrisma)).toEqual(NOTHING_TO_CHANGE);

    const shape = `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default, ordinal_position
                   FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`;
    const keys = `SELECT conname, contype::text, pg_get_constraintdef(oid) AS definition
                  FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass ORDER BY conname`;
    expect(await query(process.env.DATABASE_URL!, shape)).toEqual(await query(byPrisma, shape));
    expect(await query(process.env.DATABASE_URL!, keys)).toEqual(await query(byPrisma, keys));
  });

  it("leave a history that Prisma's engine accepts as complete, unedited and without failures", async () => {
    const diagnosis = await withSchemaEngine(process.env.DATABASE_URL!, (engine) =>
      engine.diagnoseMigrationHistory({
        migrationsList: migrationsList(DEFAULT_MIGRATIONS_DIR),
        optInToShadowDatabase: false,
        filters: NO_FILTERS,
      }),
    );

    expect(diagnosis).toEqual({
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: true,
      history: null,
    });
  });

  it("are recorded as Prisma records them: sha256 of migration.sql, one finished step each", async () => {
    const rows = await query<{
      migration_name: string;
      checksum: string;
      applied_steps_count: number;
      finished: boolean;
      rolled_back_at: Date | null;
    }>(
      process.env.DATABASE_URL!,
      "SELECT migration_name, checksum, applied_steps_count, finished_at >= started_at AS finished, rolled_back_at FROM _prisma_migrations ORDER BY migration_name",
    );

    expect(rows).toEqual(
      MIGRATIONS.map((name) => ({
        migration_name: name,
        checksum: createHash("sha256")
          .update(fs.readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, name, "migration.sql")))
          .digest("hex"),
        applied_steps_count: 1,
        finished: true,
        rolled_back_at: null,
      })),
    );
  });
});

describe("rules the database holds for other epics' writers", () => {
  it("refuses a review rated outside 1 to 5", async () => {
    const databaseUrl = process.env.DATABASE_URL!;
    const [person] = await query<{ id: string }>(
      databaseUrl,
      "INSERT INTO profiles (id, full_name, email) VALUES (gen_random_uuid(), 'R', $1) RETURNING id",
      [`${randomUUID()}@example.test`],
    );
    const [booking] = await query<{ id: string }>(
      databaseUrl,
      "INSERT INTO bookings (client_id, tutor_id, service_name, session_start_time, session_duration) VALUES ($1, $1, 'x', now(), 60) RETURNING id",
      [person!.id],
    );
    const insert = (rating: number) =>
      query(databaseUrl, "INSERT INTO reviews (booking_id, reviewer_id, reviewee_id, rating) VALUES ($1, $2, $2, $3)", [
        booking!.id,
        person!.id,
        rating,
      ]);
    await expect(insert(6)).rejects.toThrow(/reviews_rating_between_1_and_5/);
    await expect(insert(0)).rejects.toThrow(/reviews_rating_between_1_and_5/);
    await expect(insert(5)).resolves.toBeDefined();
  });
});

describe("the migration runner", () => {
  it("applies nothing the second time", async () => {
    const databaseUrl = await freshDatabase();

    expect(await applyMigrations(databaseUrl)).toEqual({ applied: [] });
    expect(await historyNames(databaseUrl)).toEqual(MIGRATIONS);
  });

  it("refuses to run when an applied migration was edited, and applies nothing", async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsCopy();
    fs.appendFileSync(
      path.join(dir, "066_add_duration_actual_to_bookings", "migration.sql"),
      "\n-- edited afterwards\n",
    );
    addMigration(dir, "900_new_table", "CREATE TABLE new_table (id INTEGER);");

    await expect(applyMigrations(databaseUrl, { migrationsDir: dir })).rejects.toThrow(
      /changed after they were applied[\s\S]*066_add_duration_actual_to_bookings/,
    );
    expect(await tableExists(databaseUrl, "new_table")).toBe(false);
    expect(await historyNames(databaseUrl)).toEqual(MIGRATIONS);
  });

  it("accepts a migration whose line endings git converted, as Prisma does", async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsCopy();
    const file = path.join(dir, "065_add_lessonspace_fields_to_bookings", "migration.sql");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replaceAll("\n", "\r\n"));

    expect(await applyMigrations(databaseUrl, { migrationsDir: dir })).toEqual({ applied: [] });
  });

  it("applies new migrations in order, each in its own transaction, so a failing one leaves no trace", async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsCopy();
    addMigration(dir, "900_first", "CREATE TABLE first_table (id INTEGER);");
    addMigration(dir, "901_broken", "CREATE TABLE second_table (id INTEGER);\nSELECT * FROM no_such_table;");

    await expect(applyMigrations(databaseUrl, { migrationsDir: dir })).rejects.toThrow(
      /901_broken failed and was rolled back: relation "no_such_table" does not exist \(migration\.sql line 2\)/,
    );
    expect(await tableExists(databaseUrl, "first_table")).toBe(true);
    expect(await tableExists(databaseUrl, "second_table")).toBe(false);
    expect(await historyNames(databaseUrl)).toEqual([...MIGRATIONS, "900_first"]);

    fs.writeFileSync(path.join(dir, "901_broken", "migration.sql"), "CREATE TABLE second_table (id INTEGER);");
    expect(await applyMigrations(databaseUrl, { migrationsDir: dir })).toEqual({ applied: ["901_broken"] });
  });

  it("applies each migration once when two runs start together on a new database", async () => {
    const databaseUrl = await emptyDatabase();

    const runs = await Promise.all([applyMigrations(databaseUrl), applyMigrations(databaseUrl)]);

    expect(runs.flatMap((run) => run.applied).sort()).toEqual(MIGRATIONS);
    expect(await historyNames(databaseUrl)).toEqual(MIGRATIONS);
  });

  it("refuses a history holding a failed migration, as prisma migrate deploy does", async () => {
    const databaseUrl = await freshDatabase();
    await query(
      databaseUrl,
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ($1, 'x', '900_half_done', 'boom')",
      [randomUUID()],
    );

    await expect(applyMigrations(databaseUrl)).rejects.toThrow(/Failed migrations[\s\S]*900_half_done[\s\S]*boom/);
  });
});

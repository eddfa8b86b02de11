// Writes the next migration offline (the Prisma CLI's `migrate dev` needs an engine we cannot download):
// replays prisma/migrations into a throwaway embedded PostgreSQL and asks Prisma's schema engine (wasm)
// for the SQL that takes that database to schema.prisma.
//   npx tsx scripts/migration-diff.ts             prints the SQL
//   npx tsx scripts/migration-diff.ts add_thing   writes prisma/migrations/<next number>_add_thing/migration.sql
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, startEmbeddedPostgres } from "./lib/embedded-postgres.ts";
import { DEFAULT_MIGRATIONS_DIR, applyMigrations, readMigrations } from "./lib/migrate.ts";
import { schemaFiles, withSchemaEngine } from "./lib/schema-engine.ts";

const name = process.argv[2];
if (name !== undefined && !/^[a-z0-9_]+$/.test(name)) {
  console.error("The migration name may hold lowercase letters, digits and underscores only.");
  process.exit(1);
}

const schemaPath = fileURLToPath(new URL("../prisma/schema.prisma", import.meta.url));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-migration-diff-"));
const server = await startEmbeddedPostgres({ dataDir, ephemeral: true, log: () => {} });
let sql: string;
try {
  const databaseUrl = await createDatabase(server.url, "replayed_migrations");
  await applyMigrations(databaseUrl);
  const schema = schemaFiles(schemaPath);
  const diff = await withSchemaEngine(databaseUrl, (engine) =>
    engine.diff({
      from: { tag: "schemaDatasource", ...schema, configDir: path.dirname(schemaPath) },
      to: { tag: "schemaDatamodel", ...schema },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  sql = diff.exitCode === 0 ? "" : (diff.stdout ?? "");
} finally {
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
}

if (sql === "") {
  console.log("prisma/migrations already produce schema.prisma: no migration needed.");
} else if (name === undefined) {
  process.stdout.write(sql);
} else {
  const numbers = readMigrations(DEFAULT_MIGRATIONS_DIR)
    .map((m) => Number.parseInt(m.name, 10))
    .filter(Number.isFinite);
  const folder = `${String(Math.max(0, ...numbers) + 1).padStart(3, "0")}_${name}`;
  fs.mkdirSync(path.join(DEFAULT_MIGRATIONS_DIR, folder));
  fs.writeFileSync(path.join(DEFAULT_MIGRATIONS_DIR, folder, "migration.sql"), sql);
  console.log(
    `Wrote prisma/migrations/${folder}/migration.sql; review it (comments say why), then run the schema test.`,
  );
}

// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL (production and any shared database).
// Use a direct connection, not a transaction-mode pooler: the migration lock is a session advisory lock.
import { applyMigrations } from "./lib/migrate.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("DATABASE_URL is not set: it must name the database to migrate.");
  process.exit(1);
}

try {
  const { applied } = await applyMigrations(databaseUrl, { log: (message) => console.log(message) });
  console.log(applied.length > 0 ? `Applied ${applied.length} migration(s).` : "The database is up to date.");
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

// Prisma's schema engine compiled to WebAssembly (npm, no download), talking to PostgreSQL through
// the pg driver adapter. Used to diff a database against schema.prisma and to write new migrations.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  bindMigrationAwareSqlAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { parseIntoClientConfig } from "pg-connection-string";
import { createDatabase, databaseUrl, dropDatabase } from "./databases.ts";

export type { SchemaEngine };

let loaded: Promise<void> | undefined;
let lastPanic = "";

// The wasm panic hook reports the panic message here; the failure itself is a bare "RuntimeError:
// unreachable", often thrown outside any await of ours, so print the message as it arrives.
(globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message: string) {
    lastPanic = message;
    console.error(`Prisma schema engine panicked: ${message}`);
  },
};

// The package's entry imports the .wasm file as an ES module, which Node 20 only does behind a flag;
// instantiating it by hand with the generated JS bindings as its imports is equivalent.
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const entry = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm");
    const bytes = fs.readFileSync(path.join(path.dirname(entry), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loaded;
}

/**
 * Runs `fn` with a schema engine connected to `databaseUrl`. Commands that need a shadow database
 * create and drop a throwaway one on the same server (the role must be allowed to CREATE DATABASE).
 */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  fn: (engine: SchemaEngine) => Promise<T>,
  log: (message: string) => void = () => {},
): Promise<T> {
  await loadWasm();
  const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactory(databaseUrl));
  const engine = await bindings.SchemaEngine.new({ datamodels: undefined }, log, adapter);
  try {
    return await fn(engine);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError && lastPanic)
      throw new Error(`Schema engine panicked: ${lastPanic}`, { cause: error });
    // Errors thrown by the adapter reach us as "External error id#N"; the registry holds the real one.
    const id = /External error id#(\d+)/.exec(String((error as Error).message))?.[1];
    const external = id === undefined ? undefined : adapter.errorRegistry.consumeError(Number(id));
    if (external)
      throw new Error(`Schema engine: ${(external.error as Error)?.message ?? JSON.stringify(external.error)}`, {
        cause: error,
      });
    throw error;
  } finally {
    engine.free();
  }
}

/** A migrations folder as the engine wants it (it reads no files itself). */
export function migrationsList(migrationsDir: string): MigrationList {
  const lockFile = path.join(migrationsDir, "migration_lock.toml");
  const names = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: "migration_lock.toml",
      content: fs.existsSync(lockFile) ? fs.readFileSync(lockFile, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok", value: fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

/** The schema files as the engine wants them. */
export function schemaFiles(schemaPath: string): { files: { path: string; content: string }[] } {
  return { files: [{ path: schemaPath, content: fs.readFileSync(schemaPath, "utf8") }] };
}

// To describe a database the engine reads catalog columns of PostgreSQL's internal one-byte "char" type
// (OID 18) and expects them as characters, but @prisma/adapter-pg 7.10 has no mapping for that type and
// fails the query. pg-side we relabel those columns as text and remember their positions by the rows
// array (which the adapter passes through); adapter-side we report them as characters.
const PG_CHAR = 18;
const PG_TEXT = 25;
const charColumns = new WeakMap<object, number[]>();

function markCharColumns<T>(result: T): T {
  for (const one of (Array.isArray(result) ? result : [result]) as (pg.QueryResult | undefined)[]) {
    if (!one?.fields) continue;
    const positions = one.fields.flatMap((field, i) => (field.dataTypeID === PG_CHAR ? [i] : []));
    if (positions.length === 0) continue;
    for (const i of positions) one.fields[i]!.dataTypeID = PG_TEXT;
    charColumns.set(one.rows, positions);
  }
  return result;
}

class CharMarkingClient extends pg.Client {
  // pg-pool calls query(config, values, callback); a transaction's client is called for a promise.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- overrides pg's overloaded signature as it is
  override query(...args: any[]): any {
    const query = super.query as (...a: unknown[]) => unknown;
    const last = args.length - 1;
    const callback: unknown = args[last];
    if (typeof callback === "function") {
      args[last] = (error: Error | null, result: unknown) => callback(error, error ? result : markCharColumns(result));
      return query.apply(this, args);
    }
    const returned = query.apply(this, args);
    return returned instanceof Promise ? returned.then(markCharColumns) : returned;
  }
}

function restoreCharColumns(result: SqlResultSet): SqlResultSet {
  for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
  return result;
}

type Dispose = () => Promise<void>;

// Wraps an adapter so that catalog "char" columns come back as characters, optionally running
// `afterDispose` once the adapter has closed its connections.
function withCharColumns<T extends object>(target: T, afterDispose?: Dispose): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== "function") return value;
      if (key === "queryRaw") return async (query: SqlQuery) => restoreCharColumns(await value.call(object, query));
      if (key === "startTransaction")
        return async (...args: unknown[]) => withCharColumns(await value.apply(object, args));
      if (key === "dispose" && afterDispose) return async () => (await value.call(object), await afterDispose());
      return value.bind(object);
    },
  });
}

function adapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const pgConfig = (target: string) => ({ ...parseIntoClientConfig(target), Client: CharMarkingClient });
  const main = new PrismaPg(pgConfig(url));
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async (): Promise<SqlDriverAdapter> => withCharColumns(await main.connect()),
    // Our own shadow database handling: @prisma/adapter-pg 7.10 drops the shadow database before closing
    // its pool (so the drop fails), and loses the password or the database name on the way.
    connectToShadowDb: async (): Promise<SqlDriverAdapter> => {
      const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
      await createDatabase(url, name);
      const shadow = await new PrismaPg(pgConfig(databaseUrl(url, name))).connect();
      return withCharColumns(shadow, () => dropDatabase(url, name));
    },
  };
}

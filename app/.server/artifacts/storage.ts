/**
 * Where lesson artifacts (whiteboard snapshots) live: one small interface, two adapters
 * (docs/decisions/0021-snapshot-upload.md). The embedded default keeps objects in a local folder; production keeps
 * them in a private Supabase Storage bucket reached with the service key, never from the browser:
 * our snapshot route authorizes every read and streams the bytes itself.
 *
 * Paths are object paths inside the bucket (`<booking id>/<random>.<ext>`); the local adapter
 * mirrors them under STORAGE_DIR/<bucket>/, so both read `booking-artifacts/<booking id>/…`.
 */
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { imageTypeForExtension } from "~/domain/image-type";
import { env } from "../env";

export type StoredObject = { body: ReadableStream<Uint8Array>; contentType: string; size: number | null };

export interface ObjectStorage {
  readonly bucket: string;
  /** Stores the bytes under `objectPath` (server-made names only, see isSafeObjectPath). */
  put(objectPath: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The object, streamed, or null when there is none. */
  get(objectPath: string): Promise<StoredObject | null>;
  /** Removes the object; removing one that is not there is not an error. */
  remove(objectPath: string): Promise<void>;
  /** Paths of the objects directly in a folder (`<booking id>`), sorted by name. */
  list(folder: string): Promise<string[]>;
}

/** The storage service could not be reached or refused the operation. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageUnavailableError";
  }
}

// Folders and a final name with one extension, from a narrow alphabet: nothing that could climb
// out of the bucket folder or mean something to a URL or a shell.
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const FILE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)?$/;

export function isSafeObjectPath(objectPath: string): boolean {
  const segments = objectPath.split("/");
  const name = segments.pop();
  return name !== undefined && FILE_NAME.test(name) && segments.every((segment) => SEGMENT.test(segment));
}

function assertSafe(objectPath: string): void {
  if (!isSafeObjectPath(objectPath)) throw new Error(`Refusing an unsafe object path: ${JSON.stringify(objectPath)}`);
}

function assertSafeFolder(folder: string): string {
  const trimmed = folder.replace(/\/+$/, "");
  if (!trimmed.split("/").every((segment) => SEGMENT.test(segment))) {
    throw new Error(`Refusing an unsafe folder: ${JSON.stringify(folder)}`);
  }
  return trimmed;
}

// Our names carry the type we sniffed at upload, so reading it back needs no metadata.
function contentTypeOf(objectPath: string): string {
  return imageTypeForExtension(path.extname(objectPath).slice(1))?.contentType ?? "application/octet-stream";
}

/** Objects as files under `<dir>/<bucket>/`, written to a temporary name and renamed into place. */
export function createLocalStorage(options: { dir: string; bucket: string }): ObjectStorage {
  const root = path.resolve(options.dir, options.bucket);
  const fileOf = (objectPath: string) => path.join(root, ...objectPath.split("/"));

  return {
    bucket: options.bucket,

    async put(objectPath, bytes) {
      assertSafe(objectPath);
      const file = fileOf(objectPath);
      const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(temporary, bytes, { flag: "wx" });
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => {});
        throw new StorageUnavailableError(`Could not write ${objectPath}`, { cause: error });
      }
    },

    async get(objectPath) {
      assertSafe(objectPath);
      const file = fileOf(objectPath);
      try {
        const info = await stat(file);
        if (!info.isFile()) return null;
        const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
        return { body, contentType: contentTypeOf(objectPath), size: info.size };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw new StorageUnavailableError(`Could not read ${objectPath}`, { cause: error });
      }
    },

    async remove(objectPath) {
      assertSafe(objectPath);
      const file = fileOf(objectPath);
      try {
        await rm(file, { force: true });
      } catch (error) {
        throw new StorageUnavailableError(`Could not remove ${objectPath}`, { cause: error });
      }
      // Drop folders left empty, so a booking without objects leaves no trace.
      for (let folder = path.dirname(file); folder.startsWith(root + path.sep); folder = path.dirname(folder)) {
        try {
          await rmdir(folder);
        } catch {
          break;
        }
      }
    },

    async list(folder) {
      const prefix = assertSafeFolder(folder);
      const base = path.join(root, ...prefix.split("/"));
      try {
        const entries = await readdir(base, { withFileTypes: true });
        return entries
          .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
          .map((entry) => `${prefix}/${entry.name}`)
          .sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw new StorageUnavailableError(`Could not list ${folder}`, { cause: error });
      }
    },
  };
}

// Snapshots are images of at most 10 MB; the bucket itself refuses anything else as a second line.
const BUCKET_OPTIONS = {
  public: false,
  fileSizeLimit: 10 * 1024 * 1024,
  allowedMimeTypes: ["image/png", "image/jpeg", "image/webp"],
};
const STORAGE_TIMEOUT_MS = 20_000;

type StorageApiFailure = { message: string; status?: number; statusCode?: string | number };

// Storage answers HTTP 400 for most errors and puts the intended status in the body's
// `statusCode`; storage-js exposes both, so look at either.
function hasStatus(error: StorageApiFailure | null, status: number): boolean {
  return !!error && (String(error.statusCode) === String(status) || error.status === status);
}

/** A private Supabase Storage bucket through supabase-js with the service key (production). */
export function createSupabaseStorage(options: { url: string; serviceRoleKey: string; bucket: string }): ObjectStorage {
  const client = createClient(options.url, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // supabase-js wants a WebSocket for realtime even when unused; Node 20 has none built in.
    realtime: { transport: WebSocket as never },
    global: {
      fetch: (input, init) =>
        fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(STORAGE_TIMEOUT_MS) }),
    },
  });
  const files = () => client.storage.from(options.bucket);
  let bucketReady: Promise<void> | null = null;

  async function createBucketIfMissing(): Promise<void> {
    const found = await client.storage.getBucket(options.bucket);
    if (found.data) {
      // A public bucket would hand snapshots to anyone with the link: refuse to use it.
      if (found.data.public) {
        throw new StorageUnavailableError(`Storage bucket "${options.bucket}" is public; make it private.`);
      }
      return;
    }
    if (!hasStatus(found.error, 404) && !/not found/i.test(found.error?.message ?? "")) {
      throw new StorageUnavailableError(`Could not read storage bucket "${options.bucket}"`, { cause: found.error });
    }
    const created = await client.storage.createBucket(options.bucket, BUCKET_OPTIONS);
    // Another server may have created it a moment ago.
    if (created.error && !hasStatus(created.error, 409)) {
      throw new StorageUnavailableError(`Could not create storage bucket "${options.bucket}"`, {
        cause: created.error,
      });
    }
  }

  async function ensureBucket(): Promise<void> {
    bucketReady ??= createBucketIfMissing().catch((error: unknown) => {
      bucketReady = null; // try again on the next call
      throw error instanceof StorageUnavailableError
        ? error
        : new StorageUnavailableError("Storage unreachable", { cause: error });
    });
    return bucketReady;
  }

  async function call<T>(what: string, operation: () => Promise<{ data: T; error: StorageApiFailure | null }>) {
    try {
      return await operation();
    } catch (error) {
      throw new StorageUnavailableError(`Storage unreachable during ${what}`, { cause: error });
    }
  }

  return {
    bucket: options.bucket,

    async put(objectPath, bytes, contentType) {
      assertSafe(objectPath);
      await ensureBucket();
      const { error } = await call("upload", () =>
        files().upload(objectPath, bytes, { contentType, upsert: false, cacheControl: "3600" }),
      );
      if (error)
        throw new StorageUnavailableError(`Could not upload ${objectPath}: ${error.message}`, { cause: error });
    },

    async get(objectPath) {
      assertSafe(objectPath);
      await ensureBucket();
      const { data, error } = await call("download", () => files().download(objectPath).asStream());
      if (error) {
        if (hasStatus(error, 404)) return null;
        throw new StorageUnavailableError(`Could not download ${objectPath}: ${error.message}`, { cause: error });
      }
      if (!data) return null;
      return { body: data as ReadableStream<Uint8Array>, contentType: contentTypeOf(objectPath), size: null };
    },

    async remove(objectPath) {
      assertSafe(objectPath);
      await ensureBucket();
      // Removing by prefix list answers the removed rows and ignores missing ones.
      const { error } = await call("remove", () => files().remove([objectPath]));
      if (error)
        throw new StorageUnavailableError(`Could not remove ${objectPath}: ${error.message}`, { cause: error });
    },

    async list(folder) {
      const prefix = assertSafeFolder(folder);
      await ensureBucket();
      const { data, error } = await call("list", () => files().list(prefix, { limit: 1000 }));
      if (error) throw new StorageUnavailableError(`Could not list ${folder}: ${error.message}`, { cause: error });
      // Folders come back as entries without an id.
      return (data ?? [])
        .filter((entry) => entry.id !== null)
        .map((entry) => `${prefix}/${entry.name}`)
        .sort();
    },
  };
}

let configured: ObjectStorage | undefined;

/** The storage this server is configured for (STORAGE_DRIVER), made once per process. */
export function storage(): ObjectStorage {
  if (!configured) {
    const config = env();
    configured =
      config.STORAGE_DRIVER === "local"
        ? createLocalStorage({ dir: config.STORAGE_DIR, bucket: config.STORAGE_BUCKET })
        : createSupabaseStorage({
            url: config.SUPABASE_URL,
            serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY,
            bucket: config.STORAGE_BUCKET,
          });
  }
  return configured;
}

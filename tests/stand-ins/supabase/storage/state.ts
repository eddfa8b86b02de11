// The state every part of the Storage stand-in shares, in one object: the folder, the keys,
// the upload limit, the clock and the buckets; with the reads and writes of the folder:
// <dir>/<bucket>/bucket.json and <dir>/<bucket>/objects/<sha256>.{bin,json}.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { KeyMaterial } from "../keys";

export interface StorageState {
  dir: string;
  keys: KeyMaterial;
  /** The project-wide upload limit (Supabase's global file size limit); bytes. */
  maxUploadBytes: number;
  now: () => number;
  buckets: Map<string, BucketRecord>;
}

export interface BucketRecord {
  id: string;
  name: string;
  owner: string;
  public: boolean;
  type: "STANDARD";
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: string;
  updated_at: string;
}

export interface ObjectRecord {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  version: string;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  metadata: {
    eTag: string;
    size: number;
    mimetype: string;
    cacheControl: string;
    lastModified: string;
    contentLength: number;
    httpStatusCode: number;
  };
  user_metadata: Record<string, unknown> | null;
}

export async function writeAtomic(path: string, data: Uint8Array | string) {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export function bucketDir(state: StorageState, id: string): string {
  return join(state.dir, encodeURIComponent(id));
}

export function objectBase(state: StorageState, bucket: string, name: string): string {
  return join(bucketDir(state, bucket), "objects", createHash("sha256").update(name).digest("hex"));
}

/** Reloads buckets left by an earlier run over the same folder. */
export async function loadBuckets(state: StorageState): Promise<void> {
  await mkdir(state.dir, { recursive: true });
  for (const entry of await readdir(state.dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    try {
      const record = JSON.parse(await readFile(join(state.dir, entry.name, "bucket.json"), "utf8")) as BucketRecord;
      state.buckets.set(record.id, record);
    } catch {
      // not a bucket folder
    }
  }
}

export async function saveBucket(state: StorageState, b: BucketRecord): Promise<void> {
  await mkdir(join(bucketDir(state, b.id), "objects"), { recursive: true });
  await writeAtomic(join(bucketDir(state, b.id), "bucket.json"), JSON.stringify(b, null, 2));
}

export async function readObject(state: StorageState, bucket: string, name: string): Promise<ObjectRecord | null> {
  try {
    return JSON.parse(await readFile(`${objectBase(state, bucket, name)}.json`, "utf8")) as ObjectRecord;
  } catch {
    return null;
  }
}

export async function listObjects(state: StorageState, bucket: string): Promise<ObjectRecord[]> {
  const folder = join(bucketDir(state, bucket), "objects");
  let files: string[];
  try {
    files = await readdir(folder);
  } catch {
    return [];
  }
  const out: ObjectRecord[] = [];
  for (const f of files) {
    if (!f.endsWith(".json")) continue;
    try {
      out.push(JSON.parse(await readFile(join(folder, f), "utf8")) as ObjectRecord);
    } catch {
      // a half-written or foreign file
    }
  }
  return out;
}

export async function deleteObject(state: StorageState, bucket: string, name: string): Promise<void> {
  const base = objectBase(state, bucket, name);
  await rm(`${base}.json`, { force: true });
  await rm(`${base}.bin`, { force: true });
}

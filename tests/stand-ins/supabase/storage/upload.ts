// Uploads: POST (or PUT, which upserts) /object/<bucket>/<path>, as a raw body or multipart
// form, within the project and bucket size limits and the bucket's allowed MIME types.
import { createHash, randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Context, Hono } from "hono";
import { caller, E, isService, segmentsAfter, storageError } from "./http";
import { bucketDir, objectBase, readObject, writeAtomic, type ObjectRecord, type StorageState } from "./state";

// isValidKey of supabase/storage (src/storage/limits.ts).
const VALID_KEY = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;
// First path segments under /object that are routes, not bucket names.
const OBJECT_ROUTES = new Set(["sign", "public", "authenticated", "info", "list", "upload", "move", "copy"]);

function mimeAllowed(allowed: string[] | null, mime: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  const base = mime.split(";")[0]!.trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p.endsWith("/*")) return base.startsWith(p.slice(0, -1));
    return p === base || p === mime.toLowerCase();
  });
}

/** Reads a raw body up to `limit` bytes; null when it is larger. */
async function readLimited(req: Request, limit: number): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function uploadRoutes(app: Hono, state: StorageState): void {
  const upload = async (c: Context, method: "POST" | "PUT") => {
    const segs = segmentsAfter(c, "/object/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    if (!bucketId || OBJECT_ROUTES.has(bucketId))
      return c.json({ statusCode: "404", error: "Not Found", message: "Route not found" }, 404);
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    if (!name || !VALID_KEY.test(name) || name.split("/").some((s) => s === "" || s === "." || s === "..")) {
      return E.invalidKey(c, name);
    }
    const bucket = state.buckets.get(bucketId);
    if (!bucket || !isService(who)) {
      // Without RLS policies a non-service caller cannot see the bucket row either.
      return bucket ? E.rls(c) : E.noSuchBucket(c);
    }
    const upsert = method === "PUT" || c.req.header("x-upsert") === "true";
    const limit = Math.min(state.maxUploadBytes, bucket.file_size_limit ?? Number.POSITIVE_INFINITY);

    let bytes: Uint8Array;
    let mimetype: string;
    let cacheControl: string;
    let userMetadata: Record<string, unknown> | null = null;
    const contentType = c.req.header("content-type") ?? "";
    if (contentType.toLowerCase().startsWith("multipart/form-data")) {
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        return E.invalidRequest(c, "the request is not multipart");
      }
      let file: File | null = null;
      for (const [, value] of form.entries()) {
        if (typeof value !== "string") {
          file = value;
          break;
        }
      }
      if (!file) return storageError(c, 400, "InvalidRequest", "No content provided");
      if (file.size > limit) return E.tooLarge(c);
      bytes = new Uint8Array(await file.arrayBuffer());
      mimetype = file.type || "application/octet-stream";
      const cacheField = form.get("cacheControl");
      cacheControl = typeof cacheField === "string" && cacheField ? `max-age=${cacheField}` : "no-cache";
      const meta = form.get("metadata");
      if (typeof meta === "string" && meta) {
        try {
          userMetadata = JSON.parse(meta) as Record<string, unknown>;
        } catch {
          return E.invalidRequest(c, "Invalid metadata");
        }
      }
    } else {
      const read = await readLimited(c.req.raw, limit);
      if (!read) return E.tooLarge(c);
      bytes = read;
      mimetype = contentType || "application/octet-stream";
      cacheControl = c.req.header("cache-control") ?? "no-cache";
      const metaHeader = c.req.header("x-metadata");
      if (metaHeader) {
        try {
          userMetadata = JSON.parse(Buffer.from(metaHeader, "base64").toString("utf8")) as Record<string, unknown>;
        } catch {
          return E.invalidRequest(c, "Invalid metadata");
        }
      }
    }
    if (!mimeAllowed(bucket.allowed_mime_types, mimetype)) {
      return storageError(c, 415, "InvalidMimeType", `mime type ${mimetype} is not supported`, "invalid_mime_type");
    }

    const existing = await readObject(state, bucket.id, name);
    if (existing && !upsert) return E.keyExists(c);

    const t = new Date(state.now()).toISOString();
    const record: ObjectRecord = {
      id: existing?.id ?? randomUUID(),
      bucket_id: bucket.id,
      name,
      owner: who.sub,
      version: randomUUID(),
      created_at: existing?.created_at ?? t,
      updated_at: t,
      last_accessed_at: t,
      metadata: {
        eTag: `"${createHash("md5").update(bytes).digest("hex")}"`,
        size: bytes.byteLength,
        mimetype,
        cacheControl,
        lastModified: t,
        contentLength: bytes.byteLength,
        httpStatusCode: 200,
      },
      user_metadata: userMetadata,
    };
    await mkdir(join(bucketDir(state, bucket.id), "objects"), { recursive: true });
    const base = objectBase(state, bucket.id, name);
    await writeAtomic(`${base}.bin`, bytes);
    await writeAtomic(`${base}.json`, JSON.stringify(record));
    return c.json({ Id: record.id, Key: `${bucket.id}/${name}` });
  };
  app.post("/object/*", (c) => upload(c, "POST"));
  app.put("/object/*", (c) => upload(c, "PUT"));
}

// Reading objects: list a folder, object info, public objects and downloads (with a JWT, or
// without one from a public bucket).
import { readFile } from "node:fs/promises";
import type { Context, Hono } from "hono";
import { caller, E, isService, segmentsAfter } from "./http";
import { objectBase, listObjects, readObject, type ObjectRecord, type StorageState } from "./state";

export async function serveObject(
  state: StorageState,
  c: Context,
  obj: ObjectRecord,
  extra: Record<string, string> = {},
): Promise<Response> {
  let bytes: Buffer;
  try {
    bytes = await readFile(`${objectBase(state, obj.bucket_id, obj.name)}.bin`);
  } catch {
    return E.noSuchKey(c);
  }
  const headers: Record<string, string> = {
    "Content-Type": obj.metadata.mimetype,
    "Content-Length": String(bytes.length),
    "Cache-Control": obj.metadata.cacheControl,
    ETag: obj.metadata.eTag,
    "Last-Modified": new Date(obj.metadata.lastModified).toUTCString(),
    ...extra,
  };
  const download = c.req.query("download");
  if (download !== undefined) {
    const filename = download || obj.name.split("/").pop() || "download";
    headers["Content-Disposition"] =
      `attachment; filename=${encodeURIComponent(filename)}; filename*=UTF-8''${encodeURIComponent(filename)}`;
  }
  return c.body(new Uint8Array(bytes), 200, headers);
}

export function downloadRoutes(app: Hono, state: StorageState): void {
  app.post("/object/list/:bucket", async (c) => {
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucketId = c.req.param("bucket");
    if (!state.buckets.has(bucketId)) return E.noSuchBucket(c);
    let body: Record<string, unknown> = {};
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      // storage-js always sends a body; an empty one lists the root
    }
    if (!isService(who)) return c.json([]);
    const rawPrefix = typeof body.prefix === "string" ? body.prefix : "";
    const prefix = rawPrefix && !rawPrefix.endsWith("/") ? `${rawPrefix}/` : rawPrefix;
    const limit = typeof body.limit === "number" ? body.limit : 100;
    const offset = typeof body.offset === "number" ? body.offset : 0;
    const search = typeof body.search === "string" ? body.search : "";
    const folders = new Set<string>();
    const files: ObjectRecord[] = [];
    for (const o of await listObjects(state, bucketId)) {
      if (!o.name.startsWith(prefix)) continue;
      const rest = o.name.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash >= 0) folders.add(rest.slice(0, slash));
      else files.push(o);
    }
    const entries = [
      ...[...folders].map((f) => ({
        name: f,
        id: null,
        updated_at: null,
        created_at: null,
        last_accessed_at: null,
        metadata: null,
      })),
      ...files.map((o) => ({
        name: o.name.slice(prefix.length),
        id: o.id,
        updated_at: o.updated_at,
        created_at: o.created_at,
        last_accessed_at: o.last_accessed_at,
        metadata: o.metadata,
      })),
    ]
      .filter((e) => !search || e.name.toLowerCase().includes(search.toLowerCase()))
      .sort((a, b) => a.name.localeCompare(b.name));
    return c.json(entries.slice(offset, offset + limit));
  });

  const objectInfo = async (c: Context, authenticatedRoute: boolean) => {
    const segs = segmentsAfter(c, authenticatedRoute ? "/object/info/authenticated/" : "/object/info/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    if (!bucketId || !state.buckets.has(bucketId)) return E.noSuchBucket(c);
    const obj = isService(who) ? await readObject(state, bucketId, name) : null;
    if (!obj) return E.noSuchKey(c);
    return c.json({
      id: obj.id,
      name: obj.name,
      version: obj.version,
      bucket_id: obj.bucket_id,
      size: obj.metadata.size,
      content_type: obj.metadata.mimetype,
      cache_control: obj.metadata.cacheControl,
      etag: obj.metadata.eTag,
      metadata: obj.user_metadata,
      last_modified: obj.metadata.lastModified,
      created_at: obj.created_at,
      updated_at: obj.updated_at,
    });
  };
  app.get("/object/info/authenticated/*", (c) => objectInfo(c, true));
  app.get("/object/info/*", (c) => objectInfo(c, false));

  // ---------------------------------------------------------------- public objects
  app.get("/object/public/*", async (c) => {
    const [bucketId, ...rest] = segmentsAfter(c, "/object/public/") ?? [];
    const bucket = bucketId ? state.buckets.get(bucketId) : undefined;
    if (!bucket || !bucket.public) return E.noSuchBucket(c);
    const obj = await readObject(state, bucket.id, rest.join("/"));
    if (!obj) return E.noSuchKey(c);
    return serveObject(state, c, obj);
  });

  // ---------------------------------------------------------------- download
  const download = async (c: Context, authenticatedRoute: boolean) => {
    const segs = segmentsAfter(c, authenticatedRoute ? "/object/authenticated/" : "/object/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    const { caller: who, error } = await caller(state, c);
    // `/object/authenticated/...` demands a valid JWT; `/object/...` serves public buckets without one.
    if (!who && authenticatedRoute) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = bucketId ? state.buckets.get(bucketId) : undefined;
    if (!bucket) return E.noSuchBucket(c);
    if (!who && !bucket.public) return E.noSuchBucket(c);
    const obj = bucket.public || isService(who) ? await readObject(state, bucket.id, name) : null;
    if (!obj) return E.noSuchKey(c);
    return serveObject(state, c, obj);
  };
  app.get("/object/authenticated/*", (c) => download(c, true));
  app.get("/object/*", (c) => download(c, false));
}

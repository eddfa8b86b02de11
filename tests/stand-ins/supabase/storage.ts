// The Storage half of the stand-in: the endpoints storage-js calls, with the bodies of
// supabase/storage (src/http/routes/object/*, routes/bucket/*, internal/errors). Objects and
// buckets persist in a folder: <dir>/<bucket>/bucket.json and <dir>/<bucket>/objects/<sha256>.{bin,json}.
//
// Access is modelled on a project with no storage RLS policies: the service_role key (which
// bypasses RLS) may do anything; any other valid JWT (anon key, user token) sees no buckets
// or objects and may not write.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { KeyMaterial } from "./keys";

export interface StorageOptions {
  dir: string;
  keys: KeyMaterial;
  /** The project-wide upload limit (Supabase's global file size limit); bytes. */
  maxUploadBytes: number;
  now: () => number;
}

interface BucketRecord {
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

interface ObjectRecord {
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

type Caller = { role: string; sub: string | null } | null;

// isValidKey / isValidBucketName of supabase/storage (src/storage/limits.ts).
const VALID_KEY = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;
const VALID_BUCKET = /^(\w|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;
// First path segments under /object that are routes, not bucket names.
const OBJECT_ROUTES = new Set(["sign", "public", "authenticated", "info", "list", "upload", "move", "copy"]);

/**
 * StorageBackendError.render() + the error handler: the HTTP status is 400 for every error
 * except 500; the intended status travels as a string in the body's `statusCode`.
 */
function storageError(c: Context, statusCode: number, code: string, message: string, error?: string) {
  const httpStatus = statusCode === 500 ? 500 : 400;
  return c.json(
    { statusCode: String(statusCode), code, error: error ?? code, message },
    httpStatus as ContentfulStatusCode,
  );
}

const E = {
  noSuchBucket: (c: Context) => storageError(c, 404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
  noSuchKey: (c: Context) => storageError(c, 404, "NoSuchKey", "Object not found", "not_found"),
  accessDenied: (c: Context, message: string) => storageError(c, 403, "AccessDenied", message, "Unauthorized"),
  rls: (c: Context) =>
    storageError(c, 403, "AccessDenied", "new row violates row-level security policy", "Unauthorized"),
  invalidJwt: (c: Context, message: string) => storageError(c, 400, "InvalidJWT", message),
  keyExists: (c: Context) => storageError(c, 409, "KeyAlreadyExists", "The resource already exists", "Duplicate"),
  bucketExists: (c: Context) => storageError(c, 409, "BucketAlreadyExists", "The resource already exists", "Duplicate"),
  tooLarge: (c: Context) =>
    storageError(c, 413, "EntityTooLarge", "The object exceeded the maximum allowed size", "Payload too large"),
  invalidKey: (c: Context, key: string) => storageError(c, 400, "InvalidKey", `Invalid key: ${key}`),
  invalidBucketName: (c: Context) => storageError(c, 400, "InvalidBucketName", "Bucket name invalid", "Invalid Input"),
  invalidRequest: (c: Context, message: string) => storageError(c, 400, "InvalidRequest", message),
};

/** parseFileSizeToBytes: numbers are bytes; strings like "10MB", "512KB". */
function parseSizeLimit(value: unknown): number | null | "invalid" {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return Math.floor(value);
  if (typeof value === "string") {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
    if (!m?.[1]) return "invalid";
    const unit = (m[2] ?? "b").toLowerCase();
    const factor = unit === "gb" ? 1024 ** 3 : unit === "mb" ? 1024 ** 2 : unit === "kb" ? 1024 : 1;
    return Math.floor(Number(m[1]) * factor);
  }
  return "invalid";
}

function mimeAllowed(allowed: string[] | null, mime: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  const base = mime.split(";")[0]!.trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p.endsWith("/*")) return base.startsWith(p.slice(0, -1));
    return p === base || p === mime.toLowerCase();
  });
}

async function writeAtomic(path: string, data: Uint8Array | string) {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Path segments after /storage/v1, percent-decoded one by one. */
function segmentsAfter(c: Context, prefix: string): string[] | null {
  const pathname = new URL(c.req.url).pathname;
  const at = pathname.indexOf(prefix);
  if (at < 0) return null;
  try {
    return pathname
      .slice(at + prefix.length)
      .split("/")
      .map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

export interface StorageService {
  app: Hono;
}

export async function createStorageService(opts: StorageOptions): Promise<StorageService> {
  const { keys, dir } = opts;
  await mkdir(dir, { recursive: true });
  const buckets = new Map<string, BucketRecord>();

  const bucketDir = (id: string) => join(dir, encodeURIComponent(id));
  const objectBase = (bucket: string, name: string) =>
    join(bucketDir(bucket), "objects", createHash("sha256").update(name).digest("hex"));

  // Reload buckets left by an earlier run over the same folder.
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    try {
      const record = JSON.parse(await readFile(join(dir, entry.name, "bucket.json"), "utf8")) as BucketRecord;
      buckets.set(record.id, record);
    } catch {
      // not a bucket folder
    }
  }

  const saveBucket = async (b: BucketRecord) => {
    await mkdir(join(bucketDir(b.id), "objects"), { recursive: true });
    await writeAtomic(join(bucketDir(b.id), "bucket.json"), JSON.stringify(b, null, 2));
  };

  const readObject = async (bucket: string, name: string): Promise<ObjectRecord | null> => {
    try {
      return JSON.parse(await readFile(`${objectBase(bucket, name)}.json`, "utf8")) as ObjectRecord;
    } catch {
      return null;
    }
  };

  const listObjects = async (bucket: string): Promise<ObjectRecord[]> => {
    const folder = join(bucketDir(bucket), "objects");
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
  };

  const deleteObject = async (bucket: string, name: string) => {
    const base = objectBase(bucket, name);
    await rm(`${base}.json`, { force: true });
    await rm(`${base}.bin`, { force: true });
  };

  /** The jwt plugin: Authorization bearer verified; null when absent or invalid. */
  const caller = async (c: Context): Promise<{ caller: Caller; error: string | null }> => {
    const token = (c.req.header("authorization") ?? "").replace(/^Bearer\s+/i, "");
    if (!token) return { caller: null, error: "jwt must be provided" };
    try {
      const claims = await keys.verify(token);
      return {
        caller: {
          role: typeof claims.role === "string" ? claims.role : "anon",
          sub: typeof claims.sub === "string" ? claims.sub : null,
        },
        error: null,
      };
    } catch (err) {
      return { caller: null, error: err instanceof Error ? err.message : "invalid JWT" };
    }
  };

  const isService = (who: Caller) => who?.role === "service_role" || who?.role === "supabase_admin";

  const serveObject = async (c: Context, obj: ObjectRecord, extra: Record<string, string> = {}) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(`${objectBase(obj.bucket_id, obj.name)}.bin`);
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
  };

  /** Reads a raw body up to `limit` bytes; null when it is larger. */
  const readLimited = async (req: Request, limit: number): Promise<Uint8Array | null> => {
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
  };

  const app = new Hono();

  // ---------------------------------------------------------------- buckets
  app.post("/bucket", async (c) => {
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    if (!isService(who)) return E.rls(c);
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return E.invalidRequest(c, "body must be object");
    }
    const name = typeof body.name === "string" ? body.name : "";
    const id = typeof body.id === "string" && body.id ? body.id : name;
    if (!id) return E.invalidRequest(c, "body must have required property 'name'");
    if (!VALID_BUCKET.test(id) || id.length > 100 || id === "." || id === "..") {
      return E.invalidBucketName(c);
    }
    if (buckets.has(id)) return E.bucketExists(c);
    const limit = parseSizeLimit(body.file_size_limit);
    if (limit === "invalid") {
      return E.invalidRequest(c, "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
    }
    if (limit !== null && limit > opts.maxUploadBytes) return E.tooLarge(c);
    const t = new Date(opts.now()).toISOString();
    const record: BucketRecord = {
      id,
      name: name || id,
      owner: "",
      public: body.public === true,
      type: "STANDARD",
      file_size_limit: limit,
      allowed_mime_types: Array.isArray(body.allowed_mime_types)
        ? body.allowed_mime_types.filter((m): m is string => typeof m === "string")
        : null,
      created_at: t,
      updated_at: t,
    };
    await saveBucket(record);
    buckets.set(id, record);
    return c.json({ name: id });
  });

  app.get("/bucket", async (c) => {
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    return c.json(isService(who) ? [...buckets.values()] : []);
  });

  app.get("/bucket/:id", async (c) => {
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = buckets.get(c.req.param("id"));
    if (!bucket || !isService(who)) return E.noSuchBucket(c);
    return c.json(bucket);
  });

  app.put("/bucket/:id", async (c) => {
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = buckets.get(c.req.param("id"));
    if (!bucket || !isService(who)) return E.noSuchBucket(c);
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return E.invalidRequest(c, "body must be object");
    }
    if (typeof body.public === "boolean") bucket.public = body.public;
    if ("file_size_limit" in body) {
      const limit = parseSizeLimit(body.file_size_limit);
      if (limit === "invalid")
        return E.invalidRequest(c, "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
      bucket.file_size_limit = limit;
    }
    if ("allowed_mime_types" in body) {
      bucket.allowed_mime_types = Array.isArray(body.allowed_mime_types)
        ? body.allowed_mime_types.filter((m): m is string => typeof m === "string")
        : null;
    }
    bucket.updated_at = new Date(opts.now()).toISOString();
    await saveBucket(bucket);
    return c.json({ message: "Successfully updated" });
  });

  app.post("/bucket/:id/empty", async (c) => {
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = buckets.get(c.req.param("id"));
    if (!bucket || !isService(who)) return E.noSuchBucket(c);
    for (const o of await listObjects(bucket.id)) await deleteObject(bucket.id, o.name);
    return c.json({ message: "Successfully emptied" });
  });

  app.delete("/bucket/:id", async (c) => {
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = buckets.get(c.req.param("id"));
    if (!bucket || !isService(who)) return E.noSuchBucket(c);
    if ((await listObjects(bucket.id)).length > 0) {
      return storageError(c, 409, "ResourceNotEmpty", "The bucket you tried to delete is not empty");
    }
    await rm(bucketDir(bucket.id), { recursive: true, force: true });
    buckets.delete(bucket.id);
    return c.json({ message: "Successfully deleted" });
  });

  // ---------------------------------------------------------------- signed URLs
  app.post("/object/sign/*", async (c) => {
    const segs = segmentsAfter(c, "/object/sign/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    if (!bucketId || !name) return E.invalidRequest(c, "params must have required property '*'");
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return E.invalidRequest(c, "body must be object");
    }
    const expiresIn = body.expiresIn;
    if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn < 1) {
      return storageError(c, 400, "InvalidRequest", "body/expiresIn must be >= 1", "Bad Request");
    }
    if (!buckets.has(bucketId)) return E.noSuchBucket(c);
    const obj = isService(who) ? await readObject(bucketId, name) : null;
    if (!obj) return E.noSuchKey(c);
    const urlToSign = `${bucketId}/${name}`;
    const iat = Math.floor(opts.now() / 1000);
    const token = await keys.signHs256({ url: urlToSign, iat, exp: iat + expiresIn });
    return c.json({ signedURL: `/object/sign/${urlToSign}?token=${token}` });
  });

  app.get("/object/sign/*", async (c) => {
    const segs = segmentsAfter(c, "/object/sign/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    const token = c.req.query("token");
    if (!token)
      return storageError(c, 400, "InvalidRequest", "querystring must have required property 'token'", "Bad Request");
    let payload: Record<string, unknown>;
    try {
      payload = await keys.verifyHs256(token);
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      return E.invalidJwt(
        c,
        kind === "expired" ? "jwt expired" : kind === "signature" ? "invalid signature" : "jwt malformed",
      );
    }
    if (payload.url !== `${bucketId}/${name}`) {
      return storageError(c, 400, "InvalidSignature", "Invalid signature");
    }
    const obj = bucketId ? await readObject(bucketId, name) : null;
    if (!obj) return E.noSuchKey(c);
    const exp = typeof payload.exp === "number" ? payload.exp : 0;
    return serveObject(c, obj, { Expires: new Date(exp * 1000).toUTCString() });
  });

  // ---------------------------------------------------------------- list / info
  app.post("/object/list/:bucket", async (c) => {
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucketId = c.req.param("bucket");
    if (!buckets.has(bucketId)) return E.noSuchBucket(c);
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
    for (const o of await listObjects(bucketId)) {
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
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    if (!bucketId || !buckets.has(bucketId)) return E.noSuchBucket(c);
    const obj = isService(who) ? await readObject(bucketId, name) : null;
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
    const bucket = bucketId ? buckets.get(bucketId) : undefined;
    if (!bucket || !bucket.public) return E.noSuchBucket(c);
    const obj = await readObject(bucket.id, rest.join("/"));
    if (!obj) return E.noSuchKey(c);
    return serveObject(c, obj);
  });

  // ---------------------------------------------------------------- download
  const download = async (c: Context, authenticatedRoute: boolean) => {
    const segs = segmentsAfter(c, authenticatedRoute ? "/object/authenticated/" : "/object/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    const { caller: who, error } = await caller(c);
    // `/object/authenticated/...` demands a valid JWT; `/object/...` serves public buckets without one.
    if (!who && authenticatedRoute) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = bucketId ? buckets.get(bucketId) : undefined;
    if (!bucket) return E.noSuchBucket(c);
    if (!who && !bucket.public) return E.noSuchBucket(c);
    const obj = bucket.public || isService(who) ? await readObject(bucket.id, name) : null;
    if (!obj) return E.noSuchKey(c);
    return serveObject(c, obj);
  };
  app.get("/object/authenticated/*", (c) => download(c, true));
  app.get("/object/*", (c) => download(c, false));

  // ---------------------------------------------------------------- upload
  const upload = async (c: Context, method: "POST" | "PUT") => {
    const segs = segmentsAfter(c, "/object/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    if (!bucketId || OBJECT_ROUTES.has(bucketId))
      return c.json({ statusCode: "404", error: "Not Found", message: "Route not found" }, 404);
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    if (!name || !VALID_KEY.test(name) || name.split("/").some((s) => s === "" || s === "." || s === "..")) {
      return E.invalidKey(c, name);
    }
    const bucket = buckets.get(bucketId);
    if (!bucket || !isService(who)) {
      // Without RLS policies a non-service caller cannot see the bucket row either.
      return bucket ? E.rls(c) : E.noSuchBucket(c);
    }
    const upsert = method === "PUT" || c.req.header("x-upsert") === "true";
    const limit = Math.min(opts.maxUploadBytes, bucket.file_size_limit ?? Number.POSITIVE_INFINITY);

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

    const existing = await readObject(bucket.id, name);
    if (existing && !upsert) return E.keyExists(c);

    const t = new Date(opts.now()).toISOString();
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
    await mkdir(join(bucketDir(bucket.id), "objects"), { recursive: true });
    const base = objectBase(bucket.id, name);
    await writeAtomic(`${base}.bin`, bytes);
    await writeAtomic(`${base}.json`, JSON.stringify(record));
    return c.json({ Id: record.id, Key: `${bucket.id}/${name}` });
  };
  app.post("/object/*", (c) => upload(c, "POST"));
  app.put("/object/*", (c) => upload(c, "PUT"));

  // ---------------------------------------------------------------- delete
  app.delete("/object/*", async (c) => {
    const segs = segmentsAfter(c, "/object/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    const { caller: who, error } = await caller(c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = bucketId ? buckets.get(bucketId) : undefined;
    if (!bucket) return E.noSuchBucket(c);

    if (!name) {
      // DELETE /object/{bucket} with {prefixes}: removes what exists, answers the removed rows.
      let body: Record<string, unknown>;
      try {
        body = (await c.req.json()) as Record<string, unknown>;
      } catch {
        return E.invalidRequest(c, "body must be object");
      }
      const prefixes = body.prefixes;
      if (!Array.isArray(prefixes) || prefixes.length < 1 || prefixes.length > 1000) {
        return storageError(c, 400, "InvalidRequest", "body/prefixes must NOT have fewer than 1 items", "Bad Request");
      }
      if (!isService(who)) return c.json([]);
      const deleted: unknown[] = [];
      for (const entry of prefixes) {
        const path = typeof entry === "string" ? entry : (entry as { path?: unknown })?.path;
        if (typeof path !== "string") continue;
        const obj = await readObject(bucket.id, path);
        if (!obj) continue;
        await deleteObject(bucket.id, path);
        deleted.push({
          bucket_id: obj.bucket_id,
          name: obj.name,
          id: obj.id,
          owner: obj.owner,
          version: obj.version,
          created_at: obj.created_at,
          updated_at: obj.updated_at,
          last_accessed_at: obj.last_accessed_at,
          metadata: obj.metadata,
          user_metadata: obj.user_metadata,
        });
      }
      return c.json(deleted);
    }

    const obj = isService(who) ? await readObject(bucket.id, name) : null;
    if (!obj) return E.noSuchKey(c);
    await deleteObject(bucket.id, name);
    return c.json({ message: "Successfully deleted" });
  });

  return { app };
}

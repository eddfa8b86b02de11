// Buckets: create, list, read, update, empty and delete (service_role only, as without RLS policies).
import { rm } from "node:fs/promises";
import type { Hono } from "hono";
import { caller, E, isService, storageError } from "./http";
import { bucketDir, deleteObject, listObjects, saveBucket, type BucketRecord, type StorageState } from "./state";

const VALID_BUCKET = /^(\w|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;

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

export function bucketRoutes(app: Hono, state: StorageState): void {
  app.post("/bucket", async (c) => {
    const { caller: who, error } = await caller(state, c);
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
    if (state.buckets.has(id)) return E.bucketExists(c);
    const limit = parseSizeLimit(body.file_size_limit);
    if (limit === "invalid") {
      return E.invalidRequest(c, "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
    }
    if (limit !== null && limit > state.maxUploadBytes) return E.tooLarge(c);
    const t = new Date(state.now()).toISOString();
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
    await saveBucket(state, record);
    state.buckets.set(id, record);
    return c.json({ name: id });
  });

  app.get("/bucket", async (c) => {
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    return c.json(isService(who) ? [...state.buckets.values()] : []);
  });

  app.get("/bucket/:id", async (c) => {
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = state.buckets.get(c.req.param("id"));
    if (!bucket || !isService(who)) return E.noSuchBucket(c);
    return c.json(bucket);
  });

  app.put("/bucket/:id", async (c) => {
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = state.buckets.get(c.req.param("id"));
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
    bucket.updated_at = new Date(state.now()).toISOString();
    await saveBucket(state, bucket);
    return c.json({ message: "Successfully updated" });
  });

  app.post("/bucket/:id/empty", async (c) => {
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = state.buckets.get(c.req.param("id"));
    if (!bucket || !isService(who)) return E.noSuchBucket(c);
    for (const o of await listObjects(state, bucket.id)) await deleteObject(state, bucket.id, o.name);
    return c.json({ message: "Successfully emptied" });
  });

  app.delete("/bucket/:id", async (c) => {
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = state.buckets.get(c.req.param("id"));
    if (!bucket || !isService(who)) return E.noSuchBucket(c);
    if ((await listObjects(state, bucket.id)).length > 0) {
      return storageError(c, 409, "ResourceNotEmpty", "The bucket you tried to delete is not empty");
    }
    await rm(bucketDir(state, bucket.id), { recursive: true, force: true });
    state.buckets.delete(bucket.id);
    return c.json({ message: "Successfully deleted" });
  });
}

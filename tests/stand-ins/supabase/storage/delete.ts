// Deleting objects: one by path, or many by {prefixes} (answering the removed rows).
import type { Hono } from "hono";
import { caller, E, isService, segmentsAfter, storageError } from "./http";
import { deleteObject, readObject, type StorageState } from "./state";

export function deleteRoutes(app: Hono, state: StorageState): void {
  app.delete("/object/*", async (c) => {
    const segs = segmentsAfter(c, "/object/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    const { caller: who, error } = await caller(state, c);
    if (!who) return E.accessDenied(c, error ?? "invalid JWT");
    const bucket = bucketId ? state.buckets.get(bucketId) : undefined;
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
        const obj = await readObject(state, bucket.id, path);
        if (!obj) continue;
        await deleteObject(state, bucket.id, path);
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

    const obj = isService(who) ? await readObject(state, bucket.id, name) : null;
    if (!obj) return E.noSuchKey(c);
    await deleteObject(state, bucket.id, name);
    return c.json({ message: "Successfully deleted" });
  });
}

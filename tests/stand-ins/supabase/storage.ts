// The Storage half of the stand-in: the endpoints storage-js calls, with the bodies of
// supabase/storage (src/http/routes/object/*, routes/bucket/*, internal/errors). Objects and
// buckets persist in a folder (storage/state.ts); each endpoint group is a module over one
// shared state object.
//
// Access is modelled on a project with no storage RLS policies: the service_role key (which
// bypasses RLS) may do anything; any other valid JWT (anon key, user token) sees no buckets
// or objects and may not write.
import { Hono } from "hono";
import type { KeyMaterial } from "./keys";
import { bucketRoutes } from "./storage/buckets";
import { deleteRoutes } from "./storage/delete";
import { downloadRoutes } from "./storage/download";
import { signRoutes } from "./storage/sign";
import { loadBuckets, type StorageState } from "./storage/state";
import { uploadRoutes } from "./storage/upload";

export interface StorageOptions {
  dir: string;
  keys: KeyMaterial;
  /** The project-wide upload limit (Supabase's global file size limit); bytes. */
  maxUploadBytes: number;
  now: () => number;
}

export interface StorageService {
  app: Hono;
}

export async function createStorageService(opts: StorageOptions): Promise<StorageService> {
  const state: StorageState = { ...opts, buckets: new Map() };
  await loadBuckets(state);

  const app = new Hono();
  // Order matters: the named routes under /object (sign, list, info, public, authenticated)
  // must match before the catch-all /object/<bucket>/<path> of download, upload and delete.
  bucketRoutes(app, state);
  signRoutes(app, state);
  downloadRoutes(app, state);
  uploadRoutes(app, state);
  deleteRoutes(app, state);
  return { app };
}

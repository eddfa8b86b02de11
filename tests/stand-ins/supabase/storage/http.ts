// What every Storage endpoint shares: supabase/storage's error shapes, the caller from the
// bearer JWT, and the path after a route prefix.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { StorageState } from "./state";

export type Caller = { role: string; sub: string | null } | null;

/**
 * StorageBackendError.render() + the error handler: the HTTP status is 400 for every error
 * except 500; the intended status travels as a string in the body's `statusCode`.
 */
export function storageError(c: Context, statusCode: number, code: string, message: string, error?: string) {
  const httpStatus = statusCode === 500 ? 500 : 400;
  return c.json(
    { statusCode: String(statusCode), code, error: error ?? code, message },
    httpStatus as ContentfulStatusCode,
  );
}

export const E = {
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

export /** Path segments after /storage/v1, percent-decoded one by one. */
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

/** The jwt plugin: Authorization bearer verified; null when absent or invalid. */
export async function caller(state: StorageState, c: Context): Promise<{ caller: Caller; error: string | null }> {
  const token = (c.req.header("authorization") ?? "").replace(/^Bearer\s+/i, "");
  if (!token) return { caller: null, error: "jwt must be provided" };
  try {
    const claims = await state.keys.verify(token);
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
}

export function isService(who: Caller): boolean {
  return who?.role === "service_role" || who?.role === "supabase_admin";
}

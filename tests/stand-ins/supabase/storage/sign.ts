// Signed URLs: POST /object/sign/<bucket>/<path> answers a URL with an HS256 token bound to the
// path and its expiry; GET on that URL serves the object while the token holds.
import type { Hono } from "hono";
import { serveObject } from "./download";
import { caller, E, isService, segmentsAfter, storageError } from "./http";
import { readObject, type StorageState } from "./state";

export function signRoutes(app: Hono, state: StorageState): void {
  app.post("/object/sign/*", async (c) => {
    const segs = segmentsAfter(c, "/object/sign/");
    const [bucketId, ...rest] = segs ?? [];
    const name = rest.join("/");
    if (!bucketId || !name) return E.invalidRequest(c, "params must have required property '*'");
    const { caller: who, error } = await caller(state, c);
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
    if (!state.buckets.has(bucketId)) return E.noSuchBucket(c);
    const obj = isService(who) ? await readObject(state, bucketId, name) : null;
    if (!obj) return E.noSuchKey(c);
    const urlToSign = `${bucketId}/${name}`;
    const iat = Math.floor(state.now() / 1000);
    const token = await state.keys.signHs256({ url: urlToSign, iat, exp: iat + expiresIn });
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
      payload = await state.keys.verifyHs256(token);
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
    const obj = bucketId ? await readObject(state, bucketId, name) : null;
    if (!obj) return E.noSuchKey(c);
    const exp = typeof payload.exp === "number" ? payload.exp : 0;
    return serveObject(state, c, obj, { Expires: new Date(exp * 1000).toUTCString() });
  });
}

// The Supabase stand-in, driven by the real client libraries the app uses (supabase-js,
// @supabase/ssr, storage-js through supabase-js), so that a passing test means unmodified
// production code works against it. No database needed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServerClient } from "@supabase/ssr";
import {
  AuthSessionMissingError,
  StorageApiError,
  createClient,
  isAuthApiError,
  isAuthRetryableFetchError,
  type SupabaseClient,
} from "@supabase/supabase-js";
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startSupabaseStandIn, type SupabaseStandIn } from "./supabase";

// Node 20 has no global WebSocket; supabase-js builds a realtime client eagerly and throws without one.
const realtime = { transport: WebSocket as unknown as typeof globalThis.WebSocket };

const ADA = { email: "ada@example.com", password: "correct horse battery" };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);

function clientFor(standIn: SupabaseStandIn, key = standIn.anonKey): SupabaseClient {
  return createClient(standIn.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime,
  });
}

async function signedIn(standIn: SupabaseStandIn, who = ADA) {
  const client = clientFor(standIn);
  const { data, error } = await client.auth.signInWithPassword(who);
  expect(error).toBeNull();
  return { client, session: data.session! };
}

const count = (standIn: SupabaseStandIn, path: string) => standIn.requests.filter((r) => r.path === path).length;

const untilAfter = async (unixSeconds: number) => {
  while (Date.now() / 1000 < unixSeconds + 0.05) await new Promise((r) => setTimeout(r, 50));
};

let standIn: SupabaseStandIn;
let adaId: string;

beforeAll(async () => {
  standIn = await startSupabaseStandIn();
  adaId = (await standIn.createUser(ADA)).id;
});
afterAll(async () => {
  await standIn?.stop();
});

describe("the API gateway in front of Auth", () => {
  it("refuses a request without an apikey with 401, and one with a wrong key too", async () => {
    const send = (headers: Record<string, string>) =>
      fetch(`${standIn.url}/auth/v1/token?grant_type=password`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(ADA),
      });
    const missing = await send({});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: "No API key found in request" });
    const wrong = await send({ apikey: "not-a-key" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: "Invalid API key" });
  });

  it("serves the JWKS without a key: one ES256 public key with a kid", async () => {
    const res = await fetch(`${standIn.url}/auth/v1/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(keys[0]).not.toHaveProperty("d");
    expect(typeof keys[0]!.kid).toBe("string");
  });
});

describe("password sign-in", () => {
  it("answers a session whose access token carries GoTrue's claims, signed ES256 with the JWKS kid", async () => {
    const { session } = await signedIn(standIn);
    expect(session).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(session.expires_at).toBeGreaterThan(Date.now() / 1000 + 3500);
    expect(session.refresh_token).toEqual(expect.any(String));
    expect(session.user).toMatchObject({ id: adaId, email: ADA.email, aud: "authenticated", role: "authenticated" });

    const jwks = (await (await fetch(`${standIn.url}/auth/v1/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(decodeProtectedHeader(session.access_token)).toMatchObject({ alg: "ES256", kid: jwks.keys[0]!.kid });
    const claims = decodeJwt(session.access_token);
    expect(claims).toMatchObject({
      sub: adaId,
      email: ADA.email,
      role: "authenticated",
      aud: "authenticated",
      iss: `${standIn.url}/auth/v1`,
      aal: "aal1",
      is_anonymous: false,
      amr: [expect.objectContaining({ method: "password" })],
    });
    expect(claims.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it("refuses a wrong password, and an unknown email, as AuthApiError 400 invalid_credentials", async () => {
    for (const attempt of [
      { email: ADA.email, password: "wrong password" },
      { email: "nobody@example.com", password: ADA.password },
    ]) {
      const { data, error } = await clientFor(standIn).auth.signInWithPassword(attempt);
      expect(data.session).toBeNull();
      expect(isAuthApiError(error)).toBe(true);
      expect(error).toMatchObject({ status: 400, code: "invalid_credentials", message: "Invalid login credentials" });
    }
  });

  it("shapes the error body by X-Supabase-Api-Version as GoTrue does", async () => {
    const attempt = (headers: Record<string, string>) =>
      fetch(`${standIn.url}/auth/v1/token?grant_type=password`, {
        method: "POST",
        headers: { apikey: standIn.anonKey, "content-type": "application/json", ...headers },
        body: JSON.stringify({ email: ADA.email, password: "nope" }),
      });
    const legacy = await attempt({});
    expect(legacy.status).toBe(400);
    expect(await legacy.json()).toEqual({
      code: 400,
      error_code: "invalid_credentials",
      msg: "Invalid login credentials",
    });

    const versioned = await attempt({ "X-Supabase-Api-Version": "2024-01-01" });
    expect(versioned.status).toBe(400);
    expect(versioned.headers.get("x-supabase-api-version")).toBe("2024-01-01");
    expect(await versioned.json()).toEqual({ code: "invalid_credentials", message: "Invalid login credentials" });
  });
});

describe("getClaims and getUser", () => {
  it("getClaims verifies the token locally with the JWKS and never calls /auth/v1/user", async () => {
    const { client } = await signedIn(standIn);
    standIn.resetRequests();
    for (let i = 0; i < 3; i++) {
      const { data, error } = await client.auth.getClaims();
      expect(error).toBeNull();
      expect(data?.claims).toMatchObject({ sub: adaId, email: ADA.email, role: "authenticated" });
    }
    expect(count(standIn, "/auth/v1/user")).toBe(0);
    // At most one JWKS fetch: auth-js caches it (per storage key, for 10 minutes).
    expect(count(standIn, "/auth/v1/.well-known/jwks.json")).toBeLessThanOrEqual(1);
  });

  it("getClaims refuses a token whose payload was altered after signing", async () => {
    const { session } = await signedIn(standIn);
    const [header, payload, signature] = session.access_token.split(".");
    const forged = { ...decodeJwt(session.access_token), sub: "00000000-0000-4000-8000-000000000000" };
    const forgedPayload = Buffer.from(JSON.stringify(forged)).toString("base64url");
    const { data, error } = await clientFor(standIn).auth.getClaims(`${header}.${forgedPayload}.${signature}`);
    expect(data).toBeNull();
    expect(error?.message).toBe("Invalid JWT signature");
    expect(payload).not.toBe(forgedPayload);
  });

  it("getUser asks the Auth server and answers the user", async () => {
    const { client } = await signedIn(standIn);
    standIn.resetRequests();
    const { data, error } = await client.auth.getUser();
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: adaId, email: ADA.email, app_metadata: { provider: "email" } });
    expect(count(standIn, "/auth/v1/user")).toBe(1);
  });

  it("getUser refuses a garbage token (403 bad_jwt) and a missing one (401 no_authorization)", async () => {
    const { error } = await clientFor(standIn).auth.getUser("not.a.jwt");
    expect(error).toMatchObject({ status: 403, code: "bad_jwt" });

    const res = await fetch(`${standIn.url}/auth/v1/user`, { headers: { apikey: standIn.anonKey } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: "no_authorization" });
  });
});

describe("refresh tokens", () => {
  it("refreshSession rotates the refresh token and keeps the session id", async () => {
    const { client, session } = await signedIn(standIn);
    const { data, error } = await client.auth.refreshSession();
    expect(error).toBeNull();
    expect(data.session!.refresh_token).not.toBe(session.refresh_token);
    expect(data.session!.access_token).not.toBe(session.access_token);
    expect(decodeJwt(data.session!.access_token).session_id).toBe(decodeJwt(session.access_token).session_id);
  });

  describe("reuse, with GoTrue's reuse interval set to 0", () => {
    let strict: SupabaseStandIn;
    beforeAll(async () => {
      strict = await startSupabaseStandIn({ refreshTokenReuseIntervalSeconds: 0 });
      await strict.createUser(ADA);
    });
    afterAll(async () => {
      await strict?.stop();
    });

    const refresh = (refresh_token: string) => clientFor(strict).auth.refreshSession({ refresh_token });

    it("the parent of the active token gets the active token back (a lost refresh answer), an older one is refused and revokes the family", async () => {
      const { session } = await signedIn(strict);
      const a = session.refresh_token;

      const first = await refresh(a);
      expect(first.error).toBeNull();
      const b = first.data.session!.refresh_token;

      // A client that never stored B retries with A: GoTrue answers B again.
      const retry = await refresh(a);
      expect(retry.error).toBeNull();
      expect(retry.data.session!.refresh_token).toBe(b);

      const second = await refresh(b);
      expect(second.error).toBeNull();
      const c = second.data.session!.refresh_token;

      const replay = await refresh(a);
      expect(replay.data.session).toBeNull();
      expect(replay.error).toMatchObject({ status: 400, code: "refresh_token_already_used" });

      // The replay revoked the whole family, so even the newest token is dead now.
      const afterReplay = await refresh(c);
      expect(afterReplay.error).toMatchObject({ status: 400, code: "refresh_token_already_used" });
    });

    it("an unknown refresh token is refused with refresh_token_not_found", async () => {
      const { error } = await refresh("never-issued");
      expect(error).toMatchObject({ status: 400, code: "refresh_token_not_found" });
    });
  });
});

describe("sign-out", () => {
  it("revokes the session: its refresh token is refused and getUser reports the session missing", async () => {
    const { client, session } = await signedIn(standIn);
    expect((await client.auth.signOut()).error).toBeNull();

    const refreshed = await clientFor(standIn).auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refreshed.error).toMatchObject({ status: 400, code: "refresh_token_not_found" });

    // GoTrue answers 403 session_not_found; auth-js turns that into AuthSessionMissingError.
    const user = await clientFor(standIn).auth.getUser(session.access_token);
    expect(user.error).toBeInstanceOf(AuthSessionMissingError);
    const raw = await fetch(`${standIn.url}/auth/v1/user`, {
      headers: { apikey: standIn.anonKey, authorization: `Bearer ${session.access_token}` },
    });
    expect(raw.status).toBe(403);
    expect(await raw.json()).toMatchObject({ error_code: "session_not_found" });
  });

  it("still lets a signed-out access token pass getClaims until it expires (JWTs are stateless, as on Supabase)", async () => {
    const { client, session } = await signedIn(standIn);
    await client.auth.signOut();
    const { data, error } = await clientFor(standIn).auth.getClaims(session.access_token);
    expect(error).toBeNull();
    expect(data?.claims.sub).toBe(adaId);
  });

  it("scope local ends only this session; the user's other sessions keep refreshing", async () => {
    const here = await signedIn(standIn);
    const elsewhere = await signedIn(standIn);
    expect((await here.client.auth.signOut({ scope: "local" })).error).toBeNull();
    const { error } = await clientFor(standIn).auth.refreshSession({ refresh_token: elsewhere.session.refresh_token });
    expect(error).toBeNull();
    const gone = await clientFor(standIn).auth.refreshSession({ refresh_token: here.session.refresh_token });
    expect(gone.error).toMatchObject({ code: "refresh_token_not_found" });
  });
});

describe("short-lived access tokens", () => {
  let quick: SupabaseStandIn;
  beforeAll(async () => {
    quick = await startSupabaseStandIn({ accessTokenTtlSeconds: 1 });
    await quick.createUser(ADA);
  });
  afterAll(async () => {
    await quick?.stop();
  });

  it("an expired access token is refused by getUser (403 bad_jwt) and by getClaims; refreshing gives a working one", async () => {
    const { session } = await signedIn(quick);
    await untilAfter(session.expires_at!);

    const user = await clientFor(quick).auth.getUser(session.access_token);
    expect(user.error).toMatchObject({ status: 403, code: "bad_jwt" });
    expect(user.error?.message).toMatch(/expired/);

    const claims = await clientFor(quick).auth.getClaims(session.access_token);
    expect(claims.error?.message).toBe("JWT has expired");

    const refreshed = await clientFor(quick).auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refreshed.error).toBeNull();
    const again = await clientFor(quick).auth.getUser(refreshed.data.session!.access_token);
    expect(again.data.user?.id).toBe(session.user.id);
  });

  it("@supabase/ssr: an expired token in the cookies is refreshed by getClaims and the new cookies go to setAll", async () => {
    const jar = new Map<string, string>();
    const cookies = {
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      setAll: (list: { name: string; value: string }[]) => {
        for (const { name, value } of list) {
          if (value) jar.set(name, value);
          else jar.delete(name);
        }
      },
    };
    const signIn = createServerClient(quick.url, quick.anonKey, { cookies, realtime });
    const { data } = await signIn.auth.signInWithPassword(ADA);
    const before = new Map(jar);
    await untilAfter(data.session!.expires_at!);

    quick.resetRequests();
    const nextRequest = createServerClient(quick.url, quick.anonKey, { cookies, realtime });
    const claims = await nextRequest.auth.getClaims();
    expect(claims.error).toBeNull();
    expect(claims.data?.claims.sub).toBe(data.user!.id);
    expect(quick.requests.some((r) => r.path === "/auth/v1/token" && r.search === "?grant_type=refresh_token")).toBe(
      true,
    );
    expect([...jar]).not.toEqual([...before]);
  });
});

describe("@supabase/ssr server client", () => {
  it("signs in through setAll cookies, and the next request's client reads verified claims from them without calling /user", async () => {
    const jar = new Map<string, string>();
    let setAllCalls = 0;
    const cookies = {
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      setAll: (list: { name: string; value: string }[]) => {
        setAllCalls++;
        for (const { name, value } of list) {
          if (value) jar.set(name, value);
          else jar.delete(name);
        }
      },
    };
    const action = createServerClient(standIn.url, standIn.anonKey, { cookies, realtime });
    const { error } = await action.auth.signInWithPassword(ADA);
    expect(error).toBeNull();
    expect(setAllCalls).toBeGreaterThan(0);
    // The storage key comes from the URL's first host label: 127.0.0.1 → sb-127-auth-token.
    expect([...jar.keys()].some((name) => name.startsWith("sb-127-auth-token"))).toBe(true);

    standIn.resetRequests();
    const loader = createServerClient(standIn.url, standIn.anonKey, { cookies, realtime });
    const { data, error: claimsError } = await loader.auth.getClaims();
    expect(claimsError).toBeNull();
    expect(data?.claims).toMatchObject({ sub: adaId, email: ADA.email });
    expect(count(standIn, "/auth/v1/user")).toBe(0);
  });
});

describe("admin users", () => {
  it("admin.createUser with the service key makes a confirmed user who can sign in; the anon key is refused", async () => {
    const admin = clientFor(standIn, standIn.serviceRoleKey);
    const email = "grace@example.com";
    const { data, error } = await admin.auth.admin.createUser({ email, password: "hopper123", email_confirm: true });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email });
    const signIn = await clientFor(standIn).auth.signInWithPassword({ email, password: "hopper123" });
    expect(signIn.data.user?.id).toBe(data.user!.id);

    const again = await admin.auth.admin.createUser({ email, password: "hopper123", email_confirm: true });
    expect(again.error).toMatchObject({ status: 422, code: "email_exists" });

    const byAnon = await clientFor(standIn).auth.admin.createUser({ email: "eve@example.com", password: "secret123" });
    expect(byAnon.error).toMatchObject({ status: 403, code: "not_admin" });
  });

  it("a user created without email_confirm cannot sign in yet (email_not_confirmed)", async () => {
    const admin = clientFor(standIn, standIn.serviceRoleKey);
    await admin.auth.admin.createUser({ email: "pending@example.com", password: "secret123" });
    const { error } = await clientFor(standIn).auth.signInWithPassword({
      email: "pending@example.com",
      password: "secret123",
    });
    expect(error).toMatchObject({ status: 400, code: "email_not_confirmed" });
  });

  it("createUser is idempotent by email and keeps a given id; the new password replaces the old", async () => {
    const id = "5d1f0e2a-7c3b-4a9e-8f10-2b3c4d5e6f70";
    expect(await standIn.createUser({ id, email: "Lin@Example.com", password: "first-pass" })).toEqual({ id });
    expect(await standIn.createUser({ email: "lin@example.com", password: "second-pass" })).toEqual({ id });
    const old = await clientFor(standIn).auth.signInWithPassword({ email: "lin@example.com", password: "first-pass" });
    expect(old.error).toMatchObject({ code: "invalid_credentials" });
    const now = await clientFor(standIn).auth.signInWithPassword({ email: "lin@example.com", password: "second-pass" });
    expect(now.data.user?.id).toBe(id);
  });
});

describe("storage", () => {
  const BUCKET = "booking-artifacts";
  let service: SupabaseClient;
  beforeAll(async () => {
    service = clientFor(standIn, standIn.serviceRoleKey);
    const { error } = await service.storage.createBucket(BUCKET, { public: false });
    expect(error).toBeNull();
  });

  it("creates a private bucket once; a second create is a Duplicate (statusCode 409 in the body, HTTP 400 as real Storage)", async () => {
    const { data } = await service.storage.getBucket(BUCKET);
    expect(data).toMatchObject({ id: BUCKET, name: BUCKET, public: false });
    const { error } = await service.storage.createBucket(BUCKET, { public: false });
    expect(error).toBeInstanceOf(StorageApiError);
    expect(error).toMatchObject({ status: 400, statusCode: "409", message: "The resource already exists" });
  });

  it("uploads bytes with their content type and downloads them back", async () => {
    const path = "b1/snapshot-1.png";
    const up = await service.storage.from(BUCKET).upload(path, PNG, { contentType: "image/png" });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path, fullPath: `${BUCKET}/${path}`, id: expect.any(String) });

    const down = await service.storage.from(BUCKET).download(path);
    expect(down.error).toBeNull();
    expect(down.data!.type).toBe("image/png");
    expect(new Uint8Array(await down.data!.arrayBuffer())).toEqual(PNG);
  });

  it("refuses to overwrite without upsert (Duplicate, statusCode 409) and replaces with upsert", async () => {
    const path = "b1/overwrite.png";
    await service.storage.from(BUCKET).upload(path, PNG, { contentType: "image/png" });
    const dup = await service.storage.from(BUCKET).upload(path, new Uint8Array([1]), { contentType: "image/png" });
    expect(dup.error).toMatchObject({ status: 400, statusCode: "409", message: "The resource already exists" });

    const replaced = await service.storage
      .from(BUCKET)
      .upload(path, new Uint8Array([9, 9]), { contentType: "image/webp", upsert: true });
    expect(replaced.error).toBeNull();
    const down = await service.storage.from(BUCKET).download(path);
    expect(down.data!.type).toBe("image/webp");
    expect(new Uint8Array(await down.data!.arrayBuffer())).toEqual(new Uint8Array([9, 9]));
  });

  it("a Blob goes as multipart and is stored with the Blob's own type; the contentType option is ignored for it", async () => {
    const typed = await service.storage.from(BUCKET).upload("b1/blob.webp", new Blob([PNG], { type: "image/webp" }));
    expect(typed.error).toBeNull();
    expect((await service.storage.from(BUCKET).download("b1/blob.webp")).data!.type).toBe("image/webp");

    const untyped = await service.storage
      .from(BUCKET)
      .upload("b1/blob-untyped.png", new Blob([PNG]), { contentType: "image/png" });
    expect(untyped.error).toBeNull();
    expect((await service.storage.from(BUCKET).download("b1/blob-untyped.png")).data!.type).toBe(
      "application/octet-stream",
    );
  });

  it("refuses an object over the bucket's size limit with EntityTooLarge (statusCode 413)", async () => {
    expect((await service.storage.createBucket("tiny", { public: false, fileSizeLimit: 8 })).error).toBeNull();
    const { error } = await service.storage.from("tiny").upload("big.png", PNG, { contentType: "image/png" });
    expect(error).toMatchObject({
      status: 400,
      statusCode: "413",
      message: "The object exceeded the maximum allowed size",
    });
    const fits = await service.storage.from("tiny").upload("small.png", PNG.slice(0, 8), { contentType: "image/png" });
    expect(fits.error).toBeNull();
  });

  it("createSignedUrl gives a URL that serves the object, with no key at all, while the token is valid", async () => {
    const path = "b2/signed.png";
    await service.storage.from(BUCKET).upload(path, PNG, { contentType: "image/png" });
    const { data, error } = await service.storage.from(BUCKET).createSignedUrl(path, 60);
    expect(error).toBeNull();
    expect(data!.signedUrl).toMatch(new RegExp(`^${standIn.url}/storage/v1/object/sign/${BUCKET}/${path}\\?token=`));

    const res = await fetch(data!.signedUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
  });

  it("an object name with spaces and parentheses round-trips through upload, signed URL and download", async () => {
    const path = "b2/my snapshot (1).png";
    expect((await service.storage.from(BUCKET).upload(path, PNG, { contentType: "image/png" })).error).toBeNull();
    const { data } = await service.storage.from(BUCKET).createSignedUrl(path, 60);
    expect(data!.signedUrl).toContain("my%20snapshot%20(1).png?token=");
    const res = await fetch(data!.signedUrl);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
    expect((await service.storage.from(BUCKET).download(path)).error).toBeNull();
  });

  it("a signed URL is refused when its token is altered, names another object, or has expired", async () => {
    const path = "b2/guarded.png";
    await service.storage.from(BUCKET).upload(path, PNG, { contentType: "image/png" });
    await service.storage.from(BUCKET).upload("b2/other.png", PNG, { contentType: "image/png" });
    const { data } = await service.storage.from(BUCKET).createSignedUrl(path, 60);
    const signed = new URL(data!.signedUrl);
    const token = signed.searchParams.get("token")!;

    const tampered = await fetch(`${signed.origin}${signed.pathname}?token=${token.slice(0, -2)}xx`);
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ statusCode: "400", error: "InvalidJWT" });

    const otherPath = await fetch(`${standIn.url}/storage/v1/object/sign/${BUCKET}/b2/other.png?token=${token}`);
    expect(otherPath.status).toBe(400);
    expect(await otherPath.json()).toMatchObject({ error: "InvalidSignature" });

    const past = Math.floor(Date.now() / 1000) - 120;
    const expired = await new SignJWT({ url: `${BUCKET}/${path}`, iat: past, exp: past + 60 })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(standIn.jwtSecret));
    const late = await fetch(`${signed.origin}${signed.pathname}?token=${expired}`);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error: "InvalidJWT", message: "jwt expired" });
  });

  it("remove answers the removed objects, nothing the second time, and the object is gone", async () => {
    const path = "b3/remove-me.png";
    await service.storage.from(BUCKET).upload(path, PNG, { contentType: "image/png" });
    const first = await service.storage.from(BUCKET).remove([path]);
    expect(first.error).toBeNull();
    expect(first.data).toEqual([expect.objectContaining({ name: path, bucket_id: BUCKET })]);
    const second = await service.storage.from(BUCKET).remove([path]);
    expect(second.data).toEqual([]);

    const down = await service.storage.from(BUCKET).download(path);
    expect(down.error).toMatchObject({ status: 400, statusCode: "404", message: "Object not found" });
    const signed = await service.storage.from(BUCKET).createSignedUrl(path, 60);
    expect(signed.error).toMatchObject({ statusCode: "404" });
  });

  it("neither the anon key nor a signed-in user's token can read, sign or write a private bucket's objects", async () => {
    const path = "b4/private.png";
    await service.storage.from(BUCKET).upload(path, PNG, { contentType: "image/png" });
    const { client: user } = await signedIn(standIn);

    for (const client of [clientFor(standIn), user]) {
      const down = await client.storage.from(BUCKET).download(path);
      expect(down.data).toBeNull();
      expect(down.error).toMatchObject({ statusCode: "404" });
      const sign = await client.storage.from(BUCKET).createSignedUrl(path, 60);
      expect(sign.data).toBeNull();
      const up = await client.storage.from(BUCKET).upload("b4/intruder.png", PNG, { contentType: "image/png" });
      expect(up.error).toMatchObject({ statusCode: "403" });
      const removed = await client.storage.from(BUCKET).remove([path]);
      expect(removed.data).toEqual([]);
    }
    const noAuth = await fetch(`${standIn.url}/storage/v1/object/${BUCKET}/${path}`);
    expect(noAuth.status).toBe(400);
    expect(await noAuth.json()).toMatchObject({ statusCode: "404", error: "Bucket not found" });
    // Still there for the service role.
    expect((await service.storage.from(BUCKET).download(path)).error).toBeNull();
  });

  it("keeps buckets and objects in storageDir across a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "supabase-standin-test-"));
    try {
      const first = await startSupabaseStandIn({ storageDir: dir });
      const a = clientFor(first, first.serviceRoleKey);
      await a.storage.createBucket("kept", { public: false });
      await a.storage.from("kept").upload("x/y.png", PNG, { contentType: "image/png" });
      await first.stop();

      const second = await startSupabaseStandIn({ storageDir: dir });
      try {
        const down = await clientFor(second, second.serviceRoleKey).storage.from("kept").download("x/y.png");
        expect(down.error).toBeNull();
        expect(down.data!.type).toBe("image/png");
        expect(new Uint8Array(await down.data!.arrayBuffer())).toEqual(PNG);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("faults", () => {
  it("while Auth is down, sign-in and getUser fail with a retryable 503 and the JWKS answers 503; afterwards all works", async () => {
    const { session } = await signedIn(standIn);
    standIn.setAuthDown(true);
    try {
      const signIn = await clientFor(standIn).auth.signInWithPassword(ADA);
      expect(isAuthRetryableFetchError(signIn.error)).toBe(true);
      expect(signIn.error).toMatchObject({ status: 503 });

      const user = await clientFor(standIn).auth.getUser(session.access_token);
      expect(isAuthRetryableFetchError(user.error)).toBe(true);

      expect((await fetch(`${standIn.url}/auth/v1/.well-known/jwks.json`)).status).toBe(503);

      // Storage is a separate service and keeps answering.
      const buckets = await clientFor(standIn, standIn.serviceRoleKey).storage.listBuckets();
      expect(buckets.error).toBeNull();
    } finally {
      standIn.setAuthDown(false);
    }
    expect((await clientFor(standIn).auth.signInWithPassword(ADA)).error).toBeNull();
  });

  it("getClaims keeps verifying with the JWKS auth-js already cached while Auth is down", async () => {
    const { client } = await signedIn(standIn);
    expect((await client.auth.getClaims()).error).toBeNull(); // caches the JWKS
    standIn.setAuthDown(true);
    try {
      const { data, error } = await client.auth.getClaims();
      expect(error).toBeNull();
      expect(data?.claims.sub).toBe(adaId);
    } finally {
      standIn.setAuthDown(false);
    }
  });

  it("while Storage is down, downloads fail with status 503", async () => {
    const service = clientFor(standIn, standIn.serviceRoleKey);
    standIn.setStorageDown(true);
    try {
      const { error } = await service.storage.from("booking-artifacts").download("b1/snapshot-1.png");
      expect(error).toMatchObject({ status: 503 });
    } finally {
      standIn.setStorageDown(false);
    }
  });
});

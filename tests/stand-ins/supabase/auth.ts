// The GoTrue (Supabase Auth) half of the stand-in: the endpoints auth-js calls, with the
// status codes and bodies of supabase/auth (internal/api: token.go, tokens/service.go,
// auth.go, logout.go, admin.go, errors.go). Users, sessions and refresh tokens live in memory.
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { TokenError, type KeyMaterial } from "./keys";

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number },
) => Promise<Buffer>;

export interface AuthOptions {
  url: string;
  keys: KeyMaterial;
  accessTokenTtlSeconds: number;
  /** GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL (default 10 s). */
  refreshTokenReuseIntervalSeconds: number;
  now: () => number;
}

interface UserRecord {
  id: string;
  email: string;
  passwordHash: string | null;
  emailConfirmedAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastSignInAt: string | null;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
}

interface SessionRecord {
  id: string;
  userId: string;
  createdAt: string;
  amr: { method: string; timestamp: number }[];
}

interface RefreshTokenRecord {
  token: string;
  sessionId: string;
  revoked: boolean;
  parent: string | null;
  /** ms; GoTrue measures the reuse interval from the row's updated_at. */
  updatedAt: number;
  createdAt: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const API_VERSION_2024 = "2024-01-01";
const MIN_PASSWORD_LENGTH = 6;

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  // Low cost on purpose: a test stand-in, not a password store.
  const hash = await scryptAsync(password, salt, 32, { N: 1024 });
  return `${salt.toString("base64")}$${hash.toString("base64")}`;
}

async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [saltB64, hashB64] = stored.split("$");
  if (!saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, "base64");
  const actual = await scryptAsync(password, Buffer.from(saltB64, "base64"), expected.length, {
    N: 1024,
  });
  return timingSafeEqual(expected, actual);
}

/** Mirrors DetermineClosestAPIVersion: only 2024-01-01 exists after the initial version. */
function requestedApiVersion(c: Context): string | null {
  const raw = c.req.header("x-supabase-api-version");
  if (!raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return null;
  const t = Date.parse(`${raw}T00:00:00Z`);
  if (Number.isNaN(t) || t < Date.parse(`${API_VERSION_2024}T00:00:00Z`)) return null;
  return API_VERSION_2024;
}

/** HandleResponseError for *HTTPError: the body shape depends on X-Supabase-Api-Version. */
export function gotrueError(
  c: Context,
  status: number,
  errorCode: string,
  message: string,
  extra: Record<string, unknown> = {},
) {
  const version = requestedApiVersion(c);
  if (version) {
    c.header("X-Supabase-Api-Version", version);
    return c.json({ code: errorCode, message, ...extra }, status as ContentfulStatusCode);
  }
  return c.json({ code: status, error_code: errorCode, msg: message, ...extra }, status as ContentfulStatusCode);
}

/** *OAuthError: always 400 with {error, error_description}. */
function oauthError(c: Context, error: string, description?: string) {
  return c.json(description ? { error, error_description: description } : { error }, 400);
}

type Authenticated =
  | { ok: true; claims: Record<string, unknown>; user: UserRecord | null; session: SessionRecord | null }
  | { ok: false; response: Response };

export interface AuthService {
  app: Hono;
  createUser(u: {
    id?: string;
    email: string;
    password: string;
    emailConfirmed?: boolean;
    userMetadata?: Record<string, unknown>;
    appMetadata?: Record<string, unknown>;
  }): Promise<{ id: string }>;
}

export function createAuthService(opts: AuthOptions): AuthService {
  const { keys, url } = opts;
  const issuer = `${url}/auth/v1`;
  const users = new Map<string, UserRecord>();
  const sessions = new Map<string, SessionRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();

  const nowIso = () => new Date(opts.now()).toISOString();
  const findUserByEmail = (email: string) => {
    const wanted = email.trim().toLowerCase();
    for (const u of users.values()) if (u.email === wanted) return u;
    return undefined;
  };

  const userJson = (u: UserRecord) => ({
    id: u.id,
    aud: "authenticated",
    role: "authenticated",
    email: u.email,
    email_confirmed_at: u.emailConfirmedAt ?? undefined,
    phone: "",
    confirmed_at: u.emailConfirmedAt ?? undefined,
    last_sign_in_at: u.lastSignInAt ?? undefined,
    app_metadata: u.appMetadata,
    user_metadata: u.userMetadata,
    identities: [
      {
        identity_id: u.id,
        id: u.id,
        user_id: u.id,
        identity_data: {
          email: u.email,
          email_verified: u.emailConfirmedAt !== null,
          phone_verified: false,
          sub: u.id,
        },
        provider: "email",
        last_sign_in_at: u.lastSignInAt ?? u.createdAt,
        created_at: u.createdAt,
        updated_at: u.updatedAt,
        email: u.email,
      },
    ],
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    is_anonymous: false,
  });

  const newRefreshToken = (sessionId: string, parent: string | null): RefreshTokenRecord => {
    const t = opts.now();
    const record: RefreshTokenRecord = {
      token: randomBytes(12).toString("base64url"),
      sessionId,
      revoked: false,
      parent,
      updatedAt: t,
      createdAt: t,
    };
    refreshTokens.set(record.token, record);
    return record;
  };

  const deleteSession = (sessionId: string) => {
    sessions.delete(sessionId);
    for (const [token, rt] of refreshTokens) if (rt.sessionId === sessionId) refreshTokens.delete(token);
  };

  /** AccessTokenResponse, with claims like tokens.Service.GenerateAccessToken. */
  const tokenResponse = async (user: UserRecord, session: SessionRecord, refreshToken: string) => {
    const iat = Math.floor(opts.now() / 1000);
    const exp = iat + opts.accessTokenTtlSeconds;
    const accessToken = await keys.signAccessToken({
      iss: issuer,
      sub: user.id,
      aud: "authenticated",
      exp,
      iat,
      email: user.email,
      phone: "",
      app_metadata: user.appMetadata,
      user_metadata: user.userMetadata,
      role: "authenticated",
      aal: "aal1",
      amr: session.amr,
      session_id: session.id,
      is_anonymous: false,
    });
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: opts.accessTokenTtlSeconds,
      expires_at: exp,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  };

  /** requireAuthentication: bearer → parseJWTClaims → maybeLoadUserOrSession. */
  const authenticate = async (c: Context): Promise<Authenticated> => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    if (!match?.[1]) {
      return {
        ok: false,
        response: gotrueError(c, 401, "no_authorization", "This endpoint requires a valid Bearer token"),
      };
    }
    let claims: Record<string, unknown>;
    try {
      claims = await keys.verify(match[1]);
    } catch (err) {
      const detail = err instanceof TokenError ? err.message : String(err);
      return {
        ok: false,
        response: gotrueError(c, 403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${detail}`),
      };
    }
    return { ok: true, claims, user: null, session: null };
  };

  const loadUserAndSession = (c: Context, claims: Record<string, unknown>): Authenticated => {
    const sub = typeof claims.sub === "string" ? claims.sub : "";
    if (!sub) {
      return { ok: false, response: gotrueError(c, 403, "bad_jwt", "invalid claim: missing sub claim") };
    }
    if (!UUID_RE.test(sub)) {
      return {
        ok: false,
        response: gotrueError(c, 400, "bad_jwt", "invalid claim: sub claim must be a UUID"),
      };
    }
    const user = users.get(sub);
    if (!user) {
      return {
        ok: false,
        response: gotrueError(c, 403, "user_not_found", "User from sub claim in JWT does not exist"),
      };
    }
    let session: SessionRecord | null = null;
    const sessionId = typeof claims.session_id === "string" ? claims.session_id : "";
    if (sessionId && sessionId !== "00000000-0000-0000-0000-000000000000") {
      session = sessions.get(sessionId) ?? null;
      if (!session) {
        return {
          ok: false,
          response: gotrueError(c, 403, "session_not_found", "Session from session_id claim in JWT does not exist"),
        };
      }
    }
    return { ok: true, claims, user, session };
  };

  const requireUser = async (c: Context): Promise<Authenticated> => {
    const auth = await authenticate(c);
    if (!auth.ok) return auth;
    return loadUserAndSession(c, auth.claims);
  };

  const requireAdmin = async (c: Context): Promise<Authenticated> => {
    const auth = await authenticate(c);
    if (!auth.ok) return auth;
    const role = auth.claims.role;
    if (role !== "service_role" && role !== "supabase_admin") {
      return { ok: false, response: gotrueError(c, 403, "not_admin", "User not allowed") };
    }
    return auth;
  };

  const readJson = async (c: Context): Promise<Record<string, unknown> | null> => {
    try {
      const body: unknown = await c.req.json();
      return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };

  const createUser: AuthService["createUser"] = async (u) => {
    const email = u.email.trim().toLowerCase();
    const existing = findUserByEmail(email);
    const t = nowIso();
    if (existing) {
      if (u.id && u.id !== existing.id) {
        throw new Error(`supabase stand-in: ${email} already exists with id ${existing.id}, not ${u.id}`);
      }
      existing.passwordHash = await hashPassword(u.password);
      existing.updatedAt = t;
      if (u.emailConfirmed !== false && !existing.emailConfirmedAt) existing.emailConfirmedAt = t;
      if (u.userMetadata) existing.userMetadata = u.userMetadata;
      return { id: existing.id };
    }
    const id = u.id ?? randomUUID();
    if (!UUID_RE.test(id)) throw new Error(`supabase stand-in: user id must be a UUID, got ${id}`);
    if (users.has(id)) throw new Error(`supabase stand-in: user id ${id} is taken`);
    users.set(id, {
      id,
      email,
      passwordHash: await hashPassword(u.password),
      emailConfirmedAt: u.emailConfirmed === false ? null : t,
      createdAt: t,
      updatedAt: t,
      lastSignInAt: null,
      userMetadata: u.userMetadata ?? {},
      appMetadata: { provider: "email", providers: ["email"], ...(u.appMetadata ?? {}) },
    });
    return { id };
  };

  const app = new Hono();

  app.get("/.well-known/jwks.json", (c) => {
    c.header("Cache-Control", "public, max-age=600");
    return c.json(keys.jwks);
  });

  app.get("/health", (c) =>
    c.json({
      version: "stand-in",
      name: "GoTrue",
      description: "GoTrue is a user registration and authentication API",
    }),
  );

  app.get("/settings", (c) =>
    c.json({
      external: { email: true, phone: false, anonymous_users: false },
      disable_signup: true,
      mailer_autoconfirm: false,
      phone_autoconfirm: false,
      sms_provider: "",
      saml_enabled: false,
    }),
  );

  app.post("/token", async (c) => {
    const grantType = c.req.query("grant_type");
    if (grantType === "password") {
      const body = await readJson(c);
      if (!body) return gotrueError(c, 400, "bad_json", "Could not parse request body as JSON");
      const email = typeof body.email === "string" ? body.email : "";
      const phone = typeof body.phone === "string" ? body.phone : "";
      const password = typeof body.password === "string" ? body.password : "";
      if (email && phone) {
        return gotrueError(
          c,
          422,
          "validation_failed",
          "Only an email address or phone number should be provided on login.",
        );
      }
      if (!email && !phone) return gotrueError(c, 400, "validation_failed", "missing email or phone");
      if (phone) return gotrueError(c, 400, "phone_provider_disabled", "Phone logins are disabled");
      const user = findUserByEmail(email);
      if (!user || !user.passwordHash || !(await checkPassword(password, user.passwordHash))) {
        return gotrueError(c, 400, "invalid_credentials", "Invalid login credentials");
      }
      if (!user.emailConfirmedAt) return gotrueError(c, 400, "email_not_confirmed", "Email not confirmed");
      const t = nowIso();
      user.lastSignInAt = t;
      const session: SessionRecord = {
        id: randomUUID(),
        userId: user.id,
        createdAt: t,
        amr: [{ method: "password", timestamp: Math.floor(opts.now() / 1000) }],
      };
      sessions.set(session.id, session);
      const rt = newRefreshToken(session.id, null);
      return c.json(await tokenResponse(user, session, rt.token));
    }

    if (grantType === "refresh_token") {
      const body = await readJson(c);
      if (!body) return gotrueError(c, 400, "bad_json", "Could not parse request body as JSON");
      const presented = typeof body.refresh_token === "string" ? body.refresh_token : "";
      if (!presented) return oauthError(c, "invalid_request", "refresh_token required");
      const token = refreshTokens.get(presented);
      if (!token) {
        return gotrueError(c, 400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
      }
      const session = sessions.get(token.sessionId);
      const user = session ? users.get(session.userId) : undefined;
      if (!session || !user) {
        return gotrueError(c, 400, "session_not_found", "Invalid Refresh Token: No Valid Session Found");
      }

      let issued: RefreshTokenRecord | undefined;
      if (token.revoked) {
        // FindCurrentlyActiveRefreshToken: the newest unrevoked token of the session.
        let active: RefreshTokenRecord | undefined;
        for (const rt of refreshTokens.values()) {
          if (rt.sessionId === session.id && !rt.revoked && (!active || rt.createdAt >= active.createdAt)) {
            active = rt;
          }
        }
        if (active && active.parent === token.token) {
          // The client lost the answer to its last refresh: hand back the active token.
          issued = active;
        } else if (opts.now() > token.updatedAt + opts.refreshTokenReuseIntervalSeconds * 1000) {
          // Reuse outside the window: revoke the whole family (RevokeTokenFamily).
          for (const rt of refreshTokens.values()) if (rt.sessionId === session.id) rt.revoked = true;
          return gotrueError(c, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
      }
      if (!issued) {
        // GrantRefreshTokenSwap: revoke the presented token, issue its child.
        token.revoked = true;
        token.updatedAt = opts.now();
        issued = newRefreshToken(session.id, token.token);
      }
      return c.json(await tokenResponse(user, session, issued.token));
    }

    return oauthError(c, "unsupported_grant_type");
  });

  app.get("/user", async (c) => {
    const auth = await requireUser(c);
    if (!auth.ok) return auth.response;
    return c.json(userJson(auth.user!));
  });

  app.post("/logout", async (c) => {
    const scopeParam = c.req.query("scope") ?? "";
    if (!["", "global", "local", "others"].includes(scopeParam)) {
      return gotrueError(c, 400, "validation_failed", `Unsupported logout scope "${scopeParam}"`);
    }
    const auth = await requireUser(c);
    if (!auth.ok) return auth.response;
    const user = auth.user!;
    const current = auth.session;
    if (current && scopeParam === "local") {
      deleteSession(current.id);
    } else if (current && scopeParam === "others") {
      for (const s of [...sessions.values()]) {
        if (s.userId === user.id && s.id !== current.id) deleteSession(s.id);
      }
    } else {
      for (const s of [...sessions.values()]) if (s.userId === user.id) deleteSession(s.id);
    }
    return c.body(null, 204);
  });

  app.post("/admin/users", async (c) => {
    const auth = await requireAdmin(c);
    if (!auth.ok) return auth.response;
    const body = await readJson(c);
    if (!body) return gotrueError(c, 400, "bad_json", "Could not parse request body as JSON");
    const email = typeof body.email === "string" ? body.email.trim().toLowerCase() : "";
    const password = typeof body.password === "string" ? body.password : "";
    const id = typeof body.id === "string" ? body.id : undefined;
    if (!email) return gotrueError(c, 400, "validation_failed", "Unable to validate email address: invalid format");
    if (id !== undefined && !UUID_RE.test(id)) {
      return gotrueError(c, 400, "validation_failed", "id must be a valid UUID");
    }
    if (password.length < MIN_PASSWORD_LENGTH) {
      return gotrueError(c, 422, "weak_password", `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`, {
        weak_password: { reasons: ["length"] },
      });
    }
    if (findUserByEmail(email)) {
      return gotrueError(c, 422, "email_exists", "A user with this email address has already been registered");
    }
    if (id && users.has(id)) return gotrueError(c, 422, "user_already_exists", "User already registered");
    const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
    const created = await createUser({
      id,
      email,
      password,
      emailConfirmed: body.email_confirm === true,
      userMetadata: isRecord(body.user_metadata) ? body.user_metadata : undefined,
      appMetadata: isRecord(body.app_metadata) ? body.app_metadata : undefined,
    });
    return c.json(userJson(users.get(created.id)!));
  });

  app.get("/admin/users", async (c) => {
    const auth = await requireAdmin(c);
    if (!auth.ok) return auth.response;
    return c.json({ users: [...users.values()].map(userJson), aud: "authenticated" });
  });

  app.get("/admin/users/:id", async (c) => {
    const auth = await requireAdmin(c);
    if (!auth.ok) return auth.response;
    const user = users.get(c.req.param("id"));
    if (!user) return gotrueError(c, 404, "user_not_found", "User not found");
    return c.json(userJson(user));
  });

  app.delete("/admin/users/:id", async (c) => {
    const auth = await requireAdmin(c);
    if (!auth.ok) return auth.response;
    const user = users.get(c.req.param("id"));
    if (!user) return gotrueError(c, 404, "user_not_found", "User not found");
    for (const s of [...sessions.values()]) if (s.userId === user.id) deleteSession(s.id);
    users.delete(user.id);
    return c.json(userJson(user));
  });

  return { app, createUser };
}

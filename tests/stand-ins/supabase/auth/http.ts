// What every Auth endpoint shares: GoTrue's error shapes, JSON bodies, the user and token
// answers, and bearer authentication (user or admin).
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { TokenError } from "../keys";
import { UUID_RE, type AuthState, type SessionRecord, type UserRecord } from "./state";

const API_VERSION_2024 = "2024-01-01";

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
export function oauthError(c: Context, error: string, description?: string) {
  return c.json(description ? { error, error_description: description } : { error }, 400);
}

export type Authenticated =
  | { ok: true; claims: Record<string, unknown>; user: UserRecord | null; session: SessionRecord | null }
  | { ok: false; response: Response };

export function userJson(u: UserRecord) {
  return {
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
  };
}

/** AccessTokenResponse, with claims like tokens.Service.GenerateAccessToken. */
export async function tokenResponse(state: AuthState, user: UserRecord, session: SessionRecord, refreshToken: string) {
  const iat = Math.floor(state.now() / 1000);
  const exp = iat + state.accessTokenTtlSeconds;
  const accessToken = await state.keys.signAccessToken({
    iss: state.issuer,
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
    expires_in: state.accessTokenTtlSeconds,
    expires_at: exp,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

/** requireAuthentication: bearer → parseJWTClaims → maybeLoadUserOrSession. */
export async function authenticate(state: AuthState, c: Context): Promise<Authenticated> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) {
    return {
      ok: false,
      response: gotrueError(c, 401, "no_authorization", "This endpoint requires a valid Bearer token"),
    };
  }
  let claims: Record<string, unknown>;
  try {
    claims = await state.keys.verify(match[1]);
  } catch (err) {
    const detail = err instanceof TokenError ? err.message : String(err);
    return {
      ok: false,
      response: gotrueError(c, 403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${detail}`),
    };
  }
  return { ok: true, claims, user: null, session: null };
}

function loadUserAndSession(state: AuthState, c: Context, claims: Record<string, unknown>): Authenticated {
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
  const user = state.users.get(sub);
  if (!user) {
    return {
      ok: false,
      response: gotrueError(c, 403, "user_not_found", "User from sub claim in JWT does not exist"),
    };
  }
  let session: SessionRecord | null = null;
  const sessionId = typeof claims.session_id === "string" ? claims.session_id : "";
  if (sessionId && sessionId !== "00000000-0000-0000-0000-000000000000") {
    session = state.sessions.get(sessionId) ?? null;
    if (!session) {
      return {
        ok: false,
        response: gotrueError(c, 403, "session_not_found", "Session from session_id claim in JWT does not exist"),
      };
    }
  }
  return { ok: true, claims, user, session };
}

export async function requireUser(state: AuthState, c: Context): Promise<Authenticated> {
  const auth = await authenticate(state, c);
  if (!auth.ok) return auth;
  return loadUserAndSession(state, c, auth.claims);
}

export async function requireAdmin(state: AuthState, c: Context): Promise<Authenticated> {
  const auth = await authenticate(state, c);
  if (!auth.ok) return auth;
  const role = auth.claims.role;
  if (role !== "service_role" && role !== "supabase_admin") {
    return { ok: false, response: gotrueError(c, 403, "not_admin", "User not allowed") };
  }
  return auth;
}

export async function readJson(c: Context): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = await c.req.json();
    return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

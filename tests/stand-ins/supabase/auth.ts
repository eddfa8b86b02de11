// The GoTrue (Supabase Auth) half of the stand-in: the endpoints auth-js calls, with the
// status codes and bodies of supabase/auth (internal/api: token.go, tokens/service.go,
// auth.go, logout.go, admin.go, errors.go). Users, sessions and refresh tokens live in memory
// in one state object (auth/state.ts); each endpoint group is a module over it.
import { Hono } from "hono";
import type { KeyMaterial } from "./keys";
import { discoveryRoutes } from "./auth/discovery";
import { oauthError } from "./auth/http";
import { refreshTokenGrant, signOutRoutes } from "./auth/sessions";
import { passwordGrant } from "./auth/sign-in";
import { createUser, type AuthState, type NewUser } from "./auth/state";
import { userRoutes } from "./auth/users";

export { gotrueError } from "./auth/http";

export interface AuthOptions {
  url: string;
  keys: KeyMaterial;
  accessTokenTtlSeconds: number;
  /** GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL (default 10 s). */
  refreshTokenReuseIntervalSeconds: number;
  now: () => number;
}

export interface AuthService {
  app: Hono;
  createUser(u: NewUser): Promise<{ id: string }>;
}

export function createAuthService(opts: AuthOptions): AuthService {
  const state: AuthState = {
    issuer: `${opts.url}/auth/v1`,
    keys: opts.keys,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds,
    refreshTokenReuseIntervalSeconds: opts.refreshTokenReuseIntervalSeconds,
    now: opts.now,
    users: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
  };

  const app = new Hono();
  discoveryRoutes(app, state);
  app.post("/token", (c) => {
    const grantType = c.req.query("grant_type");
    if (grantType === "password") return passwordGrant(state, c);
    if (grantType === "refresh_token") return refreshTokenGrant(state, c);
    return oauthError(c, "unsupported_grant_type");
  });
  userRoutes(app, state);
  signOutRoutes(app, state);

  return { app, createUser: (u) => createUser(state, u) };
}

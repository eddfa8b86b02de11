// Keeping and ending sessions: the refresh-token swap (rotation, the reuse window, revoking a
// reused token's family) and sign-out (local, others, global).
import type { Context, Hono } from "hono";
import { gotrueError, oauthError, readJson, requireUser, tokenResponse } from "./http";
import { deleteSession, newRefreshToken, type AuthState, type RefreshTokenRecord } from "./state";

export async function refreshTokenGrant(state: AuthState, c: Context): Promise<Response> {
  const body = await readJson(c);
  if (!body) return gotrueError(c, 400, "bad_json", "Could not parse request body as JSON");
  const presented = typeof body.refresh_token === "string" ? body.refresh_token : "";
  if (!presented) return oauthError(c, "invalid_request", "refresh_token required");
  const token = state.refreshTokens.get(presented);
  if (!token) {
    return gotrueError(c, 400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  }
  const session = state.sessions.get(token.sessionId);
  const user = session ? state.users.get(session.userId) : undefined;
  if (!session || !user) {
    return gotrueError(c, 400, "session_not_found", "Invalid Refresh Token: No Valid Session Found");
  }

  let issued: RefreshTokenRecord | undefined;
  if (token.revoked) {
    // FindCurrentlyActiveRefreshToken: the newest unrevoked token of the session.
    let active: RefreshTokenRecord | undefined;
    for (const rt of state.refreshTokens.values()) {
      if (rt.sessionId === session.id && !rt.revoked && (!active || rt.createdAt >= active.createdAt)) {
        active = rt;
      }
    }
    if (active && active.parent === token.token) {
      // The client lost the answer to its last refresh: hand back the active token.
      issued = active;
    } else if (state.now() > token.updatedAt + state.refreshTokenReuseIntervalSeconds * 1000) {
      // Reuse outside the window: revoke the whole family (RevokeTokenFamily).
      for (const rt of state.refreshTokens.values()) if (rt.sessionId === session.id) rt.revoked = true;
      return gotrueError(c, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
    }
  }
  if (!issued) {
    // GrantRefreshTokenSwap: revoke the presented token, issue its child.
    token.revoked = true;
    token.updatedAt = state.now();
    issued = newRefreshToken(state, session.id, token.token);
  }
  return c.json(await tokenResponse(state, user, session, issued.token));
}

export function signOutRoutes(app: Hono, state: AuthState): void {
  app.post("/logout", async (c) => {
    const scopeParam = c.req.query("scope") ?? "";
    if (!["", "global", "local", "others"].includes(scopeParam)) {
      return gotrueError(c, 400, "validation_failed", `Unsupported logout scope "${scopeParam}"`);
    }
    const auth = await requireUser(state, c);
    if (!auth.ok) return auth.response;
    const user = auth.user!;
    const current = auth.session;
    if (current && scopeParam === "local") {
      deleteSession(state, current.id);
    } else if (current && scopeParam === "others") {
      for (const s of [...state.sessions.values()]) {
        if (s.userId === user.id && s.id !== current.id) deleteSession(state, s.id);
      }
    } else {
      for (const s of [...state.sessions.values()]) if (s.userId === user.id) deleteSession(state, s.id);
    }
    return c.body(null, 204);
  });
}

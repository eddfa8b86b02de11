// Password sign-in: POST /token?grant_type=password checks the credentials, opens a session
// and answers an access token with its first refresh token.
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { gotrueError, readJson, tokenResponse } from "./http";
import { checkPassword, findUserByEmail, newRefreshToken, nowIso, type AuthState, type SessionRecord } from "./state";

export async function passwordGrant(state: AuthState, c: Context): Promise<Response> {
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
  const user = findUserByEmail(state, email);
  if (!user || !user.passwordHash || !(await checkPassword(password, user.passwordHash))) {
    return gotrueError(c, 400, "invalid_credentials", "Invalid login credentials");
  }
  if (!user.emailConfirmedAt) return gotrueError(c, 400, "email_not_confirmed", "Email not confirmed");
  const t = nowIso(state);
  user.lastSignInAt = t;
  const session: SessionRecord = {
    id: randomUUID(),
    userId: user.id,
    createdAt: t,
    amr: [{ method: "password", timestamp: Math.floor(state.now() / 1000) }],
  };
  state.sessions.set(session.id, session);
  const rt = newRefreshToken(state, session.id, null);
  return c.json(await tokenResponse(state, user, session, rt.token));
}

// Users: GET /user for the signed-in user, and the admin API (service_role key) to create,
// list, read and delete them.
import type { Hono } from "hono";
import { gotrueError, readJson, requireAdmin, requireUser, userJson } from "./http";
import { createUser, deleteSession, findUserByEmail, MIN_PASSWORD_LENGTH, UUID_RE, type AuthState } from "./state";

export function userRoutes(app: Hono, state: AuthState): void {
  app.get("/user", async (c) => {
    const auth = await requireUser(state, c);
    if (!auth.ok) return auth.response;
    return c.json(userJson(auth.user!));
  });

  app.post("/admin/users", async (c) => {
    const auth = await requireAdmin(state, c);
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
    if (findUserByEmail(state, email)) {
      return gotrueError(c, 422, "email_exists", "A user with this email address has already been registered");
    }
    if (id && state.users.has(id)) return gotrueError(c, 422, "user_already_exists", "User already registered");
    const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
    const created = await createUser(state, {
      id,
      email,
      password,
      emailConfirmed: body.email_confirm === true,
      userMetadata: isRecord(body.user_metadata) ? body.user_metadata : undefined,
      appMetadata: isRecord(body.app_metadata) ? body.app_metadata : undefined,
    });
    return c.json(userJson(state.users.get(created.id)!));
  });

  app.get("/admin/users", async (c) => {
    const auth = await requireAdmin(state, c);
    if (!auth.ok) return auth.response;
    return c.json({ users: [...state.users.values()].map(userJson), aud: "authenticated" });
  });

  app.get("/admin/users/:id", async (c) => {
    const auth = await requireAdmin(state, c);
    if (!auth.ok) return auth.response;
    const user = state.users.get(c.req.param("id"));
    if (!user) return gotrueError(c, 404, "user_not_found", "User not found");
    return c.json(userJson(user));
  });

  app.delete("/admin/users/:id", async (c) => {
    const auth = await requireAdmin(state, c);
    if (!auth.ok) return auth.response;
    const user = state.users.get(c.req.param("id"));
    if (!user) return gotrueError(c, 404, "user_not_found", "User not found");
    for (const s of [...state.sessions.values()]) if (s.userId === user.id) deleteSession(state, s.id);
    state.users.delete(user.id);
    return c.json(userJson(user));
  });
}

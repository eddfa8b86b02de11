import { combineChunks, createServerClient, parseCookieHeader, serializeCookieHeader } from "@supabase/ssr";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { createContext, redirect, type MiddlewareFunction, type RouterContextProvider } from "react-router";
import WebSocket from "ws";
import { safeReturnPath } from "~/domain/return-path";
import { Prisma } from "~/generated/prisma/client";
import { sql } from "./db";
import { columnsOf } from "./sql-columns";
import { env } from "./env";
import { isUuid } from "~/domain/uuid";
import type { Viewer } from "~/domain/viewer";

/**
 * Supabase Auth on the server only: one client per request, reading the request's cookies and
 * collecting every cookie it wants to set into `headers`, which the caller merges into its
 * response (data or redirect) so refreshed sessions are never lost.
 */
export function createAuthClient(request: Request, headers = new Headers()) {
  const config = env();
  const supabase = createServerClient(config.SUPABASE_URL, config.SUPABASE_PUBLISHABLE_KEY, {
    cookies: {
      getAll() {
        return parseCookieHeader(request.headers.get("Cookie") ?? "").map(({ name, value }) => ({
          name,
          value: value ?? "",
        }));
      },
      setAll(cookies, cacheHeaders) {
        for (const { name, value, options } of cookies) {
          headers.append("Set-Cookie", serializeCookieHeader(name, value, options));
        }
        for (const [key, value] of Object.entries(cacheHeaders ?? {})) headers.set(key, value);
      },
    },
    cookieOptions: {
      httpOnly: true,
      sameSite: "lax",
      secure: config.APP_URL.startsWith("https:"),
      path: "/",
    },
    auth: { flowType: "pkce" },
    // A hung Auth server must not hang our pages: every call to it gets a deadline.
    global: { fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(AUTH_CALL_TIMEOUT_MS) }) },
    // supabase-js wants a WebSocket for realtime even when unused; Node 20 has none built in.
    realtime: { transport: WebSocket as never },
  });
  return { supabase, headers };
}

const AUTH_CALL_TIMEOUT_MS = 4_000;
// auth-js retries a failing token refresh with backoff for up to 30 s; a page gives up sooner
// and shows sign-in with a notice (the session cookies are kept, since nothing was refused).
const CLAIMS_DEADLINE_MS = 5_000;

class AuthDeadlineError extends Error {
  override name = "AuthRetryableFetchError";
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AuthDeadlineError("Auth did not answer in time")), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export type AuthResult = { viewer: Viewer | null; authUnavailable: boolean };

/**
 * The signed-in profile, from claims verified against the Auth server's published keys
 * (never from an unverified session). A tampered, expired or foreign cookie means signed out.
 * Cookies the Auth client sets (a refreshed or cleared session) are appended to `cookies`.
 */
async function getViewer(request: Request, cookies: Headers): Promise<AuthResult> {
  const fast = await verifyFreshSession(request);
  if (fast === "unavailable") return { viewer: null, authUnavailable: true };
  if (fast !== null)
    return { viewer: fast.subject === null ? null : await profileOf(fast.subject), authUnavailable: false };
  const { supabase } = createAuthClient(request, cookies);
  let subject: string | undefined;
  let authUnavailable = false;
  try {
    const { data, error } = await withDeadline(supabase.auth.getClaims(), CLAIMS_DEADLINE_MS);
    if (error) authUnavailable = isUnavailable(error);
    subject = error ? undefined : data?.claims.sub;
  } catch (error) {
    // Unreadable cookies or an unreachable Auth server: fail closed, as signed out.
    authUnavailable = isUnavailable(error);
    subject = undefined;
  }
  if (!subject) return { viewer: null, authUnavailable };
  return { viewer: await profileOf(subject), authUnavailable };
}

/** Asks who is signed in; the first call does the work, later ones in the same request share it. */
type AskViewer = () => Promise<AuthResult>;

const viewerContext = createContext<AskViewer | null>(null);

/**
 * Root middleware: who is signed in is verified at most once per request, and only when a loader
 * or action asks (the root loader does for every page; resource routes ask only if they need to).
 * The session cookies that verification sets are added to whatever answer the request ends with,
 * page, data, redirect or error, so a refreshed session is never lost and no route handles them.
 */
export const viewerMiddleware: MiddlewareFunction<Response> = async ({ request, context }, next) => {
  const cookies = new Headers();
  let asked: Promise<AuthResult> | undefined;
  context.set(viewerContext, () => (asked ??= getViewer(request, cookies)));
  const response = await next();
  if (asked) {
    // Its failure (the database away) is the route's to report; the cookies set before it still count.
    await asked.catch(() => undefined);
    for (const line of cookies.getSetCookie()) response.headers.append("Set-Cookie", line);
    // @supabase/ssr's no-cache headers, which come with refreshed cookies.
    cookies.forEach((value, name) => {
      if (name !== "set-cookie") response.headers.set(name, value);
    });
  }
  return response;
};

/** Whoever is signed in, or null: for pages anyone may see (sign-in, unsubscribe, the root's header). */
export function viewerFrom(context: Readonly<RouterContextProvider>): Promise<AuthResult> {
  const ask = context.get(viewerContext);
  if (!ask) throw new Error("viewerMiddleware did not run for this request (app/root.tsx)");
  return ask();
}

export const VIEWER_COLUMNS = columnsOf<Viewer>()(["id", "fullName", "email", "roles", "timeZone"]);

export const viewerSql = (id: string) =>
  Prisma.sql`SELECT id, full_name AS "fullName", email, roles, time_zone AS "timeZone" FROM profiles WHERE id = ${id}::uuid`;

/** The signed-in person's profile: one hand-written statement, as every page load reads it (docs/decisions/0032-hand-written-sql-on-hot-paths.md). */
async function profileOf(id: string): Promise<Viewer | null> {
  // Auth user ids are UUIDs; anything else names no profile (and must not reach the uuid cast).
  if (!isUuid(id)) return null;
  const rows = await sql<Viewer>(viewerSql(id));
  return rows[0] ?? null;
}

/*
 * The fast path of getViewer, taken by nearly every request: a session cookie whose access token
 * is good for a while yet is verified here against the Auth server's published keys, fetched once
 * and kept (jose's remote key set: refetched after 10 minutes, or for a key id it has not seen),
 * as supabase-js's getClaims does, but without building a Supabase client, importing the key
 * and decoding the cookie again for every request. Anything else (no fresh token, a token near
 * expiry that needs refreshing, an unknown key, an odd cookie) goes the full way above, which also
 * refreshes the session and writes its cookies.
 */

// supabase-js refreshes a session this long before it expires (its EXPIRY_MARGIN_MS).
const REFRESH_MARGIN_MS = 90_000;

let authKeys: { url: string; keys: ReturnType<typeof createRemoteJWKSet> } | undefined;
function publishedKeys(supabaseUrl: string) {
  const url = `${supabaseUrl}/auth/v1/.well-known/jwks.json`;
  if (authKeys?.url !== url)
    authKeys = { url, keys: createRemoteJWKSet(new URL(url), { timeoutDuration: AUTH_CALL_TIMEOUT_MS }) };
  return authKeys.keys;
}

/** supabase-js's cookie name for a project URL: sb-<first label of the host>-auth-token. */
function sessionCookieName(supabaseUrl: string): string {
  return `sb-${new URL(supabaseUrl).hostname.split(".")[0]}-auth-token`;
}

type FastAnswer = { subject: string | null } | "unavailable" | null;

async function verifyFreshSession(request: Request): Promise<FastAnswer> {
  const config = env();
  const name = sessionCookieName(config.SUPABASE_URL);
  const cookies = parseCookieHeader(request.headers.get("Cookie") ?? "");
  // No session cookie at all: signed out, with nothing to refresh or clear.
  if (!cookies.some((cookie) => cookie.name === name || cookie.name.startsWith(`${name}.`))) return { subject: null };
  const raw = await combineChunks(name, (chunk) => cookies.find((cookie) => cookie.name === chunk)?.value);
  const session = readSession(raw);
  if (!session || session.expiresAt * 1000 - Date.now() < REFRESH_MARGIN_MS) return null;
  try {
    // The algorithms Supabase signs with asymmetric keys; a shared-secret (HS256) project goes the full way.
    const { payload } = await jwtVerify(session.accessToken, publishedKeys(config.SUPABASE_URL), {
      algorithms: ["ES256", "RS256"],
    });
    return typeof payload.sub === "string" && payload.sub ? { subject: payload.sub } : null;
  } catch (error) {
    // The Auth server could not be reached for its keys: what the full way would conclude, sooner.
    const code = (error as { code?: string } | null)?.code;
    if (code === "ERR_JWKS_TIMEOUT" || (error instanceof TypeError && /fetch/i.test(error.message)))
      return "unavailable";
    return null;
  }
}

/** The access token and expiry in @supabase/ssr's session cookie (JSON, maybe "base64-" + base64url). */
function readSession(raw: string | null): { accessToken: string; expiresAt: number } | null {
  if (!raw) return null;
  try {
    const text = raw.startsWith("base64-")
      ? Buffer.from(raw.slice("base64-".length), "base64url").toString("utf8")
      : raw;
    const session = JSON.parse(text) as { access_token?: unknown; expires_at?: unknown };
    if (typeof session.access_token !== "string" || typeof session.expires_at !== "number") return null;
    return { accessToken: session.access_token, expiresAt: session.expires_at };
  } catch {
    return null;
  }
}

function isUnavailable(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  const name = (error as { name?: string } | null)?.name ?? "";
  return (typeof status === "number" && status >= 500) || name === "AuthRetryableFetchError";
}

/**
 * The signed-in viewer, or a redirect to sign-in that returns here afterwards. `url` is the
 * loader's or action's own (React Router's, without the `.data` suffix of a client navigation).
 */
export async function requireViewer({
  context,
  request,
  url,
}: {
  context: Readonly<RouterContextProvider>;
  request: Request;
  url: URL;
}): Promise<Viewer> {
  const { viewer, authUnavailable } = await viewerFrom(context);
  if (viewer) return viewer;
  const returnTo = safeReturnPath(
    request.method === "GET" ? url.pathname + url.search : new URL(request.headers.get("Referer") ?? "/", url).pathname,
  );
  const params = new URLSearchParams({ redirectTo: returnTo });
  if (authUnavailable) params.set("notice", "auth-unavailable");
  throw redirect(`/sign-in?${params}`);
}

export type SignInOutcome =
  { ok: true; headers: Headers } | { ok: false; reason: "invalid-credentials" | "unavailable"; headers: Headers };

export async function signInWithPassword(
  request: Request,
  credentials: { email: string; password: string },
): Promise<SignInOutcome> {
  const { supabase, headers } = createAuthClient(request);
  try {
    const { error } = await supabase.auth.signInWithPassword(credentials);
    if (!error) return { ok: true, headers };
    return { ok: false, reason: isUnavailable(error) ? "unavailable" : "invalid-credentials", headers: new Headers() };
  } catch {
    return { ok: false, reason: "unavailable", headers: new Headers() };
  }
}

/** Ends the session at the Auth server and clears the cookies, even if the server is unreachable. */
export async function signOut(request: Request): Promise<Headers> {
  const { supabase, headers } = createAuthClient(request);
  try {
    await supabase.auth.signOut({ scope: "local" });
  } catch {
    // Cookies are cleared below whatever the Auth server said.
  }
  for (const { name } of parseCookieHeader(request.headers.get("Cookie") ?? "")) {
    if (name.startsWith("sb-") && !headers.get("Set-Cookie")?.includes(`${name}=`)) {
      headers.append("Set-Cookie", serializeCookieHeader(name, "", { path: "/", maxAge: 0 }));
    }
  }
  return headers;
}

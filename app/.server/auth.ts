import { createServerClient, parseCookieHeader, serializeCookieHeader } from "@supabase/ssr";
import { redirect } from "react-router";
import WebSocket from "ws";
import { safeReturnPath } from "~/domain/return-path";
import { db } from "./db";
import { env } from "./env";

/**
 * Supabase Auth on the server only: one client per request, reading the request's cookies and
 * collecting every cookie it wants to set into `headers`, which the caller merges into its
 * response (data or redirect) so refreshed sessions are never lost.
 */
export function createAuthClient(request: Request) {
  const headers = new Headers();
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

export type Viewer = {
  id: string;
  fullName: string;
  /** Null for a profile without an address of its own (see prisma/schema.prisma). */
  email: string | null;
  roles: string[];
  timeZone: string;
};

export type AuthResult = { viewer: Viewer | null; headers: Headers; authUnavailable: boolean };

/**
 * The signed-in profile, from claims verified against the Auth server's published keys
 * (never from an unverified session). A tampered, expired or foreign cookie means signed out.
 */
export async function getViewer(request: Request): Promise<AuthResult> {
  const { supabase, headers } = createAuthClient(request);
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
  if (!subject) return { viewer: null, headers, authUnavailable };
  const viewer = await db.profile.findUnique({
    where: { id: subject },
    select: { id: true, fullName: true, email: true, roles: true, timeZone: true },
  });
  return { viewer, headers, authUnavailable };
}

function isUnavailable(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  const name = (error as { name?: string } | null)?.name ?? "";
  return (typeof status === "number" && status >= 500) || name === "AuthRetryableFetchError";
}

/** The signed-in viewer, or a redirect to sign-in that returns here afterwards. */
export async function requireViewer(request: Request): Promise<{ viewer: Viewer; headers: Headers }> {
  const { viewer, headers, authUnavailable } = await getViewer(request);
  if (viewer) return { viewer, headers };
  const url = new URL(request.url);
  const returnTo = safeReturnPath(
    request.method === "GET" ? url.pathname + url.search : new URL(request.headers.get("Referer") ?? "/", url).pathname,
  );
  const params = new URLSearchParams({ redirectTo: returnTo });
  if (authUnavailable) params.set("notice", "auth-unavailable");
  throw redirect(`/sign-in?${params}`, { headers });
}

export type SignInOutcome =
  | { ok: true; headers: Headers }
  | { ok: false; reason: "invalid-credentials" | "unavailable"; headers: Headers };

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

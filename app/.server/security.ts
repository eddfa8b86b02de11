import { randomBytes } from "node:crypto";
import { createContext, type MiddlewareFunction } from "react-router";
import { fetchSite } from "remix-utils/sec-fetch";
import { env } from "./env";

/** Per-request nonce for React Router's inline hydration scripts, allowed by the CSP. */
export const nonceContext = createContext<string>("");

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// Lessonspace posts here from its own servers; the route verifies signatures instead.
const CSRF_EXEMPT_PATHS = ["/api/webhooks/"];
// RFC 8058 one-click unsubscribe: mail providers post from their own servers, with no cookies and
// any Origin. The signed token in its URL is that action's only authority (a cookie only chooses
// the page shown after our own button's post), so a forged cross-site post can do nothing the link
// itself could not. Exactly this path, nothing below it.
const CSRF_EXEMPT_EXACT_PATHS = new Set(["/unsubscribe"]);

/**
 * Refuses cross-site mutations. Stricter than remix-utils' default, which trusts any same-site
 * origin: only our own origin may post. Browsers too old to send Sec-Fetch-Site still send
 * Origin (or Referer) on form posts, which must then be ours.
 */
export function isCrossSiteMutation(request: Request): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return false;
  const url = new URL(request.url);
  if (CSRF_EXEMPT_PATHS.some((path) => url.pathname.startsWith(path))) return false;
  if (CSRF_EXEMPT_EXACT_PATHS.has(url.pathname)) return false;
  const ours = new Set([url.origin, new URL(env().APP_URL).origin]);
  const site = fetchSite(request);
  if (site === "same-origin") return false;
  const claimed = request.headers.get("Origin") ?? request.headers.get("Referer");
  if (site === "same-site" || site === "cross-site" || site === "none") {
    return !claimed || !ours.has(safeOrigin(claimed));
  }
  // No Sec-Fetch-Site: an old browser or a non-browser client. Judge by Origin/Referer if sent.
  if (!claimed) return false;
  return !ours.has(safeOrigin(claimed));
}

function safeOrigin(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return "invalid";
  }
}

/** The policy around the nonce (`parts.join(nonce)`), built once per configuration (it is the same for every page). */
let policyParts: { frames: string; dev: boolean; parts: string[] } | undefined;

export function contentSecurityPolicy(nonce: string): string {
  const frames = env().LESSONSPACE_FRAME_ORIGINS;
  // Vite's dev server injects styles and talks over a websocket, and when it goes away its client
  // waits for it to come back in a worker made from a blob; production needs none of these. The
  // page's one <style> carries the nonce (docs/decisions/0081-first-paint-before-scripts.md).
  const dev = env().NODE_ENV === "development";
  if (policyParts?.frames !== frames || policyParts.dev !== dev) {
    const rest = [
      "img-src 'self' data: blob:",
      dev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
      ...(dev ? ["worker-src 'self' blob:"] : []),
      `frame-src ${frames}`,
      "frame-ancestors 'none'",
      "form-action 'self'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join("; ");
    const scripts = "default-src 'self'; script-src 'self' 'nonce-";
    policyParts = {
      frames,
      dev,
      parts: dev
        ? [scripts, `'; style-src 'self' 'unsafe-inline'; ${rest}`]
        : [scripts, "'; style-src 'self' 'nonce-", `'; ${rest}`],
    };
  }
  return policyParts.parts.join(nonce);
}

/** Root middleware: CSRF refusal before any action runs, then security headers on every response. */
export const securityMiddleware: MiddlewareFunction<Response> = async ({ request, context }, next) => {
  if (isCrossSiteMutation(request)) {
    return new Response(
      "This form was sent from another site, so we did not accept it. Go back to Tutorwise and try again.",
      { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  const nonce = randomBytes(16).toString("base64");
  context.set(nonceContext, nonce);
  const response = await next();
  const headers = response.headers;
  if ((headers.get("Content-Type") ?? "").includes("text/html")) {
    headers.set("Content-Security-Policy", contentSecurityPolicy(nonce));
    headers.set("X-Frame-Options", "DENY");
    // Pages show one person's lessons: never cache them in shared caches or index them.
    headers.set("Cache-Control", "private, no-store");
    headers.set("X-Robots-Tag", "noindex");
  }
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  return response;
};

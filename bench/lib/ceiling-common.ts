// What the two no-framework ceilings (ceiling-no-framework.ts, ceiling-booking-page.ts) share: the
// cookie check, HTML escaping, the booking card's state label and action line (the markup of
// app/components/bookings/BookingAction.tsx), and the server loop. Pure but for the key set.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { BookingCardView } from "../../app/domain/booking-card.ts";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
export const esc = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The access token in @supabase/ssr's session cookie (sb-<ref>-auth-token, maybe chunked .0, .1, …). */
export function accessToken(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  const chunks = new Map<number, string>();
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    const name = part.slice(0, eq).trim();
    const match = /^sb-[^-]+-auth-token(?:\.(\d+))?$/.exec(name);
    if (match) chunks.set(Number(match[1] ?? 0), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  if (chunks.size === 0) return null;
  let value = [...chunks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, chunk]) => chunk)
    .join("");
  if (value.startsWith("base64-")) value = Buffer.from(value.slice(7), "base64url").toString("utf8");
  try {
    const session = JSON.parse(value) as { access_token?: unknown };
    return typeof session.access_token === "string" ? session.access_token : null;
  } catch {
    return null;
  }
}

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

/** The signed-in user's id: the session cookie's ES256 access token verified against the Auth server's published keys (fetched once, kept). */
export async function verifiedSubject(cookieHeader: string | undefined): Promise<string | null> {
  const token = accessToken(cookieHeader);
  if (!token) return null;
  jwks ??= createRemoteJWKSet(new URL(`${process.env.SUPABASE_URL}/auth/v1/.well-known/jwks.json`));
  try {
    const { payload } = await jwtVerify(token, jwks, { algorithms: ["ES256"] });
    return payload.sub ?? null;
  } catch {
    return null;
  }
}

/** The badge the card shows (decided by app/domain/lesson-presentation.ts). */
export function stateLabel(b: BookingCardView): string {
  return esc(b.badge);
}

/** BookingAction of app/components/bookings/BookingAction.tsx: the state line and the one thing to do now. */
export function bookingAction(b: BookingCardView): string {
  const id = esc(b.id);
  const join = b.join;
  const button =
    join?.kind === "join" || join?.kind === "rejoin"
      ? `<form action="/api/bookings/${id}/launch" method="post" target="_blank"><button type="submit"${join.kind === "rejoin" ? "" : ' class="primary"'} aria-describedby="join-hint-${id}">${join.kind === "rejoin" ? "Rejoin" : "Join Lesson"}</button> <span class="muted" id="join-hint-${id}">Opens in a new tab</span></form>`
      : join?.kind === "disabled"
        ? `<button type="button" disabled="">${esc(join.label)}</button>`
        : "";
  const recording =
    b.recording === "available"
      ? `<a class="button" href="/bookings/${id}/recording">View Recording</a>`
      : b.recording
        ? `<p class="muted">${b.recording === "preparing" ? "Recording being prepared" : "No recording"}</p>`
        : "";
  return `<div class="booking-action"><p class="booking-state outcome-${b.state}">${esc(b.explanation)}</p>${button}${recording}</div>`;
}

/** A ceiling's server on PORT: /ready for the bench, every other request to `handle`; a throw is a bare 500. */
export function serveCeiling(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): void {
  createServer((req, res) => {
    if (req.url === "/ready") {
      res.writeHead(200).end("ok");
      return;
    }
    handle(req, res).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  }).listen(Number(process.env.PORT), "127.0.0.1");
}

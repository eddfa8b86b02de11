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

/** stateLabel of app/components/bookings/BookingAction.tsx. */
export function stateLabel(b: BookingCardView): string {
  switch (b.state) {
    case "ready":
      return b.inProgress ? "In progress" : "Ready to join";
    case "upcoming":
      return b.awaitingConfirmation ? "Awaiting confirmation" : "Upcoming";
    case "completed":
      return esc(b.outcome?.label ?? "Completed");
    case "cancelled":
      return b.declined ? "Declined" : "Cancelled";
  }
}

/** BookingAction of app/components/bookings/BookingAction.tsx: the state line and the one thing to do now. */
export function bookingAction(b: BookingCardView): string {
  const id = esc(b.id);
  switch (b.state) {
    case "ready":
      return `<div class="booking-action"><p class="booking-state">${esc(b.rejoin ? `The lesson has ended. You can rejoin the classroom until ${b.closesAt}.` : b.inProgress ? `In progress until ${b.endsAt}.` : `The classroom is open. The lesson starts at ${b.startsAt}.`)}</p><form action="/api/bookings/${id}/launch" method="post" target="_blank"><button type="submit"${b.rejoin ? "" : ' class="primary"'} aria-describedby="join-hint-${id}">${b.rejoin ? "Rejoin" : "Join Lesson"}</button> <span class="muted" id="join-hint-${id}">Opens in a new tab</span></form></div>`;
    case "upcoming":
      return `<div class="booking-action"><p class="booking-state">Scheduled for ${esc(b.startsAt)}</p><button type="button" disabled="">${esc(b.awaitingConfirmation ? "Waiting for the tutor to confirm" : `Join opens at ${b.opensAt}`)}</button></div>`;
    case "completed": {
      const outcome = b.outcome
        ? `<p class="booking-outcome outcome-${b.outcome.kind}">${esc(b.outcome.sentence)}</p>`
        : "";
      return b.recording === "available"
        ? `<div class="booking-action">${outcome}<a class="button" href="/bookings/${id}/recording">View Recording</a></div>`
        : `<div class="booking-action">${outcome}<p class="booking-state">${b.recording === "preparing" ? "Recording being prepared" : "No recording"}</p></div>`;
    }
    case "cancelled":
      return `<div class="booking-action"><p class="booking-state">${b.declined ? "The tutor declined this booking." : "This lesson was cancelled."}</p></div>`;
  }
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

// The signed token in every message's one-click unsubscribe link (RFC 8058): it names who stops
// receiving which kind, so /unsubscribe can apply it without a sign-in. HMAC-SHA256 with
// MAIL_SIGNING_SECRET; no expiry, because a years-old e-mail's link must still work.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { isNotificationKind, type NotificationKind } from "~/domain/notification-kinds";
import { env } from "../env";

export type UnsubscribeClaims = { profileId: string; kind: NotificationKind };

const VERSION = "u1";
const Payload = z.object({ p: z.string().min(1).max(128), k: z.string().refine(isNotificationKind) });

function mac(secret: string, payload: string): Buffer {
  // The purpose is part of the MAC, so a signature made with this secret for anything else never verifies here.
  return createHmac("sha256", secret).update(`tutorwise-unsubscribe:${VERSION}:${payload}`).digest();
}

/** URL-safe: "u1.<payload>.<signature>", base64url parts. */
export function signUnsubscribeToken(claims: UnsubscribeClaims, secret: string = env().MAIL_SIGNING_SECRET): string {
  const payload = Buffer.from(JSON.stringify({ p: claims.profileId, k: claims.kind })).toString("base64url");
  return `${VERSION}.${payload}.${mac(secret, payload).toString("base64url")}`;
}

/** The claims of a token this server signed, or null for anything else (tampered, other secret, garbage). */
export function verifyUnsubscribeToken(
  token: unknown,
  secret: string = env().MAIL_SIGNING_SECRET,
): UnsubscribeClaims | null {
  if (typeof token !== "string" || token.length > 512) return null;
  const [version, payload, signature, ...rest] = token.split(".");
  if (version !== VERSION || !payload || !signature || rest.length) return null;
  const given = Buffer.from(signature, "base64url");
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = Payload.safeParse(json);
  return parsed.success ? { profileId: parsed.data.p, kind: parsed.data.k as NotificationKind } : null;
}

/** The one-click link for `List-Unsubscribe` and the footer: our /unsubscribe page with the token. */
export function unsubscribeUrl(claims: UnsubscribeClaims): string {
  const url = new URL("/unsubscribe", env().APP_URL);
  url.searchParams.set("token", signUnsubscribeToken(claims));
  return url.toString();
}

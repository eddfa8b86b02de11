// Signing for the Lessonspace stand-in: webhook signatures (the documented contract),
// and the stand-in's own unforgeable client_url tokens and recording links.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Lowercase hex HMAC-SHA256 of the exact bytes sent, keyed with the space secret. */
export function signWebhook(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

export function newSigningKey(): Buffer {
  return randomBytes(32);
}

/** What a client_url carries: who joins, with which role, and when the link is valid. */
export interface ClientTokenClaims {
  room: string; // room_id
  space: string; // launch id
  uid: string | null; // our user.id, null for a guest link
  lsuid: number; // Lessonspace's own user id
  gid: string; // identifies a guest link (and makes each token distinct)
  name: string;
  email: string | null;
  leader: boolean;
  not_before: string | null;
  not_after: string | null;
  iat: string;
}

function mac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

export function signClientToken(claims: ClientTokenClaims, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return `${payload}.${mac(key, payload).toString("base64url")}`;
}

/** The claims when the token is intact and was made by this stand-in, else null. */
export function verifyClientToken(token: string | undefined | null, key: Buffer): ClientTokenClaims | null {
  if (!token) return null;
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as ClientTokenClaims;
    return typeof claims === "object" && claims !== null && typeof claims.room === "string" ? claims : null;
  } catch {
    return null;
  }
}

export function signRecording(sessionId: string, expires: number, key: Buffer): string {
  return mac(key, `recording:${sessionId}:${expires}`).toString("hex");
}

export function verifyRecording(
  sessionId: string,
  expires: string | undefined,
  sig: string | undefined,
  key: Buffer,
  nowMs: number,
): "ok" | "invalid" | "expired" {
  if (!expires || !sig || !/^\d+$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return "invalid";
  const expected = Buffer.from(signRecording(sessionId, Number(expires), key), "hex");
  if (!timingSafeEqual(expected, Buffer.from(sig, "hex"))) return "invalid";
  return Number(expires) * 1000 <= nowMs ? "expired" : "ok";
}

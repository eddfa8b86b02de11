import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * How a Lessonspace webhook is verified (docs/decisions/0007-per-space-webhook-secrets.md): HMAC-SHA256 over the exact bytes
 * received, keyed with the space secret (or the organisation-wide LESSONSPACE_SECRET), sent in
 * `x-webhook-signature` as hex or base64. Pure: no I/O, the caller supplies the candidate keys.
 */

const DIGEST_BYTES = 32;
const HEX = /^[0-9a-f]{64}$/i;
// Standard or URL-safe alphabet, padded or not: 32 bytes are 43 characters plus one "=".
const BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;

/** The 32 digest bytes a signature header claims, or null when it is not a well-formed SHA-256 MAC. */
export function decodeSignature(header: string | null | undefined): Buffer | null {
  if (!header) return null;
  const value = header.trim();
  if (HEX.test(value)) return Buffer.from(value, "hex");
  if (BASE64.test(value)) {
    const bytes = Buffer.from(value.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    return bytes.length === DIGEST_BYTES ? bytes : null;
  }
  return null;
}

export function webhookDigest(body: Uint8Array, secret: string): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

/**
 * True when the header is the HMAC of `body` under one of `secrets`. Every candidate is compared
 * in constant time and all of them are tried, so timing tells nothing about which key was close.
 */
export function verifyWebhookSignature(
  body: Uint8Array,
  header: string | null | undefined,
  secrets: readonly string[],
): boolean {
  const claimed = decodeSignature(header);
  if (claimed === null) return false;
  let matched = false;
  for (const secret of secrets) {
    if (!secret) continue;
    if (timingSafeEqual(webhookDigest(body, secret), claimed)) matched = true;
  }
  return matched;
}

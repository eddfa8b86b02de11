import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeSignature, verifyWebhookSignature } from "./webhook-signature";

const secret = "space-secret-1";
const body = Buffer.from('{"event":"session.end","room":{"id":"r1"}}', "utf8");
const mac = (key: string, bytes: Uint8Array = body) => createHmac("sha256", key).update(bytes).digest();

describe("verifyWebhookSignature", () => {
  it("accepts lowercase hex of the HMAC-SHA256 of the exact bytes", () => {
    expect(verifyWebhookSignature(body, mac(secret).toString("hex"), [secret])).toBe(true);
  });

  it("accepts uppercase hex and surrounding whitespace", () => {
    expect(verifyWebhookSignature(body, ` ${mac(secret).toString("hex").toUpperCase()} `, [secret])).toBe(true);
  });

  it("accepts standard base64, padded or not, and URL-safe base64", () => {
    const digest = mac(secret);
    expect(verifyWebhookSignature(body, digest.toString("base64"), [secret])).toBe(true);
    expect(verifyWebhookSignature(body, digest.toString("base64").replace(/=$/, ""), [secret])).toBe(true);
    expect(verifyWebhookSignature(body, digest.toString("base64url"), [secret])).toBe(true);
  });

  it("accepts a signature made with any of the candidate keys", () => {
    expect(verifyWebhookSignature(body, mac("org-wide").toString("hex"), [secret, "org-wide"])).toBe(true);
  });

  it("refuses a missing or empty signature", () => {
    expect(verifyWebhookSignature(body, null, [secret])).toBe(false);
    expect(verifyWebhookSignature(body, undefined, [secret])).toBe(false);
    expect(verifyWebhookSignature(body, "", [secret])).toBe(false);
  });

  it("refuses a truncated signature", () => {
    expect(verifyWebhookSignature(body, mac(secret).toString("hex").slice(0, 63), [secret])).toBe(false);
    expect(verifyWebhookSignature(body, mac(secret).toString("base64").slice(0, 40), [secret])).toBe(false);
  });

  it("refuses a signature made with another key", () => {
    expect(verifyWebhookSignature(body, mac("other-room-secret").toString("hex"), [secret])).toBe(false);
  });

  it("refuses the same JSON re-serialized with other whitespace", () => {
    const signature = mac(secret).toString("hex");
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString("utf8")), null, 2), "utf8");
    expect(verifyWebhookSignature(reformatted, signature, [secret])).toBe(false);
  });

  it("refuses when there is no key to check against, and ignores empty keys", () => {
    const emptyKeyMac = createHmac("sha256", "").update(body).digest("hex");
    expect(verifyWebhookSignature(body, emptyKeyMac, [])).toBe(false);
    expect(verifyWebhookSignature(body, emptyKeyMac, [""])).toBe(false);
  });

  it("refuses a prefixed or otherwise decorated signature", () => {
    expect(verifyWebhookSignature(body, `sha256=${mac(secret).toString("hex")}`, [secret])).toBe(false);
  });
});

describe("decodeSignature", () => {
  it("reads 32 bytes from hex and from base64, and nothing from other lengths or alphabets", () => {
    const digest = mac(secret);
    expect(decodeSignature(digest.toString("hex"))).toEqual(digest);
    expect(decodeSignature(digest.toString("base64"))).toEqual(digest);
    expect(decodeSignature("zz".repeat(32))).toBeNull();
    expect(decodeSignature(Buffer.alloc(31).toString("base64"))).toBeNull();
    expect(decodeSignature(Buffer.alloc(33).toString("hex"))).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { signUnsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe-token";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";
const OTHER_SECRET = "another-secret-that-is-long-enough-9876543210";
const claims = { profileId: "5f0c6a53-52b5-4bd4-9a8e-0e4f3c1a2b3c", kind: "reminder_day_before" as const };

describe("unsubscribe token", () => {
  it("round-trips the profile and kind, and is URL-safe", () => {
    const token = signUnsubscribeToken(claims, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual(claims);
  });

  it("is refused when signed with another secret", () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken(claims, OTHER_SECRET), SECRET)).toBeNull();
  });

  it("is refused when the payload is swapped for another profile or kind", () => {
    const token = signUnsubscribeToken(claims, SECRET);
    const [version, , signature] = token.split(".");
    for (const other of [
      { p: "00000000-0000-0000-0000-000000000000", k: claims.kind },
      { p: claims.profileId, k: "lesson_record" },
    ]) {
      const forged = `${version}.${Buffer.from(JSON.stringify(other)).toString("base64url")}.${signature}`;
      expect(verifyUnsubscribeToken(forged, SECRET)).toBeNull();
    }
  });

  it("is refused when any character of the signature changes", () => {
    const token = signUnsubscribeToken(claims, SECRET);
    const last = token.at(-2) === "A" ? "B" : "A"; // the last base64url char may carry padding bits only
    expect(verifyUnsubscribeToken(`${token.slice(0, -2)}${last}${token.at(-1)}`, SECRET)).toBeNull();
    expect(verifyUnsubscribeToken(token.slice(0, -1), SECRET)).toBeNull();
    expect(verifyUnsubscribeToken(`${token}.extra`, SECRET)).toBeNull();
  });

  it("a correctly signed token for a kind that does not exist is refused", () => {
    const forged = signUnsubscribeToken({ profileId: claims.profileId, kind: "marketing" as never }, SECRET);
    expect(verifyUnsubscribeToken(forged, SECRET)).toBeNull();
  });

  it("garbage is refused, never thrown", () => {
    for (const garbage of [
      undefined,
      null,
      42,
      "",
      "u1",
      "u1..",
      "u1.%%%.%%%",
      "x.y.z",
      "u1.bm90IGpzb24.AAAA",
      "a".repeat(10_000),
    ]) {
      expect(verifyUnsubscribeToken(garbage, SECRET)).toBeNull();
    }
  });
});

import { describe, expect, it } from "vitest";
import { clientIpAddress, signInKey } from "./rate-limit";

const request = (headers: Record<string, string>) => new Request("http://app.test/sign-in", { method: "POST", headers });

describe("clientIpAddress", () => {
  it("takes the first valid address a proxy forwarded", () => {
    expect(clientIpAddress(request({ "X-Forwarded-For": "203.0.113.7, 10.0.0.1" }))).toBe("203.0.113.7");
  });

  it("skips values that are not IP addresses", () => {
    expect(clientIpAddress(request({ "X-Forwarded-For": "unknown, 198.51.100.4" }))).toBe("198.51.100.4");
  });

  it("reads the standard Forwarded header, IPv6 included", () => {
    expect(clientIpAddress(request({ Forwarded: 'for="[2001:db8::1]";proto=https' }))).toBe("2001:db8::1");
  });

  it("is null when no proxy said who the client is", () => {
    expect(clientIpAddress(request({}))).toBeNull();
  });
});

describe("signInKey", () => {
  it("joins the address and the email, ignoring the email's case and spaces", () => {
    expect(signInKey(request({ "X-Real-IP": "192.0.2.1" }), " Ada@Example.com ")).toBe("192.0.2.1:ada@example.com");
  });

  it("falls back to the email alone when the address is unknown", () => {
    expect(signInKey(request({}), "ada@example.com")).toBe("unknown-ip:ada@example.com");
  });
});

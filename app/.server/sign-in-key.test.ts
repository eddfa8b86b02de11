import { describe, expect, it } from "vitest";
import { signInKey } from "./sign-in-key";

const request = (headers: Record<string, string>) =>
  new Request("http://app.test/sign-in", { method: "POST", headers });

describe("signInKey", () => {
  it("joins the address and the email, ignoring the email's case and spaces", () => {
    expect(signInKey(request({ "X-Real-IP": "192.0.2.1" }), " Ada@Example.com ")).toBe("192.0.2.1:ada@example.com");
  });

  it("falls back to the email alone when the address is unknown", () => {
    expect(signInKey(request({}), "ada@example.com")).toBe("unknown-ip:ada@example.com");
  });
});

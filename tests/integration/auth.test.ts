import { describe, expect, it } from "vitest";
import * as dashboard from "~/routes/dashboard";
import * as signInRoute from "~/routes/sign-in";
import * as signOutRoute from "~/routes/sign-out";
import { callAction, callLoader, callPage, createProfile, signIn, TEST_PASSWORD } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

describe("sign-in", () => {
  it("a right password sets HttpOnly session cookies and returns to the asked page", async () => {
    const person = await createProfile({ fullName: "Ada Tutor" });
    const result = await callAction(signInRoute, "/sign-in", {
      form: { email: person.email, password: TEST_PASSWORD, redirectTo: "/bookings/x" },
    });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/bookings/x");
    const cookies = result.headers.getSetCookie();
    expect(cookies.some((line) => line.startsWith("sb-") && /HttpOnly/i.test(line) && /SameSite=Lax/i.test(line))).toBe(
      true,
    );
  });

  it("a wrong password says so on the form and sets no cookie", async () => {
    const person = await createProfile();
    const result = await callAction(signInRoute, "/sign-in", { form: { email: person.email, password: "wrong" } });
    expect(result.status).toBe(401);
    expect(result.headers.getSetCookie()).toEqual([]);
    expect(JSON.stringify(result.data)).toContain("That email and password do not match an account.");
  });

  it("an invalid email is a field error, without calling Auth", async () => {
    testStandIns.supabase.resetRequests();
    const result = await callAction(signInRoute, "/sign-in", { form: { email: "not-an-email", password: "x" } });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.data)).toContain("Enter the email address you signed up with.");
    expect(testStandIns.supabase.requests.filter((r) => r.path.startsWith("/auth/v1/token"))).toEqual([]);
  });

  it("an open redirect in redirectTo is ignored", async () => {
    const person = await createProfile();
    const result = await callAction(signInRoute, "/sign-in", {
      form: { email: person.email, password: TEST_PASSWORD, redirectTo: "//evil.example/steal" },
    });
    expect(result.headers.get("Location")).toBe("/");
  });

  it("Auth being down is a clear message, not a crash", async () => {
    const person = await createProfile();
    testStandIns.supabase.setAuthDown(true);
    try {
      const result = await callAction(signInRoute, "/sign-in", {
        form: { email: person.email, password: TEST_PASSWORD },
      });
      expect(result.status).toBe(503);
      expect(JSON.stringify(result.data)).toContain("could not reach the sign-in service");
    } finally {
      testStandIns.supabase.setAuthDown(false);
    }
  });
});

describe("pages that need a signed-in viewer", () => {
  it("a signed-out visit redirects to sign-in with the way back", async () => {
    const result = await callLoader(dashboard, "/?tab=1");
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/sign-in?redirectTo=%2F%3Ftab%3D1");
  });

  it.each([
    ["a tampered cookie", (cookie: string) => cookie.slice(0, -12) + "AAAAAAAAAAAA"],
    ["a foreign cookie", () => "sb-127-auth-token=base64-eyJhY2Nlc3NfdG9rZW4iOiJmb3JnZWQifQ"],
    ["garbage", () => "sb-127-auth-token=%%%not-a-cookie"],
  ])("%s is treated as signed out, never an error", async (_label, mangle) => {
    const person = await createProfile();
    const cookie = mangle(await signIn(person));
    const result = await callLoader(dashboard, "/", { cookie });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toMatch(/^\/sign-in/);
  });

  it("a valid session sees the dashboard, verified without calling the Auth server", async () => {
    const person = await createProfile({ fullName: "Grace Parent" });
    const cookie = await signIn(person);
    testStandIns.supabase.resetRequests();
    const result = await callPage(dashboard, "/", { cookie });
    expect(result.status).toBe(200);
    expect(result.root?.viewer?.fullName).toBe("Grace Parent");
    expect(testStandIns.supabase.requests.filter((r) => r.path === "/auth/v1/user")).toEqual([]);
  });

  it("many signed-in requests fetch the Auth server's keys at most once and set no cookie", async () => {
    const person = await createProfile({ fullName: "Kim Keys" });
    const cookie = await signIn(person);
    testStandIns.supabase.resetRequests();
    for (let i = 0; i < 5; i++) {
      const result = await callPage(dashboard, "/", { cookie });
      expect(result.status).toBe(200);
      expect(result.root?.viewer?.fullName).toBe("Kim Keys");
      expect(result.headers.getSetCookie()).toEqual([]);
    }
    expect(
      testStandIns.supabase.requests.filter((r) => r.path.endsWith("/.well-known/jwks.json")).length,
    ).toBeLessThanOrEqual(1);
    expect(testStandIns.supabase.requests.filter((r) => r.path === "/auth/v1/user")).toEqual([]);
  });

  it("a session cookie whose token was signed by someone else is signed out", async () => {
    const person = await createProfile();
    const cookie = await signIn(person);
    // Same cookie shape, the signature of the token replaced: decoding works, verification must not.
    const forged = cookie.replace(/(sb-[^=]+-auth-token=)base64-([^;]+)/, (_, name: string, value: string) => {
      const session = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as { access_token: string };
      const [header, payload] = session.access_token.split(".");
      session.access_token = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
      return `${name}base64-${Buffer.from(JSON.stringify(session)).toString("base64url")}`;
    });
    expect(forged).not.toBe(cookie);
    const result = await callLoader(dashboard, "/", { cookie: forged });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toMatch(/^\/sign-in/);
  });

  it("sign-out clears the cookies and ends the session", async () => {
    const person = await createProfile();
    const cookie = await signIn(person);
    const result = await callAction(signOutRoute, "/sign-out", { cookie, form: {} });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/sign-in?notice=signed-out");
    const cleared = result.headers.getSetCookie().filter((line) => line.startsWith("sb-"));
    expect(cleared.length).toBeGreaterThan(0);
    expect(cleared.every((line) => /Max-Age=0/i.test(line))).toBe(true);
  });
});

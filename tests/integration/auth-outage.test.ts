// Auth outages: pages fail closed to sign-in with a message, within a deadline, and never show
// anyone else's data. This file runs its own Supabase stand-in with short-lived access tokens
// (inside auth-js's 90 s refresh margin), so every page view must refresh through the Auth server.
import { afterAll, describe, expect, it } from "vitest";
import { startSupabaseStandIn } from "../stand-ins/supabase.ts";
import { testStandIns } from "../support/stand-ins.ts";

const shortLived = await startSupabaseStandIn({ accessTokenTtlSeconds: 60 });
await testStandIns.supabase.stop();
testStandIns.supabase = shortLived;
Object.assign(process.env, {
  SUPABASE_URL: shortLived.url,
  SUPABASE_PUBLISHABLE_KEY: shortLived.anonKey,
  SUPABASE_SERVICE_ROLE_KEY: shortLived.serviceRoleKey,
});
const dashboard = await import("~/routes/dashboard");
const { callLoader, createProfile, signIn } = await import("../support/app.ts");

afterAll(() => shortLived.stop());

describe("when the Auth server is down", () => {
  it("a session that needs refreshing is sent to sign-in with a notice, within the deadline", async () => {
    const person = await createProfile({ fullName: "Refreshing Parent" });
    const cookie = await signIn(person);
    expect((await callLoader(dashboard, "/", { cookie })).status).toBe(200);

    shortLived.setAuthDown(true);
    try {
      const started = Date.now();
      const result = await callLoader(dashboard, "/", { cookie });
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(result.status).toBe(302);
      expect(result.headers.get("Location")).toBe("/sign-in?redirectTo=%2F&notice=auth-unavailable");
    } finally {
      shortLived.setAuthDown(false);
    }
    // Nothing was refused, so the session survives the outage.
    expect((await callLoader(dashboard, "/", { cookie })).status).toBe(200);
  }, 20_000);
});

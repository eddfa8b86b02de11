// With the database unreachable, pages answer 503 ("briefly unavailable") and the health check
// fails, rather than a 500 that looks like our bug. This file points the app at a closed port.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { testStandIns } from "../support/stand-ins.ts";

const closedPort = await new Promise<number>((resolve) => {
  const server = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address() as net.AddressInfo;
    server.close(() => resolve(port));
  });
});
process.env.DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${closedPort}/nowhere`;
const dashboard = await import("~/routes/dashboard");
const healthz = await import("~/routes/healthz");
const { callLoader, signIn, TEST_PASSWORD } = await import("../support/app.ts");

describe("when PostgreSQL is unreachable", () => {
  it("the health check answers 503", async () => {
    const result = await callLoader(healthz, "/healthz");
    expect(result.status).toBe(503);
    expect(result.data).toEqual({ status: "database-unreachable" });
  });

  it("a signed-in page answers 503 with a message, not a 500", async () => {
    const person = { email: "outage@example.test" };
    await testStandIns.supabase.createUser({ email: person.email, password: TEST_PASSWORD });
    const cookie = await signIn(person);
    const result = await callLoader(dashboard, "/", { cookie });
    expect(result.status).toBe(503);
    expect(result.headers.get("Retry-After")).toBe("30");
    expect(String(result.data)).toContain("briefly unavailable");
  });
});

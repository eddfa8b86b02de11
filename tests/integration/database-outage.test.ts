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
const { mayViewLearningRecord, mayViewRecordOfBooking } = await import("~/.server/bookings/learning-record");
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

  it("whether someone may see a learning record is an error, not a quiet 'no'", async () => {
    // A false here would hide a page's "learning record" link as if the viewer had no right to it.
    const learner = "7f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    const viewer = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    await expect(mayViewLearningRecord(learner, viewer)).rejects.toThrow();
    // The booking answers for its own learner and tutor without a query; only a client's link asks.
    await expect(
      mayViewRecordOfBooking(
        { clientId: viewer, studentId: learner, tutorId: "c0ffee00-0000-4000-8000-000000000000" },
        viewer,
      ),
    ).rejects.toThrow();
    expect(
      await mayViewRecordOfBooking(
        { clientId: viewer, studentId: null, tutorId: "c0ffee00-0000-4000-8000-000000000000" },
        viewer,
      ),
    ).toBe(true);
  });
});

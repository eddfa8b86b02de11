// Join Lesson while PostgreSQL is unreachable: a 503 that says so (page and JSON), with
// Retry-After, and Lessonspace never asked. This file points the app at a closed port.
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
const { signIn, TEST_PASSWORD } = await import("../support/app.ts");
const { errorPageText, launchRoute, postLaunchForm, postLaunchJson } = await import("./launch-support.ts");

const bookingId = "0b7f4c4e-1d7e-4a43-9a57-3c1b0e0e0e0e";

async function signedInCookie(): Promise<string> {
  const email = `outage-${Math.random().toString(36).slice(2)}@example.test`;
  await testStandIns.supabase.createUser({ email, password: TEST_PASSWORD });
  // The sign-in limiter cannot reach its table either: it lets the sign-in through (and logs it).
  return signIn({ email });
}

describe("Join Lesson while the database is unreachable", () => {
  it("the form post answers a 503 page that says so, with Retry-After, and Lessonspace is not called", async () => {
    const cookie = await signedInCookie();
    const before = testStandIns.lessonspace.launches.length;
    const result = await postLaunchForm(bookingId, cookie);
    expect(result.status).toBe(503);
    expect(result.headers.get("Retry-After")).toBe("30");
    expect(launchRoute.headers({ errorHeaders: result.headers } as never)).toEqual({ "Retry-After": "30" });
    expect(errorPageText(launchRoute, result)).toMatch(/Tutorwise is briefly unavailable.*try again in a minute/i);
    expect(testStandIns.lessonspace.launches.length).toBe(before);
  });

  it("the JSON variant answers a JSON 503 with Retry-After", async () => {
    const cookie = await signedInCookie();
    const result = await postLaunchJson(bookingId, cookie);
    expect(result.status).toBe(503);
    expect(result.headers.get("Retry-After")).toBe("30");
    expect(result.body.error?.code).toBe("unavailable");
  });
});

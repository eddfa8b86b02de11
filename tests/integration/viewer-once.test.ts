// Who is signed in is verified once per request, in the root's middleware, whoever asks (the root
// loader for the header, the page's loader or action, a resource route), and the session cookies
// that verification refreshes reach the browser on every answer: page, redirect or error. This file
// runs its own Supabase stand-in with short-lived access tokens, so every verification refreshes
// the session through the Auth server, where the stand-in's request log counts it.
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
const bookingPage = await import("~/routes/bookings.$id");
const snapshot = await import("~/routes/bookings.$id.snapshot");
const timeZone = await import("~/routes/settings.time-zone");
const healthz = await import("~/routes/healthz");
const { callAction, callLoader, callPage, createBooking, createProfile, signIn } = await import("../support/app.ts");

afterAll(() => shortLived.stop());

const refreshes = () =>
  shortLived.requests.filter((r) => r.path === "/auth/v1/token" && r.search === "?grant_type=refresh_token").length;

/** The session cookies set on an answer, by name: each must be set once. */
function sessionCookies(headers: Headers): string[] {
  return headers
    .getSetCookie()
    .filter((line) => line.startsWith("sb-"))
    .map((line) => line.slice(0, line.indexOf("=")));
}

const [tutor, parent, stranger] = await Promise.all([
  createProfile({ fullName: "Tess Once", roles: ["tutor"] }),
  createProfile({ fullName: "Petra Once", roles: ["client"], timeZone: "Asia/Tokyo" }),
  createProfile({ fullName: "Sid Stranger", roles: ["client"] }),
]);
const lesson = await createBooking({ clientId: parent.id, tutorId: tutor.id, serviceName: "Once Maths" });

describe("the viewer, once per request", () => {
  it("the header and the page share one verification, and its refreshed cookies are set once", async () => {
    const cookie = await signIn(parent);
    shortLived.resetRequests();
    const result = await callPage(bookingPage, `/bookings/${lesson.id}`, { cookie, params: { id: lesson.id } });
    expect(result.status).toBe(200);
    expect(result.root?.viewer).toEqual({ fullName: "Petra Once", timeZone: "Asia/Tokyo" });
    expect(refreshes()).toBe(1);
    const names = sessionCookies(result.headers);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    // The page formats in that same viewer's zone.
    expect(result.data).toMatchObject({ timeZone: "Asia/Tokyo (GMT+9)" });
  });

  it("a redirect after a form carries the refreshed cookies", async () => {
    const cookie = await signIn(parent);
    shortLived.resetRequests();
    const result = await callAction(timeZone, "/settings/time-zone", {
      cookie,
      form: { timeZone: "Asia/Tokyo", returnTo: "/lessons" },
    });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/lessons");
    expect(refreshes()).toBe(1);
    expect(sessionCookies(result.headers).length).toBeGreaterThan(0);
  });

  it("an error page (a stranger's lesson, 404) carries the refreshed cookies", async () => {
    const cookie = await signIn(stranger);
    shortLived.resetRequests();
    const result = await callPage(bookingPage, `/bookings/${lesson.id}`, { cookie, params: { id: lesson.id } });
    expect(result.status).toBe(404);
    expect(refreshes()).toBe(1);
    expect(sessionCookies(result.headers).length).toBeGreaterThan(0);
  });

  it("a resource route that needs the viewer verifies once and carries the cookies on its 404", async () => {
    const cookie = await signIn(parent);
    shortLived.resetRequests();
    const result = await callLoader(snapshot, `/bookings/${lesson.id}/snapshot`, { cookie, params: { id: lesson.id } });
    expect(result.status).toBe(404);
    expect(refreshes()).toBe(1);
    expect(sessionCookies(result.headers).length).toBeGreaterThan(0);
  });

  it("a resource route that does not need the viewer never asks the Auth server and sets no cookie", async () => {
    const cookie = await signIn(parent);
    shortLived.resetRequests();
    const result = await callLoader(healthz, "/healthz", { cookie });
    expect(result.status).toBe(200);
    expect(shortLived.requests).toEqual([]);
    expect(result.headers.getSetCookie()).toEqual([]);
  });

  it("signed out, the page redirects to sign-in with the way back and the root has no viewer", async () => {
    const result = await callPage(dashboard, "/?when=soon");
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/sign-in?redirectTo=%2F%3Fwhen%3Dsoon");
    expect(result.root?.viewer).toBeNull();
  });
});

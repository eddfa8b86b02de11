// Supabase Auth stopped (nothing listening) before this process ever fetched its signing keys, the
// state of a freshly started server (auth-outage.test.ts covers a needed token refresh,
// and tests/e2e/quality-faults.spec.ts an Auth server answering 503 to a fresh production process).
// Every page fails closed to sign-in with the notice, within the deadline, showing no one's data.
import { describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import * as dashboard from "~/routes/dashboard";
import * as bookingPage from "~/routes/bookings.$id";
import * as signInRoute from "~/routes/sign-in";
import * as timeZone from "~/routes/settings.time-zone";
import { callAction, callLoader, createBooking, createProfile, signIn, TEST_PASSWORD } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import { postLaunchForm } from "./launch-support.ts";

const NOTICE = "notice=auth-unavailable";

const [tutor, parent] = await Promise.all([
  createProfile({ fullName: "Tara Keys", roles: ["tutor"] }),
  createProfile({ fullName: "Paula Keys", roles: ["client"] }),
]);
const lesson = await createBooking({ clientId: parent.id, tutorId: tutor.id, serviceName: "Keys Maths" });
const cookies = { tutor: await signIn(tutor), parent: await signIn(parent) };
// Signing in asks the Auth server for a session, never for its keys: nothing is cached yet.
const keysFetched = testStandIns.supabase.requests.filter((request) =>
  request.path.endsWith("/.well-known/jwks.json"),
).length;
await testStandIns.supabase.stop();

describe("Supabase Auth stopped before the keys were ever fetched", () => {
  it("nothing had fetched the Auth server's keys before it stopped", () => {
    expect(keysFetched).toBe(0);
  });

  for (const who of ["tutor", "parent"] as const) {
    it(`the ${who}'s dashboard, lesson and settings pages send them to sign-in with the notice, quickly, with no data`, async () => {
      const pages: { module: Parameters<typeof callLoader>[0]; path: string; params: Record<string, string> }[] = [
        { module: dashboard, path: "/", params: {} },
        { module: bookingPage, path: `/bookings/${lesson.id}`, params: { id: lesson.id } },
        { module: timeZone, path: "/settings/time-zone", params: {} },
      ];
      for (const page of pages) {
        const started = performance.now();
        const result = await callLoader(page.module, page.path, { cookie: cookies[who], params: page.params });
        expect(performance.now() - started).toBeLessThan(6_000);
        expect(result.status).toBe(302);
        expect(result.headers.get("Location")).toBe(`/sign-in?redirectTo=${encodeURIComponent(page.path)}&${NOTICE}`);
        expect(JSON.stringify(result.data ?? "")).not.toMatch(/Keys Maths|Tara Keys|Paula Keys/);
        // Nothing was refused: the cookies stay for when Auth is back.
        expect(result.headers.getSetCookie().filter((line) => /Max-Age=0/i.test(line))).toEqual([]);
      }
    });
  }

  it("Join Lesson sends the person to sign-in with the notice, and the lesson keeps no room", async () => {
    const result = await postLaunchForm(lesson.id, cookies.parent);
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(
      `/sign-in?redirectTo=${encodeURIComponent(`/bookings/${lesson.id}`)}&${NOTICE}`,
    );
    expect(testStandIns.lessonspace.launches).toEqual([]);
    expect((await db.booking.findUniqueOrThrow({ where: { id: lesson.id } })).meetingProviderId).toBeNull();
  });

  it("the sign-in page shows the notice, and signing in again says the service cannot be reached", async () => {
    const page = await callLoader(signInRoute, `/sign-in?redirectTo=%2F&${NOTICE}`, { cookie: cookies.parent });
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ authUnavailable: true, redirectTo: "/" });
    const attempt = await callAction(signInRoute, "/sign-in", {
      form: { email: parent.email, password: TEST_PASSWORD, redirectTo: "/" },
    });
    expect(attempt.status).toBe(503);
    expect(JSON.stringify(attempt.data)).toContain(
      "We could not reach the sign-in service. Please try again in a minute.",
    );
    expect(attempt.headers.getSetCookie()).toEqual([]);
  });
});

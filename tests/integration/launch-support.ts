// Helpers shared by the launch test files: a family with a lesson, the three ways in (form post,
// JSON post, classroom page), what the Lessonspace stand-in received, and the rendered error page.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { RouterContextProvider } from "react-router";
import { viewerMiddleware } from "~/.server/auth";
import { db } from "~/.server/db";
import { launchIdFor } from "~/.server/lessonspace/client";
import * as launchRoute from "~/routes/api.bookings.$id.launch";
import * as classroomRoute from "~/routes/bookings.$id.classroom";
import {
  addGuardian,
  callAction,
  callLoader,
  createBooking,
  createProfile,
  makeRequest,
  signIn,
  type BookingOverrides,
  type TestProfile,
} from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";

export const minutesFromNow = (n: number) => new Date(Date.now() + n * 60_000);

export type Family = {
  tutor: TestProfile;
  parent: TestProfile;
  child: TestProfile;
  stranger: TestProfile;
  cookies: { tutor: string; parent: string; child: string; stranger: string };
};

/** A tutor, a parent, their child (active guardian edge) and someone unrelated, all signed in. */
export async function createFamily(
  names: { tutor?: string; parent?: string; child?: string } = {},
  timeZone = "Europe/London",
): Promise<Family> {
  const [tutor, parent, child, stranger] = await Promise.all([
    createProfile({ fullName: names.tutor ?? "Tara Singh", roles: ["tutor"], timeZone }),
    createProfile({ fullName: names.parent ?? "Paula Brown", roles: ["client"], timeZone }),
    createProfile({ fullName: names.child ?? "Charlie Brown", roles: ["student"], timeZone }),
    createProfile({ fullName: "Sam Stranger", roles: ["client"], timeZone }),
  ]);
  await addGuardian(parent.id, child.id);
  const [t, p, c, s] = await Promise.all([signIn(tutor), signIn(parent), signIn(child), signIn(stranger)]);
  return { tutor, parent, child, stranger, cookies: { tutor: t, parent: p, child: c, stranger: s } };
}

/** A lesson of this family whose classroom is open now (started five minutes ago). */
export function createOpenLesson(family: Family, overrides: BookingOverrides = {}) {
  return createBooking({
    clientId: family.parent.id,
    tutorId: family.tutor.id,
    studentId: family.child.id,
    sessionStartTime: minutesFromNow(-5),
    sessionDuration: 60,
    ...overrides,
  });
}

/** The Join Lesson form post, as the browser sends it. */
export function postLaunchForm(bookingId: string, cookie?: string) {
  return callAction(launchRoute, `/api/bookings/${bookingId}/launch`, { cookie, params: { id: bookingId }, form: {} });
}

/** The JSON variant: answered by the route's middleware, never by the page. */
export async function postLaunchJson(bookingId: string, cookie?: string) {
  const request = makeRequest(`/api/bookings/${bookingId}/launch`, {
    method: "POST",
    cookie,
    headers: { Accept: "application/json" },
  });
  const [middleware] = launchRoute.middleware;
  // Inside the root's viewer middleware, as React Router runs it: that is where the viewer comes from.
  const args = { request, params: { id: bookingId }, context: new RouterContextProvider() } as never;
  const response = (await viewerMiddleware(
    args,
    async () =>
      (await middleware!(args, async () => {
        throw new Error("A JSON launch fell through to the HTML page");
      })) as Response,
  )) as Response;
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as {
      url?: string;
      error?: { code: string; title: string; message: string };
      retryAfterSeconds?: number;
    },
  };
}

export function openClassroom(bookingId: string, cookie?: string) {
  return callLoader(classroomRoute, `/bookings/${bookingId}/classroom`, { cookie, params: { id: bookingId } });
}

/** What Lessonspace received for this booking, in order. */
export function launchesFor(bookingId: string) {
  return testStandIns.lessonspace.launches.filter(
    (launch) => (launch.body as { id?: string } | undefined)?.id === launchIdFor(bookingId),
  );
}

export type LaunchBody = {
  id: string;
  name: string;
  user: { id: string; name: string; email?: string; leader: boolean };
  timeouts: { not_before: string; not_after: string };
  record_av: boolean;
  record_content: boolean;
  allow_guests: boolean;
  transcribe: boolean;
  summarise: boolean;
  webhooks: {
    session: { start: string; end: string };
    user: { join: string; leave: string };
    transcription?: { finish: string };
  };
};

export function lastLaunchBody(bookingId: string): LaunchBody {
  const launches = launchesFor(bookingId);
  if (launches.length === 0) throw new Error("Lessonspace was not called for this booking");
  return launches.at(-1)!.body as LaunchBody;
}

/** Everything a launch may write for this booking, to compare before and after. */
export async function storedState(bookingId: string) {
  const [booking, spaces] = await Promise.all([
    db.booking.findUnique({ where: { id: bookingId } }),
    db.lessonspaceSpace.findMany({ where: { bookingId } }),
  ]);
  return { booking, spaces };
}

/** The page a thrown route error renders, as the text a person reads. */
export function errorPageText(
  module: { ErrorBoundary: (props: never) => unknown },
  result: { status: number; data: unknown },
): string {
  const error = { status: result.status, statusText: "", internal: false, data: result.data };
  const html = renderToStaticMarkup(createElement(module.ErrorBoundary as never, { error, params: {} } as never));
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

export { classroomRoute, launchRoute };

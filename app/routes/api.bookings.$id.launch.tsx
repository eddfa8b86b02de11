import { data, isRouteErrorResponse, redirect, type RouterContextProvider } from "react-router";
import { viewerFrom } from "~/.server/auth";
import { classroomPath, handoverCookie, launchForViewer } from "~/.server/lessonspace/launch";
import { problemFor, problemHeaders, problemJson } from "~/.server/lessonspace/launch-problems";
import type { SiteHeaderHandle } from "~/components/SiteHeader";
import { ErrorPage, isProblem, problemForStatus, problemFromError } from "~/components/ErrorPage";
import { safeReturnPath } from "~/domain/return-path";
import type { Route } from "./+types/api.bookings.$id.launch";

/**
 * POST /api/bookings/:id/launch (docs/decisions/0013-launch-route-and-embedded-classroom.md). The Join Lesson form posts here with
 * target="_blank": success is a 303 to our embedded classroom page, any failure a readable page
 * in that new tab with a fitting status. `Accept: application/json` gets `{ "url": … }`.
 */

// JSON clients are answered here, before React Router would render the answer as a page.
export const middleware: Route.MiddlewareFunction[] = [
  async ({ context, request, params }, next) => {
    if (request.method !== "POST" || !wantsJson(request)) return next();
    try {
      return await launchAsJson(context, params.id);
    } catch (thrown) {
      // A thrown Response (the database briefly unavailable) keeps its status and Retry-After, as JSON.
      if (!(thrown instanceof Response)) throw thrown;
      const problem = problemForStatus(thrown.status);
      const headers: Record<string, string> = { "Cache-Control": "no-store" };
      const retryAfter = thrown.headers.get("Retry-After");
      if (retryAfter) headers["Retry-After"] = retryAfter;
      return Response.json(problemJson(problem), { status: thrown.status, headers });
    }
  },
];

// Its failures are pages of their own (ErrorBoundary below), without the site header.
export const handle: SiteHeaderHandle = { siteHeader: false };

// Launching is a POST; a visit here (a bookmark, a typed address) goes to the lesson's page instead.
export function loader({ params }: Route.LoaderArgs) {
  throw redirect(bookingPath(params.id), 303);
}

export async function action({ context, params }: Route.ActionArgs) {
  const { viewer, authUnavailable } = await viewerFrom(context);
  if (!viewer) {
    // After signing in, the person lands on the lesson's page and presses Join again.
    const query = new URLSearchParams({ redirectTo: safeReturnPath(bookingPath(params.id)) });
    if (authUnavailable) query.set("notice", "auth-unavailable");
    throw redirect(`/sign-in?${query}`, 303);
  }
  const headers = new Headers();
  const now = new Date();
  const outcome = await launchForViewer({ bookingId: params.id, viewer, now });
  if (outcome.ok) {
    headers.append(
      "Set-Cookie",
      handoverCookie({ bookingId: outcome.lesson.id, viewerId: viewer.id, clientUrl: outcome.clientUrl, now }),
    );
    throw redirect(classroomPath(outcome.lesson.id), { status: 303, headers });
  }
  const problem = problemFor(outcome, { bookingId: params.id, timeZone: viewer.timeZone });
  for (const [name, value] of Object.entries(problemHeaders(problem))) headers.set(name, value);
  throw data(problem, { status: problem.status, headers });
}

async function launchAsJson(context: Readonly<RouterContextProvider>, bookingId: string): Promise<Response> {
  const { viewer } = await viewerFrom(context);
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (!viewer) {
    const signedOut = {
      code: "signed-out",
      title: "You are signed out",
      message: "Your session has ended.",
      advice: "Sign in and try again.",
    };
    return Response.json({ error: signedOut }, { status: 401, headers });
  }
  const outcome = await launchForViewer({ bookingId, viewer, now: new Date() });
  if (outcome.ok) return Response.json({ url: outcome.clientUrl }, { headers });
  const problem = problemFor(outcome, { bookingId, timeZone: viewer.timeZone });
  for (const [name, value] of Object.entries(problemHeaders(problem))) headers.set(name, value);
  return Response.json(problemJson(problem), { status: problem.status, headers });
}

function wantsJson(request: Request): boolean {
  const accept = request.headers.get("Accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

function bookingPath(bookingId: string): string {
  return `/bookings/${encodeURIComponent(bookingId)}`;
}

// Thrown data() keeps only its cookies in the page unless passed on here: 429 needs Retry-After.
export function headers({ errorHeaders }: Route.HeadersArgs) {
  const retryAfter = errorHeaders?.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : {};
}

export const meta: Route.MetaFunction = ({ error }) => [
  {
    title: `${isRouteErrorResponse(error) && isProblem(error.data) ? error.data.title : "Join Lesson"} · Tutorwise Classroom`,
  },
];

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorPage problem={problemFromError(error)} />;
}

// Never rendered: GET redirects, and POST either redirects or fails into the ErrorBoundary.
export default function Launch() {
  return null;
}

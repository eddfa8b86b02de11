import { useEffect, useState } from "react";
import { data, isRouteErrorResponse } from "react-router";
import { requireViewer } from "~/.server/auth";
import { clearHandoverCookie, launchForViewer, readHandover } from "~/.server/lessonspace/launch";
import { problemFor, problemHeaders } from "~/.server/lessonspace/launch-problems";
import { consentNoticeOfFlags } from "~/.server/privacy/consent";
import type { SiteHeaderHandle } from "~/components/SiteHeader";
import { ErrorPage, isProblem, problemFromError } from "~/components/ErrorPage";
import { timeLeftLabel, type LessonTimes } from "~/domain/time-left";
import type { Route } from "./+types/bookings.$id.classroom";

/**
 * The embedded classroom (docs/decisions/0013-launch-route-and-embedded-classroom.md): our own light
 * page around Lessonspace, safe to reload. Same checks as the launch route, then a fresh
 * per-person link (handed over by the launch action, or asked for again: launch is idempotent).
 */
export const handle: SiteHeaderHandle = { siteHeader: false };

export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const headers = new Headers();
  const now = new Date();
  const handedOver = readHandover(request, params.id, viewer.id, now);
  // Used once: a reload asks Lessonspace again rather than replaying an old link.
  if (handedOver) headers.append("Set-Cookie", clearHandoverCookie(params.id));
  const outcome = await launchForViewer({ bookingId: params.id, viewer, now, handedOverClientUrl: handedOver });
  if (!outcome.ok) {
    const problem = problemFor(outcome, { bookingId: params.id, timeZone: viewer.timeZone });
    for (const [name, value] of Object.entries(problemHeaders(problem))) headers.set(name, value);
    throw data(problem, { status: problem.status, headers });
  }
  const { lesson, attendee, clientUrl } = outcome;
  const times: LessonTimes = {
    startsAt: lesson.window.startsAt.getTime(),
    endsAt: lesson.window.endsAt.getTime(),
    closesAt: lesson.window.closesAt.getTime(),
  };
  headers.set("Cache-Control", "no-store");
  return data(
    {
      serviceName: lesson.serviceName,
      tutorName: lesson.tutorName,
      attendeeName: attendee.fullName,
      leader: attendee.leader,
      clientUrl,
      times,
      timeLeft: timeLeftLabel(now.getTime(), times),
      privacyNotice: consentNoticeOfFlags(outcome.flags),
    },
    { headers },
  );
}

// The page holds a personal classroom link: never stored by any cache. 429 needs Retry-After.
export function headers({ loaderHeaders, errorHeaders }: Route.HeadersArgs) {
  const result: Record<string, string> = { "Cache-Control": loaderHeaders.get("Cache-Control") ?? "no-store" };
  const retryAfter = errorHeaders?.get("Retry-After");
  if (retryAfter) result["Retry-After"] = retryAfter;
  return result;
}

export const meta: Route.MetaFunction = ({ loaderData, error }) => {
  if (loaderData) return [{ title: `${loaderData.serviceName} · Classroom · Tutorwise` }];
  return [
    {
      title: `${isRouteErrorResponse(error) && isProblem(error.data) ? error.data.title : "Classroom"} · Tutorwise Classroom`,
    },
  ];
};

export default function Classroom({ loaderData }: Route.ComponentProps) {
  const { serviceName, tutorName, attendeeName, leader, clientUrl, times, privacyNotice } = loaderData;
  const timeLeft = useTimeLeft(loaderData.timeLeft, times);
  return (
    <div className="classroom">
      <header className="classroom-bar">
        <a className="brand" href="/">
          Tutorwise
        </a>
        <div className="classroom-facts">
          <h1 className="classroom-title">
            {serviceName} with {tutorName}
          </h1>
          <p>
            You are <strong>{attendeeName}</strong>
            {leader ? " (leading)" : ""} · <span role="timer">{timeLeft}</span>
            {privacyNotice ? <> · {privacyNotice}</> : null}
          </p>
        </div>
        <nav className="classroom-links">
          <a href={clientUrl} rel="noreferrer">
            Open the classroom on its own
          </a>
          <a href="/">Back to your lessons</a>
        </nav>
      </header>
      <iframe
        className="classroom-frame"
        src={clientUrl}
        title={`Classroom for ${serviceName}`}
        allow="camera; microphone; display-capture; fullscreen; autoplay"
        allowFullScreen
      />
    </div>
  );
}

/** The server's label first (so hydration matches), then refreshed every half minute with JavaScript. */
function useTimeLeft(initial: string, times: LessonTimes): string {
  const [label, setLabel] = useState(initial);
  useEffect(() => {
    const tick = () => setLabel(timeLeftLabel(Date.now(), times));
    tick();
    const timer = setInterval(tick, 30_000);
    return () => clearInterval(timer);
  }, [times]);
  return label;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorPage problem={problemFromError(error)} />;
}

import type { Problem } from "~/domain/problem";
import { JOIN_EARLY_MS } from "~/domain/join-window";
import { classroomPath, type LaunchOutcome } from "./launch";

/**
 * What each launch failure means to the person who pressed Join, and its HTTP status. Shared
 * by the launch route and the classroom page so both say the same thing. Times are shown in the
 * viewer's own time zone. Never names a key or says which of our settings is wrong.
 */
export type LaunchFailure = Extract<LaunchOutcome, { ok: false }>;

export function problemFor(failure: LaunchFailure, args: { bookingId: string | undefined; timeZone: string }): Problem {
  const retryHref = args.bookingId ? classroomPath(args.bookingId) : undefined;
  switch (failure.reason) {
    case "not-found":
      return {
        status: 404,
        code: "not-found",
        title: "We could not find this lesson",
        message: "It does not exist, or it is not one of your lessons.",
        advice: "Check that you are signed in with the right account, then open the lesson from your list.",
      };
    case "not-open":
      return notOpen(failure.state, args.timeZone);
    case "throttled":
      return {
        status: 429,
        code: "too-many-launches",
        title: "Please wait a moment",
        message: "You have opened the classroom many times in the last minute.",
        advice: `Try again in ${seconds(failure.retryAfterSeconds)}.`,
        retryAfterSeconds: failure.retryAfterSeconds,
        retryHref,
      };
    case "lessonspace":
      switch (failure.failure.kind) {
        case "rate-limited": {
          const wait = failure.failure.retryAfterSeconds ?? 30;
          return {
            status: 429,
            code: "provider-busy",
            title: "The classroom is busy right now",
            message: "Our classroom provider asked us to slow down for a moment.",
            advice: `Try again in ${seconds(wait)}.`,
            retryAfterSeconds: wait,
            retryHref,
          };
        }
        case "unavailable":
          return {
            status: 503,
            code: "provider-unavailable",
            title: "The classroom is unavailable right now",
            message: "We could not reach our classroom provider.",
            advice: "Try again in a minute. Your lesson is still booked.",
            retryHref,
          };
        case "timeout":
          return {
            status: 504,
            code: "provider-timeout",
            title: "The classroom took too long to answer",
            message: "Our classroom provider did not answer in time.",
            advice: "Try again in a minute. Your lesson is still booked.",
            retryHref,
          };
        case "misconfigured":
        case "rejected":
          return {
            status: 502,
            code: "provider-refused",
            title: "We could not open the classroom",
            message:
              "Our classroom provider did not accept our request. The problem is on our side, not yours, and we have logged it.",
            advice: "Try again in a few minutes. If it keeps happening, let your tutor know.",
            retryHref,
          };
      }
  }
}

function notOpen(state: Extract<LaunchFailure, { reason: "not-open" }>["state"], timeZone: string): Problem {
  const earlyMinutes = JOIN_EARLY_MS / 60_000;
  switch (state.kind) {
    case "upcoming":
      return state.awaitingConfirmation
        ? {
            status: 409,
            code: "not-confirmed",
            title: "This lesson is not confirmed yet",
            message: "The tutor has not confirmed it, so its classroom is not open.",
            advice: `Once it is confirmed, the classroom opens on ${formatTime(state.window.opensAt, timeZone)}, ${earlyMinutes} minutes before the lesson.`,
          }
        : {
            status: 409,
            code: "not-open-yet",
            title: "The classroom is not open yet",
            message: `It opens on ${formatTime(state.window.opensAt, timeZone)}, ${earlyMinutes} minutes before the lesson starts.`,
            advice: "Come back then and press Join Lesson again.",
          };
    case "completed":
      return {
        status: 409,
        code: "closed",
        title: "This lesson has ended",
        message: "Its classroom has closed.",
        advice: "If the lesson was recorded, you can watch the recording from your lessons.",
      };
    case "cancelled":
      return {
        status: 409,
        code: state.declined ? "declined" : "cancelled",
        title: state.declined ? "This lesson was declined" : "This lesson was cancelled",
        message: "There is no classroom for it.",
        advice: "Check your lessons for the current schedule, or contact your tutor.",
      };
  }
}

export function problemHeaders(problem: Problem): Record<string, string> {
  return problem.retryAfterSeconds ? { "Retry-After": String(problem.retryAfterSeconds) } : {};
}

/** The JSON answer for clients that asked for JSON (docs/decisions/0013-launch-route-and-embedded-classroom.md). */
export function problemJson(problem: Problem) {
  return {
    error: { code: problem.code, title: problem.title, message: problem.message, advice: problem.advice },
    ...(problem.retryAfterSeconds ? { retryAfterSeconds: problem.retryAfterSeconds } : {}),
  };
}

export function formatTime(at: Date, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).format(at);
  } catch {
    // A profile with an unknown zone still gets a time, labelled UTC.
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(at);
  }
}

function seconds(n: number): string {
  return n === 1 ? "1 second" : `${n} seconds`;
}

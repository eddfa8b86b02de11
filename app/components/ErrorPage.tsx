import { isRouteErrorResponse } from "react-router";
import type { Problem } from "~/domain/problem";

/**
 * A readable error page: what happened, what to do, a way back. Rendered in the tab that Join
 * Lesson opened, so it carries the brand and never assumes the previous page is still there.
 */

export function isProblem(value: unknown): value is Problem {
  const candidate = value as Partial<Problem> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.title === "string" &&
    typeof candidate.message === "string" &&
    typeof candidate.status === "number"
  );
}

/** The page for whatever reached an error boundary: our own Problem, or one made from its status. */
export function problemFromError(error: unknown): Problem {
  if (isRouteErrorResponse(error)) return isProblem(error.data) ? error.data : problemForStatus(error.status);
  return problemForStatus(500);
}

export function problemForStatus(status: number): Problem {
  if (status === 404) {
    return {
      status,
      code: "not-found",
      title: "We could not find this lesson",
      message: "It does not exist, or it is not one of your lessons.",
      advice: "Open the lesson from your list.",
    };
  }
  if (status === 503) {
    return {
      status,
      code: "unavailable",
      title: "Tutorwise is briefly unavailable",
      message: "We could not reach our database, so we could not open the classroom.",
      advice: "Please try again in a minute. Your lesson is still booked.",
    };
  }
  return {
    status,
    code: "unexpected",
    title: "Something went wrong",
    message: "We could not open the classroom because of a problem on our side.",
    advice: "Please try again in a moment.",
  };
}

export function ErrorPage({ problem }: { problem: Pick<Problem, "title" | "message" | "advice" | "retryHref"> }) {
  return (
    <>
      <header className="site-header">
        <a className="brand" href="/">
          Tutorwise Classroom
        </a>
      </header>
      <main className="page narrow">
        <h1>{problem.title}</h1>
        <p>{problem.message}</p>
        <p>{problem.advice}</p>
        <p className="actions">
          {problem.retryHref ? (
            <a className="button primary" href={problem.retryHref}>
              Try again
            </a>
          ) : null}{" "}
          <a className="button" href="/">
            Back to your lessons
          </a>
        </p>
      </main>
    </>
  );
}

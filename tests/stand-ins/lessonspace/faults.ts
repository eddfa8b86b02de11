// The switches that make the stand-in misbehave (a fault for the next requests: launch only, the
// whole API, or only summaries) and the gate every organisation API request passes: faults, key,
// organisation, rate.
import type { Context } from "hono";
import { admit, detail, isAuthorized, unauthorized, type Fault, type FaultKind, type LessonspaceState } from "./state";

export function setFault(state: LessonspaceState, fault: Fault | null): void {
  state.fault = fault === null ? null : { ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY };
}

type Route = "launch" | "api" | "summaries";

function applies(scope: Fault["scope"], route: Route): boolean {
  if (route === "launch") return (scope ?? "launch") === "launch";
  return scope === "api" || scope === route;
}

/** The fault to apply to this request, if any, counting it against `times`. */
export function takeFault(state: LessonspaceState, route: Route): Fault | null {
  const fault = state.fault;
  if (fault === null || !applies(fault.scope, route)) return null;
  if (--fault.remaining <= 0) state.fault = null;
  return fault;
}

export async function answerFault(state: LessonspaceState, c: Context, fault: Fault): Promise<Response> {
  const kind: FaultKind = fault.kind;
  if (fault.kind === "429")
    state.apiCalls.push({ at: Date.now(), method: c.req.method, path: c.req.path, throttled: true });
  switch (kind) {
    case "500":
      return detail(c, 500, "Internal error");
    case "429":
      return detail(c, 429, "Request was throttled.", {
        "Retry-After": fault.retryAfter ?? String(fault.retryAfterSeconds ?? 1),
      });
    case "401":
      return unauthorized(c);
    case "bad-json":
      return c.body("<!doctype html><title>Bad gateway</title><h1>Upstream hiccup</h1>", 200, {
        "content-type": "application/json",
      });
    case "hang":
      await new Promise<void>((resolve) => {
        const { signal } = state.lifetime;
        if (signal.aborted || c.req.raw.signal.aborted) return resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
        c.req.raw.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      return c.body(null, 503);
  }
}

/** Common gate of the organisation API: faults, key, organisation, then the per-key rate limit. */
export function apiGate(
  state: LessonspaceState,
  c: Context,
  route: "api" | "summaries" = "api",
): Response | Promise<Response> | null {
  const fault = takeFault(state, route);
  if (fault) return answerFault(state, c, fault);
  if (!isAuthorized(state, c)) return unauthorized(c);
  if (c.req.param("org") !== state.organisationId) return detail(c, 404, "Not found.");
  return admit(state, c);
}

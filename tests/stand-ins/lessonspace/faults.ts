// The switches that make the stand-in misbehave (a fault for the next requests, launch only or
// the whole API) and the gate every organisation API request passes: faults, key, organisation.
import type { Context } from "hono";
import {
  detail,
  isAuthorized,
  throttled,
  unauthorized,
  type Fault,
  type FaultKind,
  type LessonspaceState,
} from "./state";

export function setFault(state: LessonspaceState, fault: Fault | null): void {
  state.fault = fault === null ? null : { ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY };
}

/** The fault to apply to this request, if any, counting it against `times`. */
export function takeFault(state: LessonspaceState, route: "launch" | "api"): FaultKind | null {
  const fault = state.fault;
  if (fault === null || (route === "api" && fault.scope !== "api")) return null;
  const kind = fault.kind;
  if (--fault.remaining <= 0) state.fault = null;
  return kind;
}

export async function answerFault(state: LessonspaceState, c: Context, kind: FaultKind): Promise<Response> {
  switch (kind) {
    case "500":
      return detail(c, 500, "Internal error");
    case "429":
      return throttled(c, 1);
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

/** Common gate of the organisation API: faults, key, organisation. */
export function apiGate(state: LessonspaceState, c: Context): Response | Promise<Response> | null {
  const faultKind = takeFault(state, "api");
  if (faultKind) return answerFault(state, c, faultKind);
  if (!isAuthorized(state, c)) return unauthorized(c);
  if (c.req.param("org") !== state.organisationId) return detail(c, 404, "Not found.");
  return null;
}

// Session summaries (docs/decisions/0063-lessonspace-summaries-api-contract.md):
// GET /v2/organisations/<org>/sessions/<uuid>/summary/ answers 200 with a status, "pending" until
// the summary is made (summaryReadyAfterMs after the session ended), then "completed" with the
// text; "unavailable" with a reason for a session Lessonspace does not summarise. Behind the API's
// gate, with its own fault scope ("summaries") and rate-limit bucket.
import { setTimeout as sleep } from "node:timers/promises";
import type { Hono } from "hono";
import { apiGate } from "./faults";
import type { SessionState } from "./spaces";
import { detail, throttled, type LessonspaceState } from "./state";

export type SummaryUnavailableReason = "not_requested" | "too_short" | "single_user";

/** Why Lessonspace will not summarise this session, or null when it will. */
export function summaryUnavailableReason(
  state: LessonspaceState,
  session: SessionState,
): SummaryUnavailableReason | null {
  if (!session.summarised) return "not_requested";
  // Who attends and how long it lasts are known once the session ends.
  if (session.endTime === null) return null;
  if (session.participants.size < 2) return "single_user";
  const seconds = (session.endTime.getTime() - session.startTime.getTime()) / 1000;
  if (seconds <= state.settings.summaryMinSessionSeconds) return "too_short";
  return null;
}

/**
 * The stand-in's "summary", deterministic: one line per speaker in the order they first spoke,
 * "Name: " and the first sentence of each thing they said.
 */
export function summaryOf(session: SessionState): string {
  const lines = new Map<string, { name: string; sentences: string[] }>();
  for (const utterance of session.utterances) {
    const key = utterance.userId ?? `ls:${utterance.lessonspaceUserId}`;
    const line = lines.get(key) ?? { name: utterance.name, sentences: [] };
    const first = /^.*?[.!?](?=\s|$)/s.exec(utterance.text)?.[0] ?? utterance.text;
    line.sentences.push(first.trim());
    lines.set(key, line);
  }
  if (lines.size === 0) return "Nothing was said during this session.";
  return [...lines.values()].map((line) => `${line.name}: ${line.sentences.join(" ")}`).join("\n");
}

export function summaryRoutes(app: Hono, state: LessonspaceState): void {
  app.get("/v2/organisations/:org/sessions/:uuid/summary/", async (c) => {
    if (state.latencyMs > 0) {
      await sleep(state.latencyMs, undefined, { signal: state.lifetime.signal }).catch(() => undefined);
    }
    const gate = apiGate(state, c, "summaries");
    if (gate) return gate;
    const limit = state.limiter.check(`summaries:${state.apiKey}`);
    if (!limit.ok) return throttled(c, limit.retryAfter);
    state.summaryRequests.push(c.req.param("uuid"));
    const found = state.registry.findSession(c.req.param("uuid"));
    if (!found) return detail(c, 404, "Not found.");
    const { session } = found;
    const base = { session_id: session.id, summary: null };
    const reason = summaryUnavailableReason(state, session);
    if (reason) return c.json({ ...base, status: "unavailable", reason });
    const ready =
      session.endTime !== null &&
      state.now().getTime() >= session.endTime.getTime() + state.settings.summaryReadyAfterMs;
    if (!ready) return c.json({ ...base, status: "pending" });
    return c.json({ ...base, status: "completed", summary: summaryOf(session) });
  });
}

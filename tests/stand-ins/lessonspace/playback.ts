// Recordings: the playback endpoint answers a signed, expiring recording_url once the session has
// ended (and the recording had time to appear); /recordings/<session> serves it.
import type { Hono } from "hono";
import { messagePage } from "./classroom";
import { signRecording, verifyRecording } from "./crypto";
import { apiGate } from "./faults";
import type { SessionState } from "./spaces";
import { detail, page, type LessonspaceState } from "./state";

const RECORDING_BYTES = Buffer.from("000000186674797069736f6d0000020069736f6d6d703431", "hex"); // an mp4 "ftyp" box

export function recordingReady(state: LessonspaceState, session: SessionState): boolean {
  return (
    session.endTime !== null &&
    session.recordingEnabled &&
    state.now().getTime() >= session.endTime.getTime() + state.settings.recordingAvailableAfterMs
  );
}

export function playbackRoutes(app: Hono, state: LessonspaceState): void {
  app.get("/v2/organisations/:org/sessions/:uuid/playback/", async (c) => {
    const gate = apiGate(state, c);
    if (gate) return gate;
    const found = state.registry.findSession(c.req.param("uuid"));
    if (!found || !recordingReady(state, found.session)) return detail(c, 404, "Not found.");
    const expires = Math.floor((state.now().getTime() + state.settings.recordingUrlTtlMs) / 1000);
    const sig = signRecording(found.session.id, expires, state.signingKey);
    return c.json({ recording_url: `${state.baseUrl}/recordings/${found.session.id}?expires=${expires}&sig=${sig}` });
  });

  app.get("/recordings/:session", (c) => {
    const sessionId = c.req.param("session");
    const verdict = verifyRecording(
      sessionId,
      c.req.query("expires"),
      c.req.query("sig"),
      state.signingKey,
      state.now().getTime(),
    );
    if (verdict !== "ok") {
      const text =
        verdict === "expired"
          ? "This recording link has expired. Open the recording again from the lesson page."
          : "This recording link is not valid.";
      return page(c, 403, messagePage("Recording unavailable", text));
    }
    if (!state.registry.findSession(sessionId))
      return page(c, 404, messagePage("Recording not found", "This recording does not exist."));
    return c.body(new Uint8Array(RECORDING_BYTES), 200, {
      "content-type": "video/mp4",
      "content-length": String(RECORDING_BYTES.length),
      "cache-control": "private, no-store",
    });
  });
}

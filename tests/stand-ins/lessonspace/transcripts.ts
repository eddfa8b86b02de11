// Transcript files as Lessonspace hands them out: a pre-signed-style URL per file
// (/transcripts/<token>.json) that expires, and faults to test the app's download checks.
import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import type { LessonspaceState, TranscriptFault } from "./state";

/** Serves `body` at a fresh URL until `ttlMs` from now; answers the URL. */
export function publishTranscriptFile(
  state: LessonspaceState,
  body: string | Uint8Array,
  ttlMs = state.settings.transcriptUrlTtlMs,
): string {
  const token = randomBytes(18).toString("base64url");
  state.transcripts.files.set(token, { body, expiresAt: state.now().getTime() + ttlMs });
  return `${state.baseUrl}/transcripts/${token}.json?X-Amz-Expires=${Math.round(ttlMs / 1000)}`;
}

export function setTranscriptFault(state: LessonspaceState, fault: TranscriptFault | null): void {
  state.transcripts.fault = fault === null ? null : { ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY };
}

export function transcriptRoutes(app: Hono, state: LessonspaceState): void {
  // Pre-signed-style transcript download: the token is the credential, and it expires.
  app.get("/transcripts/:file", async (c) => {
    state.transcripts.requests.push(c.req.path);
    const f = state.transcripts.fault;
    if (f) {
      if (--f.remaining <= 0) state.transcripts.fault = null;
      switch (f.kind) {
        case "500":
          return c.text("Internal error", 500);
        case "not-json":
          return c.body("<html><body>AccessDenied</body></html>", 200, { "content-type": "application/json" });
        case "redirect":
          return c.redirect(f.location ?? "http://169.254.169.254/latest/meta-data/", 302);
        case "oversized": {
          // 6 MB of a valid-looking array, streamed without Content-Length: only counting finds it.
          const chunk = new TextEncoder().encode(
            `${JSON.stringify({ start_time: 0, end_time: 1, user: { id: "x", name: "x" }, breakout_id: null, text: "x".repeat(900) })},`,
          );
          let sent = 0;
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("["));
            },
            pull(controller) {
              if (sent > 6 * 1024 * 1024) {
                controller.enqueue(new TextEncoder().encode("{}]"));
                controller.close();
                return;
              }
              sent += chunk.length;
              controller.enqueue(chunk);
            },
          });
          return new Response(stream, { status: 200, headers: { "content-type": "application/json" } });
        }
      }
    }
    const match = /^([A-Za-z0-9_-]+)\.json$/.exec(c.req.param("file"));
    const file = match ? state.transcripts.files.get(match[1]!) : undefined;
    if (!file)
      return c.body('<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>', 404, {
        "content-type": "application/xml",
      });
    if (state.now().getTime() > file.expiresAt) {
      return c.body(
        '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        403,
        { "content-type": "application/xml" },
      );
    }
    return c.body(typeof file.body === "string" ? file.body : new Uint8Array(file.body), 200, {
      "content-type": "application/json",
    });
  });
}

import { freshRecordingUrl } from "./client";

/**
 * "View Recording": turn the stable playback reference stored in bookings.recording_url into a
 * fresh recording link (Lessonspace's links expire after hours, so none is ever stored).
 */
export type RecordingOutcome =
  { ok: true; url: string } | { ok: false; kind: "none" | "not-ready" | "unavailable" | "failed" };

export async function openRecording(reference: string | null): Promise<RecordingOutcome> {
  if (!reference) return { ok: false, kind: "none" };
  const fresh = await freshRecordingUrl(reference);
  if (fresh.ok) {
    // We only ever redirect to a web link Lessonspace handed us, never to another scheme.
    return isWebUrl(fresh.url) ? { ok: true, url: fresh.url } : { ok: false, kind: "failed" };
  }
  switch (fresh.kind) {
    case "not-ready":
      return { ok: false, kind: "not-ready" };
    case "unavailable":
    case "timeout":
    case "rate-limited":
      return { ok: false, kind: "unavailable" };
    case "misconfigured":
    case "rejected":
      return { ok: false, kind: "failed" };
  }
}

function isWebUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

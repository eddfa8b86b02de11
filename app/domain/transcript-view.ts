/**
 * How a transcript reads on the page: each segment at its wall-clock time in the viewer's zone
 * (the session's start + the segment's offset), or as an offset when the start is unknown. Pure.
 */
import { formatDateTime } from "./format";

const clocks = new Map<string, Intl.DateTimeFormat>();
function clock(timeZone: string): Intl.DateTimeFormat {
  let found = clocks.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZone,
    });
    clocks.set(timeZone, found);
  }
  return found;
}

export type TranscriptStatus = "none" | "pending" | "done" | "expired" | "failed" | "removed";

/** What the pages say when a transcript's pre-signed link answered 403 before we could fetch it. */
export const TRANSCRIPT_EXPIRED_TEXT = "The transcript link expired before it could be fetched.";

/**
 * Fetch state of a booking's transcripts from its sessions' fetches: done when any is, pending while
 * any is, then expired before failed (an expired link is the more useful thing to say); removed when
 * the retention job removed them (docs/decisions/0071-retention-of-lesson-data.md).
 */
export function transcriptStatusOf(fetchStatuses: readonly string[]): TranscriptStatus {
  if (fetchStatuses.includes("done")) return "done";
  if (fetchStatuses.includes("pending")) return "pending";
  if (fetchStatuses.includes("expired")) return "expired";
  if (fetchStatuses.includes("failed")) return "failed";
  if (fetchStatuses.includes("removed")) return "removed";
  return "none";
}

/** "03:12" or "1:03:12" from the session start. */
export function formatOffset(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export type SegmentTime = { label: string; dateTime: string | null };

/** When a segment was said: "15:03:12" in the zone, with an ISO instant for <time>. */
export function segmentTime(sessionStartedAt: Date | null, startSeconds: number, timeZone: string): SegmentTime {
  if (sessionStartedAt === null) return { label: `+${formatOffset(startSeconds)}`, dateTime: null };
  const at = new Date(sessionStartedAt.getTime() + Math.round(startSeconds * 1000));
  return { label: clock(timeZone).format(at), dateTime: at.toISOString() };
}

/** The heading of one session's part of the transcript. */
export function sessionHeading(
  sessionStartedAt: Date | null,
  index: number,
  count: number,
  timeZone: string,
  now: Date,
): string {
  const when = sessionStartedAt ? formatDateTime(sessionStartedAt, timeZone, now) : "time unknown";
  return count > 1 ? `Part ${index + 1} of ${count}: from ${when}` : `From ${when}`;
}

/** The `id` of a segment's element, the target of search results' links. */
export function segmentAnchor(segmentId: string): string {
  return `segment-${segmentId}`;
}

/** An excerpt from PostgreSQL's ts_headline with \u0001…\u0002 around matches, as text parts. */
export function excerptParts(excerpt: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  for (const piece of excerpt.split("\u0001")) {
    const close = piece.indexOf("\u0002");
    if (close === -1) {
      if (piece) parts.push({ text: piece, match: false });
      continue;
    }
    if (close > 0) parts.push({ text: piece.slice(0, close), match: true });
    const rest = piece.slice(close + 1).replaceAll("\u0002", "");
    if (rest) parts.push({ text: rest, match: false });
  }
  return parts;
}

/** Moments per page of a transcript search, and the deepest page offered (past it, better words help more). */
export const SEARCH_PAGE_SIZE = 50;
export const MAX_SEARCH_PAGE = 20;

/**
 * `?page=` of a transcript search: a whole number from 1; past MAX_SEARCH_PAGE, the last page.
 * Anything else (empty, negative, a word, a fraction) is the first page, so a tampered link still
 * shows results rather than an error.
 */
export function searchPage(raw: string | null): number {
  const trimmed = raw?.trim() ?? "";
  if (!/^\d{1,6}$/.test(trimmed)) return 1;
  const page = Number(trimmed);
  return page < 1 ? 1 : Math.min(page, MAX_SEARCH_PAGE);
}

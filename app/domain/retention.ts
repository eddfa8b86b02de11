/**
 * How long lesson data is kept (docs/decisions/0071-retention-of-lesson-data.md): transcripts and
 * summaries for `transcriptDays`, whiteboard snapshots for `snapshotDays`, counted from the
 * lesson's scheduled start. Something is kept for whole periods of 24 hours: a lesson that started
 * at 10:00 on day 0 expires at 10:00 on day N, not a moment before. Pure.
 */

const DAY_MS = 24 * 3600_000;

export type RetentionKind = "transcript" | "snapshot";

export type RetentionPolicy = { transcriptDays: number; snapshotDays: number };

export function daysFor(kind: RetentionKind, policy: RetentionPolicy): number {
  return kind === "transcript" ? policy.transcriptDays : policy.snapshotDays;
}

/** The instant a lesson's `kind` expires. */
export function expiresAt(lessonStart: Date, days: number): Date {
  return new Date(lessonStart.getTime() + days * DAY_MS);
}

/** Whether it has expired at `now` (from the expiry instant on). */
export function isExpired(lessonStart: Date, days: number, now: Date): boolean {
  return now.getTime() >= expiresAt(lessonStart, days).getTime();
}

/** Lessons that started at or before this instant have expired at `now` (what the job's SQL compares). */
export function expiryCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

const NOUNS: Record<RetentionKind, [string, string]> = {
  transcript: ["transcript", "transcripts"],
  snapshot: ["whiteboard snapshot", "whiteboard snapshots"],
};

/** What a page says in place of something the retention job removed. */
export function removalNotice(kind: RetentionKind, days: number): string {
  const [, plural] = NOUNS[kind];
  const span = days === 1 ? "1 day" : `${days} days`;
  return `Removed after ${span}, as this service keeps ${plural} for ${span}.`;
}

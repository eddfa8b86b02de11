/**
 * Who spoke how much (docs/decisions/0049-talk-time.md). Pure.
 *
 * - A speaker's speaking time in a session is the union of their segment intervals: overlapping or
 *   repeated segments count once, gaps count nothing. Breakout rooms do not matter for one person
 *   (they cannot speak in two rooms at once, so their intervals are united across rooms); two
 *   people speaking at the same time in different rooms (or over each other) each get their time.
 * - Per lesson: the sum over the booking's sessions (offsets restart at each session start, so
 *   sessions are never united with each other).
 * - Share: a speaker's seconds over the lesson's *spoken* seconds, the sum of every speaker's
 *   seconds, so the shares add up to 100%. The sentence on the page also names the minutes the
 *   lesson ran (duration_actual) so a share is never read as "of the lesson".
 * - A speaker is one of our profiles when the transcript's user id was (speaker_profile_id), else
 *   their Lessonspace name: someone who never joined (no attendance) is still counted, by name.
 */

import { formatSeconds } from "./format";

export type SpokenSegment = {
  sessionId: string;
  speakerProfileId: string | null;
  speakerName: string;
  startSeconds: number;
  endSeconds: number;
};

export type SpeakerTalkTime = {
  /** The profile id, or `name:<name>` for a speaker we could not match. */
  key: string;
  profileId: string | null;
  name: string;
  seconds: number;
  /** 0..1 of the spoken seconds; 0 when nobody spoke. */
  share: number;
};

export type TalkTime = { spokenSeconds: number; speakers: SpeakerTalkTime[] };

export function speakerKey(segment: Pick<SpokenSegment, "speakerProfileId" | "speakerName">): string {
  return segment.speakerProfileId ?? `name:${segment.speakerName}`;
}

/** Length of the union of intervals (any order, any overlap). */
export function unionSeconds(intervals: readonly (readonly [number, number])[]): number {
  const sorted = intervals.filter(([start, end]) => end > start).toSorted((a, b) => a[0] - b[0]);
  let total = 0;
  let currentStart = -Infinity;
  let currentEnd = -Infinity;
  for (const [start, end] of sorted) {
    if (start > currentEnd) {
      if (currentEnd > currentStart) total += currentEnd - currentStart;
      currentStart = start;
      currentEnd = end;
    } else if (end > currentEnd) {
      currentEnd = end;
    }
  }
  if (currentEnd > currentStart) total += currentEnd - currentStart;
  return total;
}

/** Talk time over the given segments (one session or a whole lesson), loudest first. */
export function talkTime(segments: readonly SpokenSegment[]): TalkTime {
  const bySpeakerAndSession = new Map<
    string,
    { profileId: string | null; name: string; sessions: Map<string, [number, number][]> }
  >();
  for (const segment of segments) {
    const key = speakerKey(segment);
    let speaker = bySpeakerAndSession.get(key);
    if (!speaker) {
      speaker = { profileId: segment.speakerProfileId, name: segment.speakerName, sessions: new Map() };
      bySpeakerAndSession.set(key, speaker);
    }
    const intervals = speaker.sessions.get(segment.sessionId) ?? [];
    intervals.push([segment.startSeconds, segment.endSeconds]);
    speaker.sessions.set(segment.sessionId, intervals);
  }
  return sumTalkTime(
    [...bySpeakerAndSession.entries()].map(([key, speaker]) => ({
      key,
      profileId: speaker.profileId,
      name: speaker.name,
      seconds: [...speaker.sessions.values()].reduce((sum, intervals) => sum + unionSeconds(intervals), 0),
    })),
  );
}

/** A lesson's talk time from per-session speaker totals (transcript_speakers rows): sums, then shares. */
export function sumTalkTime(
  rows: readonly { key: string; profileId: string | null; name: string; seconds: number }[],
): TalkTime {
  const totals = new Map<string, { key: string; profileId: string | null; name: string; seconds: number }>();
  for (const row of rows) {
    const total = totals.get(row.key) ?? { key: row.key, profileId: row.profileId, name: row.name, seconds: 0 };
    total.seconds += row.seconds;
    totals.set(row.key, total);
  }
  const spokenSeconds = [...totals.values()].reduce((sum, speaker) => sum + speaker.seconds, 0);
  return {
    spokenSeconds,
    speakers: [...totals.values()]
      .map((speaker) => ({ ...speaker, share: spokenSeconds > 0 ? speaker.seconds / spokenSeconds : 0 }))
      .sort((a, b) => b.seconds - a.seconds || a.name.localeCompare(b.name)),
  };
}

/** Talk time per session, in the order the sessions are given. */
export function talkTimeBySession(
  sessionIds: readonly string[],
  segments: readonly SpokenSegment[],
): Map<string, TalkTime> {
  return new Map(
    sessionIds.map((sessionId) => [sessionId, talkTime(segments.filter((segment) => segment.sessionId === sessionId))]),
  );
}

/** Whole percent, never "100%" or "0%" for a share that is not exactly that. */
export function formatShare(share: number): string {
  const percent = Math.round(share * 100);
  if (percent === 100 && share < 1) return "99%";
  if (percent === 0 && share > 0) return "under 1%";
  return `${percent}%`;
}

/**
 * "Charlie spoke for 14 min of the lesson's 55 min: 40% of the talking." Each amount in minutes,
 * or in seconds below a minute ("45 s"), so a share never sits beside "0 minutes"; without a
 * known running time, only the speaker's time. `presentSeconds`, when known, bounds the speaking
 * time: nobody speaks longer than they were in the classroom (a transcript's segments can overrun).
 */
export function talkTimeSentence(
  speaker: Pick<SpeakerTalkTime, "name" | "seconds" | "share">,
  lessonSeconds: number | null,
  presentSeconds?: number,
): string {
  const share = `${formatShare(speaker.share)} of the talking`;
  const spoken = formatSeconds(
    presentSeconds === undefined ? speaker.seconds : Math.min(speaker.seconds, presentSeconds),
  );
  if (lessonSeconds === null || lessonSeconds <= 0) return `${speaker.name} spoke for ${spoken}: ${share}.`;
  return `${speaker.name} spoke for ${spoken} of the lesson's ${formatSeconds(lessonSeconds)}: ${share}.`;
}

/** Each person's time in the classroom, summed over sessions: what their speaking time is bounded by. */
export function secondsPresentOf(rows: readonly { profileId: string; secondsPresent: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.profileId, (totals.get(row.profileId) ?? 0) + row.secondsPresent);
  return totals;
}

export type TalkTimeView = { sentences: { key: string; sentence: string; isLearner: boolean }[] };

/** The page's sentences: the learner (student, or adult learner) first, then by time spoken. */
export function presentTalkTime(
  talk: TalkTime,
  lessonSeconds: number | null,
  learnerId: string | null,
  /** Seconds each profile was in the classroom, where attendance is known. */
  presentByProfile: ReadonlyMap<string, number> = new Map(),
): TalkTimeView {
  const ordered = talk.speakers.toSorted(
    (a, b) => Number(b.profileId === learnerId) - Number(a.profileId === learnerId),
  );
  return {
    sentences: ordered.map((speaker) => ({
      key: speaker.key,
      sentence: talkTimeSentence(
        speaker,
        lessonSeconds,
        speaker.profileId === null ? undefined : presentByProfile.get(speaker.profileId),
      ),
      isLearner: learnerId !== null && speaker.profileId === learnerId,
    })),
  };
}

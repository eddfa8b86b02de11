import { z } from "zod";
import { withoutNul } from "./plain-text";

/**
 * A Lessonspace transcript file (docs/decisions/0048-transcript-files-whole-or-segment.md): a JSON array of
 * `{start_time, end_time, user: {id, name}, breakout_id, text}`, times in seconds from the session
 * start. Pure: the caller has downloaded the bytes.
 *
 * Whole file vs one segment:
 * - the file is refused (and never retried) when it is not JSON, not an array, has more than
 *   MAX_SEGMENTS entries, or an entry is not an object with a text: that is not a transcript;
 * - one segment is dropped (and counted) when its times are missing, negative, reversed, longer
 *   than a day, or its text is empty: one bad line should not cost the family the whole lesson.
 *   When every segment is dropped the file is refused.
 */

export const MAX_SEGMENTS = 20_000;
export const MAX_SECONDS = 24 * 60 * 60;
const MAX_TEXT = 10_000;
const MAX_NAME = 200;

export type TranscriptSegmentInput = {
  position: number;
  userId: string | null;
  speakerName: string;
  startSeconds: number;
  endSeconds: number;
  breakoutId: string | null;
  text: string;
};

export type ParsedTranscript =
  | { ok: true; segments: TranscriptSegmentInput[]; dropped: number; problems: string[] }
  | { ok: false; problem: string };

const id = z.union([z.string().trim().min(1).max(200), z.number().finite()]).transform(String);
const seconds = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

const entrySchema = z.object({
  start_time: z.unknown(),
  end_time: z.unknown(),
  user: z
    .object({ id: id.nullish().catch(null), name: z.string().nullish().catch(null) })
    .nullish()
    .catch(null),
  breakout_id: id.nullish().catch(null),
  text: z.string(),
});

/** Parses the file's text. */
export function parseTranscriptFile(text: string): ParsedTranscript {
  let json: unknown;
  try {
    // A NUL byte cannot be stored (see plain-text.ts); it carries nothing, so it is dropped from every string.
    json = JSON.parse(text, (_key, value: unknown) => (typeof value === "string" ? withoutNul(value) : value));
  } catch {
    return { ok: false, problem: "The transcript is not JSON." };
  }
  if (!Array.isArray(json)) return { ok: false, problem: "The transcript is not a JSON array of segments." };
  if (json.length > MAX_SEGMENTS)
    return { ok: false, problem: `The transcript has ${json.length} segments, more than ${MAX_SEGMENTS}.` };
  const segments: TranscriptSegmentInput[] = [];
  const problems: string[] = [];
  for (const [index, raw] of json.entries()) {
    const entry = entrySchema.safeParse(raw);
    if (!entry.success)
      return { ok: false, problem: `Segment ${index} is not a transcript segment (an object with a text).` };
    const problem = segmentProblem(entry.data);
    if (problem !== null) {
      problems.push(`segment ${index}: ${problem}`);
      continue;
    }
    const { start_time, end_time, user, breakout_id, text: said } = entry.data;
    const userId = user?.id ?? null;
    segments.push({
      position: segments.length,
      userId,
      speakerName:
        user?.name?.trim().slice(0, MAX_NAME) || (userId ? `Speaker ${userId.slice(0, 40)}` : "Unknown speaker"),
      startSeconds: seconds.parse(start_time),
      endSeconds: seconds.parse(end_time),
      breakoutId: breakout_id ?? null,
      text: said.trim().slice(0, MAX_TEXT),
    });
  }
  if (segments.length === 0 && json.length > 0) {
    return { ok: false, problem: `No usable segment: ${problems.slice(0, 3).join("; ")}.` };
  }
  return { ok: true, segments, dropped: problems.length, problems };
}

function segmentProblem(entry: z.infer<typeof entrySchema>): string | null {
  const start = seconds.safeParse(entry.start_time);
  const end = seconds.safeParse(entry.end_time);
  if (!start.success || !end.success || !Number.isFinite(start.data) || !Number.isFinite(end.data))
    return "times missing or not numbers";
  if (start.data < 0 || end.data < 0) return "negative time";
  if (end.data < start.data) return "ends before it starts";
  if (end.data > MAX_SECONDS) return "later than 24 hours into the session";
  if (entry.text.trim() === "") return "no text";
  return null;
}

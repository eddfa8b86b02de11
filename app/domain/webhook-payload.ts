import { z } from "zod";
import { hasNul } from "./plain-text";
import { isUuid } from "./uuid";

/**
 * What we read from a Lessonspace webhook body (docs/decisions/0016-webhook-deliveries-checked-recorded-applied-once.md). Lessonspace documents only
 * `room.id`, so parsing is lenient: unknown fields are ignored, a missing or unreadable optional
 * field becomes null (the sessions API fills timing in later), and only what an event cannot be
 * applied without is required. Pure: the caller has already verified the signature.
 */

export const MAX_BODY_BYTES = 64 * 1024;

// Text that reaches the database: a NUL byte makes it unusable there, so such a value is not one.
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !hasNul(value));
// Ids may come as strings or numbers; both become strings. Bounded, since they reach the database.
const id = z.union([text(200), z.number().int().nonnegative()]).transform(String);
// An unreadable time is treated like a missing one rather than refusing the whole event.
const instant = z
  .string()
  .nullish()
  .transform((value) => {
    if (!value) return null;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  })
  .catch(null);

// Checked against the transcript origins only when fetched; here just a bounded absolute URL.
const downloadUrl = text(4096).pipe(z.url());

const bodySchema = z.object({
  event: text(100).optional().catch(undefined),
  room: z.object({ id }),
  session: z
    .object({ id: id.optional().catch(undefined), start_time: instant.optional(), end_time: instant.optional() })
    .nullish()
    .catch(null),
  user: z
    .object({ id: id.optional().catch(undefined) })
    .nullish()
    .catch(null),
  recording: z
    .object({ available: z.boolean().optional().catch(undefined) })
    .nullish()
    .catch(null),
  // transcription.finish: where the transcript file can be downloaded (pre-signed, expiring).
  transcription: z
    .object({ url: downloadUrl.optional().catch(undefined), download_url: downloadUrl.optional().catch(undefined) })
    .nullish()
    .catch(null),
  timestamp: instant.optional(),
});

export type WebhookEvent =
  | { kind: "session.start"; event: string; roomId: string; sessionId: string; startedAt: Date | null }
  | {
      kind: "session.end";
      event: string;
      roomId: string;
      sessionId: string;
      startedAt: Date | null;
      endedAt: Date | null;
      /** null when the payload does not say. */
      recordingAvailable: boolean | null;
    }
  | {
      kind: "user.join" | "user.leave";
      event: string;
      roomId: string;
      sessionId: string;
      /** Our profile id when it looks like one; null for guests or anything else. */
      profileId: string | null;
      at: Date | null;
    }
  | {
      kind: "transcription.finish";
      event: string;
      roomId: string;
      sessionId: string;
      /** The pre-signed download URL, still to be checked against the allowlist before use. */
      transcriptUrl: string;
    }
  | { kind: "other"; event: string; roomId: string };

export type ParseResult = { ok: true; value: WebhookEvent } | { ok: false; problem: string };

// Made once: zod compiles an object schema on its first use, which costs more than the parse.
const roomSchema = z.object({ room: z.object({ id }) });

/** The room a body names, read before verification only to find the key to verify it with. */
export function findRoomId(json: unknown): string | null {
  const parsed = roomSchema.safeParse(json);
  return parsed.success ? parsed.data.room.id : null;
}

/**
 * The event a verified body describes. The event name comes from the signed body; the unsigned
 * `x-webhook-event` header is only a fallback for bodies that leave it out. Likewise the event time
 * falls back to `x-webhook-timestamp` (the time of the event, per Lessonspace).
 */
export function parseWebhookEvent(
  json: unknown,
  headers: { event?: string | null; timestamp?: string | null } = {},
): ParseResult {
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: "The body does not name a room." };
  const body = parsed.data;
  const event = body.event ?? headers.event?.trim().slice(0, 100) ?? "unknown";
  const roomId = body.room.id;
  const sessionId = body.session?.id;
  const at = body.timestamp ?? instant.parse(headers.timestamp ?? null);

  switch (event) {
    case "session.start":
      if (!sessionId) return { ok: false, problem: "session.start without session.id." };
      return { ok: true, value: { kind: event, event, roomId, sessionId, startedAt: body.session?.start_time ?? at } };
    case "session.end":
      if (!sessionId) return { ok: false, problem: "session.end without session.id." };
      return {
        ok: true,
        value: {
          kind: event,
          event,
          roomId,
          sessionId,
          startedAt: body.session?.start_time ?? null,
          endedAt: body.session?.end_time ?? null,
          recordingAvailable: body.recording?.available ?? null,
        },
      };
    case "user.join":
    case "user.leave": {
      if (!sessionId) return { ok: false, problem: `${event} without session.id.` };
      const userId = body.user?.id;
      if (!userId) return { ok: false, problem: `${event} without user.id.` };
      return {
        ok: true,
        value: { kind: event, event, roomId, sessionId, profileId: isUuid(userId) ? userId.toLowerCase() : null, at },
      };
    }
    case "transcription.finish": {
      if (!sessionId) return { ok: false, problem: "transcription.finish without session.id." };
      const transcriptUrl = body.transcription?.url ?? body.transcription?.download_url;
      if (!transcriptUrl) return { ok: false, problem: "transcription.finish without transcription.url." };
      return { ok: true, value: { kind: event, event, roomId, sessionId, transcriptUrl } };
    }
    default:
      return { ok: true, value: { kind: "other", event, roomId } };
  }
}

/** True when session.end lacks something only the sessions API can tell us. */
export function needsSessionLookup(event: Extract<WebhookEvent, { kind: "session.end" }>): boolean {
  return event.startedAt === null || event.endedAt === null || event.recordingAvailable === null;
}

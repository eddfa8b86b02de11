import { describe, expect, it } from "vitest";
import { findRoomId, needsSessionLookup, parseWebhookEvent } from "./webhook-payload";

const room = { id: "6f1c3c1e-0000-4000-8000-000000000001" };
const profileId = "33333333-3333-4333-8333-333333333333";

describe("findRoomId", () => {
  it("reads room.id, as a string or a number", () => {
    expect(findRoomId({ room: { id: "abc" } })).toBe("abc");
    expect(findRoomId({ room: { id: 42 } })).toBe("42");
  });

  it.each([
    [null],
    ["text"],
    [[]],
    [{}],
    [{ room: null }],
    [{ room: { id: "" } }],
    [{ room: { id: {} } }],
    [{ room: { id: "x".repeat(201) } }],
    [{ room: { id: "abc\u0000" } }],
  ])("finds no room in %j", (json) => {
    expect(findRoomId(json)).toBeNull();
  });
});

describe("parseWebhookEvent", () => {
  it("treats an id, event name or URL with a NUL byte as missing (it could not be stored)", () => {
    const session = { id: "s\u00001" };
    expect(parseWebhookEvent({ event: "session.start", room, session })).toEqual({
      ok: false,
      problem: "session.start without session.id.",
    });
    expect(parseWebhookEvent({ event: "session.\u0000start", room, session: { id: "s1" } })).toMatchObject({
      ok: true,
      value: { kind: "other", event: "unknown" },
    });
    expect(
      parseWebhookEvent({
        event: "transcription.finish",
        room,
        session: { id: "s1" },
        transcription: { url: "https://files.test/t.json\u0000" },
      }),
    ).toEqual({ ok: false, problem: "transcription.finish without transcription.url." });
  });

  it("reads the documented session.end shape and ignores extra fields", () => {
    const result = parseWebhookEvent({
      event: "session.end",
      room,
      session: { id: "s1", start_time: "2026-11-25T15:00:04Z", end_time: "2026-11-25T15:58:40Z", extra: 1 },
      recording: { available: true },
      something: "else",
    });
    expect(result).toEqual({
      ok: true,
      value: {
        kind: "session.end",
        event: "session.end",
        roomId: room.id,
        sessionId: "s1",
        startedAt: new Date("2026-11-25T15:00:04Z"),
        endedAt: new Date("2026-11-25T15:58:40Z"),
        recordingAvailable: true,
      },
    });
  });

  it("turns missing or unreadable session.end timing into nulls that need the sessions API", () => {
    const result = parseWebhookEvent({
      event: "session.end",
      room,
      session: { id: "s1", start_time: "yesterday", end_time: 12 },
    });
    expect(result.ok).toBe(true);
    if (!result.ok || result.value.kind !== "session.end") throw new Error("expected session.end");
    expect(result.value).toMatchObject({ startedAt: null, endedAt: null, recordingAvailable: null });
    expect(needsSessionLookup(result.value)).toBe(true);
  });

  it("needs no lookup when session.end carries timing and recording", () => {
    const result = parseWebhookEvent({
      event: "session.end",
      room,
      session: { id: "s1", start_time: "2026-11-25T15:00:04Z", end_time: "2026-11-25T15:58:40Z" },
      recording: { available: false },
    });
    if (!result.ok || result.value.kind !== "session.end") throw new Error("expected session.end");
    expect(needsSessionLookup(result.value)).toBe(false);
  });

  it("reads user.join with our profile id and the event time", () => {
    const result = parseWebhookEvent({
      event: "user.join",
      room,
      session: { id: "s1" },
      user: { id: profileId.toUpperCase(), name: "Ada", leader: false },
      timestamp: "2026-11-25T15:00:04Z",
    });
    expect(result).toEqual({
      ok: true,
      value: {
        kind: "user.join",
        event: "user.join",
        roomId: room.id,
        sessionId: "s1",
        profileId,
        at: new Date("2026-11-25T15:00:04Z"),
      },
    });
  });

  it("keeps a user id that is not one of ours as an unknown profile", () => {
    const result = parseWebhookEvent({ event: "user.leave", room, session: { id: "s1" }, user: { id: 1001 } });
    expect(result.ok && result.value.kind === "user.leave" && result.value.profileId).toBe(null);
  });

  it("falls back to the x-webhook-timestamp header when the body has no time", () => {
    const result = parseWebhookEvent(
      { event: "user.join", room, session: { id: "s1" }, user: { id: profileId } },
      { timestamp: "2026-11-25T15:01:00Z" },
    );
    expect(result.ok && result.value.kind === "user.join" && result.value.at).toEqual(new Date("2026-11-25T15:01:00Z"));
  });

  it("takes session.start time from the session, else from the event time", () => {
    const fromSession = parseWebhookEvent({
      event: "session.start",
      room,
      session: { id: "s1", start_time: "2026-11-25T15:00:04Z" },
    });
    expect(fromSession.ok && fromSession.value.kind === "session.start" && fromSession.value.startedAt).toEqual(
      new Date("2026-11-25T15:00:04Z"),
    );
    const fromTimestamp = parseWebhookEvent({
      event: "session.start",
      room,
      session: { id: "s1" },
      timestamp: "2026-11-25T15:00:05Z",
    });
    expect(fromTimestamp.ok && fromTimestamp.value.kind === "session.start" && fromTimestamp.value.startedAt).toEqual(
      new Date("2026-11-25T15:00:05Z"),
    );
  });

  it("prefers the signed body's event name over the unsigned header", () => {
    const result = parseWebhookEvent({ event: "chat.message", room }, { event: "session.end" });
    expect(result).toEqual({ ok: true, value: { kind: "other", event: "chat.message", roomId: room.id } });
  });

  it("uses the header's event name when the body has none", () => {
    const result = parseWebhookEvent({ room, session: { id: "s1" } }, { event: "session.start" });
    expect(result.ok && result.value.kind).toBe("session.start");
  });

  it("treats unknown event names as other events", () => {
    expect(parseWebhookEvent({ event: "chat.message", room })).toEqual({
      ok: true,
      value: { kind: "other", event: "chat.message", roomId: room.id },
    });
    expect(parseWebhookEvent({ room })).toEqual({
      ok: true,
      value: { kind: "other", event: "unknown", roomId: room.id },
    });
  });

  it.each([
    ["session.start", { event: "session.start", room }],
    ["session.end", { event: "session.end", room, session: {} }],
    ["user.join", { event: "user.join", room, user: { id: profileId } }],
    ["user.leave", { event: "user.leave", room, session: { id: "s1" } }],
    [
      "transcription.finish",
      { event: "transcription.finish", room, transcription: { url: "https://b.s3.amazonaws.com/t.json" } },
    ],
    ["transcription.finish", { event: "transcription.finish", room, session: { id: "s1" } }],
    [
      "transcription.finish",
      { event: "transcription.finish", room, session: { id: "s1" }, transcription: { url: "not a url" } },
    ],
    [
      "transcription.finish",
      {
        event: "transcription.finish",
        room,
        session: { id: "s1" },
        transcription: { url: `https://b.s3.amazonaws.com/${"x".repeat(5000)}` },
      },
    ],
  ])("refuses %s without the ids it cannot be applied without", (_name, json) => {
    expect(parseWebhookEvent(json).ok).toBe(false);
  });

  it("reads transcription.finish: the session and the download URL, ignoring extra fields", () => {
    const url = "https://bucket.s3.amazonaws.com/t/abc.json?X-Amz-Signature=f00";
    const json = {
      event: "transcription.finish",
      room,
      session: { id: "s1" },
      transcription: { url, language: "en" },
      extra: 1,
    };
    expect(parseWebhookEvent(json)).toEqual({
      ok: true,
      value: {
        kind: "transcription.finish",
        event: "transcription.finish",
        roomId: room.id,
        sessionId: "s1",
        transcriptUrl: url,
      },
    });
    const alternative = parseWebhookEvent(
      { room, session: { id: "s1" }, transcription: { download_url: url } },
      { event: "transcription.finish" },
    );
    expect(alternative.ok && alternative.value.kind === "transcription.finish" && alternative.value.transcriptUrl).toBe(
      url,
    );
  });

  it("refuses a body without a room", () => {
    expect(parseWebhookEvent({ event: "session.end", session: { id: "s1" } })).toEqual({
      ok: false,
      problem: "The body does not name a room.",
    });
  });
});

import { describe, expect, it } from "vitest";
import { MAX_SEGMENTS, parseTranscriptFile } from "./transcript-file";

const segment = (overrides: Record<string, unknown> = {}) => ({
  start_time: 1.5,
  end_time: 4,
  user: { id: "11111111-1111-4111-8111-111111111111", name: "Charlie" },
  breakout_id: null,
  text: "Photosynthesis makes sugar.",
  ...overrides,
});

describe("parseTranscriptFile", () => {
  it("reads the documented shape", () => {
    const result = parseTranscriptFile(
      JSON.stringify([
        segment(),
        segment({ start_time: 5, end_time: 9, breakout_id: 2, user: { id: 1001, name: "Tara" } }),
      ]),
    );
    expect(result).toEqual({
      ok: true,
      dropped: 0,
      problems: [],
      segments: [
        {
          position: 0,
          userId: "11111111-1111-4111-8111-111111111111",
          speakerName: "Charlie",
          startSeconds: 1.5,
          endSeconds: 4,
          breakoutId: null,
          text: "Photosynthesis makes sugar.",
        },
        {
          position: 1,
          userId: "1001",
          speakerName: "Tara",
          startSeconds: 5,
          endSeconds: 9,
          breakoutId: "2",
          text: "Photosynthesis makes sugar.",
        },
      ],
    });
  });

  it("accepts an empty array (a session where nobody spoke)", () => {
    expect(parseTranscriptFile("[]")).toEqual({ ok: true, segments: [], dropped: 0, problems: [] });
  });

  it.each([
    ["not JSON", "<html>Access denied</html>", "not JSON"],
    ["an object", JSON.stringify({ segments: [] }), "not a JSON array"],
    ["an entry without text", JSON.stringify([segment(), { start_time: 1, end_time: 2 }]), "Segment 1"],
    ["an entry that is a string", JSON.stringify(["hello"]), "Segment 0"],
  ])("refuses the whole file when it is %s", (_why, text, problem) => {
    const result = parseTranscriptFile(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(problem);
  });

  it("refuses a file with too many segments", () => {
    const text = JSON.stringify(Array.from({ length: MAX_SEGMENTS + 1 }, () => segment()));
    expect(parseTranscriptFile(text)).toMatchObject({ ok: false, problem: expect.stringContaining("more than") });
  });

  it("drops segments with negative, reversed, absurd or missing times and empty text, keeping the rest", () => {
    const result = parseTranscriptFile(
      JSON.stringify([
        segment({ start_time: -3 }),
        segment({ start_time: 10, end_time: 5 }),
        segment({ start_time: 0, end_time: 25 * 3600 }),
        segment({ start_time: "soon" }),
        segment({ end_time: null }),
        segment({ text: "   " }),
        segment({ text: "kept" }),
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.dropped).toBe(6);
    expect(result.segments).toHaveLength(1);
    expect(result.segments[0]).toMatchObject({ position: 0, text: "kept" });
    expect(result.problems.join(" ")).toMatch(/negative time.*ends before it starts.*24 hours/);
  });

  it("refuses the file when every segment is dropped", () => {
    expect(parseTranscriptFile(JSON.stringify([segment({ start_time: -1 })]))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("No usable segment"),
    });
  });

  it("names a speaker without a name after their id, or as unknown", () => {
    const result = parseTranscriptFile(JSON.stringify([segment({ user: { id: "u-9" } }), segment({ user: null })]));
    expect(result.ok && result.segments.map((s) => [s.userId, s.speakerName])).toEqual([
      ["u-9", "Speaker u-9"],
      [null, "Unknown speaker"],
    ]);
  });

  it("bounds what reaches the database", () => {
    const result = parseTranscriptFile(
      JSON.stringify([segment({ text: "x".repeat(20_000), user: { id: "1", name: "n".repeat(500) } })]),
    );
    expect(result.ok && [result.segments[0]!.text.length, result.segments[0]!.speakerName.length]).toEqual([
      10_000, 200,
    ]);
  });

  it("drops NUL bytes from every text, and a segment left without text like any empty one", () => {
    const result = parseTranscriptFile(
      JSON.stringify([
        segment({
          text: "Photo\u0000synthesis",
          user: { id: "u\u00001", name: "Char\u0000lie" },
          breakout_id: "b\u0000",
        }),
        segment({ text: "\u0000" }),
      ]),
    );
    expect(result.ok && result.segments.map((s) => [s.text, s.speakerName, s.userId, s.breakoutId])).toEqual([
      ["Photosynthesis", "Charlie", "u1", "b"],
    ]);
    expect(result.ok && result.dropped).toBe(1);
  });
});

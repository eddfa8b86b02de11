import { describe, expect, it } from "vitest";
import {
  formatShare,
  presentTalkTime,
  secondsPresentOf,
  sumTalkTime,
  talkTime,
  talkTimeBySession,
  talkTimeSentence,
  unionSeconds,
  type SpokenSegment,
} from "./talk-time";

const CHARLIE = "11111111-1111-4111-8111-111111111111";
const TARA = "22222222-2222-4222-8222-222222222222";

function said(
  speakerProfileId: string | null,
  speakerName: string,
  startSeconds: number,
  endSeconds: number,
  sessionId = "s1",
): SpokenSegment {
  return { sessionId, speakerProfileId, speakerName, startSeconds, endSeconds };
}

describe("unionSeconds", () => {
  it("counts overlapping intervals once", () => {
    expect(
      unionSeconds([
        [0, 10],
        [5, 15],
      ]),
    ).toBe(15);
  });
  it("counts a contained interval nothing extra", () => {
    expect(
      unionSeconds([
        [0, 30],
        [10, 20],
      ]),
    ).toBe(30);
  });
  it("leaves gaps out", () => {
    expect(
      unionSeconds([
        [0, 10],
        [20, 25],
      ]),
    ).toBe(15);
  });
  it("joins touching intervals without double counting, in any order", () => {
    expect(
      unionSeconds([
        [10, 20],
        [0, 10],
        [20, 21],
      ]),
    ).toBe(21);
  });
  it("ignores empty and reversed intervals", () => {
    expect(
      unionSeconds([
        [5, 5],
        [9, 3],
      ]),
    ).toBe(0);
    expect(unionSeconds([])).toBe(0);
  });
});

describe("talkTime", () => {
  it("gives each speaker the union of their segments and a share of the spoken time", () => {
    const result = talkTime([
      said(TARA, "Tara", 0, 60),
      said(CHARLIE, "Charlie", 60, 80),
      said(CHARLIE, "Charlie", 70, 100),
    ]);
    expect(result.spokenSeconds).toBe(100);
    expect(result.speakers).toEqual([
      { key: TARA, profileId: TARA, name: "Tara", seconds: 60, share: 0.6 },
      { key: CHARLIE, profileId: CHARLIE, name: "Charlie", seconds: 40, share: 0.4 },
    ]);
  });

  it("counts two people talking over each other for both", () => {
    const result = talkTime([said(TARA, "Tara", 0, 10), said(CHARLIE, "Charlie", 5, 15)]);
    expect(result.speakers.map((s) => s.seconds)).toEqual([10, 10]);
    expect(result.spokenSeconds).toBe(20);
  });

  it("sums a lesson's sessions without uniting their offsets (each session restarts at 0)", () => {
    const result = talkTime([said(CHARLIE, "Charlie", 0, 30, "s1"), said(CHARLIE, "Charlie", 0, 30, "s2")]);
    expect(result.speakers[0]!.seconds).toBe(60);
  });

  it("unites one person's segments across breakout rooms (they cannot speak in two rooms at once)", () => {
    const segments = [said(CHARLIE, "Charlie", 0, 20), said(CHARLIE, "Charlie", 10, 30)];
    expect(talkTime(segments).speakers[0]!.seconds).toBe(30);
  });

  it("keeps a speaker we cannot match (never joined, no profile) under their name", () => {
    const result = talkTime([
      said(null, "Guest Grandma", 0, 30),
      said(TARA, "Tara", 30, 60),
      said(null, "Guest Grandma", 60, 90),
    ]);
    expect(result.speakers[0]).toEqual({
      key: "name:Guest Grandma",
      profileId: null,
      name: "Guest Grandma",
      seconds: 60,
      share: 60 / 90,
    });
  });

  it("keeps two unknown speakers with different names apart", () => {
    const result = talkTime([said(null, "A", 0, 10), said(null, "B", 0, 10)]);
    expect(result.speakers.map((s) => s.key)).toEqual(["name:A", "name:B"]);
  });

  it("says nothing was spoken for no segments", () => {
    expect(talkTime([])).toEqual({ spokenSeconds: 0, speakers: [] });
  });

  it("splits by session", () => {
    const bySession = talkTimeBySession(
      ["s1", "s2", "s3"],
      [said(TARA, "Tara", 0, 10, "s1"), said(CHARLIE, "Charlie", 0, 5, "s2")],
    );
    expect(bySession.get("s1")!.spokenSeconds).toBe(10);
    expect(bySession.get("s2")!.speakers[0]!.name).toBe("Charlie");
    expect(bySession.get("s3")!.speakers).toEqual([]);
  });
});

describe("talkTimeSentence", () => {
  it("never reads '0 minutes' beside a share: seconds below a minute", () => {
    expect(talkTimeSentence({ name: "Charlie Brown", seconds: 25, share: 0.3 }, 34 * 60)).toBe(
      "Charlie Brown spoke for 25 s of the lesson's 34 min: 30% of the talking.",
    );
  });
  it("is bounded by the speaker's time in the classroom", () => {
    expect(talkTimeSentence({ name: "Tara Singh", seconds: 70, share: 0.5 }, 180, 12)).toBe(
      "Tara Singh spoke for 12 s of the lesson's 3 min: 50% of the talking.",
    );
  });
  it("names the minutes the lesson ran and the share of the talking", () => {
    expect(talkTimeSentence({ name: "Charlie", seconds: 14 * 60, share: 0.4 }, 55 * 60)).toBe(
      "Charlie spoke for 14 min of the lesson's 55 min: 40% of the talking.",
    );
  });
  it("uses seconds for a lesson shorter than two minutes", () => {
    expect(talkTimeSentence({ name: "Charlie", seconds: 20, share: 0.5 }, 45)).toBe(
      "Charlie spoke for 20 s of the lesson's 45 s: 50% of the talking.",
    );
  });
  it("says only the speaker's time when the lesson's running time is unknown", () => {
    expect(talkTimeSentence({ name: "Charlie", seconds: 600, share: 0.25 }, null)).toBe(
      "Charlie spoke for 10 min: 25% of the talking.",
    );
  });
});

describe("formatShare", () => {
  it("never rounds a partial share to 0% or 100%", () => {
    expect(formatShare(0.001)).toBe("under 1%");
    expect(formatShare(0.999)).toBe("99%");
    expect(formatShare(1)).toBe("100%");
    expect(formatShare(0)).toBe("0%");
  });
});

describe("sumTalkTime", () => {
  it("sums a speaker's per-session totals over a lesson and gives the same answer as talkTime over the segments", () => {
    const segments = [
      said(CHARLIE, "Charlie", 0, 30, "s1"),
      said(TARA, "Tara", 0, 90, "s1"),
      said(CHARLIE, "Charlie", 0, 30, "s2"),
    ];
    const perSession = ["s1", "s2"].flatMap((sessionId) =>
      talkTime(segments.filter((s) => s.sessionId === sessionId)).speakers.map(
        ({ share: _share, ...speaker }) => speaker,
      ),
    );
    expect(sumTalkTime(perSession)).toEqual(talkTime(segments));
    expect(sumTalkTime(perSession).speakers.map((s) => [s.name, s.seconds, s.share])).toEqual([
      ["Tara", 90, 0.6],
      ["Charlie", 60, 0.4],
    ]);
  });
});

describe("secondsPresentOf", () => {
  it("sums each person's time over the lesson's sessions, and bounds their speaking time by it", () => {
    const present = secondsPresentOf([
      { profileId: CHARLIE, secondsPresent: 40 },
      { profileId: TARA, secondsPresent: 600 },
      { profileId: CHARLIE, secondsPresent: 5 },
    ]);
    expect(present).toEqual(
      new Map([
        [CHARLIE, 45],
        [TARA, 600],
      ]),
    );
    // A transcript that overruns the classroom: Charlie "spoke" 90 s but was there 45 s.
    const talk = talkTime([said(CHARLIE, "Charlie", 0, 90), said(TARA, "Tara", 90, 120)]);
    const [first] = presentTalkTime(talk, 645, CHARLIE, present).sentences;
    expect(first!.sentence).toMatch(/^Charlie spoke for 45 s of/);
  });

  it("is empty without attendance", () => {
    expect(secondsPresentOf([]).size).toBe(0);
  });
});

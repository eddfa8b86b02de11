import { describe, expect, it } from "vitest";
import {
  excerptParts,
  formatOffset,
  MAX_SEARCH_PAGE,
  searchPage,
  segmentTime,
  sessionHeading,
  transcriptStatusOf,
} from "./transcript-view";

describe("segmentTime", () => {
  it("is the session start plus the offset, on the viewer's clock", () => {
    const start = new Date("2026-07-01T15:00:00Z");
    expect(segmentTime(start, 192.4, "Europe/London")).toEqual({
      label: "16:03:12",
      dateTime: "2026-07-01T15:03:12.400Z",
    });
    expect(segmentTime(start, 192.4, "America/New_York").label).toBe("11:03:12");
  });
  it("falls back to the offset when the session start is unknown", () => {
    expect(segmentTime(null, 3725, "UTC")).toEqual({ label: "+1:02:05", dateTime: null });
    expect(formatOffset(59.9)).toBe("00:59");
  });
});

describe("sessionHeading", () => {
  it("numbers parts only when the lesson had several sessions", () => {
    const at = new Date("2026-11-25T15:00:00Z");
    expect(sessionHeading(at, 0, 1, "UTC", at)).toBe("From Wed 25 Nov, 15:00");
    expect(sessionHeading(at, 1, 2, "UTC", at)).toBe("Part 2 of 2: from Wed 25 Nov, 15:00");
  });
});

describe("excerptParts", () => {
  it("turns ts_headline's markers into text parts, never HTML", () => {
    expect(excerptParts("We met \u0001photosynthesis\u0002 and <b>\u0001sugar\u0002</b>")).toEqual([
      { text: "We met ", match: false },
      { text: "photosynthesis", match: true },
      { text: " and <b>", match: false },
      { text: "sugar", match: true },
      { text: "</b>", match: false },
    ]);
    expect(excerptParts("no match")).toEqual([{ text: "no match", match: false }]);
  });
});

describe("searchPage", () => {
  it("reads a whole page number from 1", () => {
    expect([searchPage("1"), searchPage("2"), searchPage(" 7 ")]).toEqual([1, 2, 7]);
  });

  it("stops at the last page offered", () => {
    expect(searchPage(String(MAX_SEARCH_PAGE))).toBe(MAX_SEARCH_PAGE);
    expect(searchPage(String(MAX_SEARCH_PAGE + 1))).toBe(MAX_SEARCH_PAGE);
    expect(searchPage("999999")).toBe(MAX_SEARCH_PAGE);
  });

  it("takes anything else as the first page", () => {
    for (const raw of [null, "", "0", "-3", "2.5", "two", "1e3", "9999999999", "%00"])
      expect(searchPage(raw), String(raw)).toBe(1);
  });
});

describe("transcriptStatusOf", () => {
  it.each([
    [[], "none"],
    [["failed"], "failed"],
    [["failed", "pending"], "pending"],
    [["expired"], "expired"],
    [["failed", "expired"], "expired"],
    [["expired", "pending"], "pending"],
    [["pending", "done", "failed"], "done"],
    [["removed"], "removed"],
    [["removed", "failed"], "failed"],
  ] as const)("the fetches %j make the transcript %s", (statuses, status) => {
    expect(transcriptStatusOf(statuses)).toBe(status);
  });
});

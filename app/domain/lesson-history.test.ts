import { describe, expect, it } from "vitest";
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  lessonsHref,
  listOrder,
  parseLessonQuery,
  startOfDayIn,
  type Cursor,
} from "./lesson-history";

const ID = "0b8f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const cursor: Cursor = { direction: "next", position: { startMicros: "1764082800123456", id: ID } };
const parse = (query: string, timeZone = "Europe/London") => parseLessonQuery(new URLSearchParams(query), timeZone);
const problems = (query: string) => {
  const result = parse(query);
  if (result.ok) throw new Error(`expected problems for ${query}`);
  return result.problems;
};

describe("cursor", () => {
  it("round-trips a position to the microsecond, in either direction", () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    const previous: Cursor = { direction: "previous", position: { startMicros: "-86400000000", id: ID } };
    expect(decodeCursor(encodeCursor(previous))).toEqual(previous);
    expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("refuses anything but the exact encoding of a well-formed position", () => {
    const valid = encodeCursor(cursor);
    const encode = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    for (const bad of [
      "",
      "not base64!",
      `${valid}=`,
      `${valid}x`,
      valid.slice(0, -1),
      encode(`x.1764082800123456.${ID}`),
      encode(`n.1764082800123456.${ID.toUpperCase()}`),
      encode(`n.1764082800123456.not-a-uuid`),
      encode(`n.17640828001234.5.${ID}`),
      encode(`n.999999999999999999.${ID}`),
      encode(`n.1764082800123456.${ID}.extra`),
      encode(`n..${ID}`),
      "A".repeat(500),
    ]) {
      expect(decodeCursor(bad), bad).toBeNull();
    }
  });
});

describe("parseLessonQuery", () => {
  it("defaults: every lesson, newest first, 20 a page, from the top", () => {
    expect(parse("")).toEqual({
      ok: true,
      query: {
        when: "all",
        status: null,
        studentId: null,
        from: null,
        to: null,
        startsFrom: null,
        startsBefore: null,
        pageSize: DEFAULT_PAGE_SIZE,
        cursor: null,
      },
    });
    // What a GET form sends with nothing chosen.
    expect(parse("when=&status=&student=&from=&to=")).toEqual(parse(""));
    expect(listOrder("all")).toBe("desc");
    expect(listOrder("past")).toBe("desc");
    expect(listOrder("upcoming")).toBe("asc");
  });

  it("reads each filter", () => {
    const result = parse(`when=past&status=Cancelled&student=${ID}&cursor=${encodeCursor(cursor)}&size=50`);
    expect(result).toMatchObject({
      ok: true,
      query: { when: "past", status: "Cancelled", studentId: ID, cursor, pageSize: 50 },
    });
  });

  it("turns the date range into instants in the viewer's zone, both days inclusive", () => {
    expect(parse("from=2026-07-01&to=2026-07-31")).toMatchObject({
      ok: true,
      query: {
        from: "2026-07-01",
        to: "2026-07-31",
        startsFrom: new Date("2026-06-30T23:00:00Z"),
        startsBefore: new Date("2026-07-31T23:00:00Z"),
      },
    });
    expect(parse("from=2026-11-25&to=2026-11-25", "Asia/Tokyo")).toMatchObject({
      ok: true,
      query: { startsFrom: new Date("2026-11-24T15:00:00Z"), startsBefore: new Date("2026-11-25T15:00:00Z") },
    });
    expect(parse("to=2026-01-31", "America/New_York")).toMatchObject({
      ok: true,
      query: { startsFrom: null, startsBefore: new Date("2026-02-01T05:00:00Z") },
    });
  });

  it("finds local midnight across clock changes", () => {
    // London moves to BST on 29 March 2026 at 01:00 UTC; New York on 8 March at 07:00 UTC.
    expect(startOfDayIn({ year: 2026, month: 3, day: 29 }, "Europe/London")).toEqual(new Date("2026-03-29T00:00:00Z"));
    expect(startOfDayIn({ year: 2026, month: 3, day: 30 }, "Europe/London")).toEqual(new Date("2026-03-29T23:00:00Z"));
    expect(startOfDayIn({ year: 2026, month: 3, day: 8 }, "America/New_York")).toEqual(
      new Date("2026-03-08T05:00:00Z"),
    );
    expect(startOfDayIn({ year: 2026, month: 11, day: 1 }, "America/New_York")).toEqual(
      new Date("2026-11-01T04:00:00Z"),
    );
    // Midnight does not exist in Santiago on the day clocks go forward (7 September 2025): 01:00 local.
    expect(startOfDayIn({ year: 2025, month: 9, day: 7 }, "America/Santiago")).toEqual(
      new Date("2025-09-07T04:00:00Z"),
    );
  });

  it("refuses unknown filter values, naming what to do", () => {
    expect(problems("when=tomorrow")).toEqual(["Choose all, upcoming or past lessons."]);
    expect(problems("status=confirmed")).toEqual(["Choose a status from the list."]);
    expect(problems("student=someone")).toEqual(["Choose a student from the list."]);
    expect(problems("when=past&when=upcoming")).toEqual(["Give “when” once."]);
  });

  it("refuses malformed, impossible, reversed and years-wide date ranges", () => {
    expect(problems("from=25/11/2026")).toEqual(["Give the “from” date as a calendar date (YYYY-MM-DD)."]);
    expect(problems("to=2026-02-30")).toEqual(["Give the “to” date as a calendar date (YYYY-MM-DD)."]);
    expect(problems("from=2026-11-26&to=2026-11-25")).toEqual(["The “from” date is after the “to” date."]);
    expect(problems("from=2020-01-01&to=2025-01-01")).toEqual([
      "Choose dates at most 5 years apart, or leave one of them empty.",
    ]);
    expect(parse("from=2020-01-01&to=2024-12-31").ok).toBe(true);
    expect(parse("from=2026-11-25&to=2026-11-25").ok).toBe(true);
  });

  it("clamps a page size out of range and refuses one that is not a number", () => {
    expect(parse("size=100000")).toMatchObject({ ok: true, query: { pageSize: MAX_PAGE_SIZE } });
    expect(parse("size=0")).toMatchObject({ ok: true, query: { pageSize: 1 } });
    for (const bad of ["-5", "2.5", "1e3", "twenty", "9999999999"]) {
      expect(problems(`size=${bad}`)).toEqual([`Give the page size as a whole number up to ${MAX_PAGE_SIZE}.`]);
    }
  });

  it("refuses a broken cursor", () => {
    expect(problems("cursor=abc")).toEqual([
      "This page link is broken or out of date. Start again from the first page.",
    ]);
  });

  it("lists every problem at once", () => {
    expect(problems("when=x&status=y&size=z")).toHaveLength(3);
  });
});

describe("lessonsHref", () => {
  const none = { when: "all", status: null, studentId: null, from: null, to: null } as const;
  it("leaves defaults out and keeps every filter with the position", () => {
    expect(lessonsHref(none)).toBe("/lessons");
    expect(lessonsHref({ ...none, pageSize: DEFAULT_PAGE_SIZE })).toBe("/lessons");
    const href = lessonsHref(
      { when: "past", status: "Completed", studentId: ID, from: "2026-01-01", to: "2026-12-31", pageSize: 5 },
      cursor,
    );
    const url = new URL(href, "http://x");
    expect(url.pathname).toBe("/lessons");
    expect(parse(url.search.slice(1))).toMatchObject({
      ok: true,
      query: { when: "past", status: "Completed", studentId: ID, pageSize: 5, cursor },
    });
  });
});

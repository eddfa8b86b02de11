import { describe, expect, it } from "vitest";
import {
  ACCESS_ACTIONS,
  accessActionLabel,
  accessCursor,
  accessEntry,
  csvCell,
  csvRow,
  isAccessAction,
} from "./access-log";

describe("accessEntry", () => {
  it("a lesson's open names the learner and the booking", () => {
    expect(accessEntry("tutor", { learnerId: "child", bookingId: "b1" }, "transcript")).toEqual({
      actorId: "tutor",
      learnerId: "child",
      bookingId: "b1",
      action: "transcript",
    });
  });

  it("the learner's own record or export has no booking", () => {
    expect(accessEntry("parent", { learnerId: "child" }, "export")).toEqual({
      actorId: "parent",
      learnerId: "child",
      bookingId: null,
      action: "export",
    });
  });

  it("every action has its words, and only those actions are actions", () => {
    for (const action of ACCESS_ACTIONS) expect(accessActionLabel(action)).toMatch(/^[A-Z]/);
    expect(isAccessAction("deletion")).toBe(true);
    expect(isAccessAction("peek")).toBe(false);
  });
});

describe("accessCursor", () => {
  it("reads an entry id", () => {
    expect(accessCursor("42")).toBe(42n);
    expect(accessCursor("9223372036854775807")).toBe(9223372036854775807n);
  });

  it("anything else is the first page", () => {
    for (const raw of [null, "", "0", "-1", "01", "1.5", "abc", "9223372036854775808", "99999999999999999999"])
      expect(accessCursor(raw)).toBeNull();
  });
});

describe("csvCell", () => {
  it("leaves plain text and numbers alone", () => {
    expect(csvCell("Charlie")).toBe("Charlie");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(-3.5)).toBe("-3.5");
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2026-12-07T10:00:00Z"))).toBe("2026-12-07T10:00:00.000Z");
  });

  it("quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvCell("a, b")).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(" padded ")).toBe('" padded "');
  });

  it.each(["=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tx", "\rx"])(
    "%j cannot run as a formula: prefixed with an apostrophe",
    (text) => {
      expect(csvCell(text).replace(/^"/, "")).toMatch(/^'/);
    },
  );

  it("a formula with a comma is both prefixed and quoted", () => {
    expect(csvCell('=HYPERLINK("http://x",1)')).toBe(`"'=HYPERLINK(""http://x"",1)"`);
  });
});

describe("csvRow", () => {
  it("joins cells with commas and ends with CRLF", () => {
    expect(csvRow(["a", 1, null, "b,c"])).toBe('a,1,,"b,c"\r\n');
  });
});

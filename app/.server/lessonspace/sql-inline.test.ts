import { describe, expect, it } from "vitest";
import { inlineValues, sqlLiteral } from "./sql-inline";

describe("inlineValues", () => {
  it("writes each value in place of its $n, tens included", () => {
    const values = ["a", 2, 3, 4, 5, 6, 7, 8, 9, "ten", "eleven"];
    expect(inlineValues("SELECT $1, $10, $11, $2", values)).toBe("SELECT 'a', 'ten', 'eleven', 2");
  });

  it("quotes strings so that they cannot end the literal", () => {
    expect(inlineValues("WHERE id = $1", ["x'; DROP TABLE bookings; --"])).toBe(
      "WHERE id = 'x''; DROP TABLE bookings; --'",
    );
    // A backslash makes pg use the E'' form with the backslash doubled.
    expect(sqlLiteral("a\\' OR 1=1")).toBe(" E'a\\\\'' OR 1=1'");
  });

  it("does not look again inside what it wrote", () => {
    expect(inlineValues("VALUES ($1, $2)", ["$2", "b"])).toBe("VALUES ('$2', 'b')");
  });

  it("writes dates as UTC instants, booleans, numbers and null", () => {
    expect(sqlLiteral(new Date(Date.UTC(2026, 11, 1, 9, 30)))).toBe("'2026-12-01T09:30:00.000Z'");
    expect([sqlLiteral(true), sqlLiteral(false), sqlLiteral(null), sqlLiteral(undefined)]).toEqual([
      "TRUE",
      "FALSE",
      "NULL",
      "NULL",
    ]);
    expect(sqlLiteral(1530)).toBe("1530");
    expect(inlineValues("SELECT 1-$1", [-5])).toBe("SELECT 1-(-5)");
  });

  it("refuses what it cannot write safely", () => {
    expect(() => inlineValues("SELECT $2", ["only one"])).toThrow(RangeError);
    expect(() => sqlLiteral(Number.NaN)).toThrow(TypeError);
    expect(() => sqlLiteral(new Date(Number.NaN))).toThrow(TypeError);
    expect(() => sqlLiteral({ id: 1 })).toThrow(TypeError);
    expect(() => sqlLiteral(10n)).toThrow(TypeError);
  });
});

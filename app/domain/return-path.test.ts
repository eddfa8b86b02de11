import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it("keeps our own paths with their query", () => {
    expect(safeReturnPath("/bookings/abc?x=1")).toBe("/bookings/abc?x=1");
  });
  it.each(["https://evil.example/", "//evil.example", "/\\evil.example", "evil", "", null, undefined, "/\u0000x"])(
    "refuses %j and falls back to the dashboard",
    (candidate) => {
      expect(safeReturnPath(candidate)).toBe("/");
    },
  );
  it("never returns to the sign-in or sign-out pages", () => {
    expect(safeReturnPath("/sign-in?redirectTo=/x")).toBe("/");
    expect(safeReturnPath("/sign-out")).toBe("/");
  });
});

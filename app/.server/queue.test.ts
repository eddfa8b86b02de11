import { describe, expect, it } from "vitest";
import { describeError } from "./queue";

describe("describeError", () => {
  it("names a thrown Response by its status, and says what a 503 means", () => {
    expect(describeError(new Response(null, { status: 503 }))).toBe("HTTP 503 (the database is unavailable)");
    expect(describeError(new Response(null, { status: 404 }))).toBe("HTTP 404");
  });

  it("gives an Error's message and anything else as text", () => {
    expect(describeError(new Error("connect ECONNREFUSED 127.0.0.1:5432"))).toBe("connect ECONNREFUSED 127.0.0.1:5432");
    expect(describeError("plain")).toBe("plain");
  });
});

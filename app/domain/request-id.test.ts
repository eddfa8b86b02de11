import { describe, expect, it } from "vitest";
import { acceptedRequestId } from "./request-id";

describe("acceptedRequestId", () => {
  it("keeps a short id made of letters, digits, dots, dashes and underscores", () => {
    expect(acceptedRequestId("lb-7f3a.91_x")).toBe("lb-7f3a.91_x");
    expect(acceptedRequestId("a".repeat(64))).toBe("a".repeat(64));
  });

  it("refuses a missing, empty, long, repeated or unsafe one", () => {
    expect(acceptedRequestId(undefined)).toBeNull();
    expect(acceptedRequestId("")).toBeNull();
    expect(acceptedRequestId("a".repeat(65))).toBeNull();
    expect(acceptedRequestId(["one", "two"])).toBeNull();
    for (const unsafe of ['a"b', "a b", "a\nb", "a\u001b[31m", "é", "{}", "a/b"])
      expect(acceptedRequestId(unsafe), JSON.stringify(unsafe)).toBeNull();
  });
});

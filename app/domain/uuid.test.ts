import { describe, expect, it } from "vitest";
import { isUuid } from "./uuid";

describe("isUuid", () => {
  it("takes a UUID in either case and nothing else", () => {
    expect(isUuid("3f2b8c1e-9d4a-4f6b-8e2c-1a2b3c4d5e6f")).toBe(true);
    expect(isUuid("3F2B8C1E-9D4A-4F6B-8E2C-1A2B3C4D5E6F")).toBe(true);
    expect(isUuid("3f2b8c1e9d4a4f6b8e2c1a2b3c4d5e6f")).toBe(false);
    expect(isUuid("3f2b8c1e-9d4a-4f6b-8e2c-1a2b3c4d5e6f ")).toBe(false);
    expect(isUuid("")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { hasNul, NUL_MESSAGE, plainText, withoutNul } from "./plain-text";

describe("plain text", () => {
  it("finds a NUL byte anywhere in the text", () => {
    expect(hasNul("fractions")).toBe(false);
    expect(hasNul("\u0000")).toBe(true);
    expect(hasNul("frac\u0000tions")).toBe(true);
  });

  it("drops every NUL byte and nothing else", () => {
    expect(withoutNul("\u0000frac\u0000tions\u0000\n")).toBe("fractions\n");
  });

  it("a form field with a NUL byte fails with the message; other control characters pass", () => {
    const field = plainText();
    expect(field.safeParse("line one\r\nline two\t").success).toBe(true);
    const refused = field.safeParse("good\u0000");
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe(NUL_MESSAGE);
  });
});

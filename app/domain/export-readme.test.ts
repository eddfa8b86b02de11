import { describe, expect, it } from "vitest";
import { EXPORT_FILES, EXPORT_README } from "./export-readme";

describe("the export's README", () => {
  it("explains every file, and how formulas are kept from running", () => {
    for (const [name] of EXPORT_FILES) expect(EXPORT_README).toContain(`${name}\n    `);
    expect(EXPORT_README).toMatch(/apostrophe/);
  });
});

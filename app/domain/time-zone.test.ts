import { describe, expect, it } from "vitest";
import { isTimeZone, timeZoneChoices, timeZoneNames, usableTimeZone } from "./time-zone";

describe("isTimeZone", () => {
  it.each(["Europe/London", "America/New_York", "Asia/Tokyo", "UTC"])("accepts the IANA zone %s", (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });
  it.each(["Mars/Olympus_Mons", "europe/london", "", "+01:00", "Europe/London ", null, 42])("refuses %j", (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });
});

describe("timeZoneChoices", () => {
  it("lists every zone once, sorted", () => {
    const names = timeZoneNames();
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
    expect(timeZoneChoices("Europe/London")).toBe(names);
  });
  it("keeps a stored zone the list does not know, so the select still shows it", () => {
    expect(timeZoneChoices("Legacy/Zone")[0]).toBe("Legacy/Zone");
  });
});

describe("usableTimeZone", () => {
  it("keeps any zone Intl can format in, aliases included", () => {
    expect(usableTimeZone("Europe/London")).toBe("Europe/London");
    expect(usableTimeZone("Asia/Calcutta")).toBe("Asia/Calcutta");
  });
  it("falls back to UTC for a zone Intl refuses", () => {
    expect(usableTimeZone("Mars/Olympus_Mons")).toBe("UTC");
    expect(usableTimeZone("")).toBe("UTC");
  });
});

/**
 * Which time zones a viewer may choose: the IANA names this runtime knows (Intl), plus "UTC",
 * which Intl.supportedValuesOf leaves out. Pure; the list is computed once.
 */
let names: readonly string[] | undefined;

export function timeZoneNames(): readonly string[] {
  names ??= [...new Set([...Intl.supportedValuesOf("timeZone"), "UTC"])].sort();
  return names;
}

export function isTimeZone(candidate: unknown): candidate is string {
  return typeof candidate === "string" && timeZoneNames().includes(candidate);
}

/** The choices for a select: every known zone, plus the current one if it is an alias we do not list. */
export function timeZoneChoices(current: string): readonly string[] {
  const all = timeZoneNames();
  return all.includes(current) ? all : [current, ...all];
}

/**
 * The zone to format a viewer's times in: their stored zone when Intl can use it (aliases such
 * as "Asia/Calcutta" included), else UTC, so one bad row cannot break every page they open.
 */
export function usableTimeZone(stored: string): string {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: stored });
    return stored;
  } catch {
    return "UTC";
  }
}

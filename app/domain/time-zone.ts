/**
 * Which time zones a viewer may choose: the IANA names this runtime knows (Intl), plus "UTC",
 * which Intl.supportedValuesOf leaves out. Pure; the list is computed once.
 */
let names: readonly string[] | undefined;
let nameSet: ReadonlySet<string> | undefined;

export function timeZoneNames(): readonly string[] {
  names ??= [...new Set([...Intl.supportedValuesOf("timeZone"), "UTC"])].sort();
  return names;
}

export function isTimeZone(candidate: unknown): candidate is string {
  nameSet ??= new Set(timeZoneNames());
  return typeof candidate === "string" && nameSet.has(candidate);
}

/** The choices for a select: every known zone, plus the current one if it is an alias we do not list. */
export function timeZoneChoices(current: string): readonly string[] {
  const all = timeZoneNames();
  return all.includes(current) ? all : [current, ...all];
}

const usableZones = new Map<string, string>();

/**
 * The zone to format a viewer's times in: their stored zone when Intl can use it (aliases such
 * as "Asia/Calcutta" included), else UTC, so one bad row cannot break every page they open.
 */
export function usableTimeZone(stored: string): string {
  let usable = usableZones.get(stored);
  if (usable === undefined) {
    // Asking Intl means building a formatter: once per stored value, a bounded few (what is stored was chosen from a list).
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: stored });
      usable = stored;
    } catch {
      usable = "UTC";
    }
    if (usableZones.size < 1_000) usableZones.set(stored, usable);
  }
  return usable;
}

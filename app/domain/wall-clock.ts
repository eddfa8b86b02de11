/**
 * Civil dates and wall-clock times in a zone, and the instants they name. Pure: the zone's rules
 * come from the runtime's ICU data (Intl), no date library.
 *
 * A civil date is "YYYY-MM-DD"; a wall-clock time is "HH:MM". Where a zone skips an hour (spring
 * forward) a time inside the gap names the instant one offset later, as a clock on the wall would
 * read after jumping; where it repeats an hour (fall back) it names the first of the two.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, found);
  }
  return found;
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in ms (BST: +3,600,000). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const parts = partsFormatter(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  // Whole seconds: the instant's milliseconds are not on the wall clock.
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant the wall clock of `timeZone` reads `time` on `day`. */
export function instantAt(day: string, time: string, timeZone: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const [hh, mm] = time.split(":").map(Number) as [number, number];
  const asUtc = Date.UTC(y, m - 1, d, hh, mm);
  // The offset before the change first: a repeated hour gives its first instant, a skipped one
  // lands after the jump (its offset read at the first guess moves it forward).
  const first = asUtc - zoneOffsetMs(new Date(asUtc - 24 * 3600_000), timeZone);
  const offset = zoneOffsetMs(new Date(first), timeZone);
  const second = asUtc - offset;
  return new Date(zoneOffsetMs(new Date(second), timeZone) === offset ? second : first);
}

/** A civil date moved by `days` (calendar arithmetic, no zone involved). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Monday = 0 … Sunday = 6. */
export function weekdayIndex(day: string): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The Monday of the week holding the civil date `day`. */
export function mondayOf(day: string): string {
  return addDays(day, -weekdayIndex(day));
}

/** "HH:MM" on the wall clock of `timeZone` at `instant`. */
export function wallTime(instant: Date, timeZone: string): string {
  const parts = partsFormatter(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${part("hour")}:${part("minute")}`;
}

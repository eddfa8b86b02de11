/**
 * How times and durations read on our pages. Pure: the server formats in the viewer's profile
 * time zone (IANA) and the browser only shows the text, so no date library ships to it.
 */
import { usableTimeZone } from "./time-zone";

const LOCALE = "en-GB";

// Building an Intl.DateTimeFormat costs far more than using one, and a page formats hundreds of
// times: one formatter per (pattern, zone) for the life of the process. The patterns are the fixed
// few below, so the cache is bounded by the zones people use.
const TIME: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const DAY_WITH_YEAR: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
// en-US numeric dates read "11/25/2026" (MM/DD/YYYY), which calendarDay rearranges: far cheaper than formatToParts.
const US_DATE: Intl.DateTimeFormatOptions = { year: "numeric", month: "2-digit", day: "2-digit" };
const ZONE_NAME: Intl.DateTimeFormatOptions = { timeZoneName: "short" };
const PATTERNS = { TIME, DAY_WITH_YEAR, US_DATE, ZONE_NAME } as const;
type Pattern = keyof typeof PATTERNS;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, pattern: Pattern): Intl.DateTimeFormat {
  const key = `${pattern} ${timeZone}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(pattern === "US_DATE" ? "en-US" : LOCALE, { ...PATTERNS[pattern], timeZone });
    formatters.set(key, found);
  }
  return found;
}

// Formatting an instant through ICU costs microseconds and a page formats the same lesson times
// over and over (and on every request): the results are remembered per (pattern, zone, instant),
// in one table per pattern and zone keyed by the instant's milliseconds, so a lookup builds no key
// string. The same inputs always give the same text, so the only limit is size: full means start afresh.
const REMEMBERED_LIMIT = 20_000;
type RememberedKind = "TIME" | "DAY" | "WEEKDAY" | "ZONE";
const remembered = new Map<RememberedKind, Map<string, Map<number, string>>>();
let rememberedCount = 0;
function remember(kind: RememberedKind, instant: number, timeZone: string, compute: () => string): string {
  let text = rememberedTexts(kind, timeZone).get(instant);
  if (text === undefined) {
    text = compute();
    if (rememberedCount >= REMEMBERED_LIMIT) {
      remembered.clear();
      rememberedCount = 0;
    }
    rememberedTexts(kind, timeZone).set(instant, text);
    rememberedCount++;
  }
  return text;
}

function rememberedTexts(kind: RememberedKind, timeZone: string): Map<number, string> {
  let byZone = remembered.get(kind);
  if (!byZone) remembered.set(kind, (byZone = new Map()));
  let texts = byZone.get(timeZone);
  if (!texts) byZone.set(timeZone, (texts = new Map()));
  return texts;
}

/** "15:00" on the wall clock of `timeZone`. */
export function formatTime(date: Date, timeZone: string): string {
  return remember("TIME", date.getTime(), timeZone, () => formatter(timeZone, "TIME").format(date));
}

/** The calendar day of `date` in `timeZone`, as "2026-11-25". */
export function calendarDay(date: Date, timeZone: string): string {
  return remember("DAY", date.getTime(), timeZone, () => {
    const [month, day, year] = formatter(timeZone, "US_DATE").format(date).split("/");
    return `${year}-${month}-${day}`;
  });
}

/** "Wed 25 Nov", with the year only when it is not the year of `now` in that zone. */
export function formatDay(date: Date, timeZone: string, now: Date): string {
  const withYear = dayWithYear(date, timeZone);
  const sameYear = withYear.year === calendarDay(now, timeZone).slice(0, 4);
  return sameYear ? withYear.withoutYear : `${withYear.withoutYear} ${withYear.year}`;
}

/** "Wed 25 Nov" and "2026" of `date` in `timeZone`, remembered as "Wed 25 Nov|2026". */
function dayWithYear(date: Date, timeZone: string): { withoutYear: string; year: string } {
  const text = remember("WEEKDAY", date.getTime(), timeZone, () => {
    // Assembled from parts: ICU punctuates the same pattern differently with and without a year.
    const parts = formatter(timeZone, "DAY_WITH_YEAR").formatToParts(date);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
    return `${[part("weekday"), part("day"), part("month")].filter(Boolean).join(" ")}|${part("year")}`;
  });
  const bar = text.lastIndexOf("|");
  return { withoutYear: text.slice(0, bar), year: text.slice(bar + 1) };
}

/** "Wed 25 Nov, 15:00". */
export function formatDateTime(date: Date, timeZone: string, now: Date): string {
  return `${formatDay(date, timeZone, now)}, ${formatTime(date, timeZone)}`;
}

/** "15:00" when `date` falls on the same day as `reference` in that zone, else the full date and time. */
export function formatTimeNear(date: Date, reference: Date, timeZone: string, now: Date): string {
  return calendarDay(date, timeZone) === calendarDay(reference, timeZone)
    ? formatTime(date, timeZone)
    : formatDateTime(date, timeZone, now);
}

/** "Wed 25 Nov, 15:00–16:00", or both full dates when the lesson crosses midnight. */
export function formatTimeRange(start: Date, end: Date, timeZone: string, now: Date): string {
  return `${formatDateTime(start, timeZone, now)}–${formatTimeNear(end, start, timeZone, now)}`;
}

/** "45 min", "1 h", "1 h 30 min". */
export function formatMinutes(totalMinutes: number): string {
  const minutes = Math.max(0, Math.round(totalMinutes));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * A measured duration: whole seconds below a minute ("45 s"), else to the nearest minute. Never
 * "0 min" or "under a minute" beside a figure a parent would compare it with.
 */
export function formatSeconds(seconds: number): string {
  if (seconds < 59.5) return `${Math.max(0, Math.round(seconds))} s`;
  return formatMinutes(seconds / 60);
}

/**
 * "Europe/London (GMT)": the zone's IANA name and its short name at `at` (BST in summer).
 * Remembered per zone and UTC minute: zones change their names only on whole minutes, and every
 * page shows this for "now", which would otherwise be a new ICU call per request.
 */
export function timeZoneLabel(timeZone: string, at: Date): string {
  const minute = Math.floor(at.getTime() / 60_000) * 60_000;
  return remember("ZONE", minute, timeZone, () => {
    const short = formatter(timeZone, "ZONE_NAME")
      .formatToParts(new Date(minute))
      .find((part) => part.type === "timeZoneName")?.value;
    return short && short !== timeZone ? `${timeZone} (${short})` : timeZone;
  });
}

/** "Wed 25 Nov, 15:00" in the viewer's time zone (a broken stored zone falls back safely). */
export function lessonTime(date: Date, timeZone: string, now: Date): string {
  return formatDateTime(date, usableTimeZone(timeZone), now);
}

/**
 * /lessons: what the address bar may ask for (filters, page size, a position in the list) and
 * the links back to it. Pure: the viewer's time zone is passed in, and nothing here touches the
 * database. Every value is checked strictly; anything malformed is a problem the page shows as a
 * 400, never a guess. A cursor is only a position (start time and id): the query that uses it is
 * always scoped to the viewer, so a cursor copied from someone else shows nothing of theirs.
 */
import type { BookingStatus } from "./join-window";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_RANGE_YEARS = 5;

export const WHEN_CHOICES = ["all", "upcoming", "past"] as const;
export type When = (typeof WHEN_CHOICES)[number];
export const STATUS_CHOICES = [
  "Pending",
  "Confirmed",
  "Completed",
  "Cancelled",
  "Declined",
] as const satisfies readonly BookingStatus[];

/**
 * A place in the list: the lesson's start in whole microseconds since 1970 (PostgreSQL keeps
 * microseconds; milliseconds could split two lessons the database orders apart) and its id.
 */
export type Position = { startMicros: string; id: string };

/**
 * `next`: the page after this position in the list's order (older lessons when newest come
 * first); `previous`: the page before it.
 */
export type Cursor = { direction: "next" | "previous"; position: Position };

export type LessonFilters = {
  when: When;
  status: BookingStatus | null;
  studentId: string | null;
  /** Calendar days ("2026-11-25") in the viewer's zone, as typed; both inclusive. */
  from: string | null;
  to: string | null;
};

export type LessonQuery = LessonFilters & {
  /** The date range as instants: from the start of `from` to the start of the day after `to`. */
  startsFrom: Date | null;
  startsBefore: Date | null;
  pageSize: number;
  cursor: Cursor | null;
};

export type ParsedLessonQuery = { ok: true; query: LessonQuery } | { ok: false; problems: string[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Lists of upcoming lessons read soonest first; every other list newest first. */
export function listOrder(when: When): "asc" | "desc" {
  return when === "upcoming" ? "asc" : "desc";
}

// ---------------------------------------------------------------------------------------------
// Cursor: base64url of "n|p.<start µs>.<id>", so it reads as opaque in the address bar.

export function encodeCursor(cursor: Cursor): string {
  const text = `${cursor.direction === "next" ? "n" : "p"}.${cursor.position.startMicros}.${cursor.position.id}`;
  return toBase64Url(text);
}

// The text is ASCII, so btoa/atob (in Node and browsers alike) do; base64url has no padding.
const toBase64Url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function fromBase64Url(value: string): string | null {
  try {
    return atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
}

// Microseconds for years 1000 to 9999, generously: at most 18 digits and an optional sign.
const CURSOR_TEXT = /^([np])\.(-?\d{1,18})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function decodeCursor(value: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(value)) return null;
  const text = fromBase64Url(value);
  // Only the exact encoding we write is accepted (no other bits in the last character).
  if (text === null || toBase64Url(text) !== value) return null;
  const match = CURSOR_TEXT.exec(text);
  if (!match) return null;
  const micros = BigInt(match[2]!);
  if (micros < MIN_MICROS || micros > MAX_MICROS) return null;
  return {
    direction: match[1] === "n" ? "next" : "previous",
    position: { startMicros: micros.toString(), id: match[3]! },
  };
}

// PostgreSQL's timestamptz covers far more; these keep a cursor inside what Date can show.
const MIN_MICROS = BigInt(Date.UTC(1000, 0, 1)) * 1000n;
const MAX_MICROS = BigInt(Date.UTC(9999, 11, 31)) * 1000n;

// ---------------------------------------------------------------------------------------------
// Calendar days in a time zone

type CalendarDay = { year: number; month: number; day: number };

function parseDay(value: string): CalendarDay | null {
  const match = DAY.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31 February over into March: only a real calendar day round-trips.
  if (year < 1000 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return { year, month, day };
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** How far the wall clock of `timeZone` is ahead of UTC at `instant`, in milliseconds. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  let format = offsetFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    offsetFormatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a calendar day begins in `timeZone` (its local midnight, or the first moment after
 * it where a clock change skips midnight).
 */
export function startOfDayIn(day: CalendarDay, timeZone: string): Date {
  const wallMidnight = Date.UTC(day.year, day.month - 1, day.day);
  // The offset at the guess may differ from the offset at the answer across a clock change: ask twice.
  const first = wallMidnight - zoneOffsetMs(wallMidnight, timeZone);
  const second = wallMidnight - zoneOffsetMs(first, timeZone);
  return new Date(Math.max(first, second));
}

function nextDay(day: CalendarDay): CalendarDay {
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day + 1));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function yearsLater(day: CalendarDay, years: number): CalendarDay {
  const date = new Date(Date.UTC(day.year + years, day.month - 1, day.day));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

const dayNumber = (day: CalendarDay) => Date.UTC(day.year, day.month - 1, day.day);

// ---------------------------------------------------------------------------------------------
// The query string

/**
 * Reads /lessons' query string. Empty fields (a GET form sends every field) mean "no filter";
 * an unknown or malformed value is a problem, never silently dropped; a page size out of range is
 * clamped, since any size in range shows the same lessons.
 */
export function parseLessonQuery(params: URLSearchParams, timeZone: string): ParsedLessonQuery {
  const problems: string[] = [];
  const single = (name: string): string | null => {
    const values = params.getAll(name);
    if (values.length > 1) {
      problems.push(`Give “${name}” once.`);
      return null;
    }
    const value = values[0]?.trim() ?? "";
    return value === "" ? null : value;
  };

  const whenValue = single("when");
  let when: When = "all";
  if (whenValue !== null) {
    if ((WHEN_CHOICES as readonly string[]).includes(whenValue)) when = whenValue as When;
    else problems.push("Choose all, upcoming or past lessons.");
  }

  const statusValue = single("status");
  let status: BookingStatus | null = null;
  if (statusValue !== null) {
    if ((STATUS_CHOICES as readonly string[]).includes(statusValue)) status = statusValue as BookingStatus;
    else problems.push("Choose a status from the list.");
  }

  const studentValue = single("student");
  let studentId: string | null = null;
  if (studentValue !== null) {
    if (UUID.test(studentValue)) studentId = studentValue;
    else problems.push("Choose a student from the list.");
  }

  const fromValue = single("from");
  const toValue = single("to");
  const fromDay = fromValue === null ? null : parseDay(fromValue);
  const toDay = toValue === null ? null : parseDay(toValue);
  if (fromValue !== null && !fromDay) problems.push("Give the “from” date as a calendar date (YYYY-MM-DD).");
  if (toValue !== null && !toDay) problems.push("Give the “to” date as a calendar date (YYYY-MM-DD).");
  if (fromDay && toDay) {
    if (dayNumber(fromDay) > dayNumber(toDay)) problems.push("The “from” date is after the “to” date.");
    else if (dayNumber(toDay) >= dayNumber(yearsLater(fromDay, MAX_RANGE_YEARS))) {
      problems.push(`Choose dates at most ${MAX_RANGE_YEARS} years apart, or leave one of them empty.`);
    }
  }

  const sizeValue = single("size");
  let pageSize = DEFAULT_PAGE_SIZE;
  if (sizeValue !== null) {
    if (/^\d{1,6}$/.test(sizeValue)) pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(sizeValue)));
    else problems.push(`Give the page size as a whole number up to ${MAX_PAGE_SIZE}.`);
  }

  const cursorValue = single("cursor");
  const cursor = cursorValue === null ? null : decodeCursor(cursorValue);
  if (cursorValue !== null && !cursor)
    problems.push("This page link is broken or out of date. Start again from the first page.");

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    query: {
      when,
      status,
      studentId,
      from: fromValue,
      to: toValue,
      startsFrom: fromDay ? startOfDayIn(fromDay, timeZone) : null,
      startsBefore: toDay ? startOfDayIn(nextDay(toDay), timeZone) : null,
      pageSize,
      cursor,
    },
  };
}

/** The address of a /lessons page with these filters (defaults left out) and this position. */
export function lessonsHref(query: LessonFilters & { pageSize?: number }, cursor: Cursor | null = null): string {
  const params = new URLSearchParams();
  if (query.when !== "all") params.set("when", query.when);
  if (query.status) params.set("status", query.status);
  if (query.studentId) params.set("student", query.studentId);
  if (query.from) params.set("from", query.from);
  if (query.to) params.set("to", query.to);
  if (query.pageSize !== undefined && query.pageSize !== DEFAULT_PAGE_SIZE) params.set("size", String(query.pageSize));
  if (cursor) params.set("cursor", encodeCursor(cursor));
  const search = params.toString();
  return search ? `/lessons?${search}` : "/lessons";
}

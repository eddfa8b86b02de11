/**
 * The access log's words and rules (docs/decisions/0072-access-log-append-only.md): what an entry
 * records, whose entries a viewer reads, how a page of them is addressed, and how the export
 * writes a spreadsheet cell. Pure.
 */

/** What was opened or done. The migration's CHECK constraint lists the same words. */
export const ACCESS_ACTIONS = [
  "recording",
  "transcript",
  "transcript-search",
  "snapshot",
  "learning-record",
  "export",
  "deletion",
] as const;

export type AccessAction = (typeof ACCESS_ACTIONS)[number];

export type AccessEntry = {
  actorId: string;
  learnerId: string;
  bookingId: string | null;
  action: AccessAction;
};

/** The entry for one open or change: a lesson's (recording, transcript…) or the learner's own (record, export). */
export function accessEntry(
  actorId: string,
  learner: { learnerId: string; bookingId?: string | null },
  action: AccessAction,
): AccessEntry {
  return { actorId, learnerId: learner.learnerId, bookingId: learner.bookingId ?? null, action };
}

const WHAT: Record<AccessAction, string> = {
  recording: "Opened the recording",
  transcript: "Read the transcript",
  "transcript-search": "Found the transcript in a search",
  snapshot: "Opened the whiteboard snapshot",
  "learning-record": "Opened the learning record",
  export: "Downloaded everything (export)",
  deletion: "Deleted the transcript and summary",
};

export function accessActionLabel(action: AccessAction): string {
  return WHAT[action];
}

export function isAccessAction(value: string): value is AccessAction {
  return (ACCESS_ACTIONS as readonly string[]).includes(value);
}

/**
 * Who reads which entries of a learner's log: the family (active guardians, the adult learner)
 * reads all of them; a tutor who taught the learner reads only their own, never the family's.
 */
export type LogReader = { kind: "family" } | { kind: "tutor"; actorId: string };

/** Entries per page of the "Who has looked" page. */
export const ACCESS_PAGE_SIZE = 50;

/**
 * A page is addressed by the id of the last entry on the previous one (ids grow in the order rows
 * are appended, so "newest first" is id descending). Anything else is the first page.
 */
export function accessCursor(raw: string | null): bigint | null {
  if (!raw || !/^[1-9][0-9]{0,18}$/.test(raw)) return null;
  const id = BigInt(raw);
  return id <= 9223372036854775807n ? id : null;
}

// ---------------------------------------------------------------------------------------------
// CSV for the export

/**
 * One CSV cell (RFC 4180). A cell a spreadsheet would read as a formula (starting with =, +, -,
 * @, a tab or a carriage return) is prefixed with an apostrophe, so a transcript's words never run
 * as a formula on the family's computer.
 */
export function csvCell(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = value instanceof Date ? value.toISOString() : value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly (string | number | boolean | Date | null | undefined)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

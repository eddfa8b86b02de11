// Setup file of the integration project: what the app logs in a test file is kept here, parsed,
// instead of going to stdout, so tests can read it (and the run's output stays readable).
import { logTo } from "~/.server/logger";

export type LogLine = { level: string; time: string; msg: string } & Record<string, unknown>;

const lines: LogLine[] = [];
logTo({ write: (line) => void lines.push(JSON.parse(line) as LogLine) });

/** Every line logged in this test file so far. */
export function loggedLines(): LogLine[] {
  return lines;
}

/** A view of the lines logged from now on. */
export function logsFromNow(): () => LogLine[] {
  const first = lines.length;
  return () => lines.slice(first);
}

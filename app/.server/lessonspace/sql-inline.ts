import pg from "pg";

/**
 * The one exception to "values are always bound" (app/.server/db.ts `sql`), private to
 * app/.server/lessonspace/ (app/layers.test.ts checks): the webhook hot path sends BEGIN, its
 * lock and its read as one simple-protocol message, because bound parameters need the extended
 * protocol, one statement per round trip, and those round trips cost more per delivery than
 * anything else it does (measured by bench/webhooks.ts).
 *
 * A parameterised statement with its values written in as SQL literals, for the simple query
 * protocol, which takes several statements in one message but no parameters: the webhook hot path
 * sends BEGIN with its first read, and its write with COMMIT, in one round trip each. Strings are
 * quoted by pg's own escapeLiteral; only the value types our statements use are accepted.
 */
export function inlineValues(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= values.length) throw new RangeError(`No value for $${n}.`);
    return sqlLiteral(values[index]);
  });
}

export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return pg.escapeLiteral(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be written as SQL.`);
    // Parenthesised so that a negative number never meets a preceding minus as a comment (--).
    return value < 0 ? `(${value})` : String(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("An invalid date cannot be written as SQL.");
    return pg.escapeLiteral(value.toISOString());
  }
  throw new TypeError(`A ${typeof value} cannot be written as an SQL literal.`);
}

/** Errors meaning "the database cannot be reached right now", as opposed to a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "P1001" || code === "P1002" || code === "P1017" || code === "P2024") return true;
  // From pg directly (the hand-written reads): SQLSTATE class 08 (connection exception), and the
  // server shutting down, crashed or not yet accepting connections (57P01-57P03); socket errors.
  if (
    typeof code === "string" &&
    (/^08[0-9A-Z]{3}$/.test(code) ||
      /^57P0[123]$/.test(code) ||
      ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code))
  )
    return true;
  const kind = (error as { meta?: { driverAdapterError?: { cause?: { kind?: string } } } } | null)?.meta
    ?.driverAdapterError?.cause?.kind;
  if (kind && ["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"].includes(kind))
    return true;
  const message = error instanceof Error ? error.message : "";
  // "timeout exceeded when trying to connect": pg-pool found no free connection in time (an
  // overloaded or unreachable database); the request is worth retrying, not a bug of ours.
  // "not queryable": a pooled pg client whose connection broke, handed out before the pool dropped it.
  return /Can't reach database|ECONNREFUSED|ECONNRESET|terminating connection|the database system is (starting up|shutting down|not yet accepting connections|in recovery mode)|Connection terminated|timeout exceeded when trying to connect|is not queryable/i.test(
    message,
  );
}

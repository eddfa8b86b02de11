/** Errors meaning "the database cannot be reached right now", as opposed to a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "P1001" || code === "P1002" || code === "P1017" || code === "P2024") return true;
  const kind = (error as { meta?: { driverAdapterError?: { cause?: { kind?: string } } } } | null)?.meta?.driverAdapterError?.cause?.kind;
  if (kind && ["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"].includes(kind)) return true;
  const message = error instanceof Error ? error.message : "";
  // "timeout exceeded when trying to connect": pg-pool found no free connection in time (an
  // overloaded or unreachable database); the request is worth retrying, not a bug of ours.
  return /Can't reach database|ECONNREFUSED|terminating connection|the database system is (starting up|shutting down)|Connection terminated|timeout exceeded when trying to connect/i.test(message);
}

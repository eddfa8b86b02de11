/**
 * A request id a proxy in front of us already gave the request is kept, so its log and ours join
 * up; only a short, plain one, since it is written into every log line and a response header.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The incoming X-Request-Id when it is safe to reuse, else null (the server then makes one). */
export function acceptedRequestId(header: string | string[] | undefined): string | null {
  return typeof header === "string" && SAFE_REQUEST_ID.test(header) ? header : null;
}

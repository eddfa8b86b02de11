/**
 * Where a transcript may be downloaded from (docs/decisions/0047-transcripts-fetched-by-a-job-within-limits.md). The URL comes from a signed
 * Lessonspace delivery but is still outside input: we only ever request origins on an allowlist
 * (`LESSONSPACE_TRANSCRIPT_ORIGINS`, space separated), so a URL or a redirect pointing at
 * 127.0.0.1, 169.254.169.254 or anywhere else is refused before any request is made. Pure.
 *
 * A pattern is `scheme://host[:port]`, where a `*` stands for exactly one DNS label
 * (`https://*.s3.*.amazonaws.com` matches `bucket.s3.eu-west-2.amazonaws.com`, not
 * `evil.example/.s3.x.amazonaws.com` nor `a.b.s3.amazonaws.com`). IP literals match only when
 * listed literally (the local stand-in's `http://127.0.0.1:port`), never through a wildcard.
 */

export type OriginPattern = { scheme: "http" | "https"; hostLabels: string[]; port: string; text: string };

export const DEFAULT_TRANSCRIPT_ORIGINS = "https://*.s3.amazonaws.com https://*.s3.*.amazonaws.com";

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const PATTERN = /^(https?):\/\/([^/:?#]+)(?::(\d{1,5}))?\/?$/i;

export type ParsedOrigins = { ok: true; patterns: OriginPattern[] } | { ok: false; problem: string };

/** The allowlist from its environment text; `production` refuses anything but https. */
export function parseTranscriptOrigins(text: string, options: { production: boolean }): ParsedOrigins {
  const patterns: OriginPattern[] = [];
  for (const entry of text.split(/\s+/).filter(Boolean)) {
    const match = PATTERN.exec(entry);
    if (!match) return { ok: false, problem: `"${entry}" is not an origin such as https://*.s3.amazonaws.com.` };
    const scheme = match[1]!.toLowerCase() as "http" | "https";
    const host = match[2]!.toLowerCase();
    // Production is https only; the one exception is a literal loopback origin with its port, which
    // only the local stack uses (Playwright runs the production build against the stand-in).
    const loopbackWithPort = host === "127.0.0.1" && match[3] !== undefined;
    if (options.production && scheme !== "https" && !loopbackWithPort) {
      return { ok: false, problem: `"${entry}": only https origins are allowed in production.` };
    }
    const hostLabels = IPV4.test(host) ? [host] : host.split(".");
    const wildcardOk = IPV4.test(host) || hostLabels.every((label) => label === "*" || LABEL.test(label));
    // A bare "*" or "*.com" would allow nearly anything: a wildcard needs two fixed labels after it.
    const fixedAfterLastWildcard = hostLabels.length - 1 - hostLabels.lastIndexOf("*");
    if (!wildcardOk || (hostLabels.includes("*") && fixedAfterLastWildcard < 2)) {
      return { ok: false, problem: `"${entry}" has a host we cannot use safely.` };
    }
    patterns.push({ scheme, hostLabels, port: match[3] ?? defaultPort(scheme), text: entry });
  }
  return { ok: true, patterns };
}

function defaultPort(scheme: string): string {
  return scheme === "https" ? "443" : "80";
}

/** Whether `url` may be requested: its scheme, host and port match one pattern; no credentials. */
export function isAllowedTranscriptUrl(url: string | URL, patterns: readonly OriginPattern[]): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  const scheme = parsed.protocol.replace(/:$/, "");
  if (scheme !== "http" && scheme !== "https") return false;
  const host = parsed.hostname.toLowerCase();
  const port = parsed.port || defaultPort(scheme);
  const isIpLiteral = host.startsWith("[") || IPV4.test(host); // IPv6 is never listed, so never allowed
  const labels = isIpLiteral ? [host] : host.split(".");
  return patterns.some(
    (pattern) =>
      pattern.scheme === scheme &&
      pattern.port === port &&
      pattern.hostLabels.length === labels.length &&
      pattern.hostLabels.every((label, index) =>
        label === "*" ? !isIpLiteral && LABEL.test(labels[index]!) : label === labels[index],
      ),
  );
}

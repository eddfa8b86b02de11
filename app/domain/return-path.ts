/**
 * Only our own paths may be a return target: anything else (absolute URLs, protocol-relative
 * `//evil`, backslash tricks) would make sign-in an open redirect.
 */
export function safeReturnPath(candidate: string | null | undefined, fallback = "/"): string {
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.includes("\\")) {
    return fallback;
  }
  if (/[\u0000-\u001f]/.test(candidate)) return fallback;
  if (candidate.startsWith("/sign-in") || candidate.startsWith("/sign-out")) return fallback;
  return candidate;
}

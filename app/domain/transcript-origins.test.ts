import { describe, expect, it } from "vitest";
import { DEFAULT_TRANSCRIPT_ORIGINS, isAllowedTranscriptUrl, parseTranscriptOrigins } from "./transcript-origins";

function patterns(text: string, production = false) {
  const parsed = parseTranscriptOrigins(text, { production });
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.patterns;
}

describe("the default allowlist (Amazon S3)", () => {
  const s3 = patterns(DEFAULT_TRANSCRIPT_ORIGINS, true);
  it.each([
    "https://lessonspace-transcripts.s3.amazonaws.com/abc.json?X-Amz-Signature=1",
    "https://bucket.s3.eu-west-2.amazonaws.com/t/1.json",
  ])("allows %s", (url) => expect(isAllowedTranscriptUrl(url, s3)).toBe(true));

  it.each([
    ["http, not https", "http://bucket.s3.amazonaws.com/a.json"],
    ["another host", "https://evil.example/a.json"],
    ["a look-alike suffix", "https://bucket.s3.amazonaws.com.evil.example/a.json"],
    ["a second label in the wildcard", "https://a.b.s3.amazonaws.com/a.json"],
    ["another port", "https://bucket.s3.amazonaws.com:8443/a.json"],
    ["credentials in the URL", "https://user:pw@bucket.s3.amazonaws.com/a.json"],
    ["loopback", "https://127.0.0.1/a.json"],
    ["the cloud metadata address", "http://169.254.169.254/latest/meta-data/"],
    ["not a URL", "not a url"],
    ["another scheme", "file:///etc/passwd"],
  ])("refuses %s", (_why, url) => expect(isAllowedTranscriptUrl(url, s3)).toBe(false));
});

describe("parseTranscriptOrigins", () => {
  it("allows a listed loopback origin outside production (the stand-in)", () => {
    const local = patterns("https://*.s3.amazonaws.com http://127.0.0.1:4010");
    expect(isAllowedTranscriptUrl("http://127.0.0.1:4010/transcripts/x.json", local)).toBe(true);
    expect(isAllowedTranscriptUrl("http://127.0.0.1:4011/transcripts/x.json", local)).toBe(false);
    expect(isAllowedTranscriptUrl("http://localhost:4010/transcripts/x.json", local)).toBe(false);
  });

  it("never lets a wildcard match an IP address", () => {
    expect(isAllowedTranscriptUrl("https://10.0.0.1/x", patterns("https://*.*.example.com https://*.0.0.1"))).toBe(
      false,
    );
  });

  it("refuses http origins in production, except a literal loopback origin with a port (the local stack's stand-in)", () => {
    for (const text of [
      "http://bucket.s3.amazonaws.com",
      "http://*.s3.amazonaws.com",
      "http://127.0.0.1",
      "http://localhost:4010",
      "http://10.0.0.1:80",
    ]) {
      expect(parseTranscriptOrigins(text, { production: true })).toMatchObject({
        ok: false,
        problem: expect.stringContaining("only https"),
      });
    }
    expect(parseTranscriptOrigins("http://127.0.0.1:4010", { production: true }).ok).toBe(true);
  });

  it.each(["*", "https://*", "https://*.com", "https://example.com/path", "ftp://example.com"])(
    "refuses the pattern %s",
    (text) => {
      expect(parseTranscriptOrigins(text, { production: false }).ok).toBe(false);
    },
  );

  it("accepts an empty list (nothing can be fetched)", () => {
    expect(patterns("")).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const complete = {
  NODE_ENV: "production",
  DATABASE_URL: "postgresql://db/app",
  APP_URL: "https://classroom.tutorwise.example",
  SUPABASE_URL: "https://project.supabase.co",
  SUPABASE_PUBLISHABLE_KEY: "anon",
  SUPABASE_SERVICE_ROLE_KEY: "service",
  LESSONSPACE_API_KEY: "key",
  LESSONSPACE_ORGANISATION_ID: "42",
};

describe("parseEnv", () => {
  it("accepts a complete production configuration and fills the defaults", () => {
    const env = parseEnv(complete);
    expect(env.LESSONSPACE_API_URL).toBe("https://api.thelessonspace.com");
    expect(env.STORAGE_DRIVER).toBe("supabase");
  });

  it("names every missing variable at once", () => {
    const { SUPABASE_URL: _a, LESSONSPACE_API_KEY: _b, DATABASE_URL: _c, ...partial } = complete;
    expect(() => parseEnv(partial)).toThrowError(
      /DATABASE_URL is missing[\s\S]*SUPABASE_URL is missing[\s\S]*LESSONSPACE_API_KEY is missing/,
    );
  });

  it("says what is wrong with a malformed value", () => {
    expect(() => parseEnv({ ...complete, APP_URL: "not a url" })).toThrowError(/APP_URL: /);
  });
});

describe("transcription settings", () => {
  it("transcribes by default, and LESSONSPACE_TRANSCRIBE=false turns it off", () => {
    expect(parseEnv(complete).LESSONSPACE_TRANSCRIBE).toBe(true);
    expect(parseEnv({ ...complete, LESSONSPACE_TRANSCRIBE: "false" }).LESSONSPACE_TRANSCRIBE).toBe(false);
    expect(() => parseEnv({ ...complete, LESSONSPACE_TRANSCRIBE: "no" })).toThrowError(/LESSONSPACE_TRANSCRIBE/);
  });

  it("allows only Amazon S3 by default and refuses an http transcript origin in production", () => {
    expect(parseEnv(complete).LESSONSPACE_TRANSCRIPT_ORIGINS).toContain("s3.amazonaws.com");
    expect(() => parseEnv({ ...complete, LESSONSPACE_TRANSCRIPT_ORIGINS: "http://*.s3.amazonaws.com" })).toThrowError(
      /LESSONSPACE_TRANSCRIPT_ORIGINS: .*only https/,
    );
    expect(parseEnv({ ...complete, NODE_ENV: "development", LESSONSPACE_TRANSCRIPT_ORIGINS: "http://localhost:4010" }).LESSONSPACE_TRANSCRIPT_ORIGINS).toBe(
      "http://localhost:4010",
    );
  });
});

import { describe, expect, it } from "vitest";
import { logSettings, parseEnv } from "./env";

const complete = {
  NODE_ENV: "production",
  DATABASE_URL: "postgresql://db/app",
  APP_URL: "https://classroom.tutorwise.example",
  SUPABASE_URL: "https://project.supabase.co",
  SUPABASE_PUBLISHABLE_KEY: "anon",
  SUPABASE_SERVICE_ROLE_KEY: "service",
  LESSONSPACE_API_KEY: "key",
  LESSONSPACE_ORGANISATION_ID: "42",
  SMTP_URL: "smtps://user:pass@smtp.example.com:465",
  MAIL_FROM: "Tutorwise Classroom <noreply@tutorwise.example>",
  MAIL_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
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

  it("needs the e-mail settings: an smtp(s) URL, a sender and a long signing secret", () => {
    const { SMTP_URL: _a, MAIL_FROM: _b, MAIL_SIGNING_SECRET: _c, ...partial } = complete;
    expect(() => parseEnv(partial)).toThrowError(
      /SMTP_URL is missing[\s\S]*MAIL_FROM is missing[\s\S]*MAIL_SIGNING_SECRET is missing/,
    );
    expect(
      parseEnv({ ...complete, SMTP_URL: "smtp://127.0.0.1:1025", MAIL_FROM: "noreply@tutorwise.example" }).SMTP_URL,
    ).toBe("smtp://127.0.0.1:1025");
    expect(() => parseEnv({ ...complete, SMTP_URL: "https://smtp.example.com" })).toThrowError(
      /SMTP_URL: SMTP_URL must be an smtp/,
    );
    expect(() => parseEnv({ ...complete, MAIL_SIGNING_SECRET: "short" })).toThrowError(
      /MAIL_SIGNING_SECRET: .*at least 32/,
    );
  });

  it("refuses a sender that is not one address", () => {
    for (const bad of [
      "Tutorwise",
      "a@example.com, b@example.com",
      "Name <not an address>",
      "x@example.com\r\nBcc: y@example.com",
    ]) {
      expect(() => parseEnv({ ...complete, MAIL_FROM: bad }), bad).toThrowError(/MAIL_FROM: /);
    }
  });

  it('runs the workers in the app process unless WORKERS_IN_PROCESS is "false", and refuses anything else', () => {
    expect(parseEnv(complete).WORKERS_IN_PROCESS).toBe(true);
    expect(parseEnv({ ...complete, WORKERS_IN_PROCESS: "false" }).WORKERS_IN_PROCESS).toBe(false);
    expect(parseEnv({ ...complete, WORKERS_IN_PROCESS: "true" }).WORKERS_IN_PROCESS).toBe(true);
    expect(() => parseEnv({ ...complete, WORKERS_IN_PROCESS: "no" })).toThrowError(
      /WORKERS_IN_PROCESS: WORKERS_IN_PROCESS must be "true" or "false"/,
    );
  });
});

describe("database pools", () => {
  it("sizes the shared pool and pg-boss's pool separately, and refuses a size that is not a positive whole number", () => {
    expect(parseEnv(complete)).toMatchObject({ DATABASE_POOL_SIZE: 10, QUEUE_POOL_SIZE: 6 });
    expect(parseEnv({ ...complete, QUEUE_POOL_SIZE: "3" }).QUEUE_POOL_SIZE).toBe(3);
    expect(() => parseEnv({ ...complete, QUEUE_POOL_SIZE: "0" })).toThrowError(/QUEUE_POOL_SIZE/);
    expect(() => parseEnv({ ...complete, QUEUE_POOL_SIZE: "many" })).toThrowError(/QUEUE_POOL_SIZE/);
  });
});

describe("transcription settings", () => {
  it("sends the weekly digest on Sunday at 18:00 by default; DIGEST_DAY and DIGEST_LOCAL_TIME change it, and nonsense is refused", () => {
    expect(parseEnv(complete)).toMatchObject({ DIGEST_DAY: "sunday", DIGEST_LOCAL_TIME: "18:00" });
    expect(parseEnv({ ...complete, DIGEST_DAY: "monday", DIGEST_LOCAL_TIME: "07:30" })).toMatchObject({
      DIGEST_DAY: "monday",
      DIGEST_LOCAL_TIME: "07:30",
    });
    expect(() => parseEnv({ ...complete, DIGEST_DAY: "Sun" })).toThrowError(/DIGEST_DAY: DIGEST_DAY must be one of/);
    for (const time of ["24:00", "7:30", "18:00:00", "six"])
      expect(() => parseEnv({ ...complete, DIGEST_LOCAL_TIME: time })).toThrowError(/DIGEST_LOCAL_TIME: /);
  });

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
    expect(
      parseEnv({ ...complete, NODE_ENV: "development", LESSONSPACE_TRANSCRIPT_ORIGINS: "http://localhost:4010" })
        .LESSONSPACE_TRANSCRIPT_ORIGINS,
    ).toBe("http://localhost:4010");
  });
});

describe("log settings", () => {
  it("default to info, format chosen by the logger; a wrong level fails the start like any setting", () => {
    expect(parseEnv(complete).LOG_LEVEL).toBe("info");
    expect(parseEnv(complete).LOG_FORMAT).toBeUndefined();
    expect(parseEnv({ ...complete, LOG_LEVEL: "debug", LOG_FORMAT: "pretty" })).toMatchObject({
      LOG_LEVEL: "debug",
      LOG_FORMAT: "pretty",
    });
    expect(() => parseEnv({ ...complete, LOG_LEVEL: "loud" })).toThrowError(/LOG_LEVEL: /);
    expect(() => parseEnv({ ...complete, LOG_FORMAT: "xml" })).toThrowError(/LOG_FORMAT: /);
  });

  it("fall back to the defaults for the logger itself, which must work to report that failure", () => {
    expect(logSettings({ LOG_LEVEL: "warn" })).toEqual({ LOG_LEVEL: "warn" });
    expect(logSettings({ LOG_LEVEL: "loud", LOG_FORMAT: "pretty" })).toEqual({ LOG_LEVEL: "info" });
  });
});

describe("consent and retention settings", () => {
  it("defaults: recording on, children's transcripts and summaries off, adults' on, recording not required", () => {
    expect(parseEnv(complete)).toMatchObject({
      CONSENT_DEFAULT_RECORDING: true,
      CONSENT_DEFAULT_TRANSCRIPTION_CHILD: false,
      CONSENT_DEFAULT_SUMMARIES_CHILD: false,
      CONSENT_DEFAULT_TRANSCRIPTION_ADULT: true,
      CONSENT_DEFAULT_SUMMARIES_ADULT: true,
      RECORDING_REQUIRED: false,
      RETENTION_TRANSCRIPT_DAYS: 365,
      RETENTION_SNAPSHOT_DAYS: 730,
    });
  });

  it("reads each switch and period, and names a bad one", () => {
    const set = parseEnv({ ...complete, RECORDING_REQUIRED: "true", RETENTION_TRANSCRIPT_DAYS: "30" });
    expect([set.RECORDING_REQUIRED, set.RETENTION_TRANSCRIPT_DAYS]).toEqual([true, 30]);
    expect(() => parseEnv({ ...complete, RECORDING_REQUIRED: "yes" })).toThrowError(/RECORDING_REQUIRED/);
    expect(() => parseEnv({ ...complete, RETENTION_SNAPSHOT_DAYS: "0" })).toThrowError(/RETENTION_SNAPSHOT_DAYS/);
  });
});

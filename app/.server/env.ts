import addressparser from "nodemailer/lib/addressparser";
import { z } from "zod";
import { DEFAULT_TRANSCRIPT_ORIGINS, parseTranscriptOrigins } from "~/domain/transcript-origins";
import { DEFAULT_LATE_START_AFTER_MINUTES } from "~/domain/late-start";
import { isLocalTime, WEEKDAYS } from "~/domain/weekly-digest";

// Every setting the server reads, validated once at start. A production start with anything
// missing fails at once, naming each missing variable, instead of failing on the first request.
const url = z.url({ protocol: /^https?$/ });

/** One mailbox, "address@example.com" or "Name <address@example.com>", as nodemailer reads it. */
export function parseMailbox(value: string): { name: string; address: string } | null {
  if (/[\r\n]/.test(value)) return null;
  const parsed = addressparser(value, { flatten: true });
  const only = parsed.length === 1 ? parsed[0] : undefined;
  if (!only || !z.email().safeParse(only.address).success) return null;
  return { name: only.name, address: only.address };
}
const isMailbox = (value: string) => parseMailbox(value) !== null;

/** A "true"/"false" setting with its default. */
const flag = (fallback: "true" | "false", name: string) =>
  z
    .enum(["true", "false"], { error: `${name} must be "true" or "false"` })
    .default(fallback)
    .transform((value) => value === "true");

// Read by the logger (app/.server/logger.ts) on its own as well: it must work before, and while,
// the rest of the configuration fails to validate, to say so.
const logFields = {
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // "pretty" is for a person at a terminal; unset means pretty only in development on a terminal.
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
};
const logSchema = z.object(logFields);
export type LogSettings = z.infer<typeof logSchema>;

/** The logger's settings; invalid ones fall back to the defaults here (env() reports them). */
export function logSettings(source: Record<string, string | undefined>): LogSettings {
  const result = logSchema.safeParse(source);
  return result.success ? result.data : logSchema.parse({});
}

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.string().min(1),
    // Connections per process for Prisma, hand-written SQL, the webhook ingestion and the rate
    // limiter (one shared pool, app/.server/db.ts).
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
    // pg-boss's own pool, opened only where workers run (`npm run worker`, or the app server unless
    // WORKERS_IN_PROCESS=false): such a process holds up to DATABASE_POOL_SIZE + QUEUE_POOL_SIZE.
    QUEUE_POOL_SIZE: z.coerce.number().int().positive().default(6),
    APP_URL: url,
    SUPABASE_URL: url,
    SUPABASE_PUBLISHABLE_KEY: z.string().min(1),
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(1),
    LESSONSPACE_API_URL: url.default("https://api.thelessonspace.com"),
    LESSONSPACE_API_KEY: z.string().min(1),
    LESSONSPACE_ORGANISATION_ID: z.string().min(1),
    // Organisation-wide webhook key, accepted besides each space's own secret.
    LESSONSPACE_SECRET: z.string().min(1).optional(),
    // Origins allowed to be framed by the embedded classroom page (space separated).
    LESSONSPACE_FRAME_ORIGINS: z.string().default("https://*.thelessonspace.com https://go.room.sh"),
    LESSONSPACE_TIMEOUT_MS: z.coerce.number().int().positive().default(8000),
    // Calls a second to Lessonspace's API per key, shared by every process through PostgreSQL
    // (app/.server/lessonspace/call-slots.ts); Lessonspace allows about 5 and answers 429 over it.
    LESSONSPACE_RATE_PER_SECOND: z.coerce.number().positive().default(5),
    // Transcription (docs/decisions/0019-every-launch-sends-the-full-settings.md): "false" for organisations without the add-on; no transcribe, no webhook.
    LESSONSPACE_TRANSCRIBE: z
      .enum(["true", "false"])
      .default("true")
      .transform((value) => value === "true"),
    // Where transcript files may be downloaded from (space separated; https only in production).
    LESSONSPACE_TRANSCRIPT_ORIGINS: z.string().default(DEFAULT_TRANSCRIPT_ORIGINS),
    // Lessonspace summaries (docs/decisions/0063-lessonspace-summaries-api-contract.md): answers other than 429 before the job gives up.
    SUMMARY_MAX_TRIES: z.coerce.number().int().positive().default(8),
    // Transcript downloads each worker process runs at once (app/.server/transcripts/downloads.ts).
    TRANSCRIPT_CONCURRENCY: z.coerce.number().int().positive().default(4),
    STORAGE_DRIVER: z.enum(["local", "supabase"]).default("supabase"),
    STORAGE_DIR: z.string().default(".data/storage"),
    STORAGE_BUCKET: z.string().default("booking-artifacts"),
    // Days an access-log row is kept before the daily job removes it (app/.server/privacy/access-log.ts).
    RETENTION_ACCESS_LOG_DAYS: z.coerce.number().int().positive().default(730),
    LAUNCH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
    SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
    // E-mail (app/.server/notifications/mailer.ts): the provider's SMTP endpoint, e.g. smtps://user:pass@smtp.example.com:465.
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: "SMTP_URL must be an smtp:// or smtps:// URL" }),
    // The sender, with an optional display name: "Tutorwise Classroom <noreply@tutorwise.example>".
    MAIL_FROM: z
      .string()
      .refine(isMailbox, 'MAIL_FROM must be an address, optionally with a name: "Name <address@example.com>"'),
    // Signs the one-click unsubscribe links (app/.server/notifications/unsubscribe-token.ts).
    MAIL_SIGNING_SECRET: z.string().min(32, "MAIL_SIGNING_SECRET must be at least 32 characters"),
    // Minutes after a lesson's start at which a missing tutor or learner is chased (app/domain/late-start.ts).
    LATE_START_AFTER_MINUTES: z.coerce.number().int().positive().max(60).default(DEFAULT_LATE_START_AFTER_MINUTES),
    // The weekly family digest (app/domain/weekly-digest.ts): the weekday and the local time, in each
    // recipient's own zone, it goes out; it reports on the Monday-to-Sunday week that ended by then.
    DIGEST_DAY: z.enum(WEEKDAYS, { error: `DIGEST_DAY must be one of ${WEEKDAYS.join(", ")}` }).default("sunday"),
    DIGEST_LOCAL_TIME: z
      .string()
      .refine(isLocalTime, "DIGEST_LOCAL_TIME must be a 24-hour time, e.g. 18:00")
      .default("18:00"),
    // Background workers (sweep, sends) run inside the app server unless set to false, for
    // deployments that run them apart with `npm run worker` (app/.server/worker.ts).
    WORKERS_IN_PROCESS: z
      .enum(["true", "false"], { error: 'WORKERS_IN_PROCESS must be "true" or "false"' })
      .default("true")
      .transform((value) => value === "true"),
    // What is kept of a learner's lessons when their family has not chosen
    // (docs/decisions/0070-consent-per-learner.md): children's transcripts and summaries are off.
    CONSENT_DEFAULT_RECORDING: flag("true", "CONSENT_DEFAULT_RECORDING"),
    CONSENT_DEFAULT_TRANSCRIPTION_CHILD: flag("false", "CONSENT_DEFAULT_TRANSCRIPTION_CHILD"),
    CONSENT_DEFAULT_SUMMARIES_CHILD: flag("false", "CONSENT_DEFAULT_SUMMARIES_CHILD"),
    CONSENT_DEFAULT_TRANSCRIPTION_ADULT: flag("true", "CONSENT_DEFAULT_TRANSCRIPTION_ADULT"),
    CONSENT_DEFAULT_SUMMARIES_ADULT: flag("true", "CONSENT_DEFAULT_SUMMARIES_ADULT"),
    // Safeguarding: every lesson is recorded; families choose transcription and summaries only.
    RECORDING_REQUIRED: flag("false", "RECORDING_REQUIRED"),
    // How long lesson data is kept, in days from the lesson's start (docs/decisions/0071-retention-of-lesson-data.md).
    RETENTION_TRANSCRIPT_DAYS: z.coerce.number().int().positive().default(365),
    RETENTION_SNAPSHOT_DAYS: z.coerce.number().int().positive().default(730),
    ...logFields,
  })
  .superRefine((value, context) => {
    const origins = parseTranscriptOrigins(value.LESSONSPACE_TRANSCRIPT_ORIGINS, {
      production: value.NODE_ENV === "production",
    });
    if (!origins.ok)
      context.addIssue({ code: "custom", path: ["LESSONSPACE_TRANSCRIPT_ORIGINS"], message: origins.problem });
  });

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".");
    return source[name] === undefined ? `${name} is missing` : `${name}: ${issue.message}`;
  });
  throw new Error(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
}

let cached: Env | undefined;

/** The validated environment; the first call validates, later calls reuse it. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

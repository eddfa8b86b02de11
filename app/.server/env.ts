import { z } from "zod";
import { DEFAULT_TRANSCRIPT_ORIGINS, parseTranscriptOrigins } from "~/domain/transcript-origins";

// Every setting the server reads, validated once at start. A production start with anything
// missing fails at once, naming each missing variable, instead of failing on the first request.
const url = z.url({ protocol: /^https?$/ });

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().min(1),
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
  // Transcription (issue 12): "false" for organisations without the add-on; no transcribe, no webhook.
  LESSONSPACE_TRANSCRIBE: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
  // Where transcript files may be downloaded from (space separated; https only in production).
  LESSONSPACE_TRANSCRIPT_ORIGINS: z.string().default(DEFAULT_TRANSCRIPT_ORIGINS),
  STORAGE_DRIVER: z.enum(["local", "supabase"]).default("supabase"),
  STORAGE_DIR: z.string().default(".data/storage"),
  STORAGE_BUCKET: z.string().default("booking-artifacts"),
  LAUNCH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
  SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
}).superRefine((value, context) => {
  const origins = parseTranscriptOrigins(value.LESSONSPACE_TRANSCRIPT_ORIGINS, { production: value.NODE_ENV === "production" });
  if (!origins.ok) context.addIssue({ code: "custom", path: ["LESSONSPACE_TRANSCRIPT_ORIGINS"], message: origins.problem });
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

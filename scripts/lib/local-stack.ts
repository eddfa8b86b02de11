// The embedded default in one call: a real PostgreSQL from npm, our migrations, the local
// stand-ins for Supabase and Lessonspace, the SMTP catcher with its web inbox, and (optionally) the demo seed. Used by `npm run dev`,
// the Playwright run and the benchmarks, so all three run the same stack.
import path from "node:path";
import { startLessonspaceStandIn, type LessonspaceStandIn } from "../../tests/stand-ins/lessonspace.ts";
import { startSmtpStandIn, type SmtpStandIn } from "../../tests/stand-ins/smtp.ts";
import { startSupabaseStandIn, type SupabaseStandIn } from "../../tests/stand-ins/supabase.ts";
import { createDatabase, databaseUrl, startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres.ts";
import { applyMigrations } from "./migrate.ts";

export type LocalStackOptions = {
  /** Folder for PostgreSQL data and stored files (git-ignored). */
  dataDir: string;
  appUrl: string;
  /** When set, use this PostgreSQL instead of starting the embedded one. */
  databaseUrl?: string;
  ports?: { postgres?: number; supabase?: number; lessonspace?: number; smtp?: number; mailInbox?: number };
  databaseName?: string;
  seed?: boolean;
  ephemeral?: boolean;
  lessonspaceRateLimitPerSecond?: number;
  log?: (message: string) => void;
};

export type LocalStack = {
  env: Record<string, string>;
  databaseUrl: string;
  postgres: RunningPostgres | null;
  supabase: SupabaseStandIn;
  lessonspace: LessonspaceStandIn;
  /** The SMTP catcher the app sends to (SMTP_URL); its web inbox is `smtp.url`. */
  smtp: SmtpStandIn;
  stop(): Promise<void>;
};

export const LOCAL_LESSONSPACE_KEY = "local-lessonspace-key";
export const LOCAL_ORGANISATION_ID = "1";
export const LOCAL_MAIL_FROM = "Tutorwise Classroom <classroom@tutorwise.test>";
// Signs unsubscribe links on this machine only; production sets its own secret.
export const LOCAL_MAIL_SIGNING_SECRET = "local-only-mail-signing-secret-0123456789";

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? ((message: string) => console.log(message));
  const dataDir = path.resolve(options.dataDir);
  let postgres: RunningPostgres | null = null;
  let url = options.databaseUrl;
  if (!url) {
    postgres = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "postgres"),
      port: options.ports?.postgres,
      ephemeral: options.ephemeral,
      log,
    });
    const name = options.databaseName ?? "tutorwise";
    await createDatabase(postgres.url, name).catch((error: unknown) => {
      if (!/already exists/.test(String(error))) throw error;
    });
    url = databaseUrl(postgres.url, name);
  }
  const { applied } = await applyMigrations(url, { log });
  if (applied.length) log(`Applied ${applied.length} migration(s).`);

  const supabase = await startSupabaseStandIn({
    port: options.ports?.supabase,
    storageDir: path.join(dataDir, "supabase-storage"),
  });
  const lessonspace = await startLessonspaceStandIn({
    apiKey: LOCAL_LESSONSPACE_KEY,
    organisationId: LOCAL_ORGANISATION_ID,
    port: options.ports?.lessonspace,
    rateLimitPerSecond: options.lessonspaceRateLimitPerSecond ?? 0,
    // A lesson held in the demo lasts a minute, not five, and its summary is wanted at once
    // (docs/decisions/0063-lessonspace-summaries-api-contract.md).
    summaryReadyAfterMs: 0,
    summaryMinSessionSeconds: 0,
  });
  const smtp = await startSmtpStandIn({ smtpPort: options.ports?.smtp, httpPort: options.ports?.mailInbox });

  const env: Record<string, string> = {
    DATABASE_URL: url,
    APP_URL: options.appUrl,
    SUPABASE_URL: supabase.url,
    SUPABASE_PUBLISHABLE_KEY: supabase.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
    LESSONSPACE_API_URL: lessonspace.url,
    LESSONSPACE_API_KEY: LOCAL_LESSONSPACE_KEY,
    LESSONSPACE_ORGANISATION_ID: LOCAL_ORGANISATION_ID,
    LESSONSPACE_FRAME_ORIGINS: new URL(lessonspace.url).origin,
    // Transcript files come from the stand-in's loopback origin here, from Amazon S3 in production.
    LESSONSPACE_TRANSCRIPT_ORIGINS: `https://*.s3.amazonaws.com https://*.s3.*.amazonaws.com ${new URL(lessonspace.url).origin}`,
    STORAGE_DRIVER: "local",
    STORAGE_DIR: path.join(dataDir, "storage"),
    SMTP_URL: smtp.smtpUrl,
    MAIL_FROM: LOCAL_MAIL_FROM,
    MAIL_SIGNING_SECRET: LOCAL_MAIL_SIGNING_SECRET,
  };

  if (options.seed) {
    const { seedDemo } = await import("../../prisma/seed.ts");
    const { PrismaClient } = await import("../../app/generated/prisma/client.ts");
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    try {
      await seedDemo({
        db,
        supabase: { url: supabase.url, serviceRoleKey: supabase.serviceRoleKey },
        lessonspace: {
          apiUrl: lessonspace.url,
          organisationId: LOCAL_ORGANISATION_ID,
          recordPastSession: lessonspace.recordPastSession,
        },
      });
    } finally {
      await db.$disconnect();
    }
  }

  return {
    env,
    databaseUrl: url,
    postgres,
    supabase,
    lessonspace,
    smtp,
    async stop() {
      await Promise.allSettled([lessonspace.stop(), supabase.stop(), smtp.stop()]);
      await postgres?.stop();
    },
  };
}

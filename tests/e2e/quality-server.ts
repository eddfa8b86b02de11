// A production stack of a test's own, for the fault and observability specs: an embedded
// PostgreSQL the test may stop and restart, the stand-ins, and the production server (the compiled
// build run by plain `node`, as `npm start` runs it) in a child process whose stdout, the
// request log, is captured. A process of its own keeps its environment, its module state (the
// Auth keys it has cached) and its database away from the shared Playwright server.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../app/generated/prisma/client.ts";
import {
  createDatabase,
  removeAbandonedClusters,
  startEmbeddedPostgres,
  type RunningPostgres,
} from "../../scripts/lib/embedded-postgres.ts";
import { freePort } from "../../scripts/lib/free-port.ts";
import { applyMigrations } from "../../scripts/lib/migrate.ts";
import { startLessonspaceStandIn, type LessonspaceStandIn } from "../stand-ins/lessonspace.ts";
import { startSmtpStandIn, type SmtpStandIn } from "../stand-ins/smtp.ts";
import { startSupabaseStandIn, type SupabaseStandIn } from "../stand-ins/supabase.ts";
import { spawnProductionServer } from "../support/production-server.ts";

export const LESSONSPACE_KEY = "quality-lessonspace-key";
export const PASSWORD = "quality-password-2026";
const POSTGRES_PREFIX = "tutorwise-quality-pg-";

export type AppProcess = {
  url: string;
  /** Every line the server wrote to stdout and stderr, in order. */
  output: string[];
  /** Every log line (stdout lines that are JSON), parsed. */
  log(): Record<string, unknown>[];
  /** The request log: one "request" line per answer. */
  requestLog(): Record<string, unknown>[];
  alive(): boolean;
  stop(): Promise<void>;
};

export type ProductionStack = {
  app: AppProcess;
  db: PrismaClient;
  supabase: SupabaseStandIn;
  lessonspace: LessonspaceStandIn;
  smtp: SmtpStandIn;
  env: Record<string, string>;
  stopPostgres(): Promise<void>;
  /** Starts PostgreSQL again on the same port and data. */
  startPostgres(): Promise<void>;
  /** Another server process on the same database and stand-ins (nothing cached yet). */
  startApp(): Promise<AppProcess>;
  /** A profile and its Auth user. */
  createPerson(fullName: string, roles: string[]): Promise<{ id: string; email: string; fullName: string }>;
  stop(): Promise<void>;
};

/**
 * The production server in a process of its own, listening on a free port of 127.0.0.1.
 * `publicUrl` is APP_URL, the address people use; by default the one it listens on.
 */
export async function startAppProcess(
  env: Record<string, string>,
  options: { publicUrl?: string } = {},
): Promise<AppProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, output, stop } = await spawnProductionServer({
    port,
    env: { ...env, APP_URL: options.publicUrl ?? url },
  });
  return {
    url,
    output,
    log: () => logLines(output),
    requestLog: () => logLines(output).filter((entry) => entry.msg === "request"),
    alive: () => child.exitCode === null && child.signalCode === null,
    stop,
  };
}

export async function startProductionStack(
  options: { lessonspaceRetryDelaysMs?: number[]; env?: Record<string, string> } = {},
): Promise<ProductionStack> {
  const log = () => {};
  // A run killed halfway leaves its PostgreSQL running; the next run stops it and removes its data.
  await removeAbandonedClusters(POSTGRES_PREFIX, log);
  let postgres: RunningPostgres = await startEmbeddedPostgres({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), POSTGRES_PREFIX)),
    ephemeral: true,
    log,
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-quality-files-"));
  const databaseUrl = await createDatabase(postgres.url, "tutorwise");
  await applyMigrations(databaseUrl, { log });
  const supabase = await startSupabaseStandIn({ storageDir: path.join(dataDir, "supabase") });
  const lessonspace = await startLessonspaceStandIn({
    apiKey: LESSONSPACE_KEY,
    organisationId: "1",
    rateLimitPerSecond: 0,
    retryDelaysMs: options.lessonspaceRetryDelaysMs,
    refreshSeconds: 0,
  });
  const smtp = await startSmtpStandIn();
  const env: Record<string, string> = {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    SUPABASE_URL: supabase.url,
    SUPABASE_PUBLISHABLE_KEY: supabase.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
    LESSONSPACE_API_URL: lessonspace.url,
    LESSONSPACE_API_KEY: LESSONSPACE_KEY,
    LESSONSPACE_ORGANISATION_ID: "1",
    LESSONSPACE_FRAME_ORIGINS: new URL(lessonspace.url).origin,
    STORAGE_DRIVER: "local",
    STORAGE_DIR: path.join(dataDir, "storage"),
    LAUNCH_RATE_LIMIT_PER_MINUTE: "1000",
    SIGN_IN_RATE_LIMIT_PER_MINUTE: "1000",
    SMTP_URL: smtp.smtpUrl,
    MAIL_FROM: "Tutorwise Classroom <classroom@tutorwise.test>",
    MAIL_SIGNING_SECRET: "quality-stack-mail-signing-secret-0123456",
    ...options.env,
  };
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  const apps: AppProcess[] = [];
  const startApp = async () => {
    const app = await startAppProcess(env);
    apps.push(app);
    return app;
  };
  const app = await startApp();

  return {
    app,
    db,
    supabase,
    lessonspace,
    smtp,
    env,
    startApp,
    async stopPostgres() {
      await postgres.stop();
    },
    async startPostgres() {
      postgres = await startEmbeddedPostgres({ dataDir: postgres.dataDir, port: postgres.port, ephemeral: true, log });
    },
    async createPerson(fullName, roles) {
      const email = `${fullName.toLowerCase().replace(/\W+/g, ".")}.${Math.random().toString(36).slice(2, 8)}@example.test`;
      const { id } = await supabase.createUser({ email, password: PASSWORD });
      await db.profile.create({ data: { id, email, fullName, roles, timeZone: "Europe/London" } });
      return { id, email, fullName };
    },
    async stop() {
      await Promise.allSettled(apps.map((running) => running.stop()));
      await db.$disconnect().catch(() => {});
      await Promise.allSettled([lessonspace.stop(), supabase.stop(), smtp.stop()]);
      await postgres.stop().catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(postgres.dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the app's own form, as a browser on our page would; returns the Cookie header. */
export async function signIn(appUrl: string, email: string): Promise<string> {
  const response = await fetch(`${appUrl}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: appUrl, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: PASSWORD, redirectTo: "/" }),
  });
  if (response.status !== 302) throw new Error(`Sign-in answered ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0]!)
    .join("; ");
}

function logLines(output: string[]): Record<string, unknown>[] {
  return output.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Setup file of the integration project, after the database one: each test file gets its own
// Supabase and Lessonspace stand-ins and SMTP catcher on loopback and the environment the app reads. App modules
// read the environment on first use, so this runs before any test file imports them.
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { afterAll } from "vitest";
import { startLessonspaceStandIn } from "../stand-ins/lessonspace.ts";
import { startSmtpStandIn } from "../stand-ins/smtp.ts";
import { startSupabaseStandIn } from "../stand-ins/supabase.ts";
import { testStandIns } from "./stand-ins.ts";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-it-"));
const supabase = await startSupabaseStandIn({ storageDir: path.join(dataDir, "supabase") });
const lessonspace = await startLessonspaceStandIn({
  apiKey: "test-lessonspace-key",
  organisationId: "1",
  rateLimitPerSecond: 0,
  retryDelaysMs: [50, 100],
});
testStandIns.supabase = supabase;
testStandIns.lessonspace = lessonspace;
const smtp = await startSmtpStandIn();
testStandIns.smtp = smtp;

Object.assign(process.env, {
  NODE_ENV: "test",
  APP_URL: "http://app.test",
  SUPABASE_URL: supabase.url,
  SUPABASE_PUBLISHABLE_KEY: supabase.anonKey,
  SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
  LESSONSPACE_API_URL: lessonspace.url,
  LESSONSPACE_API_KEY: "test-lessonspace-key",
  LESSONSPACE_ORGANISATION_ID: "1",
  LESSONSPACE_FRAME_ORIGINS: new URL(lessonspace.url).origin,
  // The stand-in serves transcript files from its own origin, as the local stack does.
  LESSONSPACE_TRANSCRIPT_ORIGINS: `https://*.s3.amazonaws.com ${new URL(lessonspace.url).origin}`,
  LESSONSPACE_TIMEOUT_MS: "1500",
  // Tests launch many spaces at once; the shared limit has its own tests (lessonspace-limiter.test.ts).
  LESSONSPACE_RATE_PER_SECOND: "1000",
  STORAGE_DRIVER: "local",
  STORAGE_DIR: path.join(dataDir, "storage"),
  SMTP_URL: smtp.smtpUrl,
  MAIL_FROM: "Tutorwise Classroom <classroom@tutorwise.test>",
  MAIL_SIGNING_SECRET: "integration-test-mail-signing-secret-0123",
});

afterAll(async () => {
  await Promise.allSettled([supabase.stop(), lessonspace.stop(), smtp.stop()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

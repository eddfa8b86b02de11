// Shared helpers for end-to-end tests. The server, database and stand-ins are started once by
// global-setup.ts; its environment (DATABASE_URL, SUPABASE_*, LESSONSPACE_*) reaches every worker.
// Tests share one database, so each creates the bookings it changes instead of touching the seed's.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { expect, type Page } from "@playwright/test";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { PrismaClient } from "../../app/generated/prisma/client.ts";
import { DEMO_PASSWORD, demoProfiles } from "../../prisma/seed.ts";

export { DEMO_PASSWORD, demoProfiles };

let client: PrismaClient | undefined;
export function db(): PrismaClient {
  client ??= new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
  return client;
}

export async function signInAs(page: Page, email: string, returnTo = "/") {
  await page.goto(`/sign-in?redirectTo=${encodeURIComponent(returnTo)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** A booking of the demo family (tutor Tara, parent Paula, child Charlie) of this test's own. */
export async function createDemoBooking(
  overrides: Partial<{
    clientId: string;
    tutorId: string;
    studentId: string | null;
    serviceName: string;
    sessionStartTime: Date;
    sessionDuration: number;
    status: "Pending" | "Confirmed" | "Completed" | "Cancelled" | "Declined";
  }> = {},
) {
  return db().booking.create({
    data: {
      id: randomUUID(),
      clientId: demoProfiles.parent.id,
      tutorId: demoProfiles.tutor.id,
      studentId: demoProfiles.child.id,
      serviceName: `E2E lesson ${randomUUID().slice(0, 8)}`,
      sessionStartTime: new Date(Date.now() - 5 * 60_000),
      sessionDuration: 60,
      status: "Confirmed",
      ...overrides,
    },
  });
}

/** A person of the test's own (Auth user with DEMO_PASSWORD, and profile), so changing their settings touches nobody else. */
export async function createPerson(fullName: string, roles: string[]) {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  }).auth.admin;
  const email = `e2e-${randomUUID()}@example.com`;
  const { data, error } = await admin.createUser({ email, password: DEMO_PASSWORD, email_confirm: true });
  if (error || !data.user) throw new Error(`Could not create ${email}: ${error?.message}`);
  await db().profile.create({ data: { id: data.user.id, email, fullName, roles, timeZone: "Europe/London" } });
  return { id: data.user.id, email, fullName };
}

// Bench data on top of the demo seed: a viewer's many bookings, and rooms for signed webhooks.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../app/generated/prisma/client.ts";
import { DEMO_PASSWORD } from "../../prisma/seed.ts";
import type { WebhookRoom } from "./load.ts";
import type { BenchContext } from "./stack.ts";

/**
 * A signed-in-able person of the bench's own (an Auth user in the Supabase stand-in and a profile),
 * so a long history does not change the seed's accounts. Signs in with the demo password.
 */
export async function createBenchViewer(context: BenchContext, fullName: string) {
  const email = `${fullName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${randomUUID().slice(0, 8)}@bench.test`;
  const { id } = await context.stack.supabase.createUser({ email, password: DEMO_PASSWORD });
  await context.db.profile.create({ data: { id, email, fullName, roles: ["client"], timeZone: "Europe/London" } });
  return { id, email, fullName };
}

/**
 * `count` bookings of `clientId` with `tutorId`, every card state: a third in the past (half of
 * those with a recording, every third with a Lessonspace session), a few around now, the rest
 * ahead 12 hours apart; every eleventh cancelled.
 */
export async function addBookings(
  db: PrismaClient,
  options: { clientId: string; tutorId: string; count: number; now?: Date; label?: string },
) {
  const { clientId, tutorId, count, label = "Bench lesson" } = options;
  if (count <= 0) return;
  const now = (options.now ?? new Date()).getTime();
  const rows = Array.from({ length: count }, (_, i) => {
    const offsetMinutes = (i - Math.floor(count / 3)) * 12 * 60 + (i % 7) * 5;
    const past = offsetMinutes < -90;
    return {
      clientId,
      tutorId,
      serviceName: `${label} ${i + 1}`,
      sessionStartTime: new Date(now + offsetMinutes * 60_000),
      sessionDuration: 60,
      status: i % 11 === 0 ? ("Cancelled" as const) : past ? ("Completed" as const) : ("Confirmed" as const),
      durationActual: past ? 3300 + i : null,
      recordingUrl: past && i % 2 === 0 ? "https://lessonspace.example/playback/" : null,
    };
  });
  // In chunks: one statement for thousands of rows would pass PostgreSQL's 65,535 parameters.
  const created: { id: string; sessionStartTime: Date }[] = [];
  for (let i = 0; i < rows.length; i += 1_000) {
    created.push(
      ...(await db.booking.createManyAndReturn({
        data: rows.slice(i, i + 1_000),
        select: { id: true, sessionStartTime: true },
      })),
    );
  }
  await db.lessonspaceSession.createMany({
    data: created
      .filter((b, i) => i % 3 === 0 && b.sessionStartTime.getTime() < now)
      .map((b) => ({
        sessionId: `bench-${b.id}`,
        bookingId: b.id,
        startedAt: b.sessionStartTime,
        endedAt: new Date(b.sessionStartTime.getTime() + 3_300_000),
      })),
  });
}

/**
 * `count` Lessonspace rooms on bookings of two profiles of their own (no sign-in needed), each
 * with its secret and a session for the webhook generator's join/leave deliveries. The two have
 * no e-mail address: their rooms are "open" now, and 400 "classroom is open" reminders composed
 * by the app server's workers would land in whichever speed run the next minute's sweep falls on.
 */
export async function createWebhookRooms(db: PrismaClient, count: number): Promise<WebhookRoom[]> {
  const tutor = randomUUID();
  const client = randomUUID();
  await db.profile.createMany({
    data: [
      { id: tutor, fullName: "Webhook Bench Tutor" },
      { id: client, fullName: "Webhook Bench Learner" },
    ],
  });
  const bookings = await db.booking.createManyAndReturn({
    data: Array.from({ length: count }, (_, i) => ({
      clientId: client,
      tutorId: tutor,
      serviceName: `Webhook bench room ${i + 1}`,
      sessionStartTime: new Date(),
      sessionDuration: 60,
      status: "Confirmed" as const,
    })),
    select: { id: true },
  });
  const rooms = bookings.map((booking) => ({
    roomId: randomUUID(),
    secret: randomUUID(),
    sessionId: randomUUID(),
    profileId: tutor,
    bookingId: booking.id,
  }));
  await db.lessonspaceSpace.createMany({
    data: rooms.map((room) => ({
      roomId: room.roomId,
      bookingId: room.bookingId,
      launchId: `booking-${room.bookingId}`,
      secret: room.secret,
    })),
  });
  return rooms.map(({ roomId, secret, sessionId, profileId }) => ({ roomId, secret, sessionId, profileId }));
}

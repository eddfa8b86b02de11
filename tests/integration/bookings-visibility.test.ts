// Who may see a booking: the Prisma and SQL forms of the rule (app/.server/bookings/visibility.ts)
// give every kind of viewer the same answer.
import { beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "~/generated/prisma/client";
import { db, sql } from "~/.server/db";
import {
  learnerLessonsSql,
  learnerLessonsWhere,
  participantConditions,
  participantOrGuardianIdsSql,
  participantOrGuardianSql,
  participantOrGuardianWhere,
  participantSql,
  participantWhere,
} from "~/.server/bookings/visibility";
import { addGuardian, createBooking, createProfile, type TestProfile } from "../support/app.ts";

type Who = "client" | "tutor" | "student" | "activeGuardian" | "pendingGuardian" | "stranger";
const people = {} as Record<Who, TestProfile>;
let bookingId: string;
let adultBookingId: string;

beforeAll(async () => {
  const whos: Who[] = ["client", "tutor", "student", "activeGuardian", "pendingGuardian", "stranger"];
  const profiles = await Promise.all(whos.map((who) => createProfile({ fullName: `Visibility ${who}` })));
  whos.forEach((who, i) => (people[who] = profiles[i]!));
  await addGuardian(people.activeGuardian.id, people.student.id, "ACTIVE");
  await addGuardian(people.pendingGuardian.id, people.student.id, "PENDING");
  bookingId = (
    await createBooking({ clientId: people.client.id, tutorId: people.tutor.id, studentId: people.student.id })
  ).id;
  // An adult learner's own lesson: no student, so the client is the learner.
  adultBookingId = (await createBooking({ clientId: people.stranger.id, tutorId: people.tutor.id })).id;
});

const sees = async (condition: Prisma.Sql) =>
  (await sql<{ id: string }>(Prisma.sql`SELECT b.id FROM bookings b WHERE b.id = ${bookingId}::uuid AND ${condition}`))
    .length === 1;

const participants: Record<Who, boolean> = {
  client: true,
  tutor: true,
  student: true,
  activeGuardian: false,
  pendingGuardian: false,
  stranger: false,
};
const withGuardians: Record<Who, boolean> = { ...participants, activeGuardian: true };
const cases = Object.keys(participants) as Who[];

describe("participants only (the booking page, cards, /lessons)", () => {
  it.each(cases)("the %s gets the same answer from Prisma and from SQL", async (who) => {
    const viewerId = people[who].id;
    const expected = participants[who];
    const prisma = await db.booking.findFirst({ where: { id: bookingId, ...participantWhere(viewerId) } });
    expect(prisma !== null).toBe(expected);
    expect(await sees(participantSql(viewerId, "b"))).toBe(expected);
    // The per-index form that positions.ts runs as UNIONed branches: any one branch holds.
    const branches = participantConditions(viewerId).map(
      (condition) => Prisma.sql`SELECT id FROM bookings WHERE id = ${bookingId}::uuid AND ${condition}`,
    );
    expect((await sql(Prisma.join(branches, " UNION "))).length === 1).toBe(expected);
  });
});

describe("participants and active guardians of the student (recording, snapshot, transcripts)", () => {
  it.each(cases)("the %s gets the same answer from Prisma and from SQL", async (who) => {
    const viewerId = people[who].id;
    const expected = withGuardians[who];
    const prisma = await db.booking.findFirst({ where: { id: bookingId, ...participantOrGuardianWhere(viewerId) } });
    expect(prisma !== null).toBe(expected);
    expect(await sees(participantOrGuardianSql(viewerId, "b"))).toBe(expected);
    expect(await sees(Prisma.sql`b.id IN (${participantOrGuardianIdsSql(viewerId)})`)).toBe(expected);
  });
});

describe("a learner's lessons (the learning record)", () => {
  it.each([
    ["the assigned student", "student", [true, false]],
    ["the client who booked for their child", "client", [false, false]],
    ["the adult learner who booked for themself", "stranger", [false, true]],
  ] as const)("%s: the same lessons from Prisma and from SQL", async (_name, who, expected) => {
    const learnerId = people[who].id;
    for (const [i, id] of [bookingId, adultBookingId].entries()) {
      const prisma = await db.booking.findFirst({ where: { id, ...learnerLessonsWhere(learnerId) } });
      const rows = await sql(
        Prisma.sql`SELECT 1 FROM bookings b WHERE b.id = ${id}::uuid AND ${learnerLessonsSql(learnerId, "b")}`,
      );
      expect([prisma !== null, rows.length === 1]).toEqual([expected[i], expected[i]]);
    }
  });
});

// The calendar entry's SEQUENCE (bookings.calendar_sequence) is kept by the database: the booking
// system changes bookings with plain SQL that maintains nothing else, and a calendar ignores an
// update whose SEQUENCE did not grow.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { createBooking, createProfile, type TestProfile } from "../support/app.ts";

let tutor: TestProfile, client: TestProfile;

beforeAll(async () => {
  [tutor, client] = await Promise.all([createProfile({ fullName: "Tara Tutor" }), createProfile()]);
});

async function sequenceOf(id: string): Promise<number> {
  return (await db.booking.findUniqueOrThrow({ where: { id }, select: { calendarSequence: true } })).calendarSequence;
}

describe("calendar sequence", () => {
  it("an UPDATE through raw SQL that touches only the start time raises it, and updated_at is left alone", async () => {
    const booking = await createBooking({ clientId: client.id, tutorId: tutor.id });
    const before = await sequenceOf(booking.id);
    await db.$executeRaw`UPDATE bookings SET session_start_time = session_start_time + interval '1 hour' WHERE id = ${booking.id}::uuid`;
    expect(await sequenceOf(booking.id)).toBe(before + 1);
    const row = await db.booking.findUniqueOrThrow({ where: { id: booking.id }, select: { updatedAt: true } });
    expect(row.updatedAt).toEqual(booking.updatedAt);
  });

  it("a change of length or status raises it too, one at a time", async () => {
    const booking = await createBooking({ clientId: client.id, tutorId: tutor.id });
    const before = await sequenceOf(booking.id);
    await db.$executeRaw`UPDATE bookings SET session_duration = 90 WHERE id = ${booking.id}::uuid`;
    expect(await sequenceOf(booking.id)).toBe(before + 1);
    await db.$executeRaw`UPDATE bookings SET status = 'Cancelled' WHERE id = ${booking.id}::uuid`;
    expect(await sequenceOf(booking.id)).toBe(before + 2);
  });

  it("an UPDATE of another column, or one that writes the same start, length and status, does not", async () => {
    const booking = await createBooking({ clientId: client.id, tutorId: tutor.id });
    const before = await sequenceOf(booking.id);
    await db.$executeRaw`UPDATE bookings SET service_name = 'GCSE Physics', duration_actual = 3000 WHERE id = ${booking.id}::uuid`;
    await db.$executeRaw`UPDATE bookings SET session_start_time = session_start_time, session_duration = session_duration, status = status WHERE id = ${booking.id}::uuid`;
    await db.booking.update({ where: { id: booking.id }, data: { recordingUrl: "https://example.test/r" } });
    expect(await sequenceOf(booking.id)).toBe(before);
  });
});

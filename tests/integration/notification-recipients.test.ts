// recipientsForBookings: the people of many bookings loaded at once from real PostgreSQL, the rule
// in app/domain/notification-recipients.ts applied, in the same few queries whatever their number.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "~/.server/db";
import { recipientsForBookings } from "~/.server/notifications/recipients";
import type { BookingNotificationKind } from "~/domain/notification-kinds";
import { addGuardian, createBooking, createProfile, type TestProfile } from "../support/app.ts";

/** A profile with no address of its own (and so no login): a young child. */
async function childWithoutEmail(fullName: string) {
  return db.profile.create({
    data: { id: randomUUID(), fullName, email: null, roles: ["student"] },
    select: { id: true, fullName: true },
  });
}

async function names(bookingId: string, kind: BookingNotificationKind) {
  const map = await recipientsForBookings([bookingId], kind);
  return (map.get(bookingId) ?? []).map((r) => `${r.fullName}:${r.role}`);
}

let tutor: TestProfile;
beforeAll(async () => {
  tutor = await createProfile({ fullName: "Tara Tutor", roles: ["tutor"] });
});

describe("who receives a booking's messages", () => {
  it("tutor, client, an ACTIVE second guardian and the child with an address get the reminder; a PENDING guardian does not", async () => {
    const [parent, coParent, pendingAunt, child] = await Promise.all([
      createProfile({ fullName: "Paula Parent" }),
      createProfile({ fullName: "Colin CoParent", timeZone: "America/New_York" }),
      createProfile({ fullName: "Pam Pending" }),
      createProfile({ fullName: "Charlie Child" }),
    ]);
    await addGuardian(parent.id, child.id);
    await addGuardian(coParent.id, child.id);
    await addGuardian(pendingAunt.id, child.id, "PENDING");
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });

    const reminder = (await recipientsForBookings([booking.id], "reminder_classroom_open")).get(booking.id)!;
    expect(reminder.map((r) => `${r.fullName}:${r.role}`)).toEqual([
      "Tara Tutor:tutor",
      "Paula Parent:client",
      "Colin CoParent:guardian",
      "Charlie Child:student",
    ]);
    expect(reminder.find((r) => r.role === "guardian")).toEqual({
      profileId: coParent.id,
      fullName: "Colin CoParent",
      email: coParent.email,
      timeZone: "America/New_York",
      role: "guardian",
    });
    expect(await names(booking.id, "lesson_record")).toEqual(["Paula Parent:client", "Colin CoParent:guardian"]);
    expect(await names(booking.id, "review_prompt")).toEqual(["Tara Tutor:tutor"]);
  });

  it("a child without an address is reached through the guardians only", async () => {
    const parent = await createProfile({ fullName: "Fiona Parent" });
    const child = await childWithoutEmail("Sam Small");
    await addGuardian(parent.id, child.id);
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id });
    expect(await names(booking.id, "reminder_day_before")).toEqual(["Tara Tutor:tutor", "Fiona Parent:client"]);
  });

  it("someone who switched a kind off does not get that kind, but still gets the others", async () => {
    const parent = await createProfile({ fullName: "Olive OptedOut" });
    await db.notificationPreference.create({
      data: { profileId: parent.id, kind: "reminder_day_before", enabled: false },
    });
    await db.notificationPreference.create({ data: { profileId: tutor.id, kind: "review_prompt", enabled: true } });
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id });
    expect(await names(booking.id, "reminder_day_before")).toEqual(["Tara Tutor:tutor"]);
    expect(await names(booking.id, "reminder_classroom_open")).toEqual(["Tara Tutor:tutor", "Olive OptedOut:client"]);
    expect(await names(booking.id, "review_prompt")).toEqual(["Tara Tutor:tutor"]);
  });

  it("an address marked undeliverable is left out", async () => {
    const parent = await createProfile({ fullName: "Una Undeliverable" });
    await db.profile.update({ where: { id: parent.id }, data: { emailUndeliverableAt: new Date() } });
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id });
    expect(await names(booking.id, "reminder_classroom_open")).toEqual(["Tara Tutor:tutor"]);
  });

  it("answers each booking asked about, an empty list for none, and leaves out unknown ids", async () => {
    expect((await recipientsForBookings([], "lesson_record")).size).toBe(0);
    const parent = await createProfile({ fullName: "Ada Adult" });
    const booking = await createBooking({ clientId: parent.id, tutorId: tutor.id });
    const map = await recipientsForBookings([booking.id, randomUUID()], "lesson_record");
    expect([...map.keys()]).toEqual([booking.id]);
    expect(map.get(booking.id)!.map((r) => r.fullName)).toEqual(["Ada Adult"]);
  });
});

describe("cost", () => {
  it("makes the same few queries for 3 bookings as for 300", async () => {
    async function familiesWithBookings(count: number): Promise<string[]> {
      const families = Array.from({ length: count }, (_, i) => ({
        i,
        parentId: randomUUID(),
        childId: randomUUID(),
        bookingId: randomUUID(),
      }));
      await db.profile.createMany({
        data: families.flatMap(({ i, parentId, childId }) => [
          { id: parentId, fullName: `Parent ${i}`, email: `${parentId}@example.test` },
          { id: childId, fullName: `Child ${i}`, email: i % 2 ? `${childId}@example.test` : null },
        ]),
      });
      await db.profileGraph.createMany({
        data: families.map(({ i, parentId, childId }) => ({
          sourceProfileId: parentId,
          targetProfileId: childId,
          relationshipType: "GUARDIAN" as const,
          status: i % 3 ? ("ACTIVE" as const) : ("PENDING" as const),
        })),
      });
      await db.notificationPreference.createMany({
        data: families
          .filter(({ i }) => i % 4 === 0)
          .map(({ parentId }) => ({ profileId: parentId, kind: "reminder_day_before", enabled: false })),
      });
      await db.booking.createMany({
        data: families.map(({ parentId, childId, bookingId }) => ({
          id: bookingId,
          clientId: parentId,
          tutorId: tutor.id,
          studentId: childId,
          serviceName: "GCSE Maths",
          sessionStartTime: new Date(),
          sessionDuration: 60,
          status: "Confirmed" as const,
        })),
      });
      return families.map((f) => f.bookingId);
    }
    const few = await familiesWithBookings(3);
    const many = await familiesWithBookings(300);
    const queries = vi.spyOn(pg.Client.prototype, "query");
    try {
      const count = async (ids: string[]) => {
        queries.mockClear();
        const map = await recipientsForBookings(ids, "reminder_day_before");
        expect(map.size).toBe(ids.length);
        return queries.mock.calls.length;
      };
      const forFew = await count(few);
      const forMany = await count(many);
      expect(forMany).toBe(forFew);
      // Bookings, guardian edges, profiles, their opt-outs.
      expect(forMany).toBeLessThanOrEqual(4);
    } finally {
      queries.mockRestore();
    }
  });
});

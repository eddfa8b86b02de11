// The dashboard: who sees which bookings, in which order, with which state and times.
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "~/.server/db";
import type { BookingCardView } from "~/domain/booking-card";
import * as dashboard from "~/routes/dashboard";
import {
  addGuardian,
  callLoader,
  callPage,
  createBooking,
  createProfile,
  signIn,
  type TestProfile,
} from "../support/app.ts";

type DashboardData = {
  timeZone: string;
  ready: BookingCardView[];
  upcoming: BookingCardView[];
  recent: BookingCardView[];
  moreUpcoming: boolean;
  moreRecent: boolean;
  refresh: { afterMs: number; afterSeconds: number } | null;
};

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

async function dashboardFor(person: TestProfile) {
  const result = await callPage(dashboard, "/", { cookie: await signIn(person) });
  expect(result.status).toBe(200);
  const data = result.data as DashboardData;
  const all = [...data.ready, ...data.upcoming, ...data.recent];
  return { data, root: result.root, all, ids: new Set(all.map((card) => card.id)) };
}

let tutor: TestProfile, parent: TestProfile, child: TestProfile, adult: TestProfile;
let otherTutor: TestProfile, otherParent: TestProfile, otherChild: TestProfile;
const booking = {} as Record<
  | "childUpcoming"
  | "parentReady"
  | "childInProgress"
  | "childCompleted"
  | "childCancelled"
  | "childOld"
  | "adultReady"
  | "otherFamily",
  string
>;

beforeAll(async () => {
  [tutor, parent, child, adult, otherTutor, otherParent, otherChild] = await Promise.all([
    createProfile({ fullName: "Tara Singh", roles: ["tutor"] }),
    createProfile({ fullName: "Paula Brown", roles: ["client"] }),
    createProfile({ fullName: "Charlie Brown", roles: ["student"] }),
    createProfile({ fullName: "Adam Okafor", roles: ["client"] }),
    createProfile({ fullName: "Tom Novak", roles: ["tutor"] }),
    createProfile({ fullName: "Fiona Reyes", roles: ["client"] }),
    createProfile({ fullName: "Sam Reyes", roles: ["student"] }),
  ]);
  await addGuardian(parent.id, child.id);
  await addGuardian(otherParent.id, otherChild.id);
  const family = { clientId: parent.id, tutorId: tutor.id };
  booking.childUpcoming = (
    await createBooking({
      ...family,
      studentId: child.id,
      serviceName: "Child upcoming",
      sessionStartTime: minutes(3 * 60),
    })
  ).id;
  booking.parentReady = (
    await createBooking({ ...family, studentId: null, serviceName: "Parent ready", sessionStartTime: minutes(10) })
  ).id;
  booking.childInProgress = (
    await createBooking({
      ...family,
      studentId: child.id,
      serviceName: "Child in progress",
      sessionStartTime: minutes(-20),
    })
  ).id;
  booking.childCompleted = (
    await createBooking({
      ...family,
      studentId: child.id,
      serviceName: "Child completed",
      sessionStartTime: minutes(-26 * 60),
      status: "Completed",
    })
  ).id;
  booking.childCancelled = (
    await createBooking({
      ...family,
      studentId: child.id,
      serviceName: "Child cancelled",
      sessionStartTime: minutes(24 * 60),
      status: "Cancelled",
    })
  ).id;
  booking.childOld = (
    await createBooking({
      ...family,
      studentId: child.id,
      serviceName: "Child old",
      sessionStartTime: minutes(-7 * 24 * 60),
    })
  ).id;
  booking.adultReady = (
    await createBooking({
      clientId: adult.id,
      tutorId: tutor.id,
      serviceName: "Adult ready",
      sessionStartTime: minutes(-5),
      sessionDuration: 30,
    })
  ).id;
  booking.otherFamily = (
    await createBooking({
      clientId: otherParent.id,
      tutorId: otherTutor.id,
      studentId: otherChild.id,
      serviceName: "Other family",
      sessionStartTime: minutes(-10),
    })
  ).id;
});

describe("who sees which bookings", () => {
  it("a client sees the bookings they pay for, their child's included, and nobody else's", async () => {
    const { ids } = await dashboardFor(parent);
    expect(ids).toEqual(
      new Set([
        booking.childUpcoming,
        booking.parentReady,
        booking.childInProgress,
        booking.childCompleted,
        booking.childCancelled,
        booking.childOld,
      ]),
    );
  });

  it("a tutor sees the bookings they teach, across families, and not another tutor's", async () => {
    const { ids } = await dashboardFor(tutor);
    expect(ids.has(booking.adultReady)).toBe(true);
    expect(ids.has(booking.childUpcoming)).toBe(true);
    expect(ids.has(booking.otherFamily)).toBe(false);
    expect(ids.size).toBe(7);
  });

  it("a student sees only the bookings assigned to them", async () => {
    const { ids } = await dashboardFor(child);
    expect(ids).toEqual(
      new Set([
        booking.childUpcoming,
        booking.childInProgress,
        booking.childCompleted,
        booking.childCancelled,
        booking.childOld,
      ]),
    );
  });

  it("an adult learner sees their own booking, attending it themself", async () => {
    const { all } = await dashboardFor(adult);
    expect(all.map((card) => card.id)).toEqual([booking.adultReady]);
    expect(all[0]!.attendee).toEqual({ name: "Adam Okafor", asAdultLearner: true });
  });

  it("the second family sees only its own booking, and the first family's never", async () => {
    for (const person of [otherParent, otherChild, otherTutor]) {
      const { all } = await dashboardFor(person);
      expect(all.map((card) => card.id)).toEqual([booking.otherFamily]);
    }
  });

  it("someone in no booking sees an empty dashboard", async () => {
    const { all } = await dashboardFor(await createProfile());
    expect(all).toEqual([]);
  });
});

describe("order and state", () => {
  it("ready first, then upcoming soonest first, then recent newest first", async () => {
    const { data } = await dashboardFor(parent);
    expect(data.ready.map((card) => card.serviceName)).toEqual(["Child in progress", "Parent ready"]);
    // Lessons are placed by their time (docs/decisions/0030-bounded-dashboard-and-keyset-history.md), so tomorrow's cancelled lesson is under Upcoming, marked cancelled.
    expect(data.upcoming.map((card) => card.serviceName)).toEqual(["Child upcoming", "Child cancelled"]);
    expect(data.upcoming[1]!.state).toBe("cancelled");
    expect(data.recent.map((card) => card.serviceName)).toEqual(["Child completed", "Child old"]);
    expect(data).toMatchObject({ moreUpcoming: false, moreRecent: false });
  });

  it("each card carries the state the server computed and names tutor, attendee and durations", async () => {
    const { all } = await dashboardFor(parent);
    const card = (name: string) => all.find((c) => c.serviceName === name)!;
    expect(card("Child in progress")).toMatchObject({
      state: "in_progress",
      badge: "In progress",
      tutorName: "Tara Singh",
      attendee: { name: "Charlie Brown", asAdultLearner: false },
    });
    expect(card("Parent ready")).toMatchObject({
      state: "ready",
      badge: "Ready to join",
      attendee: { name: "Paula Brown", asAdultLearner: true },
    });
    expect(card("Child upcoming")).toMatchObject({ state: "upcoming", plannedDuration: "1 h" });
    expect(card("Child completed")).toMatchObject({ state: "unrecorded", badge: "Completed", recording: "none" });
    expect(card("Child cancelled")).toMatchObject({ state: "cancelled", badge: "Cancelled" });
  });

  it("times are in the viewer's time zone, which the page names", async () => {
    const traveller = await createProfile({ fullName: "Tokyo Parent", timeZone: "Asia/Tokyo" });
    await createBooking({
      clientId: traveller.id,
      tutorId: tutor.id,
      serviceName: "Tokyo lesson",
      sessionStartTime: new Date("2031-03-04T15:00:00Z"),
    });
    const { data, all } = await dashboardFor(traveller);
    expect(data.timeZone).toBe("Asia/Tokyo (GMT+9)");
    expect(all[0]).toMatchObject({ state: "upcoming", explanation: "Scheduled for Wed 5 Mar 2031, 00:00." });
  });

  it("asks the page to refresh at the next window edge", async () => {
    const { data } = await dashboardFor(parent);
    // "Parent ready" starts in about ten minutes: the next edge on this dashboard.
    expect(data.refresh!.afterSeconds).toBeGreaterThan(9 * 60);
    expect(data.refresh!.afterSeconds).toBeLessThanOrEqual(10 * 60);
  });

  it("a completed lesson with a recording offers it, and one whose session just ended says it is being prepared", async () => {
    const withRecording = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      serviceName: "Recorded",
      sessionStartTime: minutes(-3 * 60),
      status: "Completed",
    });
    await db.booking.update({
      where: { id: withRecording.id },
      data: { recordingUrl: "https://lessonspace.example/playback/", durationActual: 3480 },
    });
    const justEnded = await createBooking({
      clientId: parent.id,
      tutorId: tutor.id,
      serviceName: "Just ended",
      sessionStartTime: minutes(-2 * 60),
      status: "Completed",
    });
    await db.lessonspaceSession.create({
      data: {
        sessionId: `s-${justEnded.id}`,
        bookingId: justEnded.id,
        startedAt: minutes(-120),
        endedAt: minutes(-62),
      },
    });
    const { all } = await dashboardFor(parent);
    expect(all.find((c) => c.id === withRecording.id)).toMatchObject({
      recording: "available",
      actualDuration: "58 min",
    });
    expect(all.find((c) => c.id === justEnded.id)).toMatchObject({ recording: "preparing" });
  });
});

describe("bounded whatever the history", () => {
  it("5,000 lessons: every ready one, the next 10 and the last 10, links to the rest, and small loader data", async () => {
    const viewer = await createProfile({ fullName: "Five Years Parent" });
    const student = await createProfile({ fullName: "Five Years Child" });
    // 4,000 past lessons, 1,000 ahead, one every 9 hours (some cancelled, some ahead of now), plus two ready now.
    await db.$executeRaw`
      INSERT INTO bookings (client_id, tutor_id, student_id, service_name, session_start_time, session_duration, status)
      SELECT ${viewer.id}::uuid, ${tutor.id}::uuid, CASE WHEN g % 2 = 0 THEN ${student.id}::uuid END, 'History ' || g,
             now() + (g - 4000) * interval '9 hours' + interval '2 hours', 60,
             (CASE WHEN g % 7 = 0 THEN 'Cancelled' WHEN g < 4000 THEN 'Completed' ELSE 'Confirmed' END)::booking_status
        FROM generate_series(1, 5000) AS g`;
    const ready = await Promise.all([
      createBooking({ clientId: viewer.id, tutorId: tutor.id, serviceName: "Ready A", sessionStartTime: minutes(5) }),
      createBooking({ clientId: viewer.id, tutorId: tutor.id, serviceName: "Ready B", sessionStartTime: minutes(-30) }),
    ]);
    const { data, root } = await dashboardFor(viewer);
    expect(data.ready.map((card) => card.id)).toEqual([ready[1].id, ready[0].id]);
    const truth = async (where: object, order: "asc" | "desc") =>
      (
        await db.booking.findMany({
          where: { clientId: viewer.id, ...where },
          orderBy: [{ sessionStartTime: order }, { id: order }],
          take: 10,
          select: { id: true },
        })
      ).map((b) => b.id);
    expect(data.upcoming.map((card) => card.id)).toEqual(await truth({ sessionStartTime: { gt: minutes(15) } }, "asc"));
    expect(data.recent.map((card) => card.id)).toEqual(await truth({ sessionStartTime: { lt: minutes(-90) } }, "desc"));
    // Cancelled lessons ahead stay under Upcoming, marked cancelled.
    expect(data.upcoming.some((card) => card.state === "cancelled")).toBe(true);
    expect(data.recent.every((card) => !["upcoming", "ready", "in_progress"].includes(card.state))).toBe(true);
    expect(data).toMatchObject({ moreUpcoming: true, moreRecent: true });
    // What the page does not render is not sent: no ids or roles of the viewer in the hydration data.
    // The header's viewer comes once, from the root, with only what the header shows.
    expect(root?.viewer).toEqual({ fullName: "Five Years Parent", timeZone: "Europe/London" });
    expect(data).not.toHaveProperty("viewer");
    expect(JSON.stringify(data).length).toBeLessThan(20_000);
  });

  it("the page links to the rest of the history only when there is more than it shows", async () => {
    const viewer = await createProfile({ fullName: "Short History" });
    for (let i = 1; i <= 10; i++)
      await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: minutes(-i * 24 * 60) });
    for (let i = 1; i <= 11; i++)
      await createBooking({ clientId: viewer.id, tutorId: tutor.id, sessionStartTime: minutes(i * 24 * 60) });
    const { data } = await dashboardFor(viewer);
    expect([data.recent.length, data.upcoming.length]).toEqual([10, 10]);
    expect(data).toMatchObject({ moreRecent: false, moreUpcoming: true });
  });
});

describe("cost", () => {
  it("the dashboard makes the same number of queries for 2 bookings as for 60", async () => {
    const queries = vi.spyOn(pg.Client.prototype, "query");
    try {
      const countFor = async (bookings: number) => {
        const client = await createProfile();
        const student = await createProfile();
        for (let i = 0; i < bookings; i++) {
          const b = await createBooking({
            clientId: client.id,
            tutorId: tutor.id,
            studentId: i % 2 ? student.id : null,
            sessionStartTime: minutes(i * 90 - 30 * 60),
            status: i % 5 === 0 ? "Completed" : "Confirmed",
          });
          if (i % 3 === 0)
            await db.lessonspaceSession.create({
              data: { sessionId: `cost-${b.id}`, bookingId: b.id, startedAt: minutes(-60), endedAt: minutes(-10) },
            });
        }
        const cookie = await signIn(client);
        queries.mockClear();
        const result = await callLoader(dashboard, "/", { cookie });
        expect(result.status).toBe(200);
        return queries.mock.calls.length;
      };
      const few = await countFor(2);
      const many = await countFor(60);
      expect(many).toBe(few);
      // The viewer's profile; the bookings' positions (one statement on the participant indexes)
      // and their cards (one query, relations joined); the tutor's Recent Sessions (one query,
      // relations joined). Before the hand-written reads: up to 12, with a batched query per related table.
      expect(many).toBeLessThanOrEqual(4);
    } finally {
      queries.mockRestore();
    }
  });
});

describe("Choose who attends on the dashboard", () => {
  it("is offered on an upcoming card only to a viewer with an active ward, read in the cards' one statement", async () => {
    const [guardian, pendingGuardian, ward, teacher] = await Promise.all([
      createProfile({ fullName: "Gwen Guardian" }),
      createProfile({ fullName: "Pat Pending" }),
      createProfile({ fullName: "Wendy Ward" }),
      createProfile({ fullName: "Theo Teacher" }),
    ]);
    await addGuardian(guardian.id, ward.id);
    await addGuardian(pendingGuardian.id, ward.id, "PENDING");
    const lessons = await Promise.all(
      [guardian, pendingGuardian].map((client) =>
        createBooking({ clientId: client.id, tutorId: teacher.id, sessionStartTime: minutes(24 * 60) }),
      ),
    );
    const cardOf = async (person: TestProfile, bookingId: string) =>
      (await dashboardFor(person)).all.find((card) => card.id === bookingId);
    expect(await cardOf(guardian, lessons[0]!.id)).toMatchObject({ state: "upcoming", canAssignStudent: true });
    // A pending guardian has nobody to choose yet, and the tutor never chooses: no dead end offered.
    expect(await cardOf(pendingGuardian, lessons[1]!.id)).toMatchObject({ state: "upcoming", canAssignStudent: false });
    expect(await cardOf(teacher, lessons[0]!.id)).toMatchObject({ state: "upcoming", canAssignStudent: false });
  });
});

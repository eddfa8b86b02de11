// The weekly family digest end to end: real PostgreSQL, real pg-boss, real SMTP to the catcher. The
// week of Monday 30 Nov 2026; the digest is due on Sunday 6 Dec at 18:00 in each recipient's zone
// (18:00 UTC in London, 23:00 UTC in New York) until Monday 12:00. Sweeps and sends take that clock.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { closeMailer } from "~/.server/notifications/mailer";
import { runDigestSweep, runSweep } from "~/.server/notifications/sweep";
import { sendNotification } from "~/.server/notifications/sender";
import { DEFAULT_DIGEST_SCHEDULE } from "~/domain/weekly-digest";
import { createProfile } from "../support/app.ts";
import { testStandIns } from "../support/stand-ins.ts";
import { eventually, FAST_SEND_JOBS, sendWorkers, settle, sweepQueue } from "./notifications-helpers.ts";

const at = (iso: string) => new Date(iso);
const SUNDAY_SIX_LONDON = at("2026-12-06T18:00:00Z");
const options = { sendJob: FAST_SEND_JOBS, digest: DEFAULT_DIGEST_SCHEDULE };

let tutor: Awaited<ReturnType<typeof createProfile>>;

beforeEach(async () => {
  testStandIns.smtp.clear();
  await db.notification.deleteMany({});
  await db.booking.deleteMany({});
  tutor = await createProfile({ fullName: "Tess Tutor", roles: ["tutor"] });
});

afterAll(async () => {
  await closeMailer();
});

async function lesson(
  people: { clientId: string; studentId?: string | null },
  start: string,
  overrides: { status?: "Confirmed" | "Completed" | "Cancelled"; serviceName?: string } = {},
) {
  return db.booking.create({
    data: {
      clientId: people.clientId,
      studentId: people.studentId ?? null,
      tutorId: tutor.id,
      serviceName: overrides.serviceName ?? "GCSE Maths",
      sessionStartTime: at(start),
      sessionDuration: 60,
      status: overrides.status ?? "Confirmed",
      createdAt: at("2026-11-01T00:00:00Z"),
    },
  });
}

const guardianOf = (guardianId: string, studentId: string, status: "ACTIVE" | "PENDING" = "ACTIVE") =>
  db.profileGraph.create({
    data: { sourceProfileId: guardianId, targetProfileId: studentId, relationshipType: "GUARDIAN", status },
  });

const digestRows = () => db.notification.findMany({ where: { kind: "weekly_digest" }, orderBy: { queuedAt: "asc" } });

/** Sends every digest row queued so far at `now`, in this process (no workers), and says what became of each. */
async function sendAll(now: Date) {
  const rows = await digestRows();
  return Promise.all(rows.map((row) => sendNotification(row.id, { now: () => now, digest: DEFAULT_DIGEST_SCHEDULE })));
}

describe("the weekly digest", { timeout: 60_000 }, () => {
  it("is due at 18:00 on Sunday on each recipient's own clock: London, then New York five hours later", async () => {
    const london = await createProfile({ fullName: "Lena London", roles: ["client"] });
    const newYork = await createProfile({ fullName: "Nora York", roles: ["client"], timeZone: "America/New_York" });
    await lesson({ clientId: london.id }, "2026-12-03T16:00:00Z");
    await lesson({ clientId: newYork.id }, "2026-12-03T21:00:00Z");
    const queue = await sweepQueue();

    expect(await runDigestSweep(queue, at("2026-12-06T17:59:00Z"), options)).toBe(0);
    expect(await runDigestSweep(queue, SUNDAY_SIX_LONDON, options)).toBe(1);
    expect((await digestRows()).map((r) => r.recipientProfileId)).toEqual([london.id]);
    expect(await runDigestSweep(queue, at("2026-12-06T22:59:00Z"), options)).toBe(0);
    expect(await runDigestSweep(queue, at("2026-12-06T23:00:00Z"), options)).toBe(1);
    const rows = await digestRows();
    expect(rows.map((r) => [r.recipientProfileId, r.forStartTime.toISOString(), r.bookingId])).toEqual([
      [london.id, "2026-11-30T00:00:00.000Z", null],
      [newYork.id, "2026-11-30T00:00:00.000Z", null],
    ]);
  });

  it("is queued by the every-minute sweep itself (runSweep), beside the lessons' messages", async () => {
    const parent = await createProfile({ fullName: "Mina Minute", roles: ["client"] });
    await lesson({ clientId: parent.id }, "2026-12-03T16:00:00Z");
    const queue = await sweepQueue();
    expect((await runSweep(queue, at("2026-12-06T17:59:00Z"), options)).queued.weekly_digest).toBeUndefined();
    expect((await runSweep(queue, SUNDAY_SIX_LONDON, options)).queued.weekly_digest).toBe(1);
    expect((await runSweep(queue, at("2026-12-06T18:01:00Z"), options)).queued.weekly_digest).toBeUndefined();
  });

  it("goes out once per recipient and week with two workers sweeping and sending at once, and again never", async () => {
    const parents = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createProfile({ fullName: `Parent ${i}`, roles: ["client"] })),
    );
    for (const parent of parents) await lesson({ clientId: parent.id }, "2026-12-02T16:00:00Z");
    const senderOptions = { now: () => SUNDAY_SIX_LONDON, digest: DEFAULT_DIGEST_SCHEDULE };
    const a = await sendWorkers({ sendBatchSize: 3, senderOptions });
    const b = await sendWorkers({ sendBatchSize: 3, senderOptions });

    const [ra, rb] = await Promise.all([
      runDigestSweep(a.queue, SUNDAY_SIX_LONDON, { ...options, batchSize: 5 }),
      runDigestSweep(b.queue, SUNDAY_SIX_LONDON, { ...options, batchSize: 5 }),
    ]);
    expect(ra + rb).toBe(12);
    await eventually(digestRows, (rows) => rows.length === 12 && rows.every((r) => r.status === "sent"));
    // A later sweep the same evening, and one on Monday morning, find nothing new.
    expect(await runDigestSweep(a.queue, at("2026-12-06T20:00:00Z"), options)).toBe(0);
    expect(await runDigestSweep(b.queue, at("2026-12-07T09:00:00Z"), options)).toBe(0);
    await settle();
    for (const parent of parents) expect(testStandIns.smtp.messages({ to: parent.email })).toHaveLength(1);
    expect(testStandIns.smtp.messages()).toHaveLength(12);
  });

  it("is caught up on Monday morning after a worker was down all Sunday evening, and never from Monday 12:00", async () => {
    const early = await createProfile({ fullName: "Ada Early", roles: ["client"] });
    await lesson({ clientId: early.id }, "2026-12-04T16:00:00Z");
    const queue = await sweepQueue();
    expect(await runDigestSweep(queue, at("2026-12-07T11:59:00Z"), options)).toBe(1);
    expect(await sendAll(at("2026-12-07T11:59:30Z"))).toEqual(["sent"]);

    const late = await createProfile({ fullName: "Lou Late", roles: ["client"] });
    await lesson({ clientId: late.id }, "2026-12-04T16:00:00Z");
    expect(await runDigestSweep(queue, at("2026-12-07T12:00:00Z"), options)).toBe(0);
    expect(await runDigestSweep(queue, at("2026-12-08T18:00:00Z"), options)).toBe(0);
    expect(testStandIns.smtp.messages({ to: late.email })).toHaveLength(0);
  });

  it("queued on time but not sent before Monday 12:00 is skipped as stale, not sent late", async () => {
    const parent = await createProfile({ fullName: "Sid Slow", roles: ["client"] });
    await lesson({ clientId: parent.id }, "2026-12-04T16:00:00Z");
    const queue = await sweepQueue();
    expect(await runDigestSweep(queue, SUNDAY_SIX_LONDON, options)).toBe(1);
    expect(await sendAll(at("2026-12-07T12:00:00Z"))).toEqual(["skipped"]);
    expect((await digestRows()).map((r) => [r.status, r.lastError])).toEqual([["skipped", "week stale"]]);
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("is not queued for someone who switched it off, and a digest queued before they did is skipped", async () => {
    const off = await createProfile({ fullName: "Olive Off", roles: ["client"] });
    const later = await createProfile({ fullName: "Lars Later", roles: ["client"] });
    await lesson({ clientId: off.id }, "2026-12-04T16:00:00Z");
    await lesson({ clientId: later.id }, "2026-12-04T16:00:00Z");
    await db.notificationPreference.create({ data: { profileId: off.id, kind: "weekly_digest", enabled: false } });
    const queue = await sweepQueue();
    expect(await runDigestSweep(queue, SUNDAY_SIX_LONDON, options)).toBe(1);
    await db.notificationPreference.create({ data: { profileId: later.id, kind: "weekly_digest", enabled: false } });
    expect(await sendAll(SUNDAY_SIX_LONDON)).toEqual(["skipped"]);
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("is not sent when there is nothing to say (the week's only lesson was cancelled)", async () => {
    const parent = await createProfile({ fullName: "Nat Nothing", roles: ["client"] });
    await lesson({ clientId: parent.id }, "2026-12-04T16:00:00Z", { status: "Cancelled" });
    const queue = await sweepQueue();
    expect(await runDigestSweep(queue, SUNDAY_SIX_LONDON, options)).toBe(0);
    expect(testStandIns.smtp.messages()).toHaveLength(0);
  });

  it("covers both of an active guardian's children; a pending guardian and a child with an active guardian get nothing", async () => {
    const client = await createProfile({ fullName: "Cara Client", roles: ["client"] });
    const guardian = await createProfile({ fullName: "Gwen Guardian", roles: ["client"] });
    const pending = await createProfile({ fullName: "Penny Pending", roles: ["client"] });
    const ann = await createProfile({ fullName: "Ann Child", roles: ["student"] });
    const ben = await createProfile({ fullName: "Ben Child", roles: ["student"] });
    await guardianOf(guardian.id, ann.id);
    await guardianOf(guardian.id, ben.id);
    await guardianOf(pending.id, ann.id, "PENDING");
    await lesson({ clientId: client.id, studentId: ann.id }, "2026-12-01T16:00:00Z", { serviceName: "Ann's Maths" });
    await lesson({ clientId: client.id, studentId: ben.id }, "2026-12-09T16:00:00Z", { serviceName: "Ben's French" });
    const queue = await sweepQueue();

    expect(await runDigestSweep(queue, SUNDAY_SIX_LONDON, options)).toBe(2);
    expect(new Set((await digestRows()).map((r) => r.recipientProfileId))).toEqual(new Set([client.id, guardian.id]));
    expect(await sendAll(SUNDAY_SIX_LONDON)).toEqual(["sent", "sent"]);
    const [toGuardian] = testStandIns.smtp.messages({ to: guardian.email });
    expect(toGuardian?.subject).toBe("Your week: Mon 30 Nov – Sun 6 Dec");
    expect(toGuardian?.text).toContain("Ann Child: Ann's Maths, Tue 1 Dec, 16:00");
    expect(toGuardian?.text).toContain("Next week:\n- Ben Child: Ben's French, Wed 9 Dec, 16:00");
    for (const nobody of [pending, ann, ben]) expect(testStandIns.smtp.messages({ to: nobody.email })).toHaveLength(0);
  });

  it("carries published notes' first lines and their open homework, never a draft or the private note", async () => {
    const parent = await createProfile({ fullName: "Nell Notes", roles: ["client"] });
    const published = await lesson({ clientId: parent.id }, "2026-12-02T16:00:00Z", {
      status: "Completed",
      serviceName: "Published lesson",
    });
    const draft = await lesson({ clientId: parent.id }, "2026-12-03T16:00:00Z", { serviceName: "Draft lesson" });
    await db.lessonNote.create({
      data: {
        bookingId: published.id,
        tutorId: tutor.id,
        covered: "Fractions <b>with</b> unlike denominators\nSecond line stays out.",
        privateNote: "PRIVATE-tutor-only",
        publishedAt: at("2026-12-02T18:00:00Z"),
        homework: {
          create: [
            { position: 1, text: "Worksheet 4", dueOn: at("2026-12-10T00:00:00Z") },
            { position: 2, text: "Already done", doneAt: at("2026-12-04T10:00:00Z") },
          ],
        },
      },
    });
    await db.lessonNote.create({
      data: {
        bookingId: draft.id,
        tutorId: tutor.id,
        covered: "DRAFT-not-yet",
        privateNote: "PRIVATE-draft",
        homework: { create: [{ position: 1, text: "DRAFT-homework" }] },
      },
    });
    const queue = await sweepQueue();
    expect(await runDigestSweep(queue, SUNDAY_SIX_LONDON, options)).toBe(1);
    expect(await sendAll(SUNDAY_SIX_LONDON)).toEqual(["sent"]);

    const [message] = testStandIns.smtp.messages({ to: parent.email });
    const both = `${message?.text}\n${message?.html}`;
    expect(message?.text).toContain(`- Nell Notes: Published lesson: Fractions <b>with</b> unlike denominators`);
    expect(message?.text).toContain(`/bookings/${published.id}`);
    expect(message?.text).toContain("- Worksheet 4 (due Thu 10 Dec), Nell Notes: Published lesson");
    // Text stays text in the HTML part.
    expect(message?.html).toContain("Fractions &lt;b&gt;with&lt;/b&gt; unlike denominators");
    for (const secret of ["PRIVATE", "DRAFT", "Second line", "Already done"]) expect(both).not.toContain(secret);
    // The draft lesson itself is still listed: it happened, only its note is not the family's yet.
    expect(message?.text).toContain("Draft lesson");
    expect(message?.headers["list-unsubscribe"]).toMatch(/\/unsubscribe\?token=/);
    expect(message?.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
  });

  it("reaches an adult learner for their own lessons, booked by themself or by someone else", async () => {
    const adult = await createProfile({ fullName: "Alex Adult", roles: ["client"] });
    const booked = await createProfile({ fullName: "Bea Booked", roles: ["student"] });
    const payer = await createProfile({ fullName: "Pay Er", roles: ["client"] });
    await lesson({ clientId: adult.id }, "2026-12-02T16:00:00Z", { serviceName: "Adult Spanish" });
    await lesson({ clientId: payer.id, studentId: booked.id }, "2026-12-10T16:00:00Z", { serviceName: "Bea's Piano" });
    const queue = await sweepQueue();
    expect(await runDigestSweep(queue, SUNDAY_SIX_LONDON, options)).toBe(3);
    await sendAll(SUNDAY_SIX_LONDON);
    expect(testStandIns.smtp.messages({ to: adult.email })[0]?.text).toContain("Alex Adult: Adult Spanish");
    expect(testStandIns.smtp.messages({ to: booked.email })[0]?.text).toContain("Bea Booked: Bea's Piano");
    expect(testStandIns.smtp.messages({ to: tutor.email })).toHaveLength(0);
  });
});

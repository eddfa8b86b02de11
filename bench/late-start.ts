// bench/late-start: the late-start alerts at the end of the hour
// (docs/decisions/0078-late-start-alerts.md). N lessons (10,000; 1,000 with
// BENCH_QUICK=1) start at the same instant, seeded with SQL in bulk, each with its own tutor and
// learner: a quarter with both in the classroom (nothing to send), a quarter with the tutor in and the
// learner missing ("learner late"), half with the tutor missing ("tutor late" + "tutor reminded").
// At the five-minute mark one sweep is asked for; two workers (the app server's in-process ones and
// one `npm run worker` process) sweep and send over real SMTP to the local catcher. Prints, beside
// their floors with PASS/FAIL: when every alert was decided (its row and send job written: who gets
// which message), that every alert was then sent or skipped by the send-time re-check, duplicates in
// the catcher (0). The drain (every row sent or skipped) is printed with messages/s and the workers'
// CPU per message: it is bound by the mail server and the CPUs, which this shared machine lends out.
//
//   npx tsx bench/late-start.ts      (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   LESSONS=… to change the load; BENCH_QUICK=1 for 1,000.
import os from "node:os";
import path from "node:path";
import { openQueue, QUEUES } from "../app/.server/queue.ts";
import { DEFAULT_LATE_START_AFTER_MINUTES } from "../app/domain/late-start.ts";
import { cpuSeconds } from "./lib/processes.ts";
import { isMain, runStandalone, type BenchContext } from "./lib/stack.ts";
import { startWorkerProcess } from "./reminders.ts";

export type LateStartFigures = {
  lessons: number;
  /** Alerts the rule calls due: one per learner-late lesson, two per tutor-late one. */
  expected: number;
  queued: number;
  sent: number;
  skipped: number;
  /** Why rows were skipped at send time: "no longer due" (sent after the stale limit), "tutor joined", … */
  skippedBecause: Record<string, number>;
  /** Alerts with no row, or a row never sent or skipped, when the bench stopped waiting. */
  undecided: number;
  duplicates: number;
  /** From the five-minute mark until every alert's row and send job were written (the sweep decided who gets what). */
  decidedSeconds: number;
  floorSeconds: number;
  /** From the five-minute mark until every row was sent or skipped. */
  drainedSeconds: number;
  perSecond: number;
  /** CPU seconds both worker processes used from the mark to the drain, per alert. */
  cpuMsPerAlert: number;
  ok: boolean;
};

export const DECIDED_FLOOR_SECONDS = 60;
const TIMEOUT_MS = 20 * 60_000;
const LATE_KINDS = ["tutor_late", "tutor_reminded", "learner_late"];

export async function lateStartBench(context: BenchContext, options: { lessons: number }): Promise<LateStartFigures> {
  const { db, stack } = context;
  const n = options.lessons;
  const say = (line: string) => console.log(`  ${line}`);
  const run = Date.now().toString(36);
  const tutorIds = Array.from({ length: n }, () => crypto.randomUUID());
  const learnerIds = Array.from({ length: n }, () => crypto.randomUUID());
  const bookingIds = Array.from({ length: n }, () => crypto.randomUUID());
  const everyone = [...tutorIds, ...learnerIds];

  // People, their choices (the classroom-open reminder off: these lessons are in its window too, and
  // only the alerts are measured here), the lessons far in the future, and who was in the classroom.
  await db.$executeRawUnsafe(
    `INSERT INTO profiles (id, full_name, email, roles)
     SELECT id, CASE WHEN i <= $2 THEN 'Late Tutor ' ELSE 'Late Learner ' END || i, 'late-' || $3 || '-' || i || '@example.test',
            CASE WHEN i <= $2 THEN ARRAY['tutor'] ELSE ARRAY['client'] END
       FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, i)`,
    everyone,
    n,
    run,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO notification_preferences (profile_id, kind, enabled)
     SELECT id, 'reminder_classroom_open', false FROM unnest($1::uuid[]) AS p(id)`,
    everyone,
  );
  const future = new Date(Date.now() + 30 * 24 * 60 * 60_000);
  await db.$executeRawUnsafe(
    `INSERT INTO bookings (id, client_id, tutor_id, service_name, session_start_time, session_duration, status, created_at)
     SELECT b, c, t, 'Late-start bench lesson ' || i, $4::timestamptz, 60, 'Confirmed', now() - interval '7 days'
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS x(b, c, t, i)`,
    bookingIds,
    learnerIds,
    tutorIds,
    future,
  );
  // i % 4: 0 both in, 1 the tutor alone, 2 and 3 the learner alone (the tutor is late).
  await db.$executeRawUnsafe(
    `INSERT INTO lessonspace_sessions (session_id, booking_id, started_at)
     SELECT 'late-bench-' || b, b, $2::timestamptz FROM unnest($1::uuid[]) AS x(b)`,
    bookingIds,
    future,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO lessonspace_attendance (session_id, profile_id, joined_at)
     SELECT 'late-bench-' || b, t, $4::timestamptz
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS x(b, c, t, i) WHERE (i - 1) % 4 IN (0, 1)
     UNION ALL
     SELECT 'late-bench-' || b, c, $4::timestamptz
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS x(b, c, t, i) WHERE (i - 1) % 4 IN (0, 2, 3)`,
    bookingIds,
    learnerIds,
    tutorIds,
    future,
  );
  const counts = { both: 0, learnerLate: 0, tutorLate: 0 };
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) counts.both++;
    else if (i % 4 === 1) counts.learnerLate++;
    else counts.tutorLate++;
  }
  const expected = counts.learnerLate + 2 * counts.tutorLate;
  say(
    `${n.toLocaleString("en-GB")} lessons, each with its own tutor and learner: ${counts.both.toLocaleString("en-GB")} with both in, ` +
      `${counts.learnerLate.toLocaleString("en-GB")} with the learner missing, ${counts.tutorLate.toLocaleString("en-GB")} with the tutor missing: ` +
      `${expected.toLocaleString("en-GB")} alerts due.`,
  );

  const worker = await startWorkerProcess({ ...stack.env, NODE_ENV: "production" });
  say(
    `Workers: the app server's in-process workers (pid ${context.server.pid}) and npm run worker (pid ${worker.pid}).`,
  );
  stack.smtp.clear();
  const trigger = await openQueue({ databaseUrl: stack.databaseUrl, max: 2, schedule: false, supervise: false });
  let figures: LateStartFigures;
  try {
    // Every lesson starts at the same instant, DEFAULT_LATE_START_AFTER_MINUTES before the mark: now.
    const cpuAtMark = cpuSeconds(context.server.pid) + cpuSeconds(worker.pid!);
    const mark = Date.now();
    const start = new Date(mark - DEFAULT_LATE_START_AFTER_MINUTES * 60_000);
    await db.$executeRawUnsafe(
      `UPDATE bookings SET session_start_time = $2::timestamptz WHERE id = ANY($1::uuid[])`,
      bookingIds,
      start,
    );
    await db.$executeRawUnsafe(
      `UPDATE lessonspace_attendance SET joined_at = $2::timestamptz WHERE session_id = ANY($1::text[])`,
      bookingIds.map((id) => `late-bench-${id}`),
      start,
    );
    await trigger.boss.send(QUEUES.sweep, {});
    const seconds = () => (Date.now() - mark) / 1000;
    const statuses = async () => {
      const rows = await db.notification.groupBy({
        by: ["status"],
        where: { bookingId: { in: bookingIds }, kind: { in: LATE_KINDS } },
        _count: { _all: true },
      });
      return Object.fromEntries(rows.map((row) => [row.status, row._count._all])) as Record<string, number>;
    };
    let decidedSeconds = NaN;
    let drainedSeconds = NaN;
    let last: Record<string, number> = {};
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      last = await statuses();
      const total = Object.values(last).reduce((a, b) => a + b, 0);
      if (Number.isNaN(decidedSeconds) && total >= expected) decidedSeconds = seconds();
      if (total >= expected && (last.sent ?? 0) + (last.skipped ?? 0) === total) {
        drainedSeconds = seconds();
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const cpuUsed = cpuSeconds(context.server.pid) + cpuSeconds(worker.pid!) - cpuAtMark;
    const reasons = await db.notification.groupBy({
      by: ["lastError"],
      where: { bookingId: { in: bookingIds }, kind: { in: LATE_KINDS }, status: "skipped" },
      _count: { _all: true },
    });
    // Anything sent twice would arrive within a few more seconds.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const ours = new Set(
      (
        await db.notification.findMany({
          where: { bookingId: { in: bookingIds }, kind: { in: LATE_KINDS } },
          select: { id: true },
        })
      ).map((row) => row.id),
    );
    const messages = stack.smtp.messages().filter((m) => ours.has(m.headers["x-entity-ref-id"] ?? ""));
    const perId = new Set(messages.map((m) => m.headers["x-entity-ref-id"]!));
    const queued = ours.size;
    const done = (last.sent ?? 0) + (last.skipped ?? 0);
    const duplicates = messages.length - perId.size;
    const undecided = Math.max(0, expected - done);
    figures = {
      lessons: n,
      expected,
      queued,
      sent: last.sent ?? 0,
      skipped: last.skipped ?? 0,
      skippedBecause: Object.fromEntries(reasons.map((row) => [row.lastError ?? "unknown", row._count._all])),
      undecided,
      duplicates,
      decidedSeconds,
      floorSeconds: DECIDED_FLOOR_SECONDS,
      drainedSeconds,
      perSecond: done / (Number.isFinite(drainedSeconds) ? drainedSeconds : TIMEOUT_MS / 1000),
      cpuMsPerAlert: (cpuUsed * 1000) / Math.max(1, done),
      ok:
        queued === expected &&
        undecided === 0 &&
        duplicates === 0 &&
        Number.isFinite(decidedSeconds) &&
        decidedSeconds <= DECIDED_FLOOR_SECONDS,
    };
  } finally {
    await trigger.stop({ graceful: false });
    await worker.stop();
    await db.booking.deleteMany({ where: { id: { in: bookingIds } } });
    await db.profile.deleteMany({ where: { id: { in: everyone } } });
    stack.smtp.clear();
  }
  const verdict = (pass: boolean) => (pass ? "PASS" : "FAIL");
  const f = figures;
  const decidedInTime = Number.isFinite(f.decidedSeconds) && f.decidedSeconds <= f.floorSeconds;
  say(
    `All ${f.expected.toLocaleString("en-GB")} alerts decided (row and send job written for each recipient) ` +
      `${f.decidedSeconds.toFixed(1)} s after the five-minute mark (floor: ≤ ${f.floorSeconds} s) ${verdict(decidedInTime)}.`,
  );
  say(
    `Alerts queued: ${f.queued.toLocaleString("en-GB")} of ${f.expected.toLocaleString("en-GB")} due (floor: all) ${verdict(f.queued === f.expected)}.`,
  );
  say(`Alerts never sent or skipped: ${f.undecided} (floor: 0) ${verdict(f.undecided === 0)}.`);
  say(`Duplicates in the catcher: ${f.duplicates} (floor: 0) ${verdict(f.duplicates === 0)}.`);
  say(
    `Drained (sent ${f.sent.toLocaleString("en-GB")}, skipped ${f.skipped.toLocaleString("en-GB")}) ${f.drainedSeconds.toFixed(1)} s after the mark: ` +
      `${f.perSecond.toFixed(0)} alerts/s, ${f.cpuMsPerAlert.toFixed(1)} ms of worker CPU per alert (both processes, sweep included).`,
  );
  if (f.skipped > 0)
    say(
      `Skipped at send time: ${Object.entries(f.skippedBecause)
        .map(([reason, count]) => `${count.toLocaleString("en-GB")} ${reason}`)
        .join(", ")} (sent later than the stale limit is "no longer due": the machine could not send them in time).`,
    );
  say(`Load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs (shared).`);
  return figures;
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "late-start", seed: false, echoServerStderr: false }, async (context) => {
    console.log(
      `\nbench/late-start — production build ${path.relative(context.root, context.buildDir) || context.buildDir}, Node ${process.version}, ${os.cpus().length} CPUs`,
    );
    const quick = process.env.BENCH_QUICK === "1";
    return lateStartBench(context, { lessons: Number(process.env.LESSONS ?? (quick ? 1_000 : 10_000)) });
  });
}

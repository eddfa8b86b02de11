// The sweep (docs/decisions/0040-notifications-found-by-a-sweep.md): bookings are changed behind our back by the booking system,
// so every minute (and once when a worker starts) we look for what is due now instead of
// scheduling jobs once at creation. For each due (booking, kind) it resolves the recipients and, in
// ONE transaction per batch, inserts a notifications row per recipient (ON CONFLICT DO NOTHING on
// booking, kind, start time, recipient) and a send job for each row it really inserted, through
// pg-boss's `db` option on the same connection: a row and its job commit together or not at all.
// Any number of sweeps may run at once on any number of machines; the unique key makes the second
// one insert nothing (it waits on the first one's rows, then skips them).
import type pg from "pg";
import type PgBoss from "pg-boss";
import { Prisma } from "~/generated/prisma/client";
import { OUTCOME_SWEEP_HORIZON_MS } from "~/domain/lesson-outcome";
import {
  CLASSROOM_OPEN_LEAD_MS,
  DAY_BEFORE_LEAD_MS,
  RECORD_GRACE_MS,
  RECORD_KINDS,
  REMINDER_KINDS,
  sweepStartRange,
  type RecordKind,
  type ReminderKind,
} from "~/domain/notification-due";
import type { BookingNotificationKind, NotificationKind, NotificationRecipient } from "~/domain/notification-kinds";
import { LATE_START_KINDS, lateStartRange, type LateStartKind } from "~/domain/late-start";
import { env } from "../env";
import { bookingsDueForOutcome, settleLessonOutcome } from "../lessonspace/outcomes";
import { logger } from "../logger";
import { recipientsForBookings } from "./recipients";
import { LATE_CONDITIONS } from "./late-start-sql";
import { sql } from "../db";
import { columnsOf } from "../sql-columns";
import { CLAIM_TIMEOUT_MS } from "~/domain/notification-due";
import { digestSchedule, dueDigestRecipients, dueZones, insertDigestRowsSql } from "./digest";
import type { DigestSchedule } from "~/domain/weekly-digest";
import { inTransaction, PGBOSS_SCHEMA, QUEUES, SEND_JOB_POLICY, type Queue, type SendJobPolicy } from "../queue";

export type RecipientsResolver = (
  bookingIds: string[],
  kind: BookingNotificationKind,
) => Promise<Map<string, NotificationRecipient[]>>;

export type SweepOptions = {
  /** Bookings per transaction; default 500. */
  batchSize?: number;
  /** Retry and expiry of the send jobs it enqueues; default SEND_JOB_POLICY. */
  sendJob?: Partial<SendJobPolicy>;
  recipients?: RecipientsResolver;
  /** Minutes after the start at which a missing tutor or learner is chased; default LATE_START_AFTER_MINUTES. */
  lateStartAfterMinutes?: number;
  /** When the weekly digest goes out; default DIGEST_DAY and DIGEST_LOCAL_TIME. */
  digest?: DigestSchedule;
};

export type SweepResult = {
  /** Lesson outcomes this sweep settled (the others were settled by a racing sweep, or not due). */
  outcomesSettled: number;
  /** Notifications rows inserted (each with its send job), by kind. */
  queued: Partial<Record<NotificationKind, number>>;
  /** Due (booking, kind) pairs examined. */
  examined: number;
  /** Sends whose retries had run out, given another try (reviveExhaustedSends). */
  revived: number;
  ms: number;
};

type DueBooking = { id: string; startTime: Date };
type Cursor = { startTime: Date; id: string } | null;

/**
 * One kind of due message: finds, in pages ordered by (start, id), bookings for which it is due at
 * `now` and which have no row for their current start time yet.
 */
type DueFinder = {
  kind: BookingNotificationKind;
  find(
    client: pg.PoolClient | pg.Pool,
    now: Date,
    after: Cursor,
    limit: number,
    settings: { lateStartAfterMinutes: number },
  ): Promise<DueBooking[]>;
};

// The same rule as app/domain/notification-due.ts, in SQL (an integration test compares the two at
// every edge). The start-time range comes first so that bookings_confirmed_start_idx (partial)
// serves the scan; NOT EXISTS uses the notifications unique index's (booking, kind, start) prefix.
const REMINDER_CONDITIONS: Record<ReminderKind, (now: Date) => Prisma.Sql> = {
  // due from start − 24 h until the classroom opens, only when booked before start − 24 h
  reminder_day_before: (now) => Prisma.sql`
    b.session_start_time <= ${new Date(now.getTime() + DAY_BEFORE_LEAD_MS)}
    AND b.session_start_time > ${new Date(now.getTime() + CLASSROOM_OPEN_LEAD_MS)}
    AND b.created_at < b.session_start_time - ${DAY_BEFORE_LEAD_MS}::bigint * interval '1 millisecond'`,
  // due from start − 15 min until the lesson's scheduled end
  reminder_classroom_open: (now) => Prisma.sql`
    b.session_start_time <= ${new Date(now.getTime() + CLASSROOM_OPEN_LEAD_MS)}
    AND b.session_start_time + b.session_duration * interval '1 minute' > ${now}`,
};

export type DueRow = { id: string; session_start_time: Date };

export const DUE_COLUMNS = columnsOf<DueRow>()(["id", "session_start_time"]);

/** After the cursor in (start, id) order, with no row of this kind for the current start yet; one page. */
const notYetQueued = (kind: NotificationKind, after: Cursor, limit: number) => Prisma.sql`
           ${after ? Prisma.sql`AND (b.session_start_time, b.id) > (${after.startTime}::timestamptz, ${after.id}::uuid)` : Prisma.empty}
           AND NOT EXISTS (
             SELECT 1 FROM notifications n
              WHERE n.booking_id = b.id AND n.kind = ${kind} AND n.for_start_time = b.session_start_time)
         ORDER BY b.session_start_time, b.id
         LIMIT ${limit}`;

/** Confirmed bookings for which a reminder of `kind` is due at `now`. */
export function dueRemindersSql(kind: ReminderKind, now: Date, after: Cursor, limit: number): Prisma.Sql {
  const range = sweepStartRange(now);
  return Prisma.sql`
        SELECT b.id, b.session_start_time
          FROM bookings b
         WHERE b.status = 'Confirmed'
           AND b.session_start_time > ${range.startsAfter} AND b.session_start_time <= ${range.startsAtOrBefore}
           AND ${REMINDER_CONDITIONS[kind](now)}
           ${notYetQueued(kind, after, limit)}`;
}

function reminderFinder(kind: ReminderKind): DueFinder {
  return {
    kind,
    async find(client, now, after, limit) {
      const rows = await sql<DueRow>(dueRemindersSql(kind, now, after, limit), client);
      return rows.map((row) => ({ id: row.id, startTime: row.session_start_time }));
    },
  };
}

// Due once the outcome is settled (isRecordDue): same rule in SQL. The start-time range (the lesson
// started within the outcome horizon plus the grace) with the settling-time range, lets bookings_outcome_settled_idx serve the scan.
const RECORD_CONDITIONS: Record<RecordKind, Prisma.Sql> = {
  lesson_record: Prisma.sql`TRUE`,
  review_prompt: Prisma.sql`b.outcome = 'held'`,
};

/** Bookings whose settled outcome makes a message of `kind` due at `now`. */
export function dueRecordsSql(kind: RecordKind, now: Date, after: Cursor, limit: number): Prisma.Sql {
  return Prisma.sql`
        SELECT b.id, b.session_start_time
          FROM bookings b
         WHERE b.status IN ('Pending', 'Confirmed', 'Completed')
           AND b.session_start_time > ${new Date(now.getTime() - OUTCOME_SWEEP_HORIZON_MS - RECORD_GRACE_MS)}
           AND b.session_start_time <= ${now}
           AND b.outcome IS NOT NULL
           AND b.outcome_settled_at <= ${now}
           AND b.outcome_settled_at > ${new Date(now.getTime() - RECORD_GRACE_MS)}
           AND ${RECORD_CONDITIONS[kind]}
           ${notYetQueued(kind, after, limit)}`;
}

function recordFinder(kind: RecordKind): DueFinder {
  return {
    kind,
    async find(client, now, after, limit) {
      const rows = await sql<DueRow>(dueRecordsSql(kind, now, after, limit), client);
      return rows.map((row) => ({ id: row.id, startTime: row.session_start_time }));
    },
  };
}

/**
 * Confirmed bookings for which a late-start alert of `kind` is due at `now` (isLateStartDue and
 * whoIsLate in app/domain/late-start.ts): started `afterMinutes` ago, not yet stale, not ended, and
 * the one it is about not in the classroom. The start-time range lets bookings_confirmed_start_idx serve the scan.
 */
export function dueLateStartSql(
  kind: LateStartKind,
  now: Date,
  afterMinutes: number,
  after: Cursor,
  limit: number,
): Prisma.Sql {
  const range = lateStartRange(now, afterMinutes);
  return Prisma.sql`
        SELECT b.id, b.session_start_time
          FROM bookings b
         WHERE b.status = 'Confirmed'
           AND b.session_start_time > ${range.startsAfter} AND b.session_start_time <= ${range.startsAtOrBefore}
           AND b.session_start_time + b.session_duration * interval '1 minute' > ${now}
           AND ${LATE_CONDITIONS[kind]}
           ${notYetQueued(kind, after, limit)}`;
}

function lateStartFinder(kind: LateStartKind): DueFinder {
  return {
    kind,
    async find(client, now, after, limit, settings) {
      const rows = await sql<DueRow>(dueLateStartSql(kind, now, settings.lateStartAfterMinutes, after, limit), client);
      return rows.map((row) => ({ id: row.id, startTime: row.session_start_time }));
    },
  };
}

const DUE_FINDERS: DueFinder[] = [
  ...REMINDER_KINDS.map(reminderFinder),
  ...RECORD_KINDS.map(recordFinder),
  ...LATE_START_KINDS.map(lateStartFinder),
];

/** Settles the outcomes due at `now` (app/.server/lessonspace/outcomes.ts), page by page, a bounded number of pages. */
async function settleOutcomes(now: Date, pageSize: number): Promise<number> {
  let settled = 0;
  for (let page = 0; page < 20; page++) {
    const due = await bookingsDueForOutcome(now, pageSize);
    for (const bookingId of due) if (await settleLessonOutcome(bookingId, now)) settled++;
    if (due.length < pageSize) break;
  }
  return settled;
}

export type IdRow = { id: string };

export const ID_COLUMNS = columnsOf<IdRow>()(["id"]);

/** One row per (booking, recipient) for `kind`, skipping those already there; the ids of the new rows. */
export function insertNotificationsSql(
  kind: BookingNotificationKind,
  rows: { booking: DueBooking; recipient: NotificationRecipient }[],
): Prisma.Sql {
  return Prisma.sql`INSERT INTO notifications (booking_id, kind, for_start_time, recipient_profile_id, recipient_role)
           SELECT booking_id, ${kind}, for_start_time, recipient_profile_id, recipient_role
             FROM unnest(${rows.map((r) => r.booking.id)}::uuid[], ${rows.map((r) => r.booking.startTime)}::timestamptz[],
                         ${rows.map((r) => r.recipient.profileId)}::uuid[], ${rows.map((r) => r.recipient.role)}::text[])
                  AS r(booking_id, for_start_time, recipient_profile_id, recipient_role)
           ON CONFLICT (booking_id, kind, for_start_time, recipient_profile_id) DO NOTHING
           RETURNING id`;
}

/** Notifications still unsent whose send job failed for good (or whose claimant died), one batch. */
export function exhaustedSendsSql(now: Date, batchSize: number): Prisma.Sql {
  return Prisma.sql`SELECT n.id
       FROM notifications n
       JOIN ${Prisma.raw(PGBOSS_SCHEMA)}.job j ON j.name = ${QUEUES.send} AND j.id = n.id
      WHERE (n.status = 'queued' OR (n.status = 'sending' AND n.claimed_at < ${new Date(now.getTime() - CLAIM_TIMEOUT_MS)}))
        AND j.state = 'failed'
      LIMIT ${batchSize}`;
}

/** Finds what is due at `now` and queues it; safe to run concurrently and repeatedly. */
export async function runSweep(queue: Queue, now: Date, options: SweepOptions = {}): Promise<SweepResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 500;
  const policy = { ...SEND_JOB_POLICY, ...options.sendJob };
  const recipients = options.recipients ?? recipientsForBookings;
  const settings = { lateStartAfterMinutes: options.lateStartAfterMinutes ?? env().LATE_START_AFTER_MINUTES };
  const result: SweepResult = { outcomesSettled: 0, queued: {}, examined: 0, revived: 0, ms: 0 };
  // Outcomes first: a lesson whose window closed now gets its record in this same sweep.
  result.outcomesSettled = await settleOutcomes(now, batchSize);

  for (const finder of DUE_FINDERS) {
    let cursor: Cursor = null;
    for (;;) {
      const due = await finder.find(queue.pool, now, cursor, batchSize, settings);
      if (due.length === 0) break;
      cursor = { startTime: due.at(-1)!.startTime, id: due.at(-1)!.id };
      result.examined += due.length;
      const byBooking = await recipients(
        due.map((b) => b.id),
        finder.kind,
      );
      const rows = due.flatMap((booking) =>
        (byBooking.get(booking.id) ?? []).map((recipient) => ({ booking, recipient })),
      );
      if (rows.length === 0) continue;
      const inserted = await inTransaction(queue.pool, async (client, jobs) => {
        const created = await sql<IdRow>(insertNotificationsSql(finder.kind, rows), client);
        if (created.length > 0)
          await enqueueSends(
            queue.boss,
            jobs,
            created.map((row) => row.id),
            policy,
          );
        return created.length;
      });
      result.queued[finder.kind] = (result.queued[finder.kind] ?? 0) + inserted;
      if (due.length < batchSize) break;
    }
  }
  const digests = await runDigestSweep(queue, now, options);
  if (digests > 0) result.queued.weekly_digest = digests;
  result.revived = await reviveExhaustedSends(queue, now, batchSize);
  result.ms = Math.round(performance.now() - started);
  const total = Object.values(result.queued).reduce((a, b) => a + (b ?? 0), 0);
  logger.info(
    {
      now: now.toISOString(),
      outcomesSettled: result.outcomesSettled,
      examined: result.examined,
      queued: total,
      byKind: result.queued,
      revived: result.revived,
      ms: result.ms,
    },
    "sweep.done",
  );
  return result;
}

/**
 * The weekly digest (docs/decisions/0068-weekly-digest-once-per-recipient-and-week.md): for each zone where it is due now, the family
 * members owed one for that week, page by page; each page's rows and their send jobs in one
 * transaction, like the lessons' messages. The number of rows inserted.
 */
export async function runDigestSweep(queue: Queue, now: Date, options: SweepOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const policy = { ...SEND_JOB_POLICY, ...options.sendJob };
  const zones = await dueZones(now, options.digest ?? digestSchedule(), queue.pool);
  if (zones.length === 0) return 0;
  let queued = 0;
  let after: string | null = null;
  for (;;) {
    const due = await dueDigestRecipients(zones, after, batchSize, queue.pool);
    if (due.length === 0) break;
    after = due.at(-1)!.recipientId;
    queued += await inTransaction(queue.pool, async (client, jobs) => {
      const created = await sql<IdRow>(insertDigestRowsSql(due), client);
      if (created.length > 0)
        await enqueueSends(
          queue.boss,
          jobs,
          created.map((row) => row.id),
          policy,
        );
      return created.length;
    });
    if (due.length < batchSize) break;
  }
  return queued;
}

/**
 * A send's retries run out after about four hours of backoff (SEND_JOB_POLICY); a mail server down
 * longer than that left its rows queued for good. Each sweep gives every such row (still queued,
 * or claimed by a worker that died) one more try through pg-boss's retry of the failed job (the
 * job id is the row id). The sender re-checks that the message is still due and skips it if not,
 * so a long outage loses nothing that still matters and sends nothing stale.
 */
async function reviveExhaustedSends(queue: Queue, now: Date, batchSize: number): Promise<number> {
  const rows = await sql<IdRow>(exhaustedSendsSql(now, batchSize), queue.pool);
  if (rows.length > 0) {
    await queue.boss.retry(
      QUEUES.send,
      rows.map((row) => row.id),
    );
  }
  return rows.length;
}

/** Send jobs keyed by the notification id, inside the caller's transaction (`jobs`). */
export async function enqueueSends(
  boss: PgBoss,
  jobs: PgBoss.Db,
  notificationIds: string[],
  policy: SendJobPolicy,
): Promise<void> {
  await boss.insert(
    notificationIds.map((id) => ({
      id,
      name: QUEUES.send,
      data: { notificationId: id },
      retryLimit: policy.retryLimit,
      retryDelay: policy.retryDelay,
      retryBackoff: policy.retryBackoff,
      expireInSeconds: policy.expireInSeconds,
    })),
    { db: jobs },
  );
}

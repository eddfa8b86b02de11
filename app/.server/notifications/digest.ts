// The weekly family digest's statements (docs/decisions/0068-weekly-digest-once-per-recipient-and-week.md): which zones are due,
// who in them is owed a digest for the week, the rows that key it, and what it says at send time.
// The rule (when, which week, what) is app/domain/weekly-digest.ts; who is a lesson's family is
// app/.server/bookings/visibility.ts. The sweep (sweep.ts) runs these and queues the sends.
import type pg from "pg";
import { Prisma } from "~/generated/prisma/client";
import { usableTimeZone } from "~/domain/time-zone";
import {
  digestContents,
  digestWeekOfKey,
  dueDigestWeek,
  type DigestContents,
  type DigestLesson,
  type DigestSchedule,
  type DigestWeek,
} from "~/domain/weekly-digest";
import { CARD_COLUMNS, cardBookingOf, cardBookingsSql, type CardRow } from "../bookings/cards-sql";
import { familyBookingIdsSql, familyOfBookingsSql } from "../bookings/visibility";
import { sql } from "../db";
import { env } from "../env";
import { columnsOf } from "../sql-columns";

/** DIGEST_DAY and DIGEST_LOCAL_TIME. */
export function digestSchedule(): DigestSchedule {
  const settings = env();
  return { day: settings.DIGEST_DAY, time: settings.DIGEST_LOCAL_TIME };
}

type ZoneRow = { time_zone: string };
export const ZONE_COLUMNS = columnsOf<ZoneRow>()(["time_zone"]);

/** The zones people with an address live in: few, whatever the number of people. */
export function zonesSql(): Prisma.Sql {
  return Prisma.sql`SELECT DISTINCT time_zone FROM profiles WHERE email IS NOT NULL`;
}

export type DueZone = { zone: string; week: DigestWeek };

/**
 * The stored zones whose digest is due at `now`, each with its week. A stored zone that is no zone
 * is read as UTC, as the e-mails write it (usableTimeZone).
 */
export async function dueZones(
  now: Date,
  schedule: DigestSchedule,
  executor?: pg.PoolClient | pg.Pool,
): Promise<DueZone[]> {
  const rows = await sql<ZoneRow>(zonesSql(), executor);
  return rows.flatMap(({ time_zone: zone }) => {
    const week = dueDigestWeek(now, usableTimeZone(zone), schedule);
    return week ? [{ zone, week }] : [];
  });
}

type DigestCandidateRow = { id: string; week_key: Date };
export const DIGEST_CANDIDATE_COLUMNS = columnsOf<DigestCandidateRow>()(["id", "week_key"]);

/**
 * People in the due zones who are the family of a lesson in the digests' span (open homework's
 * weeks to the end of next week), with an address we may write to, the digest not switched off,
 * and no row for their week yet; one page in id order. Whether there is anything to say is
 * decided at send time from the lessons themselves (digestContents).
 */
export function dueDigestRecipientsSql(zones: readonly DueZone[], after: string | null, limit: number): Prisma.Sql {
  const from = new Date(Math.min(...zones.map((z) => z.week.homeworkFrom.getTime())));
  const to = new Date(Math.max(...zones.map((z) => z.week.nextTo.getTime())));
  const range = Prisma.sql`fb.session_start_time >= ${from}::timestamptz AND fb.session_start_time < ${to}::timestamptz
       AND fb.status IN ('Confirmed', 'Completed')`;
  return Prisma.sql`
    SELECT p.id, z.week_key
      FROM (${familyOfBookingsSql(range)}) family
      JOIN profiles p ON p.id = family.person_id
      JOIN unnest(${zones.map((z) => z.zone)}::text[], ${zones.map((z) => z.week.key)}::timestamptz[]) AS z(zone, week_key)
        ON z.zone = p.time_zone
     WHERE p.email IS NOT NULL AND p.email_undeliverable_at IS NULL
       ${after ? Prisma.sql`AND p.id > ${after}::uuid` : Prisma.empty}
       AND NOT EXISTS (SELECT 1 FROM notification_preferences np
                        WHERE np.profile_id = p.id AND np.kind = 'weekly_digest' AND NOT np.enabled)
       AND NOT EXISTS (SELECT 1 FROM notifications n
                        WHERE n.booking_id IS NULL AND n.kind = 'weekly_digest'
                          AND n.recipient_profile_id = p.id AND n.for_start_time = z.week_key)
     ORDER BY p.id
     LIMIT ${limit}`;
}

export type DigestCandidate = { recipientId: string; weekKey: Date };

export async function dueDigestRecipients(
  zones: readonly DueZone[],
  after: string | null,
  limit: number,
  executor?: pg.PoolClient | pg.Pool,
): Promise<DigestCandidate[]> {
  if (zones.length === 0) return [];
  const rows = await sql<DigestCandidateRow>(dueDigestRecipientsSql(zones, after, limit), executor);
  return rows.map((row) => ({ recipientId: row.id, weekKey: row.week_key }));
}

/**
 * One row per recipient and week (no booking), skipping those already there: the partial unique
 * index of 084_weekly_digest makes a racing sweep insert nothing. The ids of the new rows.
 */
export function insertDigestRowsSql(rows: readonly DigestCandidate[]): Prisma.Sql {
  return Prisma.sql`INSERT INTO notifications (booking_id, kind, for_start_time, recipient_profile_id, recipient_role)
           SELECT NULL, 'weekly_digest', week_key, recipient_profile_id, 'family'
             FROM unnest(${rows.map((r) => r.recipientId)}::uuid[], ${rows.map((r) => r.weekKey)}::timestamptz[])
                  AS r(recipient_profile_id, week_key)
           ON CONFLICT (kind, recipient_profile_id, for_start_time) WHERE booking_id IS NULL DO NOTHING
           RETURNING id`;
}

type DigestLessonRow = CardRow & {
  published_note: string | null;
  /** JSON: due_on arrives as "YYYY-MM-DD". */
  open_homework: { text: string; dueOn: string | null }[];
};

export const DIGEST_LESSON_COLUMNS = columnsOf<DigestLessonRow>()([...CARD_COLUMNS, "published_note", "open_homework"]);

/**
 * The lessons of `recipientId`'s family that started in [from, to), with what their presentation
 * is decided from, the published note's text (never a draft, never the private note) and its open
 * homework.
 */
export function digestLessonsSql(recipientId: string, from: Date, to: Date): Prisma.Sql {
  const range = Prisma.sql`fb.session_start_time >= ${from}::timestamptz AND fb.session_start_time < ${to}::timestamptz`;
  return cardBookingsSql(
    Prisma.sql`b.id IN (${familyBookingIdsSql(recipientId, range)})`,
    Prisma.sql`,
       (SELECT n.covered FROM lesson_notes n WHERE n.booking_id = b.id AND n.published_at IS NOT NULL) AS published_note,
       COALESCE((SELECT json_agg(json_build_object('text', h.text, 'dueOn', h.due_on) ORDER BY h.position)
                   FROM lesson_notes n JOIN homework_items h ON h.booking_id = n.booking_id
                  WHERE n.booking_id = b.id AND n.published_at IS NOT NULL AND h.done_at IS NULL), '[]'::json) AS open_homework`,
  );
}

/** The week a digest row is for, in the recipient's zone, and what it says (null: nothing to say). */
export async function digestOf(
  recipient: { id: string; timeZone: string },
  weekKey: Date,
  now: Date,
  schedule: DigestSchedule,
): Promise<{ week: DigestWeek; contents: DigestContents | null }> {
  const zone = usableTimeZone(recipient.timeZone);
  const week = digestWeekOfKey(weekKey, zone, schedule);
  const rows = await sql<DigestLessonRow>(digestLessonsSql(recipient.id, week.homeworkFrom, week.nextTo));
  const lessons: DigestLesson[] = rows.map((row) => ({
    ...cardBookingOf(row),
    bookingId: row.id,
    publishedNote: row.published_note,
    openHomework: row.open_homework,
  }));
  return { week, contents: digestContents(lessons, week, now, zone) };
}

// Every hand-written read returns exactly the columns its module declares (columnsOf beside the row
// type): a column added to a statement without the type, or renamed in one, fails here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "~/generated/prisma/client";
import { VIEWER_COLUMNS, viewerSql } from "~/.server/auth";
import { pool } from "~/.server/db";
import { openQueue, type Queue } from "~/.server/queue";
import {
  PRESENCE_COLUMNS,
  presenceReadSql,
  SEEN_COLUMNS,
  seenSql,
  SESSION_END_COLUMNS,
  SESSION_START_COLUMNS,
  sessionEndReadSql,
  sessionStartReadSql,
  SPACE_COLUMNS,
  spaceSql,
} from "~/.server/lessonspace/webhooks";
import {
  DUE_FOR_OUTCOME_COLUMNS,
  dueForOutcomeSql,
  LOCKED_BOOKING_COLUMNS,
  lockBookingForOutcomeSql,
} from "~/.server/lessonspace/outcomes";
import { lockPreviousSnapshotSql, PREVIOUS_SNAPSHOT_COLUMNS } from "~/.server/artifacts/snapshots";
import { BOOKING_PAGE_COLUMNS, bookingPageSql } from "~/.server/bookings/booking-page-sql";
import {
  CARD_COLUMNS,
  cardBookingsSql,
  DASHBOARD_CARD_COLUMNS,
  dashboardCardsSql,
  RECENT_SESSION_COLUMNS,
  recentSessionsSql,
} from "~/.server/bookings/cards-sql";
import { RECORD_LESSON_COLUMNS, recordLessonsSql } from "~/.server/bookings/learning-record";
import {
  COUNT_COLUMNS,
  countScoped,
  DASHBOARD_POSITION_COLUMNS,
  dashboardPositions,
  lessonConditions,
  POSITION_COLUMNS,
  scopedPositions,
  scopedStudents,
  STUDENT_COLUMNS,
} from "~/.server/bookings/positions";
import { activeWardsSql, WARD_COLUMNS } from "~/.server/bookings/wards-sql";
import { OUTSTANDING_HOMEWORK_COLUMNS, outstandingHomeworkSql } from "~/.server/notes/homework-sql";
import {
  DUE_COLUMNS,
  dueLateStartSql,
  dueRecordsSql,
  dueRemindersSql,
  exhaustedSendsSql,
  ID_COLUMNS,
  insertNotificationsSql,
} from "~/.server/notifications/sweep";
import { JOINED_COLUMNS, joinedSql } from "~/.server/notifications/late-start-sql";
import { nextSlotSql, reserveSlotSql, WAIT_COLUMNS } from "~/.server/lessonspace/call-slots";
import {
  DIGEST_CANDIDATE_COLUMNS,
  DIGEST_LESSON_COLUMNS,
  digestLessonsSql,
  dueDigestRecipientsSql,
  insertDigestRowsSql,
  ZONE_COLUMNS,
  zonesSql,
} from "~/.server/notifications/digest";
import { DEFAULT_DIGEST_SCHEDULE, digestWeekOf } from "~/domain/weekly-digest";
import { CLAIM_COLUMNS, claimDueFetchesSql, FETCH_STATE_COLUMNS, lockFetchSql } from "~/.server/transcripts/ingest";
import {
  claimDueSummariesSql,
  lockSummaryFetchSql,
  SUMMARY_CLAIM_COLUMNS,
  SUMMARY_STATE_COLUMNS,
} from "~/.server/lessonspace/summaries";
import { SEARCH_COLUMNS, searchTranscriptsSql } from "~/.server/transcripts/read";
import { lessonTalkTimeSql, LESSON_TALK_TIME_COLUMNS } from "~/.server/transcripts/talk-time-sql";
import { EXPORT_SEGMENT_COLUMNS, exportSegmentsSql } from "~/.server/privacy/export";
import { ACCESS_COLUMNS, ACCESS_PEOPLE_COLUMNS, accessLogPageSql, accessPeopleSql } from "~/.server/privacy/access-log";
import {
  LAUNCH_CONSENT_COLUMNS,
  launchConsentSql,
  LEARNER_CONSENT_COLUMNS,
  learnerConsentSql,
  learnerLessonLiveSql,
  LESSON_LIVE_COLUMNS,
} from "~/.server/privacy/consent-sql";
import {
  EXPIRED_SNAPSHOT_COLUMNS,
  EXPIRED_TRANSCRIPT_COLUMNS,
  expiredSnapshotsSql,
  expiredTranscriptsSql,
  REMOVED_COUNT_COLUMNS,
  removeExpiredSummariesSql,
  removeSegmentsSql,
  removeSessionSummariesSql,
  removeSpeakersSql,
} from "~/.server/privacy/retention";
import { addGuardian, createBooking, createProfile, type TestProfile } from "../support/app.ts";

/** The columns PostgreSQL says the statement returns, in order. */
async function returnedColumns(statement: Prisma.Sql): Promise<string[]> {
  const result = await pool.query(statement.text, statement.values);
  return result.fields.map((field) => field.name);
}

const now = new Date();
const week = 7 * 24 * 60 * 60_000;
let tutor: TestProfile, parent: TestProfile, child: TestProfile, bookingId: string;
let queue: Queue;

beforeAll(async () => {
  // pg-boss makes its schema on start: the sweep's statements join its job table.
  queue = await openQueue({ schedule: false, supervise: false });
  [tutor, parent, child] = await Promise.all([
    createProfile({ fullName: "Tara Columns" }),
    createProfile({ fullName: "Paula Columns" }),
    createProfile({ fullName: "Charlie Columns" }),
  ]);
  await addGuardian(parent.id, child.id);
  bookingId = (await createBooking({ clientId: parent.id, tutorId: tutor.id, studentId: child.id })).id;
});

afterAll(() => queue.stop());

// Built lazily: the seeded ids exist only once beforeAll has run.
const reads: [name: string, statement: () => Prisma.Sql, columns: readonly string[]][] = [
  ["the viewer's profile (auth)", () => viewerSql(parent.id), VIEWER_COLUMNS],
  ["cards' bookings", () => cardBookingsSql(Prisma.sql`b.id = ${bookingId}::uuid`), CARD_COLUMNS],
  ["dashboard's cards", () => dashboardCardsSql(parent.id, now, 3), DASHBOARD_CARD_COLUMNS],
  ["the booking page", () => bookingPageSql(bookingId, parent.id), BOOKING_PAGE_COLUMNS],
  ["recent sessions", () => recentSessionsSql(tutor.id, new Date(now.getTime() - week), now), RECENT_SESSION_COLUMNS],
  ["active wards", () => activeWardsSql(parent.id), WARD_COLUMNS],
  [
    "the dashboard's homework",
    () => outstandingHomeworkSql(parent.id, new Date(now.getTime() - week), 30),
    OUTSTANDING_HOMEWORK_COLUMNS,
  ],
  ["a lesson's talk time", () => lessonTalkTimeSql(bookingId), LESSON_TALK_TIME_COLUMNS],
  ["scoped positions", () => scopedPositions(parent.id, [], "desc", 10), POSITION_COLUMNS],
  ["dashboard positions", () => dashboardPositions(parent.id, now, 3), DASHBOARD_POSITION_COLUMNS],
  [
    "the /lessons count",
    () =>
      countScoped(
        parent.id,
        lessonConditions({ when: "all", status: null, studentId: null, startsFrom: null, startsBefore: null }, now),
      ),
    COUNT_COLUMNS,
  ],
  ["the /lessons students", () => scopedStudents(parent.id), STUDENT_COLUMNS],
  [
    "learning record lessons",
    () =>
      recordLessonsSql(
        { learner: { id: child.id, fullName: child.fullName }, tutorOnly: tutor.id },
        new Date(now.getTime() - week),
        new Date(now.getTime() + week),
      ),
    RECORD_LESSON_COLUMNS,
  ],
  ["transcript search, every match", () => searchTranscriptsSql(parent.id, "fractions", 1), SEARCH_COLUMNS],
  [
    "transcript search, the newest lessons",
    () => searchTranscriptsSql(parent.id, "fractions", 2, "newest-lessons"),
    SEARCH_COLUMNS,
  ],
  ["transcript fetch claims", () => claimDueFetchesSql(now, 5), CLAIM_COLUMNS],
  ["a Lessonspace call's slot", () => reserveSlotSql("columns-test", 200, 1_000), WAIT_COLUMNS],
  ["the next Lessonspace slot", () => nextSlotSql("columns-test"), WAIT_COLUMNS],
  ["a locked transcript fetch", () => lockFetchSql(bookingId), FETCH_STATE_COLUMNS],
  ["summary fetch claims", () => claimDueSummariesSql(now, 5), SUMMARY_CLAIM_COLUMNS],
  ["a locked summary fetch", () => lockSummaryFetchSql(bookingId), SUMMARY_STATE_COLUMNS],
  ["bookings due for an outcome", () => dueForOutcomeSql(now, 5), DUE_FOR_OUTCOME_COLUMNS],
  ["a booking locked for its outcome", () => lockBookingForOutcomeSql(bookingId), LOCKED_BOOKING_COLUMNS],
  ["the snapshot a new one replaces", () => lockPreviousSnapshotSql(bookingId), PREVIOUS_SNAPSHOT_COLUMNS],
  ["a Lessonspace space's secret", () => spaceSql("no-such-room"), SPACE_COLUMNS],
  // The webhook hot path inlines its values (sql-inline.ts); the statements and columns are the same.
  ["a webhook delivery seen before", () => seenSql("delivery-1"), SEEN_COLUMNS],
  ["a session.start's read", () => sessionStartReadSql("delivery-1", "session-1"), SESSION_START_COLUMNS],
  ["a join or leave's read", () => presenceReadSql("delivery-1", "session-1", child.id), PRESENCE_COLUMNS],
  ["a session.end's read", () => sessionEndReadSql("delivery-1", "session-1", bookingId), SESSION_END_COLUMNS],
  ["due day-before reminders", () => dueRemindersSql("reminder_day_before", now, null, 5), DUE_COLUMNS],
  [
    "due classroom-open reminders, after a cursor",
    () => dueRemindersSql("reminder_classroom_open", now, { startTime: now, id: bookingId }, 5),
    DUE_COLUMNS,
  ],
  ["due lesson records", () => dueRecordsSql("lesson_record", now, null, 5), DUE_COLUMNS],
  ["due review prompts", () => dueRecordsSql("review_prompt", now, null, 5), DUE_COLUMNS],
  ["due tutor-late alerts", () => dueLateStartSql("tutor_late", now, 5, null, 5), DUE_COLUMNS],
  [
    "due learner-late alerts, after a cursor",
    () => dueLateStartSql("learner_late", now, 5, { startTime: now, id: bookingId }, 5),
    DUE_COLUMNS,
  ],
  ["who has joined a lesson (late start)", () => joinedSql(bookingId), JOINED_COLUMNS],
  ["new notification rows", () => insertNotificationsSql("lesson_record", []), ID_COLUMNS],
  ["sends whose retries ran out", () => exhaustedSendsSql(now, 5), ID_COLUMNS],
  [
    "a page of the access log",
    () => accessLogPageSql(child.id, { kind: "tutor", actorId: tutor.id }, { actorId: null, before: 10n, limit: 5 }),
    ACCESS_COLUMNS,
  ],
  [
    "a page of a lesson's transcript for the export",
    () => exportSegmentsSql(bookingId, { sessionId: "s", position: 3 }),
    EXPORT_SEGMENT_COLUMNS,
  ],
  ["the people in the access log", () => accessPeopleSql(child.id, { kind: "family" }), ACCESS_PEOPLE_COLUMNS],
  ["a learner's consent", () => learnerConsentSql(child.id), LEARNER_CONSENT_COLUMNS],
  ["a launch's consent and stored flags", () => launchConsentSql(bookingId), LAUNCH_CONSENT_COLUMNS],
  ["whether a learner's lesson is live", () => learnerLessonLiveSql(child.id), LESSON_LIVE_COLUMNS],
  // The retention job's statements, with nothing old enough to remove.
  ["expired transcripts", () => expiredTranscriptsSql(new Date(0), 5), EXPIRED_TRANSCRIPT_COLUMNS],
  ["expired snapshots", () => expiredSnapshotsSql(new Date(0), 5), EXPIRED_SNAPSHOT_COLUMNS],
  ["segments removed", () => removeSegmentsSql([], 5), REMOVED_COUNT_COLUMNS],
  ["talk-time rows removed", () => removeSpeakersSql([]), REMOVED_COUNT_COLUMNS],
  ["a session's summaries removed", () => removeSessionSummariesSql([]), REMOVED_COUNT_COLUMNS],
  ["expired summaries removed", () => removeExpiredSummariesSql(new Date(0), 5), REMOVED_COUNT_COLUMNS],
  ["the zones people live in", () => zonesSql(), ZONE_COLUMNS],
  [
    "people owed a weekly digest",
    () =>
      dueDigestRecipientsSql(
        [{ zone: "Europe/London", week: digestWeekOf("2026-11-30", "Europe/London", DEFAULT_DIGEST_SCHEDULE) }],
        null,
        5,
      ),
    DIGEST_CANDIDATE_COLUMNS,
  ],
  ["new weekly digest rows", () => insertDigestRowsSql([]), ID_COLUMNS],
  [
    "a family's lessons for its digest",
    () => digestLessonsSql(parent.id, new Date(now.getTime() - week), now),
    DIGEST_LESSON_COLUMNS,
  ],
];

describe("hand-written reads return the columns they declare", () => {
  it.each(reads)("%s", async (_name, statement, columns) => {
    expect(await returnedColumns(statement())).toEqual([...columns]);
  });

  it("the check notices a column the declaration lacks, and a renamed one", async () => {
    const extra = Prisma.sql`SELECT p.id, p.full_name AS "fullName", p.email FROM profiles p WHERE p.id = ${parent.id}::uuid`;
    expect(await returnedColumns(extra)).not.toEqual([...WARD_COLUMNS]);
    const renamed = Prisma.sql`SELECT p.id, p.full_name FROM profiles p WHERE p.id = ${parent.id}::uuid`;
    expect(await returnedColumns(renamed)).not.toEqual([...WARD_COLUMNS]);
  });
});

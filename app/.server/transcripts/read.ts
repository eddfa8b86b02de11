import { Prisma } from "~/generated/prisma/client";
import { sumTalkTime, type TalkTime } from "~/domain/talk-time";
import { SEARCH_PAGE_SIZE, transcriptStatusOf, type TranscriptStatus } from "~/domain/transcript-view";
import { columnsOf } from "../sql-columns";
import { participantOrGuardianIdsSql } from "../bookings/visibility";
import { lessonTalkTimeSql, type LessonTalkTimeRow } from "./talk-time-sql";
import { db, sql } from "../db";

/**
 * Reading transcripts for pages (docs/decisions/0050-transcript-visibility-and-search.md). Callers have authorized the viewer on the booking
 * (`requireBookingForViewer`), except `searchTranscripts`, which scopes by the viewer itself with
 * the same rule: participants and active guardians of the assigned student.
 */

/**
 * The booking page's talk time: per-session speaker totals summed over the lesson, and the state
 * of its transcripts. One hand-written statement (app/.server/transcripts/talk-time-sql.ts; every booking
 * page pays it, and through Prisma it was two queries whose building cost more than the reads).
 */
export async function loadLessonTalkTime(bookingId: string): Promise<{ status: TranscriptStatus; talk: TalkTime }> {
  const [row] = await sql<LessonTalkTimeRow>(lessonTalkTimeSql(bookingId));
  return { status: transcriptStatusOf(row?.fetch_statuses ?? []), talk: sumTalkTime(row?.speakers ?? []) };
}

export type TranscriptSession = {
  sessionId: string;
  startedAt: Date | null;
  segments: {
    id: string;
    speakerName: string;
    speakerProfileId: string | null;
    startSeconds: number;
    endSeconds: number;
    breakoutId: string | null;
    text: string;
  }[];
};

/** Every stored segment of a booking, by session (in the order they started), in order. */
export async function loadTranscript(
  bookingId: string,
): Promise<{ status: TranscriptStatus; sessions: TranscriptSession[] }> {
  const sessions = await db.lessonspaceSession.findMany({
    where: { bookingId },
    orderBy: [{ startedAt: "asc" }, { createdAt: "asc" }],
    select: {
      sessionId: true,
      startedAt: true,
      transcriptFetch: { select: { status: true } },
      transcriptSegments: {
        orderBy: { position: "asc" },
        select: {
          id: true,
          speakerName: true,
          speakerProfileId: true,
          startSeconds: true,
          endSeconds: true,
          breakoutId: true,
          text: true,
        },
      },
    },
  });
  return {
    status: transcriptStatusOf(
      sessions.flatMap((session) => (session.transcriptFetch ? [session.transcriptFetch.status] : [])),
    ),
    sessions: sessions
      .filter((session) => session.transcriptSegments.length > 0)
      .map((session) => ({
        sessionId: session.sessionId,
        startedAt: session.startedAt,
        segments: session.transcriptSegments,
      })),
  };
}

export const MAX_QUERY_LENGTH = 200;

export type SearchHit = {
  segmentId: string;
  bookingId: string;
  serviceName: string;
  sessionStartTime: Date;
  sessionStartedAt: Date | null;
  speakerName: string;
  startSeconds: number;
  /** The segment's text with the matches between \u0001 and \u0002 (rendered as <mark>, never as HTML). */
  excerpt: string;
};

type SearchRow = {
  segment_id: string;
  booking_id: string;
  service_name: string;
  session_start_time: Date;
  started_at: Date | null;
  speaker_name: string;
  start_seconds: number;
  excerpt: string;
};

export const SEARCH_COLUMNS = columnsOf<SearchRow>()([
  "segment_id",
  "booking_id",
  "service_name",
  "session_start_time",
  "started_at",
  "speaker_name",
  "start_seconds",
  "excerpt",
]);

/**
 * How many of the viewer's newest lessons with a Lessonspace session the first, cheap read of a
 * search looks at (docs/decisions/0080-transcript-search-newest-lessons-first.md).
 */
export const NEWEST_LESSONS = 10;

/** Where a search statement looks: the viewer's newest lessons (bounded), or every match. */
export type SearchScope = "newest-lessons" | "all-matches";

/**
 * One page of search hits (and one row more): the newest lesson first, in each lesson the best
 * match first, then the moment in it, then the row.
 * - newest-lessons: the NEWEST_LESSONS newest lessons that had a session, each lesson's matches
 *   read through its booking_id index (a bounded read, whatever the word: a common word does not
 *   rank every match anywhere). A full page from it is the page: older lessons come after.
 * - all-matches: every matching segment through the GIN index, then the viewer's among them;
 *   cheap when few segments match, and the answer whenever the newest lessons did not fill the page.
 */
export function searchTranscriptsSql(
  viewerId: string,
  query: string,
  page: number,
  scope: SearchScope = "all-matches",
): Prisma.Sql {
  const offset = (page - 1) * SEARCH_PAGE_SIZE;
  const tsquery = Prisma.sql`websearch_to_tsquery('english', ${query})`;
  const segmentColumns = Prisma.sql`s.id, s.booking_id, s.session_id, s.speaker_name, s.start_seconds, s.text, ts_rank(s.search_vector, ${tsquery}) AS rank`;
  const hits =
    scope === "newest-lessons"
      ? Prisma.sql`
    lessons AS (
      SELECT b.id, b.service_name, b.session_start_time
        FROM bookings b
       WHERE b.id IN (SELECT id FROM visible) AND EXISTS (SELECT 1 FROM lessonspace_sessions ls WHERE ls.booking_id = b.id)
       ORDER BY b.session_start_time DESC, b.id
       LIMIT ${NEWEST_LESSONS}
    ),
    hits AS (
      SELECT s.id, s.booking_id, s.session_id, s.speaker_name, s.start_seconds, s.text, b.service_name, b.session_start_time, s.rank
        FROM lessons b
        -- Per lesson, its segments through the booking_id index, then the match on each. OFFSET 0
        -- keeps the match out of the index scan: otherwise the planner may intersect the lesson's
        -- rows with the GIN index's, which for two common words costs the whole posting lists per
        -- lesson. The LIMIT (no lesson puts more moments on the page than it holds) keeps the join
        -- per lesson instead of over every match anywhere.
        CROSS JOIN LATERAL (
          SELECT ${segmentColumns}
            FROM (SELECT * FROM transcript_segments WHERE booking_id = b.id OFFSET 0) s
           WHERE s.search_vector @@ ${tsquery}
           ORDER BY rank DESC, s.start_seconds, s.id
           LIMIT ${offset + SEARCH_PAGE_SIZE + 1}
        ) s
       ORDER BY b.session_start_time DESC, b.id, s.rank DESC, s.start_seconds, s.id
       LIMIT ${SEARCH_PAGE_SIZE + 1} OFFSET ${offset}
    )`
      : Prisma.sql`
    matches AS MATERIALIZED (
      SELECT ${segmentColumns}
        FROM transcript_segments s
       WHERE s.search_vector @@ ${tsquery}
    ),
    hits AS (
      SELECT m.id, m.booking_id, m.session_id, m.speaker_name, m.start_seconds, m.text, b.service_name, b.session_start_time, m.rank
        FROM matches m
        JOIN bookings b ON b.id = m.booking_id
       WHERE b.id IN (SELECT id FROM visible)
       ORDER BY b.session_start_time DESC, b.id, m.rank DESC, m.start_seconds, m.id
       LIMIT ${SEARCH_PAGE_SIZE + 1} OFFSET ${offset}
    )`;
  return Prisma.sql`
    WITH visible AS (
      ${participantOrGuardianIdsSql(viewerId)}
    ),${hits}
    SELECT h.id AS segment_id, h.booking_id, h.service_name, h.session_start_time, ls.started_at, h.speaker_name, h.start_seconds,
           ts_headline('english', h.text, ${tsquery}, 'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12') AS excerpt
      FROM hits h
      JOIN lessonspace_sessions ls ON ls.session_id = h.session_id
     ORDER BY h.session_start_time DESC, h.booking_id, h.rank DESC, h.start_seconds, h.id`;
}

/**
 * Full-text search over the transcripts the viewer may read (PostgreSQL `websearch_to_tsquery`
 * over the generated `search_vector`, GIN-indexed). Another family's segments can never match
 * because the visible bookings are part of the WHERE clause. One page (SEARCH_PAGE_SIZE) in one
 * total order (the newest lesson first, in each lesson the best match first, then the moment in
 * it, then the row), so that pages neither repeat nor skip a moment; `hasMore` from one row read
 * beyond the page. The viewer's newest lessons are read first; only when they cannot fill the page
 * (a rare word, a deep page) are all matches read (docs/decisions/0080-transcript-search-newest-lessons-first.md).
 */
export async function searchTranscripts(
  viewerId: string,
  query: string,
  page: number,
): Promise<{ hits: SearchHit[]; hasMore: boolean }> {
  const newest = await sql<SearchRow>(searchTranscriptsSql(viewerId, query, page, "newest-lessons"));
  const rows =
    newest.length > SEARCH_PAGE_SIZE ? newest : await sql<SearchRow>(searchTranscriptsSql(viewerId, query, page));
  const hits = rows.slice(0, SEARCH_PAGE_SIZE).map((row) => ({
    segmentId: row.segment_id,
    bookingId: row.booking_id,
    serviceName: row.service_name,
    sessionStartTime: row.session_start_time,
    sessionStartedAt: row.started_at,
    speakerName: row.speaker_name,
    startSeconds: row.start_seconds,
    excerpt: row.excerpt,
  }));
  return { hits, hasMore: rows.length > SEARCH_PAGE_SIZE };
}

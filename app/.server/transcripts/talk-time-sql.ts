/**
 * A lesson's transcript states and speakers' totals, for its booking page: statement only (no
 * database handle), so the bench's booking-page ceiling runs the same SQL.
 */
import { Prisma } from "~/generated/prisma/client";
import { columnsOf } from "../sql-columns";

export type LessonTalkTimeRow = {
  fetch_statuses: string[];
  speakers: { key: string; profileId: string | null; name: string; seconds: number }[];
};

export const LESSON_TALK_TIME_COLUMNS = columnsOf<LessonTalkTimeRow>()(["fetch_statuses", "speakers"]);

/** The booking's transcripts: their fetch states, and the speakers' per-session totals. */
export function lessonTalkTimeSql(bookingId: string): Prisma.Sql {
  return Prisma.sql`
SELECT ARRAY(SELECT f.status FROM transcript_fetches f JOIN lessonspace_sessions s ON s.session_id = f.session_id
              WHERE s.booking_id = ${bookingId}::uuid) AS fetch_statuses,
       COALESCE((SELECT json_agg(json_build_object('key', sp.speaker_key, 'profileId', sp.speaker_profile_id, 'name', sp.speaker_name, 'seconds', sp.seconds))
                   FROM transcript_speakers sp WHERE sp.booking_id = ${bookingId}::uuid), '[]'::json) AS speakers`;
}

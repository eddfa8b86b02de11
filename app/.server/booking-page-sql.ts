/**
 * The booking page's hand-written read of its transcripts (issue 11): their fetch states and the
 * speakers' per-session totals in one statement. Statement and row shape only (no database
 * handle), like dashboard-sql.ts, so the bench's no-framework booking page runs the same SQL.
 */
export type LessonTalkTimeRow = {
  fetch_statuses: string[];
  speakers: { key: string; profileId: string | null; name: string; seconds: number }[];
};

export const LESSON_TALK_TIME_SQL = `
SELECT ARRAY(SELECT f.status FROM transcript_fetches f JOIN lessonspace_sessions s ON s.session_id = f.session_id
              WHERE s.booking_id = $1::uuid) AS fetch_statuses,
       COALESCE((SELECT json_agg(json_build_object('key', sp.speaker_key, 'profileId', sp.speaker_profile_id, 'name', sp.speaker_name, 'seconds', sp.seconds))
                   FROM transcript_speakers sp WHERE sp.booking_id = $1::uuid), '[]'::json) AS speakers`;

-- The family decides what is kept of a learner's lessons (docs/decisions/0070-consent-per-learner.md)
-- and lesson data is kept for a configured time (docs/decisions/0071-retention-of-lesson-data.md).

-- The flags each space was last launched with, reused while a session is live. NULL for spaces
-- launched before they were stored.
-- AlterTable
ALTER TABLE "lessonspace_spaces" ADD COLUMN     "launched_record_av" BOOLEAN,
ADD COLUMN     "launched_summarise" BOOLEAN,
ADD COLUMN     "launched_transcribe" BOOLEAN;

-- When the retention job removed a transcript's segments, so pages say so instead of nothing.
-- AlterTable
ALTER TABLE "transcript_fetches" ADD COLUMN     "removed_at" TIMESTAMPTZ(6);

ALTER TABLE "transcript_fetches" DROP CONSTRAINT "transcript_fetches_status_known";
ALTER TABLE "transcript_fetches" ADD CONSTRAINT "transcript_fetches_status_known"
  CHECK ("status" IN ('pending', 'done', 'failed', 'removed'));
ALTER TABLE "transcript_fetches" ADD CONSTRAINT "transcript_fetches_removed_when"
  CHECK (("status" = 'removed') = ("removed_at" IS NOT NULL));

-- One row per learner who (or whose guardian) chose. No row means the deployment's defaults.
-- CreateTable
CREATE TABLE "learner_consents" (
    "learner_id" UUID NOT NULL,
    "recording" BOOLEAN NOT NULL,
    "transcription" BOOLEAN NOT NULL,
    "summaries" BOOLEAN NOT NULL,
    "set_by" UUID,
    "set_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "learner_consents_pkey" PRIMARY KEY ("learner_id")
);

-- AddForeignKey
ALTER TABLE "learner_consents" ADD CONSTRAINT "learner_consents_learner_id_fkey" FOREIGN KEY ("learner_id") REFERENCES "profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "learner_consents" ADD CONSTRAINT "learner_consents_set_by_fkey" FOREIGN KEY ("set_by") REFERENCES "profiles"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- A transcript needs a recording and a summary needs a transcript (the Prisma schema language has no CHECK constraints).
ALTER TABLE "learner_consents" ADD CONSTRAINT "learner_consents_chain"
  CHECK (("recording" OR NOT "transcription") AND ("transcription" OR NOT "summaries"));

-- The retention job's daily look for snapshots to remove: bookings that hold one, by start.
CREATE INDEX "bookings_snapshot_start_idx" ON "bookings"("session_start_time")
  WHERE "session_artifacts" ? 'whiteboard_snapshot_path';

-- The same for transcripts not yet removed.
CREATE INDEX "transcript_fetches_kept_idx" ON "transcript_fetches"("session_id") WHERE "removed_at" IS NULL;

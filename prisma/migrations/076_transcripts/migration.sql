-- Transcripts (issue 12, DESIGN.md section 14): one fetch per Lessonspace session, written by the
-- transcription.finish webhook and done later by a job, the segments it stores (searchable), and
-- each speaker's talk time per session.
-- CreateTable
CREATE TABLE "transcript_fetches" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "segment_count" INTEGER,
    "dropped_segments" INTEGER,
    "delivery_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "transcript_fetches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transcript_segments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" TEXT NOT NULL,
    "booking_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "speaker_profile_id" UUID,
    "speaker_name" TEXT NOT NULL,
    "start_seconds" DOUBLE PRECISION NOT NULL,
    "end_seconds" DOUBLE PRECISION NOT NULL,
    "breakout_id" TEXT,
    "text" TEXT NOT NULL,
    -- Prisma cannot express a generated column, so schema.prisma declares it Unsupported("tsvector").
    -- 'english' stemming: "fractions" finds "fraction". Stored, so the GIN index below serves search.
    "search_vector" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "text")) STORED,

    CONSTRAINT "transcript_segments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transcript_speakers" (
    "session_id" TEXT NOT NULL,
    "booking_id" UUID NOT NULL,
    "speaker_key" TEXT NOT NULL,
    "speaker_profile_id" UUID,
    "speaker_name" TEXT NOT NULL,
    "seconds" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "transcript_speakers_pkey" PRIMARY KEY ("session_id","speaker_key")
);

-- CreateIndex
CREATE UNIQUE INDEX "transcript_fetches_session_id_key" ON "transcript_fetches"("session_id");

-- CreateIndex
CREATE INDEX "transcript_fetches_status_next_attempt_at_idx" ON "transcript_fetches"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "transcript_segments_booking_id_idx" ON "transcript_segments"("booking_id");

-- CreateIndex
CREATE INDEX "transcript_segments_search_vector_idx" ON "transcript_segments" USING GIN ("search_vector");

-- CreateIndex
CREATE UNIQUE INDEX "transcript_segments_session_id_position_key" ON "transcript_segments"("session_id", "position");

-- CreateIndex
CREATE INDEX "transcript_speakers_booking_id_idx" ON "transcript_speakers"("booking_id");

-- AddForeignKey
ALTER TABLE "transcript_fetches" ADD CONSTRAINT "transcript_fetches_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lessonspace_sessions"("session_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transcript_segments" ADD CONSTRAINT "transcript_segments_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lessonspace_sessions"("session_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transcript_segments" ADD CONSTRAINT "transcript_segments_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transcript_segments" ADD CONSTRAINT "transcript_segments_speaker_profile_id_fkey" FOREIGN KEY ("speaker_profile_id") REFERENCES "profiles"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transcript_speakers" ADD CONSTRAINT "transcript_speakers_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lessonspace_sessions"("session_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The app validates these, and the database holds the rules too, since other epics read and write here.
ALTER TABLE "transcript_fetches" ADD CONSTRAINT "transcript_fetches_status_known" CHECK ("status" IN ('pending', 'done', 'failed'));
ALTER TABLE "transcript_segments" ADD CONSTRAINT "transcript_segments_times_sane"
    CHECK ("start_seconds" >= 0 AND "end_seconds" >= "start_seconds" AND "end_seconds" <= 86400);

-- CreateTable
CREATE TABLE "access_log" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID NOT NULL,
    "learner_id" UUID NOT NULL,
    "booking_id" UUID,
    "action" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "access_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transcript_deletions" (
    "booking_id" UUID NOT NULL,
    "deleted_by" UUID NOT NULL,
    "deleted_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transcript_deletions_pkey" PRIMARY KEY ("booking_id")
);

-- CreateIndex
CREATE INDEX "access_log_learner_id_id_idx" ON "access_log"("learner_id", "id" DESC);

-- CreateIndex
CREATE INDEX "access_log_learner_id_actor_id_id_idx" ON "access_log"("learner_id", "actor_id", "id" DESC);

-- CreateIndex
CREATE INDEX "access_log_at_idx" ON "access_log"("at");

-- AddForeignKey
ALTER TABLE "transcript_deletions" ADD CONSTRAINT "transcript_deletions_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transcript_deletions" ADD CONSTRAINT "transcript_deletions_deleted_by_fkey" FOREIGN KEY ("deleted_by") REFERENCES "profiles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What an entry may say (app/domain/access-log.ts lists the same words).
ALTER TABLE "access_log" ADD CONSTRAINT "access_log_action_check" CHECK ("action" IN ('recording', 'transcript', 'transcript-search', 'snapshot', 'learning-record', 'export', 'deletion'));

-- Append-only (docs/decisions/0072-access-log-append-only.md): rows are never changed, and removed
-- only by access_log_purge below, which sets app.retention for its own transaction. Any other
-- UPDATE, DELETE or TRUNCATE fails. The bodies are escape strings with semicolons written \073
-- (Prisma's engine splits a script at every semicolon).
CREATE FUNCTION "access_log_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''UPDATE'' OR current_setting(''app.retention'', true) IS DISTINCT FROM ''on'' THEN
    RAISE EXCEPTION ''access_log is append-only: % refused'', TG_OP USING ERRCODE = ''insufficient_privilege''\073
  END IF\073
  IF TG_OP = ''DELETE'' THEN
    RETURN OLD\073
  END IF\073
  RETURN NULL\073
END
';

CREATE TRIGGER "access_log_append_only"
BEFORE UPDATE OR DELETE ON "access_log"
FOR EACH ROW EXECUTE FUNCTION "access_log_refuse_change"();

CREATE TRIGGER "access_log_no_truncate"
BEFORE TRUNCATE ON "access_log"
FOR EACH STATEMENT EXECUTE FUNCTION "access_log_refuse_change"();

-- The one way rows leave: up to batch_size rows older than cutoff, oldest first, skipping rows
-- another worker is removing (so many workers share the work and a rerun finds nothing left).
-- The flag is local to the transaction and cleared before returning.
CREATE FUNCTION "access_log_purge"(cutoff TIMESTAMPTZ, batch_size INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS E'
DECLARE
  removed INTEGER\073
BEGIN
  PERFORM set_config(''app.retention'', ''on'', true)\073
  DELETE FROM access_log WHERE id IN (
    SELECT id FROM access_log WHERE at < cutoff ORDER BY at LIMIT batch_size FOR UPDATE SKIP LOCKED
  )\073
  GET DIAGNOSTICS removed = ROW_COUNT\073
  PERFORM set_config(''app.retention'', ''off'', true)\073
  RETURN removed\073
END
';

-- A deleted transcript stays deleted (docs/decisions/0073-deleting-a-lesson-transcript.md): a late
-- transcription.finish, a fetch already in flight or a summary job would otherwise write it again.
-- Such rows are skipped (the insert succeeds with nothing written), so those jobs finish quietly.
CREATE FUNCTION "skip_deleted_transcript_rows"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM transcript_deletions d WHERE d.booking_id = NEW.booking_id) THEN
    RETURN NULL\073
  END IF\073
  RETURN NEW\073
END
';

CREATE FUNCTION "skip_deleted_transcript_fetches"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM transcript_deletions d JOIN lessonspace_sessions s ON s.booking_id = d.booking_id
              WHERE s.session_id = NEW.session_id) THEN
    RETURN NULL\073
  END IF\073
  RETURN NEW\073
END
';

CREATE TRIGGER "transcript_segments_not_after_deletion"
BEFORE INSERT ON "transcript_segments"
FOR EACH ROW EXECUTE FUNCTION "skip_deleted_transcript_rows"();

CREATE TRIGGER "transcript_speakers_not_after_deletion"
BEFORE INSERT ON "transcript_speakers"
FOR EACH ROW EXECUTE FUNCTION "skip_deleted_transcript_rows"();

CREATE TRIGGER "lesson_summaries_not_after_deletion"
BEFORE INSERT ON "lesson_summaries"
FOR EACH ROW EXECUTE FUNCTION "skip_deleted_transcript_rows"();

CREATE TRIGGER "transcript_fetches_not_after_deletion"
BEFORE INSERT ON "transcript_fetches"
FOR EACH ROW EXECUTE FUNCTION "skip_deleted_transcript_fetches"();

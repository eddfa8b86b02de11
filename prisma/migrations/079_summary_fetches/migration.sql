-- Lessonspace summaries to ask for (docs/decisions/0063-lessonspace-summaries-api-contract.md): one row
-- per session, written in the transaction that stores the session's transcript, claimed by the
-- summary job. attempts counts every request, throttled the 429s among them (a separate bound).
-- CreateTable
CREATE TABLE "summary_fetches" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "summary_fetches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "summary_fetches_session_id_key" ON "summary_fetches"("session_id");

-- CreateIndex
CREATE INDEX "summary_fetches_status_next_attempt_at_idx" ON "summary_fetches"("status", "next_attempt_at");

-- AddForeignKey
ALTER TABLE "summary_fetches" ADD CONSTRAINT "summary_fetches_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lessonspace_sessions"("session_id") ON DELETE CASCADE ON UPDATE CASCADE;

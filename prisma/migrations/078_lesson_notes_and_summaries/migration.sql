-- What was learnt and what to practise (docs/decisions/0052-lesson-notes-homework-and-summaries.md):
-- Lessonspace's summary per session (a draft for the tutor), the tutor's note per booking (draft until
-- published_at, a version for refusing a save against an older one) and its homework items.

-- CreateTable
CREATE TABLE "lesson_summaries" (
    "session_id" TEXT NOT NULL,
    "booking_id" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "fetched_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lesson_summaries_pkey" PRIMARY KEY ("session_id")
);

-- CreateTable
CREATE TABLE "lesson_notes" (
    "booking_id" UUID NOT NULL,
    "tutor_id" UUID NOT NULL,
    "covered" TEXT NOT NULL DEFAULT '',
    "private_note" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "published_at" TIMESTAMPTZ(6),
    "edited_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lesson_notes_pkey" PRIMARY KEY ("booking_id")
);

-- CreateTable
CREATE TABLE "homework_items" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "booking_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "due_on" DATE,
    "done_at" TIMESTAMPTZ(6),
    "done_by" UUID,

    CONSTRAINT "homework_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "lesson_summaries_booking_id_idx" ON "lesson_summaries"("booking_id");

-- CreateIndex
CREATE INDEX "lesson_notes_tutor_id_idx" ON "lesson_notes"("tutor_id");

-- CreateIndex
CREATE UNIQUE INDEX "homework_items_booking_id_position_key" ON "homework_items"("booking_id", "position");

-- AddForeignKey
ALTER TABLE "lesson_summaries" ADD CONSTRAINT "lesson_summaries_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lessonspace_sessions"("session_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lesson_summaries" ADD CONSTRAINT "lesson_summaries_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lesson_notes" ADD CONSTRAINT "lesson_notes_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lesson_notes" ADD CONSTRAINT "lesson_notes_tutor_id_fkey" FOREIGN KEY ("tutor_id") REFERENCES "profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "homework_items" ADD CONSTRAINT "homework_items_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "lesson_notes"("booking_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "homework_items" ADD CONSTRAINT "homework_items_done_by_fkey" FOREIGN KEY ("done_by") REFERENCES "profiles"("id") ON DELETE SET NULL ON UPDATE CASCADE;

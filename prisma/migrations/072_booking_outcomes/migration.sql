-- Lesson outcomes (DESIGN.md section 12): what a lesson turned out to be, settled once from
-- attendance when its join window closes. NULL until then.
-- CreateEnum
CREATE TYPE "lesson_outcome" AS ENUM ('held', 'student_absent', 'tutor_absent', 'not_held');

-- AlterTable
ALTER TABLE "bookings" ADD COLUMN     "outcome" "lesson_outcome",
ADD COLUMN     "outcome_attendee_seconds" INTEGER,
ADD COLUMN     "outcome_settled_at" TIMESTAMPTZ(6),
ADD COLUMN     "outcome_tutor_seconds" INTEGER;

COMMENT ON COLUMN "bookings"."outcome_tutor_seconds" IS 'Seconds the tutor was in the classroom, as counted when the outcome was settled.';
COMMENT ON COLUMN "bookings"."outcome_attendee_seconds" IS 'Seconds the attendee (assigned student, else the client) was in the classroom, as counted when the outcome was settled.';

-- The periodic sweep asks for "window closed, outcome NULL, oldest first": only unsettled rows are
-- indexed, so the index stays small however long the history grows. Written by hand: Prisma's
-- schema language has no partial indexes without a preview feature.
CREATE INDEX "bookings_outcome_due_idx" ON "bookings" ("session_start_time") WHERE "outcome" IS NULL;

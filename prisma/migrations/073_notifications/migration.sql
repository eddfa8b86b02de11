-- 073: the notifications table (one row per message, DESIGN.md section 12), undeliverable addresses
-- and the sweep's index on bookings. The job queue's own schema (pgboss) is pg-boss's: it creates and
-- migrates it at start (README, "Decisions").

-- CreateEnum
CREATE TYPE "notification_status" AS ENUM ('queued', 'sending', 'sent', 'failed_permanent', 'skipped');

-- AlterTable
ALTER TABLE "profiles" ADD COLUMN     "email_undeliverable_at" TIMESTAMPTZ(6);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "booking_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "for_start_time" TIMESTAMPTZ(6) NOT NULL,
    "recipient_profile_id" UUID NOT NULL,
    "recipient_role" TEXT NOT NULL,
    "status" "notification_status" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "queued_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMPTZ(6),
    "sent_at" TIMESTAMPTZ(6),
    "message_id" TEXT,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notifications_recipient_profile_id_idx" ON "notifications"("recipient_profile_id");

-- CreateIndex
CREATE INDEX "notifications_status_queued_at_idx" ON "notifications"("status", "queued_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_booking_id_kind_for_start_time_recipient_prof_key" ON "notifications"("booking_id", "kind", "for_start_time", "recipient_profile_id");

-- CreateIndex
-- Partial, by hand (Prisma leaves them alone): the reminder sweep scans Confirmed bookings by start
-- time, the record sweep settled outcomes by settling time. A plain (status, start) index let
-- PostgreSQL 18's skip scan take it for a viewer's history instead of the participant indexes.
CREATE INDEX "bookings_confirmed_start_idx" ON "bookings"("session_start_time", "id") WHERE "status" = 'Confirmed';

CREATE INDEX "bookings_outcome_settled_idx" ON "bookings"("outcome_settled_at") WHERE "outcome" IS NOT NULL;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_recipient_profile_id_fkey" FOREIGN KEY ("recipient_profile_id") REFERENCES "profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The kinds of app/domain/notification-kinds.ts: adding a kind is one ALTER of this constraint.
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_kind_check"
  CHECK ("kind" IN ('reminder_day_before', 'reminder_classroom_open', 'lesson_record', 'review_prompt'));


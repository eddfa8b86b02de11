-- The weekly family digest (docs/decisions/0068-weekly-digest-once-per-recipient-and-week.md): a notification
-- kind with no booking. Its row is keyed by (kind, recipient, for_start_time) where for_start_time is the
-- Monday of the week it reports on (00:00 UTC of that civil date), unique among rows without a booking.
-- Every booking's row keeps its key and its index unchanged.

-- AlterTable
ALTER TABLE "notifications" ALTER COLUMN "booking_id" DROP NOT NULL;

-- Partial, by hand (Prisma cannot express it): one digest per recipient and week, whatever the number of sweeps.
CREATE UNIQUE INDEX "notifications_digest_key" ON "notifications"("kind", "recipient_profile_id", "for_start_time") WHERE "booking_id" IS NULL;

-- Only the digest goes without a booking: every other kind is about one lesson.
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_booking_unless_digest"
  CHECK ("booking_id" IS NOT NULL OR "kind" = 'weekly_digest');

-- The kinds of app/domain/notification-kinds.ts, with the digest.
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_kind_check";
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_kind_check"
  CHECK ("kind" IN ('reminder_day_before', 'reminder_classroom_open', 'lesson_record', 'review_prompt', 'weekly_digest'));

ALTER TABLE "notification_preferences" DROP CONSTRAINT "notification_preferences_kind_known";
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_kind_known"
  CHECK ("kind" IN ('reminder_day_before', 'reminder_classroom_open', 'lesson_record', 'review_prompt', 'weekly_digest'));

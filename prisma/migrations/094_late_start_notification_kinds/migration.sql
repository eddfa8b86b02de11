-- 094: the late-start alerts (docs/decisions/0054-shared-lessonspace-limiter-and-late-start.md) are
-- three more kinds of app/domain/notification-kinds.ts, in both tables that name kinds (beside
-- 084's weekly digest).
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_kind_check";
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_kind_check"
  CHECK ("kind" IN ('reminder_day_before', 'reminder_classroom_open', 'lesson_record', 'review_prompt',
                    'weekly_digest', 'tutor_late', 'tutor_reminded', 'learner_late'));

ALTER TABLE "notification_preferences" DROP CONSTRAINT "notification_preferences_kind_known";
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_kind_known"
  CHECK ("kind" IN ('reminder_day_before', 'reminder_classroom_open', 'lesson_record', 'review_prompt',
                    'weekly_digest', 'tutor_late', 'tutor_reminded', 'learner_late'));

-- A child without an address of their own has no e-mail: their guardians receive the messages of
-- the family (and join for them). Addresses stay unique, and PostgreSQL allows many NULLs in a UNIQUE.
-- AlterTable
ALTER TABLE "profiles" ALTER COLUMN "email" DROP NOT NULL;

-- Which kinds of message each person receives. No row means on (the default).
-- CreateTable
CREATE TABLE "notification_preferences" (
    "profile_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_preferences_pkey" PRIMARY KEY ("profile_id","kind")
);

-- AddForeignKey
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_profile_id_fkey" FOREIGN KEY ("profile_id") REFERENCES "profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The kinds of app/domain/notification-kinds.ts (the Prisma schema language has no CHECK constraints).
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_kind_known"
  CHECK ("kind" IN ('reminder_day_before', 'reminder_classroom_open', 'lesson_record', 'review_prompt'));

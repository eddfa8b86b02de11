-- One row per Lessonspace API key: when the next call may start, and how long Lessonspace asked
-- everyone to wait (a 429's Retry-After). Every process reserves its call's start time here in one
-- statement, so all app servers and workers together stay under the key's rate
-- (docs/decisions/0075-lessonspace-calls-take-a-slot-in-postgresql.md). The key itself is never
-- stored, only a hash of it.
-- CreateTable
CREATE TABLE "lessonspace_call_slots" (
    "key_hash" TEXT NOT NULL,
    "next_slot_at" TIMESTAMPTZ(6) NOT NULL,
    "not_before" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "lessonspace_call_slots_pkey" PRIMARY KEY ("key_hash")
);

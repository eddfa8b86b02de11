-- The Lessonspace room of each booking with the secret that signs its webhooks, each session held in it,
-- and who attended each session for how long.

-- CreateTable
CREATE TABLE "lessonspace_spaces" (
    "room_id" TEXT NOT NULL,
    "booking_id" UUID NOT NULL,
    "launch_id" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lessonspace_spaces_pkey" PRIMARY KEY ("room_id")
);

-- CreateTable
CREATE TABLE "lessonspace_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" TEXT NOT NULL,
    "booking_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(6),
    "ended_at" TIMESTAMPTZ(6),
    "duration_seconds" INTEGER,
    "recording_available" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lessonspace_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lessonspace_attendance" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "session_id" TEXT NOT NULL,
    "profile_id" UUID NOT NULL,
    "joined_at" TIMESTAMPTZ(6),
    "left_at" TIMESTAMPTZ(6),
    "seconds_present" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "lessonspace_attendance_pkey" PRIMARY KEY ("id")
);

-- CreateIndex: webhooks carry the room id, and bookings store it in meeting_provider_id.
CREATE INDEX "bookings_meeting_provider_id_idx" ON "bookings"("meeting_provider_id");

-- CreateIndex
CREATE UNIQUE INDEX "lessonspace_spaces_booking_id_key" ON "lessonspace_spaces"("booking_id");

-- CreateIndex
CREATE UNIQUE INDEX "lessonspace_sessions_session_id_key" ON "lessonspace_sessions"("session_id");

-- CreateIndex
CREATE INDEX "lessonspace_sessions_booking_id_idx" ON "lessonspace_sessions"("booking_id");

-- CreateIndex
CREATE UNIQUE INDEX "lessonspace_attendance_session_id_profile_id_key" ON "lessonspace_attendance"("session_id", "profile_id");

-- AddForeignKey
ALTER TABLE "lessonspace_spaces" ADD CONSTRAINT "lessonspace_spaces_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lessonspace_sessions" ADD CONSTRAINT "lessonspace_sessions_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lessonspace_attendance" ADD CONSTRAINT "lessonspace_attendance_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lessonspace_sessions"("session_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lessonspace_attendance" ADD CONSTRAINT "lessonspace_attendance_profile_id_fkey" FOREIGN KEY ("profile_id") REFERENCES "profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Issue 11: a viewer's bookings are read by (participant, start time, id), newest first (the
-- dashboard's bounded sections and /lessons' keyset pages). One index per way of taking part
-- (client, tutor, assigned student) lets each be a short index range scan, merged by a UNION of
-- three LIMITed scans, never a sort of the whole history. They also serve every lookup the
-- single-column indexes they replace served (same leading column).
-- DropIndex
DROP INDEX "bookings_client_id_idx";

-- DropIndex
DROP INDEX "bookings_student_id_idx";

-- DropIndex
DROP INDEX "bookings_tutor_id_idx";

-- CreateIndex
CREATE INDEX "bookings_client_id_session_start_time_id_idx" ON "bookings"("client_id", "session_start_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "bookings_tutor_id_session_start_time_id_idx" ON "bookings"("tutor_id", "session_start_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "bookings_student_id_session_start_time_id_idx" ON "bookings"("student_id", "session_start_time" DESC, "id" DESC);

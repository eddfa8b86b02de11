-- AlterTable
ALTER TABLE "bookings" ADD COLUMN     "calendar_sequence" INTEGER NOT NULL DEFAULT 0;

-- Calendars ignore an update whose SEQUENCE is not above the one they hold. Entries already sent
-- carry the old SEQUENCE (seconds from 2025-01-01 to updated_at), so existing rows start there.
UPDATE "bookings"
SET "calendar_sequence" = GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ("updated_at" - TIMESTAMPTZ '2025-01-01 00:00:00+00'))))::integer;

-- The booking system moves, resizes and cancels bookings with plain SQL that leaves updated_at as
-- it was, so the version is kept by the database: one more for every change of time, length or status.
-- Prisma's engine splits a script at every semicolon, even inside a function body, so the body is
-- an escape string whose semicolons are written \073 (both runners apply it unchanged).
CREATE FUNCTION "bookings_bump_calendar_sequence"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF NEW.session_start_time IS DISTINCT FROM OLD.session_start_time
    OR NEW.session_duration IS DISTINCT FROM OLD.session_duration
    OR NEW.status IS DISTINCT FROM OLD.status THEN
    NEW.calendar_sequence := OLD.calendar_sequence + 1\073
  END IF\073
  RETURN NEW\073
END
';

CREATE TRIGGER "bookings_calendar_sequence"
BEFORE UPDATE OF "session_start_time", "session_duration", "status" ON "bookings"
FOR EACH ROW EXECUTE FUNCTION "bookings_bump_calendar_sequence"();

-- The spec's session.end webhook writes duration_actual, but its migration 065 never adds the column.
ALTER TABLE public.bookings ADD COLUMN IF NOT EXISTS duration_actual INTEGER;

COMMENT ON COLUMN public.bookings.duration_actual IS 'v5.2: Seconds the lesson actually ran, summed over its distinct Lessonspace sessions (written on session.end).';

-- The spec's migration 065 (lessonspace-solution-design-v5.2), verbatim.
-- DESIGN.md section 5: meeting_provider_id holds the room_id Lessonspace returns, and meeting_url holds the booking's
-- stable join page, never a user's client_url (that link carries one person's identity).

ALTER TABLE public.bookings
-- Stores the unique Lessonspace Room ID (e.g., 'space-xxxx-yyyy')
ADD COLUMN IF NOT EXISTS meeting_provider_id TEXT,

-- Stores the last generated launch URL (optional cache)
ADD COLUMN IF NOT EXISTS meeting_url TEXT,

-- Stores the URL to the session recording (populated via webhook)
ADD COLUMN IF NOT EXISTS recording_url TEXT,

-- Metadata for the specific session artifacts
ADD COLUMN IF NOT EXISTS session_artifacts JSONB DEFAULT '{}'::jsonb;
-- Example: { "whiteboard_snapshot_url": "..." }

COMMENT ON COLUMN public.bookings.meeting_provider_id IS 'v5.2: The persistent Lessonspace Space ID.';

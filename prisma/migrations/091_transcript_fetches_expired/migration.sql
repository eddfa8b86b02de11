-- A transcript whose pre-signed link answered 403 before it was fetched is "expired", said as such
-- on the pages rather than as a failure (docs/decisions/0076-transcripts-downloaded-as-soon-as-announced.md).
-- 'removed' (086, the retention job) stays allowed.
ALTER TABLE "transcript_fetches" DROP CONSTRAINT "transcript_fetches_status_known";
ALTER TABLE "transcript_fetches" ADD CONSTRAINT "transcript_fetches_status_known" CHECK ("status" IN ('pending', 'done', 'failed', 'expired', 'removed'));

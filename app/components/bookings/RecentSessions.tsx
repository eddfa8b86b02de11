import { useRef } from "react";
import type { RecentSession } from "~/domain/recent-session";
import { ReviewForm } from "./ReviewForm";
import { SnapshotUploadForm } from "./SnapshotUploadForm";

/**
 * The tutor's Recent Sessions widget: one card per completed lesson of the last two
 * weeks that still lacks a whiteboard snapshot, the tutor's review or a published lesson note. Both actions are plain
 * forms and links; with JavaScript, "Leave Review" opens the same review form in a <dialog>.
 * Data: recentSessionsForTutor() in app/.server/bookings/recent-sessions.ts.
 */
export function RecentSessions({ sessions }: { sessions: RecentSession[] }) {
  if (sessions.length === 0) return null;
  return (
    <section aria-labelledby="recent-sessions-title">
      <h2 id="recent-sessions-title">Recent Sessions</h2>
      {sessions.map((session) => (
        <RecentSessionCard key={session.bookingId} session={session} />
      ))}
    </section>
  );
}

function RecentSessionCard({ session }: { session: RecentSession }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = `recent-${session.bookingId}-title`;
  const question = `How was your session with ${session.attendeeName}?`;

  // Progressive enhancement: without JavaScript (or <dialog> support) the link opens the review page.
  function openReview(event: React.MouseEvent<HTMLAnchorElement>) {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    if (typeof dialog.current?.showModal !== "function") return;
    event.preventDefault();
    dialog.current.showModal();
  }

  return (
    <article className="card stack" aria-labelledby={titleId}>
      <h3 id={titleId}>{question}</h3>
      <p className="muted">
        {session.serviceName}, {session.when}
      </p>
      {session.hasSnapshot ? (
        <p>✓ Whiteboard snapshot uploaded.</p>
      ) : (
        <SnapshotUploadForm action={session.uploadPath} id={`snapshot-${session.bookingId}`} />
      )}
      {session.hasNote ? (
        <p>✓ Lesson note published.</p>
      ) : (
        <p>
          <a className="button" href={session.notePath}>
            Write the lesson note
          </a>
        </p>
      )}
      {session.hasReview ? (
        <p>✓ Review left.</p>
      ) : (
        <>
          <p>
            <a className="button" href={session.reviewPath} onClick={openReview}>
              Leave Review
            </a>
          </p>
          <dialog ref={dialog} aria-labelledby={`${titleId}-dialog`}>
            <h3 id={`${titleId}-dialog`}>{question}</h3>
            <ReviewForm action={session.reviewPath} idPrefix={`review-${session.bookingId}`}>
              {" "}
              <button type="button" onClick={() => dialog.current?.close()}>
                Cancel
              </button>
            </ReviewForm>
          </dialog>
        </>
      )}
    </article>
  );
}

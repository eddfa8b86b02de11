/**
 * The lesson note on the booking page: what was covered and the homework, with a small POST form
 * per item to mark it done or not done (no JavaScript needed). The tutor also sees their draft, the
 * private note and a link to edit. Text is text: React escapes it, and CSS keeps its line breaks.
 */
import type { LessonNoteView } from "~/domain/lesson-note";

export function LessonNote({
  bookingId,
  note,
  editPath,
  previousHomework,
}: {
  bookingId: string;
  note: LessonNoteView | null;
  /** The tutor's link to write or edit the note; null for everyone else. */
  editPath: string | null;
  /** The tutor's "Last lesson's homework: 2 of 3 done". */
  previousHomework: { bookingId: string; progress: string } | null;
}) {
  if (!note && !editPath && !previousHomework) return null;
  return (
    <section aria-labelledby="lesson-note">
      <h2 id="lesson-note">Lesson note</h2>
      {previousHomework ? (
        <p>
          <a href={`/bookings/${previousHomework.bookingId}#homework`}>Last lesson’s homework</a>:{" "}
          {previousHomework.progress}
        </p>
      ) : null}
      {note ? (
        <>
          {note.published ? (
            <p className="muted">{note.published}</p>
          ) : (
            <p className="notice">Draft: only you can see it until you publish.</p>
          )}
          <h3>What we covered</h3>
          {note.covered ? <p className="note-text">{note.covered}</p> : <p className="muted">Nothing written.</p>}
          <Homework bookingId={bookingId} note={note} />
          {note.privateNote !== null && note.privateNote !== "" ? (
            <>
              <h3>Private note (only you see this)</h3>
              <p className="note-text">{note.privateNote}</p>
            </>
          ) : null}
        </>
      ) : editPath ? (
        <p className="muted">No note yet.</p>
      ) : null}
      {editPath ? (
        <p>
          <a href={editPath}>{note ? "Edit the lesson note" : "Write the lesson note"}</a>
        </p>
      ) : null}
    </section>
  );
}

function Homework({ bookingId, note }: { bookingId: string; note: LessonNoteView }) {
  if (note.homework.length === 0) return null;
  return (
    <>
      <h3 id="homework">Homework and next steps</h3>
      {note.progress ? <p className="muted">{note.progress}</p> : null}
      <ul className="homework">
        {note.homework.map((item) => (
          <li key={item.id} className={item.done ? "done" : undefined}>
            <span className="note-text">{item.text}</span>
            {item.due ? <span className={item.overdue ? "error" : "muted"}> · {item.due}</span> : null}
            {item.done ? <span> · ✓ Done</span> : null}
            {note.mayTick ? (
              <form method="post" action={`/bookings/${bookingId}/homework/${item.id}`} className="inline-form">
                <input type="hidden" name="done" value={item.done ? "0" : "1"} />
                <input type="hidden" name="returnTo" value={`/bookings/${bookingId}#homework`} />
                <button type="submit" aria-label={`${item.done ? "Mark not done" : "Mark done"}: ${item.text}`}>
                  {item.done ? "Mark not done" : "Mark done"}
                </button>
              </form>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

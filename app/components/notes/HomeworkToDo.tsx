/**
 * The dashboard's Homework: what is still to do from published lesson notes, grouped by learner,
 * each item linking to its lesson with a plain form to mark it done (no JavaScript needed).
 */
import type { HomeworkGroup } from "~/domain/lesson-note";

export function HomeworkToDo({ groups }: { groups: HomeworkGroup[] }) {
  if (groups.length === 0) return null;
  return (
    <section aria-labelledby="section-homework">
      <h2 id="section-homework">Homework</h2>
      {groups.map((group) => (
        <div key={group.learnerId}>
          <h3>{group.title}</h3>
          <ul className="homework">
            {group.items.map((item) => (
              <li key={item.id}>
                <span className="note-text">{item.text}</span>
                {item.due ? <span className={item.overdue ? "error" : "muted"}> · {item.due}</span> : null}
                <br />
                <a className="muted" href={`/bookings/${item.bookingId}#homework`}>
                  {item.lesson}
                </a>
                <form method="post" action={`/bookings/${item.bookingId}/homework/${item.id}`} className="inline-form">
                  <input type="hidden" name="done" value="1" />
                  <input type="hidden" name="returnTo" value="/#section-homework" />
                  <button type="submit" aria-label={`Mark done: ${item.text}`}>
                    Mark done
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

import { data } from "react-router";
import { requireViewer } from "~/.server/auth";
import { notFound } from "~/.server/bookings/bookings";
import { requireLearnerForViewer } from "~/.server/bookings/learning-record";
import { loadAccessLogPage, loadAccessPeople } from "~/.server/privacy/access-log";
import { familyScopeFor } from "~/.server/privacy/family";
import { ACCESS_PAGE_SIZE, accessActionLabel, accessCursor, type LogReader } from "~/domain/access-log";
import { formatDateTime, lessonTime, timeZoneLabel } from "~/domain/format";
import { usableTimeZone } from "~/domain/time-zone";
import { isUuid } from "~/domain/uuid";
import type { Route } from "./+types/students.$id.access";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `Who has looked at ${loaderData.learner.fullName}'s lessons · Tutorwise Classroom`
      : "Who has looked · Tutorwise Classroom",
  },
];

/**
 * Who has looked at a learner's lessons (docs/decisions/0072-access-log-append-only.md): the
 * family (active guardians, the adult learner) reads every entry; a tutor who taught the learner
 * reads only their own entries, never the family's. A child, a pending guardian and everyone
 * else get the same 404 as a learner who does not exist. Newest first, in keyset pages.
 */
export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const scope = await requireLearnerForViewer(params.id, viewer.id);
  let reader: LogReader;
  if (scope.tutorOnly) reader = { kind: "tutor", actorId: viewer.id };
  else if (await familyScopeFor(scope.learner.id, viewer.id)) reader = { kind: "family" };
  else throw notFound();

  const person = url.searchParams.get("person");
  const actorId = reader.kind === "family" && person && isUuid(person) ? person.toLowerCase() : null;
  const before = accessCursor(url.searchParams.get("before"));
  const [page, people] = await Promise.all([
    loadAccessLogPage(scope.learner.id, reader, { actorId, before, limit: ACCESS_PAGE_SIZE }),
    reader.kind === "family" ? loadAccessPeople(scope.learner.id, reader) : Promise.resolve([]),
  ]);
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const pageHref = (cursor: bigint | null) => {
    const query = new URLSearchParams();
    if (actorId) query.set("person", actorId);
    if (cursor !== null) query.set("before", cursor.toString());
    const text = query.toString();
    return `/students/${scope.learner.id}/access${text ? `?${text}` : ""}`;
  };
  return data(
    {
      timeZone: timeZoneLabel(timeZone, now),
      learner: scope.learner,
      ownOnly: reader.kind === "tutor",
      people,
      person: actorId,
      firstPage: before !== null ? pageHref(null) : null,
      next: page.next !== null ? pageHref(page.next) : null,
      entries: page.rows.map((row) => ({
        id: row.id.toString(),
        who: row.actor.id === viewer.id ? `${row.actor.name} (you)` : row.actor.name,
        what: accessActionLabel(row.action),
        lesson: row.lesson
          ? {
              href: `/bookings/${row.lesson.bookingId}`,
              label: `${row.lesson.serviceName}, ${lessonTime(row.lesson.startTime, timeZone, now)}`,
            }
          : null,
        when: formatDateTime(row.at, timeZone, now),
        dateTime: row.at.toISOString(),
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export default function AccessLog({ loaderData }: Route.ComponentProps) {
  const { timeZone, learner, ownOnly, people, person, firstPage, next, entries } = loaderData;
  return (
    <main className="page">
      <p>
        <a href={`/students/${learner.id}/record`}>← Learning record</a>
      </p>
      <h1>Who has looked at {learner.fullName}&apos;s lessons</h1>
      <p className="muted">
        {ownOnly
          ? "Your own visits only: the family's are theirs to see."
          : "Every opening of a recording, transcript, whiteboard snapshot or the learning record, and every export and deletion."}{" "}
        Newest first, times in {timeZone}.
      </p>
      {!ownOnly ? (
        <>
          <form method="get" className="filters">
            <label htmlFor="person">Person</label>{" "}
            <select id="person" name="person" defaultValue={person ?? ""}>
              <option value="">Everyone</option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>{" "}
            <button type="submit">Show</button>
          </form>
          <p>
            <a href={`/students/${learner.id}/export`} download>
              Download everything held about {learner.fullName} (ZIP)
            </a>
          </p>
        </>
      ) : null}
      {entries.length === 0 ? (
        <p>Nobody has looked yet.</p>
      ) : (
        // A phone's 320 px cannot hold four columns of names and lesson titles: the table scrolls in a
        // box of its own, which a keyboard can scroll too (a named region, not a control).
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <div className="table-scroll" role="region" aria-labelledby="access-log-caption" tabIndex={0}>
          <table className="access-log">
            <caption id="access-log-caption">Who looked, at what, and when</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Lesson</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <time dateTime={entry.dateTime}>{entry.when}</time>
                  </td>
                  <td>{entry.who}</td>
                  <td>{entry.what}</td>
                  <td>{entry.lesson ? <a href={entry.lesson.href}>{entry.lesson.label}</a> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages">
        {firstPage ? <a href={firstPage}>Newest</a> : null}
        {firstPage && next ? " · " : null}
        {next ? <a href={next}>Older</a> : null}
      </nav>
    </main>
  );
}

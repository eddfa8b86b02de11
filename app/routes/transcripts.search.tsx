import { data } from "react-router";
import { requireViewer } from "~/.server/auth";
import { MAX_QUERY_LENGTH, searchTranscripts } from "~/.server/lesson-transcripts";
import { lessonTime } from "~/.server/recent-sessions";
import { SiteHeader } from "~/components/SiteHeader";
import { TranscriptSearchForm } from "~/components/transcripts/TalkTime";
import { timeZoneLabel } from "~/domain/format";
import { usableTimeZone } from "~/domain/time-zone";
import { excerptParts, segmentAnchor, segmentTime } from "~/domain/transcript-view";
import type { Route } from "./+types/transcripts.search";

export const meta: Route.MetaFunction = () => [{ title: "Search transcripts · Tutorwise Classroom" }];

/**
 * Full-text search across the transcripts the viewer may read (their lessons, and their children's
 * as an active guardian). A blank query shows the form; one over MAX_QUERY_LENGTH is a 400.
 */
export async function loader({ request, url }: Route.LoaderArgs) {
  const { viewer, headers } = await requireViewer(request, url);
  headers.set("Cache-Control", "private, no-store");
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const base = { viewer: { fullName: viewer.fullName, timeZone: viewer.timeZone }, timeZone: timeZoneLabel(timeZone, now) };
  const raw = url.searchParams.get("q") ?? "";
  const query = raw.replace(/\s+/g, " ").trim();
  if (query.length > MAX_QUERY_LENGTH) {
    return data(
      { ...base, query: query.slice(0, MAX_QUERY_LENGTH), error: `Search for at most ${MAX_QUERY_LENGTH} characters.`, hits: null },
      { status: 400, headers },
    );
  }
  if (query === "") return data({ ...base, query, error: null, hits: null }, { headers });
  const hits = await searchTranscripts(viewer.id, query);
  return data(
    {
      ...base,
      query,
      error: null,
      hits: hits.map((hit) => ({
        href: `/bookings/${hit.bookingId}/transcript#${segmentAnchor(hit.segmentId)}`,
        lesson: `${hit.serviceName}, ${lessonTime(hit.sessionStartTime, timeZone, now)}`,
        time: segmentTime(hit.sessionStartedAt, hit.startSeconds, timeZone).label,
        speakerName: hit.speakerName,
        excerpt: excerptParts(hit.excerpt),
      })),
    },
    { headers },
  );
}

export default function TranscriptSearch({ loaderData }: Route.ComponentProps) {
  const { viewer, timeZone, query, error, hits } = loaderData;
  return (
    <>
      <SiteHeader viewer={viewer} />
      <main className="page">
        <p>
          <a href="/">← Your lessons</a>
        </p>
        <h1>Search transcripts</h1>
        <TranscriptSearchForm query={query} />
        {error ? (
          <p className="notice" role="alert">
            {error}
          </p>
        ) : null}
        {hits === null ? null : hits.length === 0 ? (
          <p>Nothing found for “{query}”.</p>
        ) : (
          <>
            <p aria-live="polite">
              {hits.length === 1 ? "1 moment" : `${hits.length} moments`} found for “{query}” (times in {timeZone}).
            </p>
            <ol className="search-results">
              {hits.map((hit) => (
                <li key={hit.href}>
                  <a href={hit.href}>{hit.lesson}</a>
                  <p>
                    <span className="muted">{hit.time}</span> <strong>{hit.speakerName}</strong>:{" "}
                    {hit.excerpt.map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}
                  </p>
                </li>
              ))}
            </ol>
          </>
        )}
      </main>
    </>
  );
}

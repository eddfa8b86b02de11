import { data } from "react-router";
import { requireViewer } from "~/.server/auth";
import { MAX_QUERY_LENGTH, searchTranscripts } from "~/.server/transcripts/read";
import { recordSearchAccess } from "~/.server/privacy/access-log";
import { lessonTime } from "~/domain/format";
import { hasNul, withoutNul } from "~/domain/plain-text";
import { TranscriptSearchForm } from "~/components/transcripts/TalkTime";
import { timeZoneLabel } from "~/domain/format";
import { usableTimeZone } from "~/domain/time-zone";
import {
  excerptParts,
  MAX_SEARCH_PAGE,
  SEARCH_PAGE_SIZE,
  searchPage,
  segmentAnchor,
  segmentTime,
} from "~/domain/transcript-view";
import type { Route } from "./+types/transcripts.search";

export const meta: Route.MetaFunction = () => [{ title: "Search transcripts · Tutorwise Classroom" }];

/**
 * Full-text search across the transcripts the viewer may read (their lessons, and their children's
 * as an active guardian). A blank query shows the form; one over MAX_QUERY_LENGTH or with a NUL byte is a 400. Pages
 * of SEARCH_PAGE_SIZE moments with plain Previous/More links (`?page=`, see searchPage).
 */
export async function loader({ context, request, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const base = {
    timeZone: timeZoneLabel(timeZone, now),
  };
  const raw = url.searchParams.get("q") ?? "";
  const query = raw.replace(/\s+/g, " ").trim();
  // Refused rather than stripped, like an over-long query: what was searched is then what was asked.
  if (hasNul(query)) {
    return data(
      {
        ...base,
        query: withoutNul(query),
        error: "Search for words only: remove the control character (a NUL byte).",
        hits: null,
      },
      { status: 400, headers },
    );
  }
  if (query.length > MAX_QUERY_LENGTH) {
    return data(
      {
        ...base,
        query: query.slice(0, MAX_QUERY_LENGTH),
        error: `Search for at most ${MAX_QUERY_LENGTH} characters.`,
        hits: null,
      },
      { status: 400, headers },
    );
  }
  if (query === "") return data({ ...base, query, error: null, hits: null }, { headers });
  const page = searchPage(url.searchParams.get("page"));
  const { hits, hasMore } = await searchTranscripts(viewer.id, query, page);
  // Each lesson shown is logged for its learner before the page is served (docs/decisions/0072-access-log-append-only.md).
  await recordSearchAccess(
    viewer.id,
    hits.map((hit) => hit.bookingId),
  );
  const pageHref = (n: number) =>
    `/transcripts/search?${new URLSearchParams(n > 1 ? { q: query, page: String(n) } : { q: query })}`;
  return data(
    {
      ...base,
      query,
      error: null,
      first: (page - 1) * SEARCH_PAGE_SIZE + 1,
      previous: page > 1 ? pageHref(page - 1) : null,
      next: hasMore && page < MAX_SEARCH_PAGE ? pageHref(page + 1) : null,
      firstPage: page > 1 ? pageHref(1) : null,
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
  const { timeZone, query, error, hits } = loaderData;
  const paging = "first" in loaderData ? loaderData : null;
  return (
    <>
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
          paging?.firstPage ? (
            <p>
              No more moments for “{query}”. <a href={paging.firstPage}>Back to the best matches</a>
            </p>
          ) : (
            <p>Nothing found for “{query}”.</p>
          )
        ) : (
          <>
            <p aria-live="polite">
              {resultsLine(hits.length, paging?.first ?? 1, Boolean(paging?.previous || paging?.next))} for “{query}”
              (times in {timeZone}).
            </p>
            <ol className="search-results" start={paging?.first ?? 1}>
              {hits.map((hit) => (
                <li key={hit.href}>
                  <a href={hit.href}>{hit.lesson}</a>
                  <p>
                    <span className="muted">{hit.time}</span> <strong>{hit.speakerName}</strong>:{" "}
                    {hit.excerpt.map((part, index) =>
                      part.match ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>,
                    )}
                  </p>
                </li>
              ))}
            </ol>
            {paging?.previous || paging?.next ? (
              <nav aria-label="More results" className="pager">
                {paging.previous ? <a href={paging.previous}>← Better matches</a> : null}
                {paging.next ? <a href={paging.next}>More moments →</a> : null}
              </nav>
            ) : null}
          </>
        )}
      </main>
    </>
  );
}

/** "3 moments found", or on a page of many "Moments 51–100". */
function resultsLine(count: number, first: number, paged: boolean): string {
  if (paged) return `Moments ${first}–${first + count - 1}`;
  return count === 1 ? "1 moment found" : `${count} moments found`;
}

import type { TalkTimeView } from "~/domain/talk-time";

/** Who spoke how much: one honest sentence per speaker, the learner first and highlighted. */
export function TalkTimeSummary({ talk, headingId = "talk-time" }: { talk: TalkTimeView; headingId?: string }) {
  if (talk.sentences.length === 0) return null;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Who spoke how much</h2>
      <ul className="talk-time">
        {talk.sentences.map((line) => (
          <li key={line.key} className={line.isLearner ? "talk-learner" : undefined}>
            {line.sentence}
          </li>
        ))}
      </ul>
      <p className="muted small">
        Speaking time comes from the lesson's transcript; overlapping speech is counted once per person, and the share
        is of all the time anyone was speaking.
      </p>
    </section>
  );
}

/** Search across the viewer's own transcripts: a plain GET form, so it works without JavaScript. */
export function TranscriptSearchForm({ query = "" }: { query?: string }) {
  return (
    <form method="get" action="/transcripts/search" role="search" className="transcript-search">
      <label htmlFor="transcript-q">Search your lesson transcripts</label>
      <div className="inline-field">
        <input id="transcript-q" name="q" type="search" defaultValue={query} maxLength={200} required />
        <button type="submit">Search</button>
      </div>
    </form>
  );
}

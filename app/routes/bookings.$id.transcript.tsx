import { data } from "react-router";
import { requireViewer } from "~/.server/auth";
import { requireBookingForViewer } from "~/.server/bookings/bookings";
import { loadLessonTalkTime, loadTranscript } from "~/.server/transcripts/read";
import { recordAccess } from "~/.server/privacy/access-log";
import { familyScopeFor } from "~/.server/privacy/family";
import { findTranscriptDeletion } from "~/.server/privacy/transcript-deletion";
import { accessEntry } from "~/domain/access-log";
import { formatDateTime, lessonTime } from "~/domain/format";
import { TalkTimeSummary, TranscriptSearchForm } from "~/components/transcripts/TalkTime";
import { learnerIdOf } from "~/domain/attendee";
import { timeZoneLabel } from "~/domain/format";
import { presentTalkTime } from "~/domain/talk-time";
import { usableTimeZone } from "~/domain/time-zone";
import {
  segmentAnchor,
  segmentTime,
  sessionHeading,
  TRANSCRIPT_EXPIRED_TEXT,
  type TranscriptStatus,
} from "~/domain/transcript-view";
import { retentionPolicy } from "~/.server/privacy/retention";
import { removalNotice } from "~/domain/retention";
import type { Route } from "./+types/bookings.$id.transcript";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `Transcript: ${loaderData.lesson.serviceName} · Tutorwise Classroom`
      : "Transcript · Tutorwise Classroom",
  },
];

/**
 * A lesson's transcript: participants and active guardians of the assigned student (the same
 * visibility as the recording); anyone else gets the same 404 as a missing booking.
 */
export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const booking = await requireBookingForViewer(params.id, viewer.id, { includeGuardians: true });
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const learnerId = learnerIdOf(booking);
  const [transcript, talk, deletion, family] = await Promise.all([
    loadTranscript(booking.id),
    loadLessonTalkTime(booking.id),
    findTranscriptDeletion(booking.id),
    familyScopeFor(learnerId, viewer.id),
  ]);
  // Logged in the request that serves it; a failed write fails the page (docs/decisions/0072-access-log-append-only.md).
  await recordAccess(accessEntry(viewer.id, { learnerId, bookingId: booking.id }, "transcript"));
  // A child's words: never kept by shared caches or the back-forward cache of a shared computer.
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  return data(
    {
      timeZone: timeZoneLabel(timeZone, now),
      lesson: {
        id: booking.id,
        serviceName: booking.serviceName,
        when: lessonTime(booking.sessionStartTime, timeZone, now),
      },
      status: transcript.status,
      deleted: deletion ? { by: deletion.deletedByName, on: formatDateTime(deletion.deletedAt, timeZone, now) } : null,
      // The family may delete it (app/domain/family.ts); nobody else is offered the link.
      mayDelete:
        family !== null && deletion === null && (transcript.sessions.length > 0 || talk.talk.speakers.length > 0),
      // Why there is nothing to read, when the retention job removed it.
      removedNotice:
        transcript.status === "removed" ? removalNotice("transcript", retentionPolicy().transcriptDays) : null,
      talk: presentTalkTime(talk.talk, booking.durationActual, learnerId),
      sessions: transcript.sessions.map((session, index, all) => ({
        heading: sessionHeading(session.startedAt, index, all.length, timeZone, now),
        segments: session.segments.map((segment) => ({
          anchor: segmentAnchor(segment.id),
          time: segmentTime(session.startedAt, segment.startSeconds, timeZone),
          speakerName: segment.speakerName,
          breakoutId: segment.breakoutId,
          text: segment.text,
        })),
      })),
    },
    { headers },
  );
}

export default function Transcript({ loaderData }: Route.ComponentProps) {
  const { timeZone, lesson, status, deleted, mayDelete, removedNotice, talk, sessions } = loaderData;
  return (
    <>
      <main className="page">
        <p>
          <a href={`/bookings/${lesson.id}`}>← {lesson.serviceName}</a>
        </p>
        <h1>Transcript</h1>
        <p className="muted">
          {lesson.serviceName} · {lesson.when} · times in {timeZone}
        </p>
        <TranscriptSearchForm />
        {deleted ? (
          <p role="status">
            Deleted by {deleted.by} on {deleted.on}. This lesson&apos;s transcript and summary are gone for good.
          </p>
        ) : sessions.length === 0 ? (
          <p>{statusMessage(status, removedNotice)}</p>
        ) : null}
        {mayDelete ? (
          <p>
            <a href={`/bookings/${lesson.id}/transcript/delete`}>Delete this transcript and summary</a>
          </p>
        ) : null}
        <TalkTimeSummary talk={talk} />
        {sessions.map((session) => (
          <section key={session.heading} aria-label={session.heading}>
            <h2>{session.heading}</h2>
            <ol className="transcript">
              {session.segments.map((segment) => (
                <li key={segment.anchor} id={segment.anchor}>
                  <a href={`#${segment.anchor}`} className="muted">
                    {segment.time.dateTime ? (
                      <time dateTime={segment.time.dateTime}>{segment.time.label}</time>
                    ) : (
                      segment.time.label
                    )}
                  </a>{" "}
                  <strong>{segment.speakerName}</strong>
                  {segment.breakoutId ? <span className="muted"> (breakout room {segment.breakoutId})</span> : null}
                  <p>{segment.text}</p>
                </li>
              ))}
            </ol>
          </section>
        ))}
      </main>
    </>
  );
}

function statusMessage(status: TranscriptStatus, removedNotice: string | null): string {
  switch (status) {
    case "removed":
      return removedNotice ?? "This lesson's transcript was removed.";
    case "pending":
      return "The transcript is being prepared. Check back in a few minutes.";
    case "expired":
      return `${TRANSCRIPT_EXPIRED_TEXT} The recording, if there is one, is on the lesson page.`;
    case "failed":
      return "We could not fetch this lesson's transcript. The recording, if there is one, is on the lesson page.";
    case "done":
      return "Nobody was heard speaking in this lesson.";
    case "none":
      return "There is no transcript for this lesson. Lessons with two or more people that last a few minutes are transcribed.";
  }
}

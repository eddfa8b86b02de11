import { data } from "react-router";
import { requireViewer } from "~/.server/auth";
import { loadRecordLessons, requireLearnerForViewer } from "~/.server/bookings/learning-record";
import { recordAccess } from "~/.server/privacy/access-log";
import { familyScopeFor } from "~/.server/privacy/family";
import { accessEntry } from "~/domain/access-log";
import { lessonTime } from "~/domain/format";
import { BarChart } from "~/components/charts/BarChart";
import { timeZoneLabel } from "~/domain/format";
import {
  earliestStart,
  homeworkByPeriod,
  recordEntries,
  recordTotals,
  summarisePeriods,
  type RecordPeriod,
} from "~/domain/learning-record";
import { formatShare } from "~/domain/talk-time";
import { usableTimeZone } from "~/domain/time-zone";
import type { Route } from "./+types/students.$id.record";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `Learning record: ${loaderData.learner.fullName} · Tutorwise Classroom`
      : "Learning record · Tutorwise Classroom",
  },
];

/**
 * A learner's record: the learner, their active guardians, and tutors who taught them (their own
 * lessons only). Everyone else gets the same 404 as a learner who does not exist.
 */
export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const scope = await requireLearnerForViewer(params.id, viewer.id);
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const period: RecordPeriod = url.searchParams.get("by") === "week" ? "week" : "month";
  // Up to 40 days ahead, so that the current period's upcoming lessons count as booked.
  const lessons = await loadRecordLessons(
    scope,
    earliestStart(period, now, timeZone),
    new Date(now.getTime() + 40 * 24 * 3600_000),
  );
  // Logged in the request that serves it (docs/decisions/0072-access-log-append-only.md).
  await recordAccess(accessEntry(viewer.id, { learnerId: scope.learner.id }, "learning-record"));
  // The access log's link: the family sees everyone's visits, a tutor their own; a child none.
  const accessLink = scope.tutorOnly
    ? "Your visits to these lessons"
    : (await familyScopeFor(scope.learner.id, viewer.id))
      ? `Who has looked at ${scope.learner.fullName}'s lessons`
      : null;
  // One list of entries: the totals, the periods and the list below are all made from it.
  const entries = recordEntries(lessons, period, now, timeZone);
  return data(
    {
      timeZone: timeZoneLabel(timeZone, now),
      learner: scope.learner,
      tutorOnly: scope.tutorOnly !== null,
      accessLink,
      period,
      totals: recordTotals(entries),
      periods: summarisePeriods(entries, period, now, timeZone),
      homework: homeworkByPeriod(entries, period, now, timeZone),
      lessons: entries.map(({ lesson, state, badge, explanation }) => ({
        id: lesson.bookingId,
        serviceName: lesson.serviceName,
        when: lessonTime(lesson.sessionStartTime, timeZone, now),
        state,
        badge,
        explanation,
        noteHeadline: lesson.noteHeadline,
        talkShare: lesson.spokenSeconds > 0 ? formatShare(lesson.learnerSpokenSeconds / lesson.spokenSeconds) : null,
        evidence: [
          lesson.hasRecording ? { label: "Recording", href: `/bookings/${lesson.bookingId}/recording` } : null,
          lesson.hasSnapshot ? { label: "Whiteboard", href: `/bookings/${lesson.bookingId}/snapshot` } : null,
          lesson.hasReview ? { label: "Review", href: `/bookings/${lesson.bookingId}#reviews` } : null,
          lesson.hasTranscript ? { label: "Transcript", href: `/bookings/${lesson.bookingId}/transcript` } : null,
        ].filter((link) => link !== null),
      })),
    },
    { headers },
  );
}

export default function LearningRecord({ loaderData }: Route.ComponentProps) {
  const { timeZone, learner, tutorOnly, accessLink, period, totals, periods, homework, lessons } = loaderData;
  const homeworkSet = homework.reduce((sum, p) => sum + p.set, 0);
  const homeworkDone = homework.reduce((sum, p) => sum + p.done, 0);
  const categories = periods.map((p) => p.label);
  const span = period === "week" ? "the last 16 weeks" : "the last 12 months";
  const shares = periods.filter((p) => p.talkShare !== null);
  return (
    <>
      <main className="page">
        <p>
          <a href="/">← Your lessons</a>
        </p>
        <h1>Learning record: {learner.fullName}</h1>
        <p className="muted">
          {tutorOnly ? `The lessons you taught, ${span}` : `${span[0]!.toUpperCase()}${span.slice(1)}`}, times in{" "}
          {timeZone}.
        </p>
        {tutorOnly ? null : (
          <p>
            <a href={`/students/${learner.id}/privacy`}>What is kept of {learner.fullName}'s lessons</a>
          </p>
        )}
        {accessLink ? (
          <p>
            <a href={`/students/${learner.id}/access`}>{accessLink}</a>
          </p>
        ) : null}
        <nav aria-label="Group by">
          {period === "month" ? (
            <>
              <strong>By month</strong> · <a href="?by=week">By week</a>
            </>
          ) : (
            <>
              <a href="?by=month">By month</a> · <strong>By week</strong>
            </>
          )}
        </nav>
        <p>
          {totals.booked === 1 ? "1 lesson" : `${totals.booked} lessons`} booked, {totals.held} held, {totals.noShows}{" "}
          missed; {totals.attendedMinutes} of {totals.plannedMinutes} planned minutes attended.
        </p>

        <section aria-labelledby="chart-lessons">
          <h2 id="chart-lessons">Lessons</h2>
          <BarChart
            id="lessons"
            title={`Lessons booked, held and missed, by ${period}`}
            description={`Over ${span}: ${totals.booked} booked, ${totals.held} held and ${totals.noShows} missed.`}
            categories={categories}
            series={[
              { name: "Booked", color: "#8c959f", values: periods.map((p) => p.booked) },
              { name: "Held", color: "#0a6d5b", values: periods.map((p) => p.held) },
              { name: "Missed", color: "#9a3412", values: periods.map((p) => p.noShows) },
            ]}
            format={(value) => String(Math.round(value))}
          />
        </section>

        <section aria-labelledby="chart-minutes">
          <h2 id="chart-minutes">Minutes</h2>
          <BarChart
            id="minutes"
            title={`Minutes attended against planned, by ${period}`}
            description={`Over ${span}: ${totals.attendedMinutes} of ${totals.plannedMinutes} planned minutes attended.`}
            categories={categories}
            series={[
              { name: "Planned", color: "#8c959f", values: periods.map((p) => p.plannedMinutes) },
              { name: "Attended", color: "#0a6d5b", values: periods.map((p) => p.attendedMinutes) },
            ]}
            format={(value) => `${Math.round(value)} min`}
          />
        </section>

        <section aria-labelledby="chart-talk">
          <h2 id="chart-talk">{learner.fullName}'s share of the talking</h2>
          <BarChart
            id="talk"
            title={`${learner.fullName}'s share of the talking, by ${period}`}
            description={
              shares.length === 0
                ? "No lesson in this time has a transcript yet."
                : `From the lesson transcripts: ${shares.map((p) => `${p.label} ${formatShare(p.talkShare!)}`).join(", ")}.`
            }
            categories={categories}
            series={[{ name: "Share of the talking", color: "#1d4ed8", values: periods.map((p) => p.talkShare) }]}
            format={(value) => `${Math.round(value * 100)}%`}
            max={1}
          />
        </section>

        <section aria-labelledby="chart-homework">
          <h2 id="chart-homework">Homework</h2>
          <BarChart
            id="homework"
            title={`Homework set and done, by ${period}`}
            description={
              homeworkSet === 0 && homeworkDone === 0
                ? "No homework was set in this time."
                : `Over ${span}: ${homeworkSet} homework ${homeworkSet === 1 ? "item" : "items"} set and ${homeworkDone} done.`
            }
            categories={categories}
            series={[
              { name: "Set", color: "#8c959f", values: homework.map((p) => p.set) },
              { name: "Done", color: "#0a6d5b", values: homework.map((p) => p.done) },
            ]}
            format={(value) => String(Math.round(value))}
          />
        </section>

        <section aria-labelledby="lesson-list">
          <h2 id="lesson-list">Lessons and their evidence</h2>
          {lessons.length === 0 ? (
            <p>No lessons in this time.</p>
          ) : (
            <ul className="record-lessons">
              {lessons.map((lesson) => (
                <li key={lesson.id}>
                  <a href={`/bookings/${lesson.id}`}>{lesson.serviceName}</a>, {lesson.when}:{" "}
                  <span className={`badge badge-${lesson.state}`}>{lesson.badge}</span> {lesson.explanation}
                  {lesson.noteHeadline ? (
                    <>
                      {" · "}
                      <q>{lesson.noteHeadline}</q>
                    </>
                  ) : null}
                  {lesson.talkShare ? ` · ${lesson.talkShare} of the talking` : ""}
                  {lesson.evidence.length > 0 ? (
                    <>
                      {" · "}
                      {lesson.evidence.map((link, index) => (
                        <span key={link.href}>
                          {index > 0 ? ", " : ""}
                          <a href={link.href}>{link.label}</a>
                        </span>
                      ))}
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </main>
    </>
  );
}

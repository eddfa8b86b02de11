import { requireViewer } from "~/.server/auth";
import { listDashboardBookings } from "~/.server/bookings/bookings";
import { recentSessionsForTutor } from "~/.server/bookings/recent-sessions";
import { outstandingHomework } from "~/.server/notes/notes";
import { HomeworkToDo } from "~/components/notes/HomeworkToDo";
import { homeworkByLearner } from "~/domain/lesson-note";
import { BookingCard } from "~/components/bookings/BookingCard";
import { RecentSessions } from "~/components/bookings/RecentSessions";
import { RefreshAtNextChange } from "~/components/bookings/RefreshAtNextChange";
import { DASHBOARD_SECTION_LIMIT, presentDashboard, type BookingCardView } from "~/domain/booking-card";
import { calendarDay, timeZoneLabel } from "~/domain/format";
import { learningRecordLinks, type RecordLink } from "~/domain/learning-record";
import { usableTimeZone } from "~/domain/time-zone";
import type { Route } from "./+types/dashboard";

export const meta: Route.MetaFunction = () => [{ title: "Your lessons · Tutorwise Classroom" }];

export async function loader({ context, request, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const [{ bookings, viewerHasWards }, recentSessions, homework] = await Promise.all([
    listDashboardBookings(viewer.id, now),
    recentSessionsForTutor(viewer.id, now),
    outstandingHomework(viewer.id, now),
  ]);
  const dashboard = presentDashboard(bookings, viewer.id, now, timeZone, DASHBOARD_SECTION_LIMIT, viewerHasWards);
  // Everything returned here is also serialised into the HTML for hydration: only what renders.
  return {
    timeZone: timeZoneLabel(timeZone, now),
    ...dashboard,
    recentSessions,
    records: learningRecordLinks(bookings, viewer.id),
    homework: homeworkByLearner(homework, viewer.id, now, timeZone, calendarDay(now, timeZone)),
  };
}

export default function Dashboard({ loaderData }: Route.ComponentProps) {
  const { timeZone, ready, upcoming, recent, moreUpcoming, moreRecent, refresh, recentSessions, records, homework } =
    loaderData;
  const empty = ready.length + upcoming.length + recent.length === 0;
  return (
    <>
      <RefreshAtNextChange plan={refresh} />
      <main className="page">
        <h1>Your lessons</h1>
        <p className="muted">
          Times are in {timeZone}. <a href="/settings/time-zone?returnTo=%2F">Change time zone</a>
        </p>
        {empty ? null : (
          <p>
            <a href="/lessons">All your lessons, with filters</a>
          </p>
        )}
        {empty ? <p>You have no lessons yet.</p> : null}
        <BookingSection title="Ready to join" bookings={ready} />
        {/* After what can be joined now: the tutor's prompts for finished lessons. */}
        <RecentSessions sessions={recentSessions} />
        <HomeworkToDo groups={homework} />
        <BookingSection
          title="Upcoming"
          bookings={upcoming}
          more={moreUpcoming ? { href: "/lessons?when=upcoming", label: "All upcoming lessons" } : null}
        />
        <BookingSection
          title="Recent"
          bookings={recent}
          more={moreRecent ? { href: "/lessons?when=past", label: "All past lessons" } : null}
        />
        <LearningRecords records={records} />
      </main>
    </>
  );
}

/** The learner's record across lessons, and search across the viewer's transcripts. */
function LearningRecords({ records }: { records: RecordLink[] }) {
  return (
    <section aria-labelledby="section-records">
      <h2 id="section-records">Progress</h2>
      {records.length > 0 ? (
        <ul>
          {records.map((record) => (
            <li key={record.id}>
              <a href={`/students/${record.id}/record`}>
                {record.own ? "Your learning record" : `${record.fullName}'s learning record`}
              </a>
              {/* A child's: the family may see who has looked (the page checks again). */}
              {record.own ? null : (
                <>
                  {" · "}
                  <a href={`/students/${record.id}/access`}>Who has looked at {record.fullName}&apos;s lessons</a>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/transcripts/search">Search your lesson transcripts</a>
      </p>
    </section>
  );
}

type MoreLink = { href: string; label: string } | null;

function BookingSection({
  title,
  bookings,
  more = null,
}: {
  title: string;
  bookings: BookingCardView[];
  more?: MoreLink;
}) {
  if (bookings.length === 0) return null;
  const headingId = `section-${title.toLowerCase().replaceAll(" ", "-")}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {bookings.map((booking) => (
        <BookingCard key={booking.id} booking={booking} />
      ))}
      {more ? (
        <p>
          <a href={more.href}>{more.label}</a>
        </p>
      ) : null}
    </section>
  );
}

import { data, Form, Link } from "react-router";
import { requireViewer } from "~/.server/auth";
import { activeWardsOf } from "~/.server/bookings/assignment";
import { listLessonsPage, listStudentChoices } from "~/.server/bookings/history";
import { BookingCard } from "~/components/bookings/BookingCard";
import { timeZoneLabel } from "~/domain/format";
import { lessonsHref, listOrder, parseLessonQuery, STATUS_CHOICES, type LessonFilters } from "~/domain/lesson-history";
import { usableTimeZone } from "~/domain/time-zone";
import type { Route } from "./+types/lessons";

export const meta: Route.MetaFunction = () => [{ title: "All your lessons · Tutorwise Classroom" }];

const STATUS_LABELS: Record<(typeof STATUS_CHOICES)[number], string> = {
  Pending: "Awaiting confirmation",
  Confirmed: "Confirmed",
  Completed: "Completed",
  Cancelled: "Cancelled",
  Declined: "Declined",
};

/** The form's fields as the viewer typed them (echoed back beside any problem). */
function typedFilters(params: URLSearchParams) {
  const field = (name: string) => (params.get(name) ?? "").slice(0, 100);
  return {
    when: field("when"),
    status: field("status"),
    student: field("student"),
    from: field("from"),
    to: field("to"),
    size: field("size"),
  };
}

const isFiltered = (filters: LessonFilters) =>
  filters.when !== "all" || Boolean(filters.status || filters.studentId || filters.from || filters.to);

export async function loader({ context, request, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const params = url.searchParams;
  const page = {
    timeZone: timeZoneLabel(timeZone, now),
    typed: typedFilters(params),
  };
  const parsed = parseLessonQuery(params, timeZone);
  const students = await listStudentChoices(viewer.id);
  const problems = parsed.ok ? [] : parsed.problems;
  if (parsed.ok && parsed.query.studentId && !students.some((student) => student.id === parsed.query.studentId)) {
    problems.push("Choose a student from the list.");
  }
  if (!parsed.ok || problems.length) {
    // The page again with what is wrong and the form to fix it; no lessons are read.
    return data({ ...page, students, problems, result: null }, { status: 400 });
  }
  const { query } = parsed;
  const wards = await activeWardsOf(viewer.id);
  const result = await listLessonsPage(viewer.id, query, now, timeZone, wards.length > 0);
  const filters: LessonFilters & { pageSize: number } = { ...query };
  const ascending = listOrder(query.when) === "asc";
  return {
    ...page,
    students,
    problems,
    result: {
      lessons: result.lessons,
      // "Choose who attends" comes back to this very page of the list.
      returnTo: `${url.pathname}${url.search}`,
      total: result.total,
      heading: `${result.total === 1 ? "1 lesson" : `${result.total.toLocaleString("en-GB")} lessons`}${isFiltered(query) ? (result.total === 1 ? " matches" : " match") : ""}`,
      nextHref: result.next ? lessonsHref(filters, result.next) : null,
      previousHref: result.previous ? lessonsHref(filters, result.previous) : null,
      firstHref: query.cursor ? lessonsHref(filters) : null,
      nextLabel: ascending ? "Later lessons" : "Older lessons",
      previousLabel: ascending ? "Sooner lessons" : "Newer lessons",
      firstLabel: ascending ? "Soonest lessons" : "Newest lessons",
    },
  };
}

export default function Lessons({ loaderData }: Route.ComponentProps) {
  const { timeZone, typed, students, problems, result } = loaderData;
  return (
    <>
      <main className="page">
        <h1>All your lessons</h1>
        <p className="muted">
          Times are in {timeZone}. <a href="/">Back to your dashboard</a>
        </p>
        <LessonFiltersForm typed={typed} students={students} />
        {problems.length ? (
          <div role="alert" className="problems">
            <p>We could not show these lessons:</p>
            <ul>
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
            <p>
              <a href="/lessons">Start again with every lesson</a>
            </p>
          </div>
        ) : null}
        {result ? (
          <section aria-labelledby="lessons-results">
            <h2 id="lessons-results">{result.heading}</h2>
            {result.lessons.length === 0 ? (
              <p>{result.total === 0 ? "No lessons to show." : "No more lessons this way."}</p>
            ) : null}
            {result.lessons.map((booking) => (
              <BookingCard key={booking.id} booking={booking} returnTo={result.returnTo} />
            ))}
            <nav aria-label="Pages of lessons" className="pager">
              {result.previousHref ? (
                <Link to={result.previousHref} rel="prev">
                  ← {result.previousLabel}
                </Link>
              ) : null}
              {result.nextHref ? (
                <Link to={result.nextHref} rel="next">
                  {result.nextLabel} →
                </Link>
              ) : null}
              {result.firstHref && result.previousHref ? <Link to={result.firstHref}>{result.firstLabel}</Link> : null}
            </nav>
          </section>
        ) : null}
      </main>
    </>
  );
}

type Typed = { when: string; status: string; student: string; from: string; to: string; size: string };

/** A plain GET form: the filters live in the address, so a filtered page can be bookmarked or shared. */
function LessonFiltersForm({ typed, students }: { typed: Typed; students: { id: string; fullName: string }[] }) {
  return (
    <Form method="get" action="/lessons" className="filters" aria-label="Filter lessons">
      <div>
        <label htmlFor="filter-when">When</label>
        <select
          id="filter-when"
          name="when"
          defaultValue={typed.when === "upcoming" || typed.when === "past" ? typed.when : ""}
        >
          <option value="">All lessons</option>
          <option value="upcoming">Upcoming</option>
          <option value="past">Past</option>
        </select>
      </div>
      <div>
        <label htmlFor="filter-status">Status</label>
        <select
          id="filter-status"
          name="status"
          defaultValue={(STATUS_CHOICES as readonly string[]).includes(typed.status) ? typed.status : ""}
        >
          <option value="">Any status</option>
          {STATUS_CHOICES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      {students.length ? (
        <div>
          <label htmlFor="filter-student">Student</label>
          <select
            id="filter-student"
            name="student"
            defaultValue={students.some((s) => s.id === typed.student) ? typed.student : ""}
          >
            <option value="">Every student</option>
            {students.map((student) => (
              <option key={student.id} value={student.id}>
                {student.fullName}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div>
        <label htmlFor="filter-from">From</label>
        <input id="filter-from" name="from" type="date" defaultValue={typed.from} />
      </div>
      <div>
        <label htmlFor="filter-to">To</label>
        <input id="filter-to" name="to" type="date" defaultValue={typed.to} />
      </div>
      {typed.size && /^\d{1,3}$/.test(typed.size) ? <input type="hidden" name="size" value={typed.size} /> : null}
      <div>
        <button type="submit" className="primary">
          Show lessons
        </button>
      </div>
    </Form>
  );
}

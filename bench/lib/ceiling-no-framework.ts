// The no-framework ceiling: the same dashboard, written by hand on node:http, `pg` and template
// strings, for the same viewer. What stays the same as the app: the cookie check (the Supabase
// session cookie's ES256 access token verified with `jose` against the Auth server's published
// keys, cached, as getClaims does; then the viewer's profile row), the data (the same rows as
// listDashboardBookings and recentSessionsForTutor: the very same statements, built by
// app/.server/bookings/positions.ts and app/.server/bookings/cards-sql.ts (Prisma.sql only assembles
// their text; pg runs it), with the same row mapping), the same pure card rules (app/domain: the bounded sections, placement by time),
// the Progress section's learning-record links from the same card rows (learningRecordLinks in
// app/domain/learning-record.ts: no extra query, as in the app), and
// the same markup as the React components. What it leaves out: React Router, React, Prisma's query
// engine, middleware (security headers, CSP nonce), the request log line, gzip, and the hydration scripts.
//   DATABASE_URL=… SUPABASE_URL=… PORT=… node --import tsx bench/lib/ceiling-no-framework.ts
import type { ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import {
  cardBookingOf,
  dashboardCardsSql,
  recentSessionsSql,
  type DashboardCardRow,
  type RecentSessionRow,
} from "../../app/.server/bookings/cards-sql.ts";
import {
  DASHBOARD_SECTION_LIMIT,
  presentDashboard,
  type BookingCardView,
  type CardBooking,
} from "../../app/domain/booking-card.ts";
import { calendarDay, formatDateTime, timeZoneLabel } from "../../app/domain/format.ts";
import { homeworkByLearner, type HomeworkGroup } from "../../app/domain/lesson-note.ts";
import {
  HOMEWORK_DASHBOARD_LIMIT,
  HOMEWORK_LOOKBACK_DAYS,
  outstandingHomeworkSql,
  type OutstandingHomeworkRow,
} from "../../app/.server/notes/homework-sql.ts";
import { learningRecordLinks } from "../../app/domain/learning-record.ts";
import { cardState } from "../../app/domain/join-window.ts";
import { usableTimeZone } from "../../app/domain/time-zone.ts";
import { bookingAction, esc, serveCeiling, stateLabel, verifiedSubject } from "./ceiling-common.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// The inline stylesheet as the app sends it (docs/decisions/0081-first-paint-before-scripts.md).
const STYLE = process.env.CEILING_STYLE ?? "";
const RECENT_SESSION_DAYS = 14;

export type Profile = { id: string; full_name: string; time_zone: string; roles: string[] };

async function viewerOf(cookieHeader: string | undefined): Promise<Profile | null> {
  const subject = await verifiedSubject(cookieHeader);
  return subject ? profileOf(subject) : null;
}

function card(b: BookingCardView): string {
  const id = esc(b.id);
  const titleId = `booking-${id}-title`;
  return `<article class="card booking-card state-${b.state}" aria-labelledby="${titleId}"><div class="booking-card-head"><h3 id="${titleId}">${esc(b.serviceName)}</h3><span class="badge badge-${b.state}">${stateLabel(b)}</span></div><p class="muted booking-when">${esc(b.when)}</p><dl class="facts"><dt>Tutor</dt><dd>${esc(b.tutorName)}</dd><dt>Attendee</dt><dd>${esc(b.attendee.name)}${b.attendee.asAdultLearner ? " (adult learner)" : ""}</dd><dt>Duration</dt><dd>${esc(b.plannedDuration)} planned${b.actualDuration ? `, ${esc(b.actualDuration)} in the classroom` : ""}</dd></dl>${bookingAction(b)}<p class="booking-card-links"><a href="/bookings/${id}" aria-describedby="${titleId}">Lesson details</a>${b.canAssignStudent ? `<a href="/bookings/${id}/student?returnTo=%2F" aria-describedby="${titleId}">Choose who attends</a>` : ""}</p></article>`;
}

function section(
  title: string,
  bookings: BookingCardView[],
  more: { href: string; label: string } | null = null,
): string {
  if (bookings.length === 0) return "";
  const headingId = `section-${title.toLowerCase().replaceAll(" ", "-")}`;
  return `<section aria-labelledby="${headingId}"><h2 id="${headingId}">${title}</h2>${bookings.map(card).join("")}${more ? `<p><a href="${more.href}">${more.label}</a></p>` : ""}</section>`;
}

const RATINGS = ["Poor", "Fair", "Good", "Very good", "Excellent"];

function recentSessions(rows: RecentSessionRow[], now: Date): string {
  const query = `?returnTo=${encodeURIComponent("/")}`;
  const cards = rows
    .filter(
      (row) =>
        cardState(
          { status: row.status, sessionStartTime: row.session_start_time, sessionDuration: row.session_duration },
          now,
        ).kind === "completed",
    )
    .map((row) => {
      const path = (row.session_artifacts as Record<string, unknown> | null)?.whiteboard_snapshot_path;
      return {
        row,
        hasSnapshot: typeof path === "string" && path.startsWith(`${row.id}/`),
        hasReview: row.has_review,
        hasNote: row.has_published_note,
      };
    })
    .filter((s) => !s.hasSnapshot || !s.hasReview || !s.hasNote)
    .map(({ row, hasSnapshot, hasReview, hasNote }) => {
      const id = esc(row.id);
      const titleId = `recent-${id}-title`;
      const question = `How was your session with ${esc(row.student_name ?? row.client_name)}?`;
      const when = formatDateTime(row.session_start_time, usableTimeZone(row.tutor_time_zone), now);
      const upload = esc(`/bookings/${row.id}/snapshot/upload${query}`);
      const review = esc(`/bookings/${row.id}/review${query}`);
      const snapshot = hasSnapshot
        ? "<p>✓ Whiteboard snapshot uploaded.</p>"
        : `<form class="stack" action="${upload}" encType="multipart/form-data" method="post"><div><label for="snapshot-${id}">Whiteboard snapshot</label><input id="snapshot-${id}" type="file" accept="image/png,image/jpeg,image/webp" required="" aria-describedby="snapshot-${id}-hint" name="snapshot"/><p class="muted" id="snapshot-${id}-hint">A photo or screenshot of the whiteboard: PNG, JPEG or WebP, up to 10 MB.</p></div><button type="submit" class="primary">Upload Whiteboard Snapshot</button></form>`;
      const notePart = hasNote
        ? "<p>✓ Lesson note published.</p>"
        : `<p><a class="button" href="${esc(`/bookings/${row.id}/note`)}">Write the lesson note</a></p>`;
      const reviewPart = hasReview
        ? "<p>✓ Review left.</p>"
        : `<p><a class="button" href="${review}">Leave Review</a></p><dialog aria-labelledby="${titleId}-dialog"><h3 id="${titleId}-dialog">${question}</h3><form class="stack" action="${review}" method="post"><div><label for="review-${id}-rating">Rating</label><select id="review-${id}-rating" name="rating" required=""><option value="" disabled="" selected="">Choose from 1 to 5</option>${RATINGS.map((label, i) => `<option value="${i + 1}">${i + 1} – ${label}</option>`).join("")}</select></div><div><label for="review-${id}-comment">Comment (optional)</label><textarea id="review-${id}-comment" name="comment" rows="5" maxLength="2000" aria-describedby="review-${id}-comment-hint"></textarea><p class="muted" id="review-${id}-comment-hint">Up to 2,000 characters.</p></div><p><button type="submit" class="primary">Save review</button> <button type="button">Cancel</button></p></form></dialog>`;
      return `<article class="card stack" aria-labelledby="${titleId}"><h3 id="${titleId}">${question}</h3><p class="muted">${esc(row.service_name)}, ${esc(when)}</p>${snapshot}${notePart}${reviewPart}</article>`;
    });
  if (cards.length === 0) return "";
  return `<section aria-labelledby="recent-sessions-title"><h2 id="recent-sessions-title">Recent Sessions</h2>${cards.join("")}</section>`;
}

/** "Progress" (the route's LearningRecords): the learning records worth linking, from the bookings already read. */
function learningRecords(bookings: CardBooking[], viewerId: string): string {
  const records = learningRecordLinks(bookings, viewerId);
  const list =
    records.length > 0
      ? `<ul>${records.map((record) => `<li><a href="/students/${esc(record.id)}/record">${record.own ? "Your learning record" : esc(`${record.fullName}'s learning record`)}</a></li>`).join("")}</ul>`
      : "";
  return `<section aria-labelledby="section-records"><h2 id="section-records">Progress</h2>${list}<p><a href="/transcripts/search">Search your lesson transcripts</a></p></section>`;
}

export async function profileOf(id: string): Promise<Profile | null> {
  const { rows } = await pool.query<Profile>(
    "SELECT id, full_name, email, roles, time_zone FROM profiles WHERE id = $1",
    [id],
  );
  return rows[0] ?? null;
}

export function closePool(): Promise<void> {
  return pool.end();
}

/** The rows of one viewer's dashboard, read with the app's own statements. */
export async function dashboardRows(
  viewerId: string,
  now: Date,
): Promise<{ cards: DashboardCardRow[]; recent: RecentSessionRow[]; homework: OutstandingHomeworkRow[] }> {
  const since = new Date(now.getTime() - RECENT_SESSION_DAYS * 24 * 60 * 60_000);
  const cards = dashboardCardsSql(viewerId, now, DASHBOARD_SECTION_LIMIT);
  const recentSessions = recentSessionsSql(viewerId, since, now);
  const homeworkSince = new Date(now.getTime() - HOMEWORK_LOOKBACK_DAYS * 24 * 60 * 60_000);
  const homework = outstandingHomeworkSql(viewerId, homeworkSince, HOMEWORK_DASHBOARD_LIMIT);
  const [bookings, recent, toDo] = await Promise.all([
    pool.query<DashboardCardRow>(cards.text, cards.values),
    pool.query<RecentSessionRow>(recentSessions.text, recentSessions.values),
    pool.query<OutstandingHomeworkRow>(homework.text, homework.values),
  ]);
  return { cards: bookings.rows, recent: recent.rows, homework: toDo.rows };
}

/** The dashboard's Homework (the route's HomeworkToDo), grouped by the app's rule. */
function homeworkSection(rows: OutstandingHomeworkRow[], viewerId: string, now: Date, timeZone: string): string {
  const groups = homeworkByLearner(
    rows.map((row) => ({
      id: row.id,
      text: row.text,
      dueOn: row.due_on,
      doneAt: null,
      bookingId: row.booking_id,
      serviceName: row.service_name,
      lessonStart: row.session_start_time,
      learnerId: row.learner_id,
      learnerName: row.learner_name,
    })),
    viewerId,
    now,
    timeZone,
    calendarDay(now, timeZone),
  );
  if (groups.length === 0) return "";
  const item = (i: HomeworkGroup["items"][number]) =>
    `<li><span class="note-text">${esc(i.text)}</span>${i.due ? `<span class="${i.overdue ? "error" : "muted"}"> · ${esc(i.due)}</span>` : ""}<br/><a class="muted" href="/bookings/${esc(i.bookingId)}#homework">${esc(i.lesson)}</a><form method="post" action="/bookings/${esc(i.bookingId)}/homework/${esc(i.id)}" class="inline-form"><input type="hidden" name="done" value="1"/><input type="hidden" name="returnTo" value="/#section-homework"/><button type="submit" aria-label="${esc(`Mark done: ${i.text}`)}">Mark done</button></form></li>`;
  return `<section aria-labelledby="section-homework"><h2 id="section-homework">Homework</h2>${groups.map((g) => `<div><h3>${esc(g.title)}</h3><ul class="homework">${g.items.map(item).join("")}</ul></div>`).join("")}</section>`;
}

/** The page from its rows: the app's card rules, template strings for the markup. */
export function dashboardHtml(
  viewer: Profile,
  rows: { cards: DashboardCardRow[]; recent: RecentSessionRow[]; homework: OutstandingHomeworkRow[] },
  now: Date,
): string {
  const timeZone = usableTimeZone(viewer.time_zone);
  const bookings = rows.cards.map(cardBookingOf);
  const {
    ready,
    upcoming,
    recent: past,
    moreUpcoming,
    moreRecent,
    refresh,
  } = presentDashboard(
    bookings,
    viewer.id,
    now,
    timeZone,
    DASHBOARD_SECTION_LIMIT,
    rows.cards[0]?.viewer_has_wards ?? false,
  );
  const empty = ready.length + upcoming.length + past.length === 0;
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>Your lessons · Tutorwise Classroom</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"/>${STYLE}</head><body><header class="site-header"><a class="brand" href="/">Tutorwise Classroom</a><form class="site-header-user" action="/sign-out" method="post"><span class="muted">${esc(viewer.full_name)}</span><span class="muted" aria-hidden="true">·</span><a href="/settings/time-zone?returnTo=%2F">Time zone: ${esc(viewer.time_zone)}</a><span class="muted" aria-hidden="true">·</span><a href="/settings/notifications">E-mails</a><span class="muted" aria-hidden="true">·</span><button type="submit" class="link">Sign out</button></form></header>${refresh ? `<noscript><meta http-equiv="refresh" content="${refresh.afterSeconds}"/></noscript>` : ""}<main class="page"><h1>Your lessons</h1><p class="muted">Times are in ${esc(timeZoneLabel(timeZone, now))}. <a href="/settings/time-zone?returnTo=%2F">Change time zone</a></p>${empty ? "<p>You have no lessons yet.</p>" : '<p><a href="/lessons">All your lessons, with filters</a></p>'}${section("Ready to join", ready)}${recentSessions(rows.recent, now)}${homeworkSection(rows.homework, viewer.id, now, timeZone)}${section("Upcoming", upcoming, moreUpcoming ? { href: "/lessons?when=upcoming", label: "All upcoming lessons" } : null)}${section("Recent", past, moreRecent ? { href: "/lessons?when=past", label: "All past lessons" } : null)}${learningRecords(bookings, viewer.id)}</main></body></html>`;
}

async function dashboard(res: ServerResponse, viewer: Profile): Promise<void> {
  const now = new Date();
  const html = dashboardHtml(viewer, await dashboardRows(viewer.id, now), now);
  res.writeHead(200, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(html),
    "Cache-Control": "private, no-store",
  });
  res.end(html);
}

// Run as a server; imported (bench/lib/render-floor.tsx), only its page functions are used.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  serveCeiling(async (req, res) => {
    const viewer = await viewerOf(req.headers.cookie);
    if (!viewer) {
      res.writeHead(302, { Location: "/sign-in?redirectTo=%2F" }).end();
      return;
    }
    await dashboard(res, viewer);
  });
}

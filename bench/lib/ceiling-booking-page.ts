// The no-framework booking page (docs/decisions/0037-server-cost-measured-against-a-no-framework-ceiling.md): GET /bookings/:id written by hand on node:http, `pg`
// and template strings, as bench/lib/ceiling-no-framework.ts does for the dashboard. What stays the
// same as the app: the cookie check (the Supabase session cookie's ES256 access token verified
// with `jose` against the Auth server's published keys, cached; then the viewer's profile row), the
// scoping (a booking not the viewer's is a 404), the data (the booking with its three names, the
// sessions with attendance and the reviews; the transcript fetches' statuses and the speakers'
// totals, and the viewer's active wards when they may change who attends: the app's own statements,
// app/.server/bookings/booking-page-sql.ts); whether the viewer may open the learner's
// record, as mayViewRecordOfBooking decides it: the booking answers for the learner and its tutor,
// else requireLearnerForViewer's rule (the learner's profile row, then an active guardian edge and a
// lesson the viewer taught them): here hand-written SQL, 3 to 7 queries a page counting the viewer's profile row), the same pure
// rules (app/domain: presentBookingDetails, refreshPlan, sumTalkTime, presentTalkTime,
// transcriptStatusOf, formatting) and the same markup as the React page. Left out: React Router,
// React, Prisma, the security middleware (CSP nonce, headers), the request log, gzip and the
// hydration scripts.
//   DATABASE_URL=… SUPABASE_URL=… PORT=… node --import tsx bench/lib/ceiling-booking-page.ts
import type { ServerResponse } from "node:http";
import pg from "pg";
import { bookingPageOf, bookingPageSql, type BookingPageRow } from "../../app/.server/bookings/booking-page-sql.ts";
import { activeWardsSql, type Ward } from "../../app/.server/bookings/wards-sql.ts";
import { lessonTalkTimeSql, type LessonTalkTimeRow } from "../../app/.server/transcripts/talk-time-sql.ts";
import { learnerIdOf } from "../../app/domain/attendee.ts";
import { refreshPlan, type CardBooking } from "../../app/domain/booking-card.ts";
import { presentBookingDetails, type BookingDetailsView } from "../../app/domain/booking-details.ts";
import { timeZoneLabel } from "../../app/domain/format.ts";
import { presentTalkTime, sumTalkTime, type TalkTimeView } from "../../app/domain/talk-time.ts";
import { usableTimeZone } from "../../app/domain/time-zone.ts";
import { transcriptStatusOf, type TranscriptStatus } from "../../app/domain/transcript-view.ts";
import { bookingAction, esc, serveCeiling, stateLabel, verifiedSubject } from "./ceiling-common.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// The inline stylesheet as the app sends it (docs/decisions/0081-first-paint-before-scripts.md).
const STYLE = process.env.CEILING_STYLE ?? "";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Profile = { id: string; full_name: string; time_zone: string };

async function viewerOf(cookieHeader: string | undefined): Promise<Profile | null> {
  const subject = await verifiedSubject(cookieHeader);
  if (!subject) return null;
  const { rows } = await pool.query<Profile>(
    "SELECT id, full_name, email, roles, time_zone FROM profiles WHERE id = $1",
    [subject],
  );
  return rows[0] ?? null;
}

// requireLearnerForViewer (app/.server/bookings/learning-record.ts): the learner's profile; then an active
// guardian edge from the viewer ($1) to them ($2), and a lesson of theirs the viewer taught.
const LEARNER_SQL = "SELECT id, full_name FROM profiles WHERE id = $1";

const GUARDIAN_SQL = `
SELECT id FROM profile_graph
 WHERE source_profile_id = $1 AND target_profile_id = $2 AND relationship_type = 'GUARDIAN' AND status = 'ACTIVE'
 LIMIT 1`;

const TAUGHT_SQL = `
SELECT id FROM bookings
 WHERE tutor_id = $1 AND (student_id = $2 OR (client_id = $2 AND student_id IS NULL))
 LIMIT 1`;

/** mayViewRecordOfBooking: the booking answers for the learner and its tutor; else requireLearnerForViewer's rule. */
function mayViewRecordOfBooking(booking: CardBooking, viewerId: string): Promise<boolean> | boolean {
  const learnerId = learnerIdOf(booking);
  if (learnerId === viewerId || booking.tutorId === viewerId) return true;
  return mayViewLearningRecord(learnerId, viewerId);
}

/** mayViewLearningRecord: requireLearnerForViewer's rule, as a yes or no. */
async function mayViewLearningRecord(learnerId: string, viewerId: string): Promise<boolean> {
  if (!UUID.test(learnerId)) return false;
  const id = learnerId.toLowerCase();
  const learner = await pool.query<{ id: string; full_name: string }>(LEARNER_SQL, [id]);
  if (learner.rows.length === 0) return false;
  if (id === viewerId) return true;
  const [guardian, taught] = await Promise.all([
    pool.query(GUARDIAN_SQL, [viewerId, id]),
    pool.query(TAUGHT_SQL, [viewerId, id]),
  ]);
  return guardian.rows.length > 0 || taught.rows.length > 0;
}

function facts(b: BookingDetailsView): string {
  return `<dl class="facts"><dt>Tutor</dt><dd>${esc(b.tutorName)}</dd><dt>Attendee</dt><dd>${esc(b.attendee.name)}${b.attendee.asAdultLearner ? " (adult learner)" : ""}</dd><dt>Booked by</dt><dd>${esc(b.clientName)}</dd><dt>Duration</dt><dd>${esc(b.plannedDuration)} planned${b.actualDuration ? `, ${esc(b.actualDuration)} in the classroom` : ""}</dd></dl>`;
}

function attendance(b: BookingDetailsView): string {
  const a = b.attendance;
  if (!a) return "";
  const people =
    a.people.length === 0
      ? "<p>Nobody joined the classroom for this lesson.</p>"
      : `<ul class="attendance">${a.people.map((p) => `<li>${esc(p.name)} ${esc(p.time)}${p.isTutor ? '<span class="muted"> (tutor)</span>' : ""}</li>`).join("")}</ul>`;
  const onlyTutor = a.onlyTutorAttended
    ? `<p class="notice">Only the tutor attended: ${esc(b.attendee.name)} did not join the classroom.</p>`
    : "";
  return `<section aria-labelledby="attendance"><h2 id="attendance">Attendance</h2>${people}${onlyTutor}</section>`;
}

/** The TalkTimeSummary component (app/components/transcripts/TalkTime.tsx). */
function talkTimeSummary(talk: TalkTimeView): string {
  if (talk.sentences.length === 0) return "";
  const lines = talk.sentences
    .map((line) => `<li${line.isLearner ? ' class="talk-learner"' : ""}>${esc(line.sentence)}</li>`)
    .join("");
  const note =
    "Speaking time comes from the lesson's transcript; overlapping speech is counted once per person, and the share is of all the time anyone was speaking.";
  return `<section aria-labelledby="talk-time"><h2 id="talk-time">Who spoke how much</h2><ul class="talk-time">${lines}</ul><p class="muted small">${esc(note)}</p></section>`;
}

/** The route's LessonEvidence: the transcript's state and the link to the learner's record. */
function lessonEvidence(b: BookingDetailsView, status: TranscriptStatus, recordPath: string | null): string {
  if (status === "none" && !recordPath) return "";
  const items = [
    status === "done" ? `<li><a href="/bookings/${esc(b.id)}/transcript">Read the transcript</a></li>` : "",
    status === "pending" ? "<li>The transcript is being prepared.</li>" : "",
    status === "failed" ? "<li>The transcript could not be fetched.</li>" : "",
    recordPath ? `<li><a href="${esc(recordPath)}">${esc(`${b.attendee.name}'s learning record`)}</a></li>` : "",
  ].join("");
  return `<section aria-labelledby="transcript"><h2 id="transcript">Transcript and record</h2><ul>${items}</ul></section>`;
}

function snapshot(b: BookingDetailsView): string {
  if (!b.snapshotUrl && !b.canUploadSnapshot) return "";
  const shown = b.snapshotUrl
    ? `<a href="${esc(b.snapshotUrl)}" class="snapshot-link"><img class="snapshot-thumb" src="${esc(b.snapshotUrl)}" alt="${esc(`Whiteboard from ${b.serviceName}, ${b.when}`)}" loading="lazy"/><span>Open the full image</span></a>`
    : '<p class="muted">No snapshot yet.</p>';
  const upload = b.canUploadSnapshot
    ? `<p><a href="/bookings/${esc(b.id)}/snapshot/upload">Upload whiteboard snapshot</a></p>`
    : "";
  return `<section aria-labelledby="snapshot"><h2 id="snapshot">Whiteboard snapshot</h2>${shown}${upload}</section>`;
}

/** "Change who attends": the markup Conform and React Router's <Form> give the AssignStudentForm component. */
function assignForm(b: BookingDetailsView, current: { id: string; fullName: string } | null, wards: Ward[]): string {
  const id = esc(b.id);
  const formId = `assign-student-${id}`;
  const selected = (value: string) => (current && current.id === value ? ' selected=""' : "");
  const unlisted = current && !wards.some((w) => w.id === current.id) ? current : null;
  const options = [
    `<option value=""${selected("")}>${esc(b.clientName)} (adult learner, no student)</option>`,
    unlisted
      ? `<option value="${esc(unlisted.id)}"${selected(unlisted.id)}>${esc(unlisted.fullName)} (assigned now)</option>`
      : "",
    ...wards.map((w) => `<option value="${esc(w.id)}"${selected(w.id)}>${esc(w.fullName)}</option>`),
  ].join("");
  const hint =
    wards.length === 0 ? '<p class="muted">You can assign a student once you are their active guardian.</p>' : "";
  return `<section aria-labelledby="who-attends"><h2 id="who-attends">Change who attends</h2><form class="stack" id="${formId}" noValidate="" data-discover="true" action="/bookings/${id}/student" method="post"><input type="hidden" name="returnTo" value="/bookings/${id}"/><div><label for="${formId}-studentId">Who attends</label><select id="${formId}-studentId" name="studentId" form="${formId}">${options}</select>${hint}</div><button type="submit">Save who attends</button></form></section>`;
}

const stars = (rating: number) => Math.max(0, Math.min(5, Math.round(rating)));

function reviews(b: BookingDetailsView): string {
  if (b.reviews.length === 0 && !b.canReview) return "";
  const none = b.reviews.length === 0 ? '<p class="muted">No reviews yet.</p>' : "";
  const list = b.reviews
    .map(
      (r) =>
        `<figure class="review"><figcaption><strong>${esc(r.reviewerName)}</strong> <span class="rating" role="img" aria-label="${r.rating} out of 5">${"★".repeat(stars(r.rating))}${"☆".repeat(5 - stars(r.rating))}</span></figcaption>${r.comment ? `<blockquote>${esc(r.comment)}</blockquote>` : ""}</figure>`,
    )
    .join("");
  const leave = b.canReview ? `<p><a href="/bookings/${esc(b.id)}/review">Leave a review</a></p>` : "";
  return `<section aria-labelledby="reviews"><h2 id="reviews">Reviews</h2>${none}${list}${leave}</section>`;
}

async function bookingPage(res: ServerResponse, viewer: Profile, bookingId: string): Promise<void> {
  if (!UUID.test(bookingId)) return notFound(res);
  const query = bookingPageSql(bookingId, viewer.id);
  const row = (await pool.query<BookingPageRow>(query.text, query.values)).rows[0];
  if (!row) return notFound(res);
  const { booking, attendance: attendanceRows, reviews: reviewRows } = bookingPageOf(row);
  const learnerId = learnerIdOf(booking);
  const now = new Date();
  const timeZone = usableTimeZone(viewer.time_zone);
  const details = presentBookingDetails(
    { ...booking, attendance: attendanceRows, reviews: reviewRows },
    viewer.id,
    now,
    timeZone,
  );
  const talkTimeQuery = lessonTalkTimeSql(booking.id);
  const wardsQuery = activeWardsSql(viewer.id);
  const [talkTime, recordVisible, wards] = await Promise.all([
    pool.query<LessonTalkTimeRow>(talkTimeQuery.text, talkTimeQuery.values),
    mayViewRecordOfBooking(booking, viewer.id),
    details.canAssignStudent ? pool.query<Ward>(wardsQuery.text, wardsQuery.values).then((result) => result.rows) : [],
  ]);
  const refresh = refreshPlan([booking], now);
  const transcriptStatus = transcriptStatusOf(talkTime.rows[0]?.fetch_statuses ?? []);
  const talk = sumTalkTime(talkTime.rows[0]?.speakers ?? []);
  const talkView = presentTalkTime(talk, booking.durationActual, learnerId);
  const recordPath = recordVisible ? `/students/${learnerId}/record` : null;
  const returnTo = encodeURIComponent(`/bookings/${booking.id}`);
  const html = `<!DOCTYPE html><html lang="en-GB"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>${esc(details.serviceName)} · Tutorwise Classroom</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"/>${STYLE}</head><body><header class="site-header"><a class="brand" href="/">Tutorwise Classroom</a><form class="site-header-user" action="/sign-out" method="post"><span class="muted">${esc(viewer.full_name)}</span><span class="muted" aria-hidden="true">·</span><a href="/settings/time-zone?returnTo=${returnTo}">Time zone: ${esc(viewer.time_zone)}</a><span class="muted" aria-hidden="true">·</span><a href="/settings/notifications">E-mails</a><span class="muted" aria-hidden="true">·</span><button type="submit" class="link">Sign out</button></form></header>${refresh ? `<noscript><meta http-equiv="refresh" content="${refresh.afterSeconds}"/></noscript>` : ""}<main class="page"><p><a href="/">← Your lessons</a></p><div class="booking-card-head"><h1>${esc(details.serviceName)}</h1><span class="badge badge-${details.state}">${stateLabel(details)}</span></div><p class="muted">${esc(details.when)} · times in ${esc(timeZoneLabel(timeZone, now))}</p><section class="card" aria-label="Join">${bookingAction(details)}</section>${facts(details)}${details.canAssignStudent ? assignForm(details, booking.student, wards) : ""}${attendance(details)}${talkTimeSummary(talkView)}${lessonEvidence(details, transcriptStatus, recordPath)}${snapshot(details)}${reviews(details)}</main></body></html>`;
  res.writeHead(200, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(html),
    "Cache-Control": "private, no-store",
  });
  res.end(html);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
}

serveCeiling(async (req, res) => {
  const match = /^\/bookings\/([^/?]+)$/.exec((req.url ?? "/").split("?")[0]!);
  if (!match) return notFound(res);
  const viewer = await viewerOf(req.headers.cookie);
  if (!viewer) {
    res.writeHead(302, { Location: `/sign-in?redirectTo=${encodeURIComponent(req.url ?? "/")}` }).end();
    return;
  }
  await bookingPage(res, viewer, match[1]!);
});

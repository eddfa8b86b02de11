import { data } from "react-router";
import { Prisma } from "~/generated/prisma/client";
import { DASHBOARD_SECTION_LIMIT, type CardBooking } from "~/domain/booking-card";
import type { BookingStatus } from "~/domain/join-window";
import type { LessonOutcome } from "~/domain/lesson-outcome";
import { dashboardPositions } from "./booking-positions";
import { db, sqlQuery } from "./db";
import { isUuid } from "~/domain/uuid";

/** Bookings the viewer is part of, as client, tutor or assigned student: one query. */
export function participantFilter(viewerId: string) {
  return { OR: [{ clientId: viewerId }, { tutorId: viewerId }, { studentId: viewerId }] };
}

const bookingInclude = {
  client: { select: { id: true, fullName: true } },
  tutor: { select: { id: true, fullName: true } },
  student: { select: { id: true, fullName: true } },
} as const;

/**
 * A card's booking with its three names and its sessions' times ("Recording being prepared"), for
 * the bookings `where` picks:
 * hand-written because the dashboard and /lessons run it on every load, and Prisma's query
 * building and result mapping cost more CPU than the query itself (issue 11, bench/profile.ts).
 */
const cardBookingsSql = (where: Prisma.Sql) => Prisma.sql`
SELECT b.id, b.client_id, b.tutor_id, b.student_id, b.service_name, b.session_start_time, b.session_duration,
       b.status::text AS status, b.recording_url, b.duration_actual, b.outcome::text AS outcome,
       b.outcome_tutor_seconds, b.outcome_attendee_seconds,
       c.full_name AS client_name, t.full_name AS tutor_name, s.full_name AS student_name,
       COALESCE((SELECT json_agg(json_build_object('startedAt', ls.started_at, 'endedAt', ls.ended_at) ORDER BY ls.started_at)
                   FROM lessonspace_sessions ls WHERE ls.booking_id = b.id), '[]'::json) AS sessions
  FROM bookings b
  JOIN profiles c ON c.id = b.client_id
  JOIN profiles t ON t.id = b.tutor_id
  LEFT JOIN profiles s ON s.id = b.student_id
 WHERE ${where}`;

type CardRow = {
  id: string;
  client_id: string;
  tutor_id: string;
  student_id: string | null;
  service_name: string;
  session_start_time: Date;
  session_duration: number;
  status: BookingStatus;
  recording_url: string | null;
  duration_actual: number | null;
  outcome: LessonOutcome | null;
  outcome_tutor_seconds: number | null;
  outcome_attendee_seconds: number | null;
  client_name: string;
  tutor_name: string;
  student_name: string | null;
  sessions: { startedAt: string | null; endedAt: string | null }[];
};

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

function cardBookingOf(row: CardRow): CardBooking {
  return {
    id: row.id,
    clientId: row.client_id,
    tutorId: row.tutor_id,
    studentId: row.student_id,
    serviceName: row.service_name,
    sessionStartTime: row.session_start_time,
    sessionDuration: row.session_duration,
    status: row.status,
    recordingUrl: row.recording_url,
    durationActual: row.duration_actual,
    outcome: row.outcome,
    outcomeTutorSeconds: row.outcome_tutor_seconds,
    outcomeAttendeeSeconds: row.outcome_attendee_seconds,
    client: { id: row.client_id, fullName: row.client_name },
    tutor: { id: row.tutor_id, fullName: row.tutor_name },
    student: row.student_id === null ? null : { id: row.student_id, fullName: row.student_name ?? "" },
    sessions: row.sessions.map((session) => ({ startedAt: dateOrNull(session.startedAt), endedAt: dateOrNull(session.endedAt) })),
  };
}

async function queryCardBookings(where: Prisma.Sql): Promise<CardBooking[]> {
  const query = cardBookingsSql(where);
  return (await sqlQuery<CardRow>(query.text, query.values)).map(cardBookingOf);
}

/**
 * Bookings by id with what their cards need, in one query, in the order of `ids`.
 * Callers pass ids they already scoped to the viewer.
 */
export async function loadCardBookings(ids: readonly string[]): Promise<CardBooking[]> {
  if (ids.length === 0) return [];
  const rows = await queryCardBookings(Prisma.sql`b.id = ANY(${[...ids]}::uuid[])`);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The dashboard's bookings: every one that may be joinable now, and the next and last
 * `sectionLimit` (plus one, so the page knows whether to link to more) around them. One query
 * whatever the history: positions on the participant indexes, and the cards' data for them.
 */
export async function listDashboardBookings(viewerId: string, now: Date, sectionLimit = DASHBOARD_SECTION_LIMIT): Promise<CardBooking[]> {
  const positions = dashboardPositions(viewerId, now, sectionLimit);
  return queryCardBookings(Prisma.sql`b.id IN (SELECT id FROM (${positions}) AS dashboard_positions)`);
}

/**
 * The booking page's data in one query (relationJoins): the booking as requireBookingForViewer
 * scopes it (same 404s), with its names, its sessions with attendance and its reviews. Three
 * queries before (the booking, then sessions and reviews), each with its own Prisma overhead.
 */
export async function requireBookingRecordForViewer(bookingId: string | undefined, viewerId: string) {
  if (!bookingId || !isUuid(bookingId)) throw notFound();
  const booking = await db.booking.findFirst({
    relationLoadStrategy: "join",
    where: { id: bookingId, ...participantFilter(viewerId) },
    include: {
      ...bookingInclude,
      sessions: {
        select: {
          startedAt: true,
          endedAt: true,
          attendance: { select: { profileId: true, secondsPresent: true, profile: { select: { fullName: true } } } },
        },
        orderBy: { startedAt: "asc" },
      },
      reviews: {
        select: { reviewerId: true, rating: true, comment: true, reviewer: { select: { fullName: true } } },
        orderBy: { createdAt: "asc" },
      },
    },
  });
  if (!booking) throw notFound();
  const { sessions, reviews, ...rest } = booking;
  return {
    booking: rest,
    record: {
      sessions: sessions.map(({ startedAt, endedAt }) => ({ startedAt, endedAt })),
      attendance: sessions.flatMap((session) =>
        session.attendance.map((row) => ({ profileId: row.profileId, fullName: row.profile.fullName, secondsPresent: row.secondsPresent })),
      ),
      reviews: reviews.map((review) => ({
        reviewerId: review.reviewerId,
        reviewerName: review.reviewer.fullName,
        rating: review.rating,
        comment: review.comment,
      })),
    },
  };
}

/** Also visible to active guardians of the assigned student (recording and snapshot only). */
function guardianFilter(viewerId: string) {
  return {
    student: {
      incomingEdges: { some: { sourceProfileId: viewerId, relationshipType: "GUARDIAN" as const, status: "ACTIVE" as const } },
    },
  };
}

/**
 * The one way to load a booking by id for a viewer: someone else's booking, a missing one and a
 * malformed id are all the same 404, so ids cannot be probed. `includeGuardians` also lets in
 * active guardians of the assigned student (DESIGN.md section 4: recording and snapshot).
 */
export async function requireBookingForViewer(
  bookingId: string | undefined,
  viewerId: string,
  options: { includeGuardians?: boolean } = {},
) {
  if (!bookingId || !isUuid(bookingId)) throw notFound();
  const visibility = options.includeGuardians
    ? { OR: [...participantFilter(viewerId).OR, guardianFilter(viewerId)] }
    : participantFilter(viewerId);
  // The booking and its three names in one query (relationJoins), not four.
  const booking = await db.booking.findFirst({
    relationLoadStrategy: "join",
    where: { id: bookingId, ...visibility },
    include: bookingInclude,
  });
  if (!booking) throw notFound();
  return booking;
}

export function notFound() {
  return data("Not found", { status: 404 });
}

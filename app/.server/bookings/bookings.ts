import { data } from "react-router";
import { Prisma } from "~/generated/prisma/client";
import { DASHBOARD_SECTION_LIMIT, type CardBooking } from "~/domain/booking-card";
import { bookingPageOf, bookingPageSql, type BookingPageRow } from "./booking-page-sql";
import { cardBookingOf, cardBookingsSql, dashboardCardsSql, type CardRow, type DashboardCardRow } from "./cards-sql";
import { participantOrGuardianWhere, participantWhere } from "./visibility";
import { db, sql } from "../db";
import { isUuid } from "~/domain/uuid";

const bookingInclude = {
  client: { select: { id: true, fullName: true } },
  tutor: { select: { id: true, fullName: true } },
  student: { select: { id: true, fullName: true } },
} as const;

/** Cards' bookings in one hand-written statement (app/.server/bookings/cards-sql.ts says why). */
async function queryCardBookings(where: Prisma.Sql): Promise<CardBooking[]> {
  return (await sql<CardRow>(cardBookingsSql(where))).map(cardBookingOf);
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
 * The dashboard's bookings (dashboardCardsSql: one query whatever the history) and whether the
 * viewer has a ward to choose as attendee (false when there are no bookings: no card to offer it on).
 */
export async function listDashboardBookings(
  viewerId: string,
  now: Date,
  sectionLimit = DASHBOARD_SECTION_LIMIT,
): Promise<{ bookings: CardBooking[]; viewerHasWards: boolean }> {
  const rows = await sql<DashboardCardRow>(dashboardCardsSql(viewerId, now, sectionLimit));
  return { bookings: rows.map(cardBookingOf), viewerHasWards: rows[0]?.viewer_has_wards ?? false };
}

/**
 * The booking page's data in one hand-written statement (booking-page-sql.ts): the booking as
 * requireBookingForViewer scopes it (same 404s), with its names, its sessions with attendance and
 * its reviews.
 */
export async function requireBookingRecordForViewer(bookingId: string | undefined, viewerId: string) {
  if (!bookingId || !isUuid(bookingId)) throw notFound();
  const [row] = await sql<BookingPageRow>(bookingPageSql(bookingId, viewerId));
  if (!row) throw notFound();
  return bookingPageOf(row);
}

/**
 * The one way to load a booking by id for a viewer: someone else's booking, a missing one and a
 * malformed id are all the same 404, so ids cannot be probed. `includeGuardians` also lets in
 * active guardians of the assigned student (recording, snapshot and transcript; the rule is
 * app/.server/bookings/visibility.ts).
 */
export async function requireBookingForViewer(
  bookingId: string | undefined,
  viewerId: string,
  options: { includeGuardians?: boolean } = {},
) {
  if (!bookingId || !isUuid(bookingId)) throw notFound();
  const visibility = options.includeGuardians ? participantOrGuardianWhere(viewerId) : participantWhere(viewerId);
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

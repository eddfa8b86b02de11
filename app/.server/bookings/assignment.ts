import { canAssignStudent, rolesOn, type BookingParties } from "~/domain/permissions";
import { activeWardsSql, type Ward } from "./wards-sql";
import { db, sql } from "../db";

/**
 * v5.0 assignment: who attends a booking. The rule lives in domain/permissions (canAssignStudent);
 * this module loads the viewer's guardian edges (v4.6) and writes the booking.
 */

/** Students the viewer holds an ACTIVE GUARDIAN edge to: the only ones they may assign. */
export async function activeWardsOf(viewerId: string): Promise<Ward[]> {
  // Hand-written: a parent's booking page reads it on every load (see wards-sql.ts).
  return sql<Ward>(activeWardsSql(viewerId));
}

/** Whether anyone has been in the booking's classroom (then who attends is history). */
export async function attendanceExists(bookingId: string): Promise<boolean> {
  const row = await db.lessonspaceAttendance.findFirst({
    where: { session: { bookingId } },
    select: { id: true },
  });
  return row !== null;
}

export type AssignmentOutcome =
  | { ok: true }
  /** forbidden: the viewer is not the client or tutor; refused: anything else the rule says no to. */
  | { ok: false; kind: "forbidden" | "refused" | "changed"; reason: string };

/**
 * Assigns `studentId` (or clears it with null), after checking the edge again on the server.
 * The write only lands if the booking's status and time are still the ones the rule was checked
 * against, so a lesson completed or moved meanwhile is not changed behind the rule's back.
 */
export async function assignStudent(
  booking: BookingParties & { id: string },
  viewerId: string,
  studentId: string | null,
  now: Date,
): Promise<AssignmentOutcome> {
  const [wards, attended] = await Promise.all([activeWardsOf(viewerId), attendanceExists(booking.id)]);
  const permission = canAssignStudent(
    booking,
    viewerId,
    studentId,
    new Set(wards.map((ward) => ward.id)),
    now,
    attended,
  );
  if (!permission.ok) {
    const roles = rolesOn(booking, viewerId);
    const forbidden = !roles.includes("client") && !roles.includes("tutor");
    return { ok: false, kind: forbidden ? "forbidden" : "refused", reason: permission.reason };
  }
  const { count } = await db.booking.updateMany({
    where: {
      id: booking.id,
      status: booking.status,
      sessionStartTime: booking.sessionStartTime,
      sessionDuration: booking.sessionDuration,
      // Nobody joined meanwhile: attendance is history, and who attends is part of it.
      sessions: { none: { attendance: { some: {} } } },
    },
    data: { studentId },
  });
  if (count === 0) {
    return {
      ok: false,
      kind: "changed",
      reason: "This lesson changed while you were choosing. Please look at it again and retry.",
    };
  }
  return { ok: true };
}

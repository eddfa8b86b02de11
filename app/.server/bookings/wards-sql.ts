/** The viewer's wards: statement only (no database handle), so the bench's booking-page ceiling runs the same SQL. */
import { Prisma } from "~/generated/prisma/client";
import { columnsOf } from "../sql-columns";
import { activeGuardianEdgeSql } from "./visibility";

export type Ward = { id: string; fullName: string };

export const WARD_COLUMNS = columnsOf<Ward>()(["id", "fullName"]);

/**
 * The people the viewer holds an ACTIVE GUARDIAN edge to, by name: the students they may assign
 * (the booking page's form and /bookings/:id/student).
 */
export function activeWardsSql(viewerId: string): Prisma.Sql {
  return Prisma.sql`
SELECT p.id, p.full_name AS "fullName"
  FROM profile_graph g JOIN profiles p ON p.id = g.target_profile_id
 WHERE ${activeGuardianEdgeSql(viewerId, "g")}
 ORDER BY p.full_name ASC`;
}

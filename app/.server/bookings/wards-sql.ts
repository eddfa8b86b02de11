/** The viewer's wards: statement only (no database handle), so the bench's booking-page ceiling runs the same SQL. */
export type Ward = { id: string; fullName: string };

/**
 * The people the viewer ($1) holds an ACTIVE GUARDIAN edge to, by name: the students they may
 * assign (the booking page's form and /bookings/:id/student).
 */
export const ACTIVE_WARDS_SQL = `
SELECT p.id, p.full_name AS "fullName"
  FROM profile_graph g JOIN profiles p ON p.id = g.target_profile_id
 WHERE g.source_profile_id = $1::uuid AND g.relationship_type = 'GUARDIAN' AND g.status = 'ACTIVE'
 ORDER BY p.full_name ASC`;

/**
 * Who may see a booking: the one rule, written for Prisma's API and for hand-written SQL side by
 * side, so that the two forms are read (and changed) together. No database handle: statement
 * modules and the bench's ceilings import it.
 *
 * - A participant is the booking's client, its tutor or its assigned student.
 * - Recordings, snapshots and transcripts are also visible to the assigned student's ACTIVE
 *   guardians (a PENDING edge grants nothing).
 * Everyone else gets the same 404 as for a booking that does not exist.
 *
 * The SQL forms take a table alias (null for the bare table) and bind the viewer's id.
 */
import { Prisma } from "~/generated/prisma/client";

// ---------------------------------------------------------------------------------------------
// Prisma

/** Bookings the viewer is part of, as client, tutor or assigned student. */
export function participantWhere(viewerId: string) {
  return { OR: [{ clientId: viewerId }, { tutorId: viewerId }, { studentId: viewerId }] };
}

/** Edges that make `guardianId` an active guardian (of their target). */
export function activeGuardianEdgeWhere(guardianId: string) {
  return { sourceProfileId: guardianId, relationshipType: "GUARDIAN" as const, status: "ACTIVE" as const };
}

/** Participants, and active guardians of the assigned student. */
export function participantOrGuardianWhere(viewerId: string) {
  return {
    OR: [...participantWhere(viewerId).OR, { student: { incomingEdges: { some: activeGuardianEdgeWhere(viewerId) } } }],
  };
}

/** A learner's lessons: assigned to them, or booked by them for themself (an adult learner). */
export function learnerLessonsWhere(learnerId: string) {
  return { OR: [{ studentId: learnerId }, { clientId: learnerId, studentId: null }] };
}

// ---------------------------------------------------------------------------------------------
// SQL

const PARTICIPANT_COLUMNS = ["client_id", "tutor_id", "student_id"] as const;

const column = (alias: string | null, name: string) => Prisma.raw(alias ? `${alias}.${name}` : name);

/**
 * The participant rule as one condition per participant column, each served by its own index
 * (client, tutor, student; each with session_start_time, id): a viewer is a participant when
 * any one holds. Ordered, limited reads run them as separate LIMITed branches merged by UNION
 * (app/.server/bookings/positions.ts); the planner cannot do that with the OR of them.
 */
export function participantConditions(viewerId: string, alias: string | null = null): Prisma.Sql[] {
  return PARTICIPANT_COLUMNS.map((name) => Prisma.sql`${column(alias, name)} = ${viewerId}::uuid`);
}

/** The participant rule as one condition (a BitmapOr over the three participant indexes). */
export function participantSql(viewerId: string, alias: string | null = null): Prisma.Sql {
  return Prisma.sql`(${Prisma.join(participantConditions(viewerId, alias), " OR ")})`;
}

/** Edges (profile_graph rows) that make `guardianId` an active guardian of their target. */
export function activeGuardianEdgeSql(guardianId: string, alias: string | null = null): Prisma.Sql {
  return Prisma.sql`${column(alias, "source_profile_id")} = ${guardianId}::uuid AND ${column(alias, "relationship_type")} = 'GUARDIAN' AND ${column(alias, "status")} = 'ACTIVE'`;
}

/** Whether the viewer holds an active guardian edge to anyone: the only people who may choose who attends. */
export function hasActiveWardSql(viewerId: string): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM profile_graph w WHERE ${activeGuardianEdgeSql(viewerId, "w")})`;
}

/** Participants, and active guardians of the assigned student, as one condition on the booking. */
export function participantOrGuardianSql(viewerId: string, alias: string | null = null): Prisma.Sql {
  return Prisma.sql`(${participantSql(viewerId, alias)} OR EXISTS (
    SELECT 1 FROM profile_graph g WHERE g.target_profile_id = ${column(alias, "student_id")} AND ${activeGuardianEdgeSql(viewerId, "g")}))`;
}

/**
 * The ids of every booking visible to participants and active guardians, as a subquery: for
 * reads that start elsewhere (transcript search) and only need to know which bookings count.
 * A UNION of the participant indexes' scan and the guardian edges' join.
 */
export function participantOrGuardianIdsSql(viewerId: string): Prisma.Sql {
  return Prisma.sql`SELECT id FROM bookings WHERE ${Prisma.join(participantConditions(viewerId), " OR ")}
      UNION
      SELECT b.id FROM bookings b
        JOIN profile_graph g ON g.target_profile_id = b.student_id
       WHERE ${activeGuardianEdgeSql(viewerId, "g")}`;
}

/** A learner's lessons (as learnerLessonsWhere) as a condition on the booking. */
export function learnerLessonsSql(learnerId: string, alias: string | null = null): Prisma.Sql {
  return Prisma.sql`(${column(alias, "student_id")} = ${learnerId}::uuid OR (${column(alias, "client_id")} = ${learnerId}::uuid AND ${column(alias, "student_id")} IS NULL))`;
}

// ---------------------------------------------------------------------------------------------
// The family's side (Prisma): who reads a published lesson note and ticks its homework

/**
 * Bookings on which the viewer is family: the client, the assigned student, or an ACTIVE guardian
 * of that student (not the tutor: a lesson note's homework is the family's to tick).
 */
export function familyWhere(viewerId: string) {
  return {
    OR: [
      { clientId: viewerId },
      { studentId: viewerId },
      { student: { incomingEdges: { some: activeGuardianEdgeWhere(viewerId) } } },
    ],
  };
}

/** The family side (familyWhere) as one condition on the booking. */
export function familySql(viewerId: string, alias: string | null = null): Prisma.Sql {
  return Prisma.sql`(${column(alias, "client_id")} = ${viewerId}::uuid OR ${column(alias, "student_id")} = ${viewerId}::uuid OR EXISTS (
    SELECT 1 FROM profile_graph g WHERE g.target_profile_id = ${column(alias, "student_id")} AND ${activeGuardianEdgeSql(viewerId, "g")}))`;
}

// The family of a lesson: who receives its record and the weekly digest (docs/decisions/0043-who-receives-which-email.md,
// the same rule as app/domain/notification-recipients.ts): the client, the assigned student's
// ACTIVE guardians (a PENDING edge grants nothing), and the student when no active guardian looks
// after them (an adult learner booked by someone else).

const noActiveGuardianOf = (learner: Prisma.Sql) =>
  Prisma.sql`NOT EXISTS (SELECT 1 FROM profile_graph na WHERE na.target_profile_id = ${learner} AND na.relationship_type = 'GUARDIAN' AND na.status = 'ACTIVE')`;

/**
 * The ids of the bookings whose family `personId` is, among those `range` keeps (a condition on
 * alias `fb`): a UNION of the client index, the guardian edges joined to the student index, and
 * the student index.
 */
export function familyBookingIdsSql(personId: string, range: Prisma.Sql): Prisma.Sql {
  const person = Prisma.sql`${personId}::uuid`;
  return Prisma.sql`SELECT fb.id FROM bookings fb WHERE fb.client_id = ${person} AND ${range}
      UNION
      SELECT fb.id FROM profile_graph g JOIN bookings fb ON fb.student_id = g.target_profile_id
       WHERE ${activeGuardianEdgeSql(personId, "g")} AND ${range}
      UNION
      SELECT fb.id FROM bookings fb WHERE fb.student_id = ${person} AND ${range} AND ${noActiveGuardianOf(person)}`;
}

/**
 * Everyone who is the family of at least one booking `range` keeps (a condition on alias `fb`),
 * as a statement of one column, `person_id`: for sweeps that start from the bookings.
 */
export function familyOfBookingsSql(range: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT fb.client_id AS person_id FROM bookings fb WHERE ${range}
      UNION
      SELECT g.source_profile_id FROM bookings fb
        JOIN profile_graph g ON g.target_profile_id = fb.student_id AND g.relationship_type = 'GUARDIAN' AND g.status = 'ACTIVE'
       WHERE ${range}
      UNION
      SELECT fb.student_id FROM bookings fb WHERE ${range} AND fb.student_id IS NOT NULL AND ${noActiveGuardianOf(Prisma.sql`fb.student_id`)}`;
}

// Who has been in the classroom, in SQL, for the late-start alerts (app/domain/late-start.ts): the
// sweep's conditions and the sender's re-check at send time read the same fragments.
import { Prisma } from "~/generated/prisma/client";
import type { LateStartKind } from "~/domain/late-start";
import { columnsOf } from "../sql-columns";

// Whether someone has been in any session of booking `b` (a visit that ended still counts):
// lessonspace_sessions_booking_id_idx, then the attendance's unique (session, profile).
const joined = (profileId: Prisma.Sql) => Prisma.sql`EXISTS (
             SELECT 1 FROM lessonspace_sessions s
               JOIN lessonspace_attendance a ON a.session_id = s.session_id
              WHERE s.booking_id = b.id AND a.profile_id = ${profileId})`;
const TUTOR_JOINED = joined(Prisma.sql`b.tutor_id`);
// The learner as the room knows them (app/domain/attendee.ts): the student, else the client.
const LEARNER_JOINED = joined(Prisma.sql`COALESCE(b.student_id, b.client_id)`);

/** whoIsLate, per kind: the condition on booking `b` under which the alert is true. */
export const LATE_CONDITIONS: Record<LateStartKind, Prisma.Sql> = {
  tutor_late: Prisma.sql`NOT ${TUTOR_JOINED}`,
  tutor_reminded: Prisma.sql`NOT ${TUTOR_JOINED}`,
  learner_late: Prisma.sql`${TUTOR_JOINED} AND NOT ${LEARNER_JOINED}`,
};

export type JoinedRow = { tutor_joined: boolean; learner_joined: boolean };

export const JOINED_COLUMNS = columnsOf<JoinedRow>()(["tutor_joined", "learner_joined"]);

/** One booking's attendance as it stands, read by the sender under its claim. */
export function joinedSql(bookingId: string): Prisma.Sql {
  return Prisma.sql`SELECT ${TUTOR_JOINED} AS tutor_joined, ${LEARNER_JOINED} AS learner_joined
                      FROM bookings b WHERE b.id = ${bookingId}::uuid`;
}

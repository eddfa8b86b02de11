import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect } from "react-router";
import { z } from "zod";
import { activeWardsOf, assignStudent, attendanceExists } from "~/.server/bookings/assignment";
import { requireViewer } from "~/.server/auth";
import { requireBookingForViewer } from "~/.server/bookings/bookings";
import { AssignStudentForm } from "~/components/bookings/AssignStudentForm";
import { formatTimeRange } from "~/domain/format";
import { joinWindow } from "~/domain/join-window";
import { canAssignStudent } from "~/domain/permissions";
import { safeReturnPath } from "~/domain/return-path";
import { usableTimeZone } from "~/domain/time-zone";
import type { Route } from "./+types/bookings.$id.student";

// Empty means "no student": the client attends as an adult learner (Conform turns "" into undefined).
const assignmentSchema = z.object({
  studentId: z.uuid("Choose a student from the list.").optional(),
  returnTo: z.string().optional(),
});

export const meta: Route.MetaFunction = () => [{ title: "Who attends · Tutorwise Classroom" }];

export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const booking = await requireBookingForViewer(params.id, viewer.id);
  const now = new Date();
  const permission = canAssignStudent(booking, viewer.id, null, new Set(), now, await attendanceExists(booking.id));
  const wards = permission.ok ? await activeWardsOf(viewer.id) : [];
  const timeZone = usableTimeZone(viewer.timeZone);
  const window = joinWindow(booking);
  return {
    booking: {
      id: booking.id,
      serviceName: booking.serviceName,
      when: formatTimeRange(window.startsAt, window.endsAt, timeZone, now),
      clientName: booking.client.fullName,
      attendee: booking.student
        ? { name: booking.student.fullName, asAdultLearner: false }
        : { name: booking.client.fullName, asAdultLearner: true },
    },
    student: booking.student,
    refusal: permission.ok ? null : permission.reason,
    wards,
    returnTo: safeReturnPath(url.searchParams.get("returnTo"), `/bookings/${booking.id}`),
  };
}

/** Assign or clear the student: strangers get a 404; every refusal is shown on the form, the booking unchanged. */
export async function action({ context, request, params, url }: Route.ActionArgs) {
  const viewer = await requireViewer({ context, request, url });
  const booking = await requireBookingForViewer(params.id, viewer.id);
  const submission = parseWithZod(await request.formData(), { schema: assignmentSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const outcome = await assignStudent(booking, viewer.id, submission.value.studentId ?? null, new Date());
  if (!outcome.ok) {
    const status = outcome.kind === "forbidden" ? 403 : outcome.kind === "changed" ? 409 : 400;
    return data(submission.reply({ formErrors: [outcome.reason] }), { status });
  }
  throw redirect(safeReturnPath(submission.value.returnTo, `/bookings/${booking.id}`));
}

export default function AssignStudent({ loaderData, actionData }: Route.ComponentProps) {
  const { booking, student, refusal, wards, returnTo } = loaderData;
  return (
    <>
      <main className="page narrow">
        <p>
          <a href={`/bookings/${booking.id}`}>← {booking.serviceName}</a>
        </p>
        <h1>Who attends {booking.serviceName}</h1>
        <p className="muted">{booking.when}</p>
        <p>
          Attending now: {booking.attendee.name}
          {booking.attendee.asAdultLearner ? " (adult learner)" : null}
        </p>
        {refusal ? (
          <p className="notice" role="status">
            {refusal}
          </p>
        ) : (
          <div className="card">
            <AssignStudentForm
              bookingId={booking.id}
              clientName={booking.clientName}
              current={student}
              wards={wards}
              returnTo={returnTo}
              lastResult={actionData}
            />
          </div>
        )}
      </main>
    </>
  );
}

import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect } from "react-router";
import { z } from "zod";
import { requireViewer } from "~/.server/auth";
import { notFound, requireBookingForViewer } from "~/.server/bookings/bookings";
import { familyScopeFor } from "~/.server/privacy/family";
import { deleteLessonTranscript, findTranscriptDeletion } from "~/.server/privacy/transcript-deletion";
import { Errors } from "~/components/Errors";
import { learnerIdOf } from "~/domain/attendee";
import { formatDateTime, lessonTime } from "~/domain/format";
import { usableTimeZone } from "~/domain/time-zone";
import type { Route } from "./+types/bookings.$id.transcript.delete";

export const meta: Route.MetaFunction = () => [{ title: "Delete the transcript · Tutorwise Classroom" }];

// The form says what it does in one field, so that a post without it (a stray or forged request
// that got past the cross-site check) deletes nothing.
const deleteSchema = z.object({
  confirm: z.literal("delete", { error: "Press “Delete the transcript and summary” to confirm." }),
});

/**
 * The learner's family decides (app/domain/family.ts): an active guardian, or the adult learner.
 * The tutor, a child, a pending guardian and everyone else get the same 404 as a missing lesson.
 */
async function authorize(args: Route.LoaderArgs | Route.ActionArgs) {
  const viewer = await requireViewer(args);
  const booking = await requireBookingForViewer(args.params.id, viewer.id, { includeGuardians: true });
  const learnerId = learnerIdOf(booking);
  const family = await familyScopeFor(learnerId, viewer.id);
  if (!family) throw notFound();
  return { viewer, booking, learnerId };
}

export async function loader(args: Route.LoaderArgs) {
  const { viewer, booking } = await authorize(args);
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const deletion = await findTranscriptDeletion(booking.id);
  return data(
    {
      lesson: {
        id: booking.id,
        serviceName: booking.serviceName,
        when: lessonTime(booking.sessionStartTime, timeZone, now),
      },
      deleted: deletion ? { by: deletion.deletedByName, on: formatDateTime(deletion.deletedAt, timeZone, now) } : null,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action(args: Route.ActionArgs) {
  const { viewer, booking, learnerId } = await authorize(args);
  const submission = parseWithZod(await args.request.formData(), { schema: deleteSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  await deleteLessonTranscript({ bookingId: booking.id, learnerId, actorId: viewer.id, now: new Date() });
  throw redirect(`/bookings/${booking.id}/transcript`, { status: 303 });
}

export default function DeleteTranscript({ loaderData, actionData }: Route.ComponentProps) {
  const { lesson, deleted } = loaderData;
  const errors = (actionData as { error?: Record<string, string[] | null> | null } | undefined)?.error ?? {};
  const formErrors = [...(errors[""] ?? []), ...(errors.confirm ?? [])];
  return (
    <main className="page narrow">
      <p>
        <a href={`/bookings/${lesson.id}/transcript`}>← Transcript</a>
      </p>
      <h1>Delete the transcript and summary</h1>
      <p className="muted">
        {lesson.serviceName}, {lesson.when}
      </p>
      {deleted ? (
        <p role="status">
          Deleted by {deleted.by} on {deleted.on}. Nothing more to delete.
        </p>
      ) : (
        <form method="post" className="stack card">
          <Errors id="delete-form-error" errors={formErrors.length ? formErrors : undefined} alert />
          <p>
            This removes what was said in this lesson (every line of the transcript), who spoke how much, and
            Lessonspace&apos;s summary, for everyone. It cannot be undone, and a transcript that arrives later for this
            lesson is not kept. The recording, the whiteboard and the tutor&apos;s note stay.
          </p>
          <input type="hidden" name="confirm" value="delete" />
          <p>
            <button type="submit" className="primary">
              Delete the transcript and summary
            </button>{" "}
            <a href={`/bookings/${lesson.id}/transcript`}>Keep it</a>
          </p>
        </form>
      )}
    </main>
  );
}

import { parseWithZod } from "@conform-to/zod/v4";
import { redirect } from "react-router";
import { z } from "zod";
import { requireViewer } from "~/.server/auth";
import { notFound, requireBookingForViewer } from "~/.server/bookings/bookings";
import { loadNote, setHomeworkDone } from "~/.server/notes/notes";
import { mayTickHomework, noteStateOf } from "~/domain/lesson-note";
import { safeReturnPath } from "~/domain/return-path";
import { isUuid } from "~/domain/uuid";
import type { Route } from "./+types/bookings.$id.homework.$itemId";

// Ticking a homework item done or not done: a small POST form per item, no JavaScript needed.
// The learner, the client and active guardians may tick (app/domain/lesson-note.ts says why not
// the tutor); everyone else gets the same 404 as a missing booking, and nothing changes.

const tickSchema = z.object({ done: z.enum(["1", "0"]), returnTo: z.string().optional() });

export async function loader() {
  throw notFound();
}

export async function action({ context, request, params, url }: Route.ActionArgs) {
  const viewer = await requireViewer({ context, request, url });
  const booking = await requireBookingForViewer(params.id, viewer.id, { includeGuardians: true });
  const isParticipant = [booking.clientId, booking.tutorId, booking.studentId].includes(viewer.id);
  const note = await loadNote(booking.id);
  const allowed = mayTickHomework(
    {
      isTutor: booking.tutorId === viewer.id,
      isClient: booking.clientId === viewer.id,
      isStudent: booking.studentId === viewer.id,
      // Let in by the visibility rule without being a participant: an active guardian of the student.
      isActiveGuardian: !isParticipant,
    },
    noteStateOf(note) === "published",
  );
  if (!allowed || !isUuid(params.itemId)) throw notFound();
  const submission = parseWithZod(await request.formData(), { schema: tickSchema });
  if (submission.status !== "success") throw notFound();
  const ticked = await setHomeworkDone(booking.id, params.itemId, submission.value.done === "1", viewer.id, new Date());
  if (!ticked) throw notFound();
  throw redirect(safeReturnPath(submission.value.returnTo, `/bookings/${booking.id}#homework`), { status: 303 });
}

import { data, redirect } from "react-router";
import { requireViewer } from "~/.server/auth";
import { notFound, requireBookingForViewer } from "~/.server/bookings/bookings";
import { learnerOf } from "~/domain/attendee";
import { lessonTime } from "~/domain/format";
import { discardRest, snapshotPathOf, uploadSnapshot, type SnapshotFailure } from "~/.server/artifacts/snapshots";
import { SnapshotUploadForm } from "~/components/bookings/SnapshotUploadForm";
import { canUploadSnapshot } from "~/domain/permissions";
import { safeReturnPath } from "~/domain/return-path";
import { LessonBackLinks } from "~/components/bookings/LessonBackLinks";
import type { Route } from "./+types/bookings.$id.snapshot.upload";

// Whiteboard snapshot upload (docs/decisions/0021-snapshot-upload.md). GET shows the form; POST authorizes
// from the URL and cookies alone, before a byte of the body is read, then hands the stream over.

const FAILURES: Record<Exclude<SnapshotFailure, "booking-gone">, { status: number; message: string }> = {
  "too-large": {
    status: 413,
    message: "That file is larger than 10 MB. Please choose a smaller photo or screenshot of the whiteboard.",
  },
  "no-file": { status: 400, message: "Choose a photo or screenshot of the whiteboard to upload." },
  empty: { status: 400, message: "That file is empty. Please choose the photo or screenshot again." },
  "too-many-files": { status: 400, message: "Upload one image at a time." },
  "unsupported-type": {
    status: 415,
    message:
      "That file is not a PNG, JPEG or WebP image. Please upload a photo or screenshot of the whiteboard in one of those formats.",
  },
  truncated: {
    status: 400,
    message:
      "That image is incomplete (it may not have finished saving or downloading). Please choose a complete copy.",
  },
  "unreadable-form": {
    status: 400,
    message: "We could not read that upload. Please choose the image again and resend the form.",
  },
  "storage-unavailable": {
    status: 503,
    message: "We could not store the snapshot just now. Nothing was changed; please try again in a minute.",
  },
  "not-saved": {
    status: 503,
    message: "We could not save the snapshot just now. Nothing was changed; please try again in a minute.",
  },
};

export const meta: Route.MetaFunction = () => [{ title: "Upload whiteboard snapshot · Tutorwise Classroom" }];

async function authorize(args: Route.LoaderArgs | Route.ActionArgs) {
  const { url, params } = args;
  const viewer = await requireViewer(args);
  const booking = await requireBookingForViewer(params.id, viewer.id);
  const permission = canUploadSnapshot(booking, viewer.id, new Date());
  const returnTo = url.searchParams.get("returnTo");
  return { viewer, booking, permission, returnTo: returnTo ? safeReturnPath(returnTo) : null };
}

export async function loader(args: Route.LoaderArgs) {
  const { viewer, booking, permission, returnTo } = await authorize(args);
  return data(
    {
      lesson: {
        id: booking.id,
        serviceName: booking.serviceName,
        attendeeName: learnerOf(booking).fullName,
        when: lessonTime(booking.sessionStartTime, viewer.timeZone, new Date()),
        hasSnapshot: snapshotPathOf(booking.id, booking.sessionArtifacts) !== null,
      },
      refusal: permission.ok ? null : permission.reason,
      uploaded: args.url.searchParams.get("uploaded") === "1",
      returnTo,
    },
    { status: permission.ok ? 200 : 403 },
  );
}

export async function action(args: Route.ActionArgs) {
  const { request } = args;
  let authorized;
  try {
    authorized = await authorize(args);
  } catch (refusal) {
    // Signed out or not their booking: answer at once and let the body drain unread.
    discardRest(request);
    throw refusal;
  }
  const { booking, permission, returnTo } = authorized;
  if (!permission.ok) {
    discardRest(request);
    return data({ error: permission.reason }, { status: 403 });
  }
  const outcome = await uploadSnapshot(booking.id, request);
  if (outcome.ok) {
    throw redirect(returnTo ?? `/bookings/${booking.id}/snapshot/upload?uploaded=1`, { status: 303 });
  }
  if (outcome.reason === "booking-gone") throw notFound();
  const failure = FAILURES[outcome.reason];
  return data({ error: failure.message }, { status: failure.status });
}

export default function SnapshotUpload({ loaderData, actionData }: Route.ComponentProps) {
  const { lesson, refusal, uploaded, returnTo } = loaderData;
  const error = actionData?.error ?? refusal;
  const action = `/bookings/${lesson.id}/snapshot/upload${returnTo ? `?${new URLSearchParams({ returnTo })}` : ""}`;
  return (
    <>
      <main className="page narrow">
        <h1>How was your session with {lesson.attendeeName}?</h1>
        <p className="muted">
          {lesson.serviceName}, {lesson.when}
        </p>
        {uploaded && !actionData ? (
          <p className="success" role="status">
            Snapshot uploaded. {lesson.attendeeName}’s family can now see it with the lesson.
          </p>
        ) : null}
        {lesson.hasSnapshot && !refusal ? (
          <figure className="card">
            <a href={`/bookings/${lesson.id}/snapshot`}>
              <img
                src={`/bookings/${lesson.id}/snapshot`}
                alt={`Whiteboard snapshot of ${lesson.serviceName}`}
                width={320}
                loading="lazy"
              />
            </a>
            <figcaption className="muted">The current snapshot. Uploading another one replaces it.</figcaption>
          </figure>
        ) : null}
        {error ? (
          <p className="error" role="alert" id="snapshot-error">
            {error}
          </p>
        ) : null}
        {refusal ? null : (
          <div className="card">
            <SnapshotUploadForm action={action} errorId={error ? "snapshot-error" : undefined} />
          </div>
        )}
        <LessonBackLinks bookingId={lesson.id} returnTo={returnTo} />
      </main>
    </>
  );
}

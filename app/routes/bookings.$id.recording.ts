import { createElement } from "react";
import { data, redirect } from "react-router";
import { requireViewer } from "~/.server/auth";
import { requireBookingForViewer } from "~/.server/bookings/bookings";
import { openRecording } from "~/.server/lessonspace/recordings";
import { recordAccess } from "~/.server/privacy/access-log";
import { accessEntry } from "~/domain/access-log";
import { learnerIdOf } from "~/domain/attendee";
import { RecordingNotice } from "~/components/bookings/RecordingNotice";
import type { Route } from "./+types/bookings.$id.recording";

// View Recording (docs/decisions/0018-recordings-through-our-route.md): participants and active guardians of the student;
// a fresh link from Lessonspace on every visit, since the links it hands out expire.

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `${loaderData?.state === "not-ready" ? "Recording being prepared" : "Recording"} · Tutorwise Classroom` },
];

const STATUS = { none: 404, "not-ready": 202, unavailable: 503, failed: 502 } as const;

export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const booking = await requireBookingForViewer(params.id, viewer.id, { includeGuardians: true });
  const outcome = await openRecording(booking.recordingUrl);
  // The link is personal and short-lived: never cached anywhere.
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  if (outcome.ok) {
    // Logged before the link is handed out; a failed write serves nothing (docs/decisions/0072-access-log-append-only.md).
    await recordAccess(accessEntry(viewer.id, { learnerId: learnerIdOf(booking), bookingId: booking.id }, "recording"));
    throw redirect(outcome.url, { headers });
  }
  if (outcome.kind === "not-ready") headers.set("Retry-After", "30");
  return data(
    {
      booking: { id: booking.id, serviceName: booking.serviceName },
      state: outcome.kind,
    },
    { status: STATUS[outcome.kind], headers },
  );
}

export default function RecordingRoute({ loaderData }: Route.ComponentProps) {
  return createElement(RecordingNotice, loaderData);
}

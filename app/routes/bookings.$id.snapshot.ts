import { requireViewer } from "~/.server/auth";
import { notFound, requireBookingForViewer } from "~/.server/bookings/bookings";
import { openSnapshot } from "~/.server/artifacts/snapshots";
import { recordAccess } from "~/.server/privacy/access-log";
import { accessEntry } from "~/domain/access-log";
import { learnerIdOf } from "~/domain/attendee";
import type { Route } from "./+types/bookings.$id.snapshot";

// The whiteboard snapshot, served by us from private storage (docs/decisions/0021-snapshot-upload.md):
// participants and active guardians of the assigned student only; everyone else gets the same 404
// as for a booking without a snapshot. The stable URL in session_artifacts points here.

export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const booking = await requireBookingForViewer(params.id, viewer.id, { includeGuardians: true });
  const snapshot = await openSnapshot(booking);
  if (!snapshot) throw notFound();
  // Logged before the image is sent, a revalidation (304) included: the browser shows its copy
  // again. A HEAD shows nothing. A failed write sends nothing (docs/decisions/0072-access-log-append-only.md).
  if (request.method !== "HEAD") {
    try {
      await recordAccess(
        accessEntry(viewer.id, { learnerId: learnerIdOf(booking), bookingId: booking.id }, "snapshot"),
      );
    } catch (error) {
      await snapshot.body.cancel();
      throw error;
    }
  }
  const headers = new Headers();

  const extension = snapshot.objectPath.split(".").pop();
  headers.set("Content-Type", snapshot.contentType);
  headers.set("X-Content-Type-Options", "nosniff");
  // Our own name, never the uploader's: nothing in the header comes from input.
  headers.set("Content-Disposition", `inline; filename="snapshot.${extension}"`);
  // One family's picture: no shared caches; browsers revalidate so a replaced snapshot shows at once.
  headers.set("Cache-Control", "private, no-cache");
  headers.set("ETag", snapshot.etag);
  // Opened on its own, the image gets no script, plugin or form powers.
  headers.set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  headers.set("Vary", "Cookie");

  if (ifNoneMatch(request, snapshot.etag)) {
    await snapshot.body.cancel();
    return new Response(null, { status: 304, headers });
  }
  if (snapshot.size !== null) headers.set("Content-Length", String(snapshot.size));
  if (request.method === "HEAD") {
    await snapshot.body.cancel();
    return new Response(null, { status: 200, headers });
  }
  return new Response(snapshot.body, { status: 200, headers });
}

function ifNoneMatch(request: Request, etag: string): boolean {
  const header = request.headers.get("If-None-Match");
  if (!header) return false;
  return header
    .split(",")
    .some((candidate) => candidate.trim().replace(/^W\//, "") === etag || candidate.trim() === "*");
}

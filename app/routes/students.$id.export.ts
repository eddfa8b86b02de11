import { Readable } from "node:stream";
import { requireViewer } from "~/.server/auth";
import { exportLearner } from "~/.server/privacy/export";
import { requireFamilyOfLearner } from "~/.server/privacy/family";
import type { Route } from "./+types/students.$id.export";

/**
 * Everything held about a learner as one streamed ZIP (docs/decisions/0074-the-family-export.md):
 * for the learner's active guardians or the adult learner; everyone else gets the same 404 as a
 * learner who does not exist. Logged before the first byte.
 */
export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const scope = await requireFamilyOfLearner(params.id, viewer.id);
  const now = new Date();
  const zip = await exportLearner(scope, viewer, now);
  const day = now.toISOString().slice(0, 10);
  return new Response(Readable.toWeb(zip) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": "application/zip",
      // Our own name, never the learner's (nothing in the header comes from input).
      "Content-Disposition": `attachment; filename="tutorwise-export-${day}.zip"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

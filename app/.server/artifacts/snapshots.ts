/**
 * Whiteboard snapshots (docs/decisions/0021-snapshot-upload.md): read one image from a multipart body as a
 * stream, keep it only if its bytes say PNG, JPEG or WebP, store it under a name we make, and
 * merge its stable URL and object path into the booking's session_artifacts. The caller has
 * authorized the upload before anything here reads the body.
 */
import { randomUUID } from "node:crypto";
import {
  FormDataParseError,
  MaxFilesExceededError,
  MaxFileSizeExceededError,
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseFormData,
  type FileUpload,
} from "@remix-run/form-data-parser";
import { sniffImage, type ImageType } from "~/domain/image-type";
import { Prisma } from "~/generated/prisma/client";
import { db, sql } from "../db";
import { columnsOf } from "../sql-columns";
import { env } from "../env";
import { logger } from "../logger";
import { isSafeObjectPath, storage, StorageUnavailableError, type ObjectStorage, type StoredObject } from "./storage";

export const MAX_SNAPSHOT_BYTES = 10 * 1024 * 1024;
// The file plus the multipart framing and a few small fields.
const MAX_BODY_BYTES = MAX_SNAPSHOT_BYTES + 64 * 1024;

export type SnapshotFailure =
  | "too-large"
  | "no-file"
  | "empty"
  | "too-many-files"
  | "unsupported-type"
  | "truncated"
  | "unreadable-form"
  | "storage-unavailable"
  | "not-saved"
  | "booking-gone";

export type ReceivedImage = { bytes: Uint8Array; type: ImageType };
export type ReceiveOutcome = { ok: true; image: ReceivedImage } | { ok: false; reason: SnapshotFailure };
export type SnapshotOutcome =
  { ok: true; objectPath: string; url: string; replacedPath: string | null } | { ok: false; reason: SnapshotFailure };

/**
 * Parses the body as a stream with the maintained multipart parser. Files over the limit are
 * refused while they stream in (the parser holds at most the limit, never the whole body), and a
 * second file is refused before anything is stored. The one file may come in any field.
 */
export async function receiveSnapshot(request: Request): Promise<ReceiveOutcome> {
  // Browsers declare the size of a form post: one that cannot fit is refused before reading it.
  const declared = Number(request.headers.get("Content-Length"));
  if (declared > MAX_BODY_BYTES) {
    discardRest(request);
    return { ok: false, reason: "too-large" };
  }
  const files: FileUpload[] = [];
  try {
    await parseFormData(
      request,
      { maxFiles: 1, maxFileSize: MAX_SNAPSHOT_BYTES, maxParts: 10, maxTotalSize: MAX_BODY_BYTES },
      (file) => {
        files.push(file);
        return null; // nothing to keep in the FormData: we hold the file ourselves
      },
    );
  } catch (error) {
    const reason = parseFailure(error);
    if (!reason) throw error;
    discardRest(request);
    return { ok: false, reason };
  }
  const file = files[0];
  // A file input left empty still sends a part with no bytes and an empty filename (or none, which
  // the parser names "file-upload").
  const nothingChosen = file && file.size === 0 && (file.name === "" || file.name === "file-upload");
  if (!file || nothingChosen) return { ok: false, reason: "no-file" };
  if (file.size === 0) return { ok: false, reason: "empty" };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sniffed = sniffImage(bytes);
  if (!sniffed.ok) return { ok: false, reason: sniffed.reason === "unsupported" ? "unsupported-type" : sniffed.reason };
  return { ok: true, image: { bytes, type: sniffed.type } };
}

// Every limit and parse error the parser throws becomes a message on the form, never a 500.
function parseFailure(error: unknown): SnapshotFailure | null {
  if (error instanceof MaxFileSizeExceededError || error instanceof MaxTotalSizeExceededError) return "too-large";
  if (error instanceof MaxFilesExceededError) return "too-many-files";
  if (
    error instanceof MaxPartsExceededError ||
    error instanceof MaxHeaderSizeExceededError ||
    error instanceof MultipartParseError ||
    error instanceof FormDataParseError
  ) {
    return "unreadable-form";
  }
  return null;
}

// A client that keeps sending after we refused is drained in the background, up to this much, so
// the browser reads our answer instead of a reset connection and nothing piles up in memory (left
// unread, a 50 MB body grew the server by 35-50 MB; drained, by under 2 MB: bench/upload.ts).
// Past the limit the connection is cut.
const DISCARD_LIMIT_BYTES = 256 * 1024 * 1024;

/** Reads and drops what is left of a refused body without holding it, once the answer is on its way. */
export function discardRest(request: Request): void {
  const body = request.body;
  if (!body || body.locked) return;
  const reader = body.getReader();
  setImmediate(() => {
    void (async () => {
      let seen = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          seen += value.byteLength;
          if (seen > DISCARD_LIMIT_BYTES) {
            await reader.cancel();
            return;
          }
        }
      } catch {
        // The client went away: nothing left to drain.
      }
    })();
  });
}

/** The stable address of a booking's snapshot: our route, which authorizes every read. */
export function snapshotUrl(bookingId: string): string {
  return new URL(`/bookings/${bookingId}/snapshot`, env().APP_URL).toString();
}

/** The object path stored in session_artifacts, if it is one of ours for this booking. */
export function snapshotPathOf(bookingId: string, sessionArtifacts: unknown): string | null {
  if (typeof sessionArtifacts !== "object" || sessionArtifacts === null) return null;
  const value = (sessionArtifacts as Record<string, unknown>).whiteboard_snapshot_path;
  if (typeof value !== "string" || !value.startsWith(`${bookingId}/`) || !isSafeObjectPath(value)) return null;
  return value;
}

export type SnapshotRecorder = (
  bookingId: string,
  snapshot: { url: string; objectPath: string },
) => Promise<{ found: false } | { found: true; previousPath: string | null }>;

/**
 * Merges the snapshot into session_artifacts with `||`, so every other key (CaaS reads this
 * column too) is kept, and answers the path it replaced. The row lock orders concurrent uploads,
 * so each one removes exactly the object it superseded.
 */
type PreviousSnapshotRow = { previous_path: string | null };

export const PREVIOUS_SNAPSHOT_COLUMNS = columnsOf<PreviousSnapshotRow>()(["previous_path"]);

/** The booking's current snapshot path, with the booking locked for the rest of the transaction. */
export function lockPreviousSnapshotSql(bookingId: string): Prisma.Sql {
  return Prisma.sql`
      SELECT session_artifacts->>'whiteboard_snapshot_path' AS previous_path
      FROM bookings WHERE id = ${bookingId}::uuid FOR UPDATE`;
}

export const recordSnapshot: SnapshotRecorder = (bookingId, snapshot) =>
  db.$transaction(async (tx) => {
    const rows = await sql<PreviousSnapshotRow>(lockPreviousSnapshotSql(bookingId), tx);
    if (rows.length === 0) return { found: false } as const;
    await sql(
      Prisma.sql`
      UPDATE bookings
      SET session_artifacts = COALESCE(session_artifacts, '{}'::jsonb)
            || jsonb_build_object('whiteboard_snapshot_url', ${snapshot.url}::text,
                                  'whiteboard_snapshot_path', ${snapshot.objectPath}::text),
          updated_at = now()
      WHERE id = ${bookingId}::uuid`,
      tx,
    );
    return { found: true, previousPath: rows[0]!.previous_path } as const;
  });

/**
 * Stores an image for a booking and records it. If recording fails the stored object is removed
 * again; the object it replaces is removed only once the new one is committed.
 */
export async function storeSnapshot(
  bookingId: string,
  image: ReceivedImage,
  deps: { storage?: ObjectStorage; record?: SnapshotRecorder } = {},
): Promise<SnapshotOutcome> {
  const objects = deps.storage ?? storage();
  const record = deps.record ?? recordSnapshot;
  const objectPath = `${bookingId}/${randomUUID()}.${image.type.extension}`;
  const url = snapshotUrl(bookingId);
  try {
    await objects.put(objectPath, image.bytes, image.type.contentType);
  } catch (error) {
    if (!(error instanceof StorageUnavailableError)) throw error;
    logger.error({ objectPath, err: error }, "snapshot.store-failed");
    return { ok: false, reason: "storage-unavailable" };
  }
  let recorded: Awaited<ReturnType<SnapshotRecorder>>;
  try {
    recorded = await record(bookingId, { url, objectPath });
  } catch (error) {
    logger.error({ objectPath, err: error }, "snapshot.record-failed");
    await removeQuietly(objects, objectPath);
    return { ok: false, reason: "not-saved" };
  }
  if (!recorded.found) {
    await removeQuietly(objects, objectPath);
    return { ok: false, reason: "booking-gone" };
  }
  const previous = recorded.previousPath;
  const replaced =
    previous && previous !== objectPath && snapshotPathOf(bookingId, { whiteboard_snapshot_path: previous });
  if (replaced) await removeQuietly(objects, replaced);
  return { ok: true, objectPath, url, replacedPath: replaced || null };
}

/** Receive, then store: the whole upload after authorization. */
export async function uploadSnapshot(
  bookingId: string,
  request: Request,
  deps: { storage?: ObjectStorage; record?: SnapshotRecorder } = {},
): Promise<SnapshotOutcome> {
  const received = await receiveSnapshot(request);
  if (!received.ok) return received;
  return storeSnapshot(bookingId, received.image, deps);
}

async function removeQuietly(objects: ObjectStorage, objectPath: string): Promise<void> {
  try {
    await objects.remove(objectPath);
  } catch (error) {
    // An orphaned object costs storage, not correctness: nothing points at it.
    logger.warn({ objectPath, err: error }, "snapshot.remove-failed");
  }
}

export type OpenSnapshot = StoredObject & { objectPath: string; etag: string };

/** The booking's current snapshot, streamed from storage, or null when it has none. */
export async function openSnapshot(booking: { id: string; sessionArtifacts: unknown }): Promise<OpenSnapshot | null> {
  const objectPath = snapshotPathOf(booking.id, booking.sessionArtifacts);
  if (!objectPath) return null;
  const object = await storage().get(objectPath);
  if (!object) return null;
  // Object names are random and never reused, so the name is a strong validator.
  return { ...object, objectPath, etag: `"${objectPath.split("/").pop()}"` };
}

// Shared by the artifacts*.test.ts files: requests with streamed bodies (which callAction cannot
// build), and a look into the storage folder the app writes to.
import fs from "node:fs";
import path from "node:path";
import { db } from "~/.server/db";
import { APP_URL, throughRoot, type RouteResult } from "../support/app.ts";

type Handler = (args: never) => unknown;

/** Calls a loader or action with a Request built by the test, normalised like callAction does. */
export async function callWith(
  fn: Handler | undefined,
  request: Request,
  params: Record<string, string>,
): Promise<RouteResult> {
  if (!fn) throw new Error("The route module has no such function");
  return throughRoot(request, params, async (args) => fn(args as never), settle);
}

async function settle(value: unknown): Promise<RouteResult> {
  if (value instanceof Response) {
    const type = value.headers.get("Content-Type") ?? "";
    const body = type.startsWith("text/") || type.includes("json") ? await value.clone().text() : null;
    return { status: value.status, headers: value.headers, data: body, response: value };
  }
  if (isDataWithInit(value)) {
    const init = value.init ?? {};
    return { status: init.status ?? 200, headers: new Headers(init.headers), data: value.data, response: null };
  }
  return { status: 200, headers: new Headers(), data: value, response: null };
}

function isDataWithInit(value: unknown): value is { data: unknown; init: ResponseInit | null } {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "DataWithResponseInit";
}

/** A streamed multipart body, pulled chunk by chunk, that reports how much of it was read. */
export function streamedUpload(options: {
  fileBytes: number;
  fileName?: string;
  chunkBytes?: number;
  /** Awaited before the first chunk is handed over (i.e. once someone starts reading). */
  beforeFirstChunk?: () => Promise<void>;
  /** Bytes of a real file to send instead of zeros (fileBytes is then ignored). */
  content?: Uint8Array;
}) {
  const boundary = "----artifacts-test-boundary";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="snapshot"; filename="${options.fileName ?? "big.png"}"\r\n` +
      `Content-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const content = options.content ?? null;
  const total = content ? content.length : options.fileBytes;
  const chunk = options.chunkBytes ?? 64 * 1024;
  const progress = { pulled: 0, started: false, finished: false };
  let sentHead = false;
  let sentContent = 0;
  let sentTail = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!progress.started) {
          progress.started = true;
          await options.beforeFirstChunk?.();
        }
        let next: Uint8Array;
        if (!sentHead) {
          sentHead = true;
          next = head;
        } else if (sentContent < total) {
          const size = Math.min(chunk, total - sentContent);
          next = content ? content.subarray(sentContent, sentContent + size) : new Uint8Array(size);
          sentContent += size;
        } else if (!sentTail) {
          sentTail = true;
          next = tail;
        } else {
          progress.finished = true;
          controller.close();
          return;
        }
        progress.pulled += next.byteLength;
        controller.enqueue(next);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, progress };
}

export function postRequest(
  urlPath: string,
  init: { cookie: string; body: BodyInit; contentType?: string; headers?: Record<string, string> },
) {
  const headers = new Headers(init.headers);
  headers.set("Cookie", init.cookie);
  if (!headers.has("Origin")) headers.set("Origin", APP_URL);
  if (init.contentType) headers.set("Content-Type", init.contentType);
  return new Request(new URL(urlPath, APP_URL), {
    method: "POST",
    headers,
    body: init.body,
    duplex: "half",
  } as RequestInit);
}

/** Every file (temporary ones included) in this booking's folder of the local storage. */
export function filesOfBooking(bookingId: string): string[] {
  const folder = path.join(process.env.STORAGE_DIR!, "booking-artifacts", bookingId);
  return fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
}

export async function bookingRow(bookingId: string) {
  return db.booking.findUnique({ where: { id: bookingId }, select: { sessionArtifacts: true, updatedAt: true } });
}

export function fileForm(
  files: { name: string; type: string; bytes: Uint8Array }[],
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const file of files)
    form.append("snapshot", new File([new Uint8Array(file.bytes)], file.name, { type: file.type }));
  return form;
}

import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { parseCookieHeader, serializeCookieHeader } from "@supabase/ssr";
import { resolveAttendee, type Attendee, type Person } from "~/domain/attendee";
import { cardState, type CardState, type JoinWindow } from "~/domain/join-window";
import { roomSettingsMismatch, type LaunchFlags } from "~/domain/launch-flags";
import type { Viewer } from "~/domain/viewer";
import { requireBookingForViewer } from "../bookings/bookings";
import { Prisma } from "~/generated/prisma/client";
import { db, sql } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import { launchIdFor, launchSpace, type LaunchSuccess, type LessonspaceFailure } from "./client";
import { takeLaunchAllowance } from "../rate-limit";
import { launchFlagsForBooking } from "../privacy/consent";

/**
 * The launch service (docs/decisions/0013-launch-route-and-embedded-classroom.md): authorize → join window → attendee →
 * Lessonspace → store the room. Used by the launch route and the classroom page alike.
 * Returns outcomes; the routes choose the pages. Nothing is written unless Lessonspace said yes.
 */

export type Lesson = {
  id: string;
  serviceName: string;
  tutorName: string;
  window: JoinWindow;
};

export type LaunchOutcome =
  | { ok: true; clientUrl: string; lesson: Lesson; attendee: Attendee; flags: LaunchFlags }
  | { ok: false; reason: "not-found" }
  | { ok: false; reason: "not-open"; state: Exclude<CardState, { kind: "ready" }> }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  | { ok: false; reason: "lessonspace"; failure: LessonspaceFailure };

export type LaunchInput = {
  bookingId: string | undefined;
  viewer: Pick<Viewer, "id" | "email">;
  now: Date;
  /** A link this viewer was handed moments ago for this booking: the checks run, Lessonspace is not asked again. */
  handedOverClientUrl?: string | null;
};

export async function launchForViewer({
  bookingId,
  viewer,
  now,
  handedOverClientUrl,
}: LaunchInput): Promise<LaunchOutcome> {
  const booking = await loadBooking(bookingId, viewer.id);
  if (!booking) return { ok: false, reason: "not-found" };

  const state = cardState(booking, now);
  if (state.kind !== "ready") return { ok: false, reason: "not-open", state };

  const lesson: Lesson = {
    id: booking.id,
    serviceName: booking.serviceName,
    tutorName: booking.tutor.fullName,
    window: state.window,
  };
  const attendee = resolveAttendee(partiesOf(booking), viewer.id);
  // What the room keeps, from the learner's consent read now (docs/decisions/0070-consent-per-learner.md).
  if (handedOverClientUrl)
    return {
      ok: true,
      clientUrl: handedOverClientUrl,
      lesson,
      attendee,
      flags: await launchFlagsForBooking(booking.id),
    };

  const [allowance, email, flags] = await Promise.all([
    takeLaunchAllowance(viewer.id),
    emailOf(attendee.id, viewer),
    launchFlagsForBooking(booking.id),
  ]);
  if (!allowance.ok) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };

  const config = env();
  const launchId = launchIdFor(booking.id);
  const result = await launchSpace({
    launchId,
    spaceName: `${booking.serviceName} with ${booking.tutor.fullName}`,
    user: { id: attendee.id, name: attendee.fullName, email, leader: attendee.leader },
    // A leaked link is useless outside the join window; a rescheduled booking moves it.
    notBefore: state.window.opensAt,
    notAfter: state.window.closesAt,
    webhookUrl: `${config.APP_URL}/api/webhooks/lessonspace`,
    flags,
  });
  if (!result.ok) {
    // `detail` never holds a key: it is our own wording of what Lessonspace answered.
    logger.error({ bookingId: booking.id, kind: result.kind, detail: result.detail }, "lessonspace.launch-failed");
    return { ok: false, reason: "lessonspace", failure: result };
  }
  const mismatched = roomSettingsMismatch(flags, result.roomSettings);
  // The lesson goes ahead; the log says why a transcript or summary will be missing.
  if (mismatched.length)
    logger.warn(
      { bookingId: booking.id, mismatched, asked: flags, answered: result.roomSettings },
      "lessonspace.room-settings-mismatch",
    );
  await storeRoom(booking, launchId, result, flags);
  return { ok: true, clientUrl: result.clientUrl, lesson, attendee, flags };
}

/** The booking through the one scoping query; its 404 (stranger, missing, malformed) becomes an outcome. */
async function loadBooking(bookingId: string | undefined, viewerId: string) {
  try {
    return await requireBookingForViewer(bookingId, viewerId);
  } catch (thrown) {
    if (isNotFound(thrown)) return null;
    throw thrown;
  }
}

function isNotFound(thrown: unknown): boolean {
  const init = (thrown as { type?: string; init?: ResponseInit | null } | null)?.init;
  return (thrown as { type?: string } | null)?.type === "DataWithResponseInit" && init?.status === 404;
}

type LoadedBooking = NonNullable<Awaited<ReturnType<typeof loadBooking>>>;

/** The scoping query loads names only; the email is looked up when Lessonspace needs it (emailOf). */
function partiesOf(booking: LoadedBooking) {
  const person = (p: { id: string; fullName: string }): Person => ({ id: p.id, fullName: p.fullName, email: "" });
  return {
    tutor: person(booking.tutor),
    client: person(booking.client),
    student: booking.student ? person(booking.student) : null,
  };
}

async function emailOf(profileId: string, viewer: Pick<Viewer, "id" | "email">): Promise<string | undefined> {
  if (profileId === viewer.id) return viewer.email ?? undefined;
  const profile = await db.profile.findUnique({ where: { id: profileId }, select: { email: true } });
  return profile?.email ?? undefined;
}

/** Our stable join page, stored in `meeting_url`: a client_url carries one person's identity and role. */
export function bookingPageUrl(bookingId: string): string {
  return `${env().APP_URL}/bookings/${bookingId}`;
}

/**
 * Stores the room id (what webhooks carry), the space secret (what they are signed with) and the
 * flags it was launched with (sent again while a session is live). Most launches find all stored
 * already and write nothing. Concurrent first launches get the
 * same room from Lessonspace (same launch id) and take turns on the booking row's lock, so one
 * space row is written and the others see it.
 */
async function storeRoom(
  loaded: { id: string; meetingProviderId: string | null; meetingUrl: string | null },
  launchId: string,
  launched: LaunchSuccess,
  flags: LaunchFlags,
): Promise<void> {
  const bookingId = loaded.id;
  const meetingUrl = bookingPageUrl(bookingId);
  const spaceSelect = {
    roomId: true,
    launchId: true,
    secret: true,
    launchedRecordAv: true,
    launchedTranscribe: true,
    launchedSummarise: true,
  } as const;
  const isCurrent = (
    booking: { meetingProviderId: string | null; meetingUrl: string | null } | null,
    space: {
      roomId: string;
      launchId: string;
      secret: string;
      launchedRecordAv: boolean | null;
      launchedTranscribe: boolean | null;
      launchedSummarise: boolean | null;
    } | null,
  ) =>
    booking?.meetingProviderId === launched.roomId &&
    booking.meetingUrl === meetingUrl &&
    space?.roomId === launched.roomId &&
    space.launchId === launchId &&
    space.secret === launched.secret &&
    space.launchedRecordAv === flags.recordAv &&
    space.launchedTranscribe === flags.transcribe &&
    space.launchedSummarise === flags.summarise;

  const storedSpace = await db.lessonspaceSpace.findUnique({ where: { bookingId }, select: spaceSelect });
  if (isCurrent(loaded, storedSpace)) return;

  await db.$transaction(async (tx) => {
    await sql(Prisma.sql`SELECT 1 FROM bookings WHERE id = ${bookingId}::uuid FOR UPDATE`, tx);
    const [booking, space] = await Promise.all([
      tx.booking.findUnique({ where: { id: bookingId }, select: { meetingProviderId: true, meetingUrl: true } }),
      tx.lessonspaceSpace.findUnique({ where: { bookingId }, select: spaceSelect }),
    ]);
    if (isCurrent(booking, space)) return;
    const spaceRow = {
      roomId: launched.roomId,
      launchId,
      secret: launched.secret,
      launchedRecordAv: flags.recordAv,
      launchedTranscribe: flags.transcribe,
      launchedSummarise: flags.summarise,
    };
    if (space) await tx.lessonspaceSpace.update({ where: { bookingId }, data: spaceRow });
    else await tx.lessonspaceSpace.create({ data: { ...spaceRow, bookingId } });
    if (booking?.meetingProviderId !== launched.roomId || booking.meetingUrl !== meetingUrl) {
      await tx.booking.update({ where: { id: bookingId }, data: { meetingProviderId: launched.roomId, meetingUrl } });
    }
  });
}

/*
 * Handover: the launch action passes its fresh client_url to the classroom page it redirects to,
 * so one Join costs one Lessonspace call. The cookie is HttpOnly, scoped to that page, lives a
 * minute, is used once, and is signed and bound to the viewer and booking, so it cannot be
 * forged or carried to someone else.
 */
const HANDOVER_COOKIE = "tw_classroom_link";
const HANDOVER_TTL_SECONDS = 60;

export function classroomPath(bookingId: string): string {
  return `/bookings/${bookingId}/classroom`;
}

let handoverKey: { source: string; key: Buffer } | undefined;
function handoverSigningKey(): Buffer {
  // Derived from a server secret every app server shares, so any server can read the cookie.
  const source = env().LESSONSPACE_API_KEY;
  if (handoverKey?.source !== source) {
    handoverKey = { source, key: Buffer.from(hkdfSync("sha256", source, "tutorwise", "classroom-link-handover", 32)) };
  }
  return handoverKey.key;
}

function mac(payload: string): Buffer {
  return createHmac("sha256", handoverSigningKey()).update(payload).digest();
}

export function handoverCookie(args: { bookingId: string; viewerId: string; clientUrl: string; now: Date }): string {
  const payload = Buffer.from(
    JSON.stringify({
      b: args.bookingId,
      v: args.viewerId,
      u: args.clientUrl,
      e: args.now.getTime() + HANDOVER_TTL_SECONDS * 1000,
    }),
  ).toString("base64url");
  return serializeCookieHeader(HANDOVER_COOKIE, `${payload}.${mac(payload).toString("base64url")}`, {
    path: classroomPath(args.bookingId),
    httpOnly: true,
    sameSite: "lax",
    secure: env().APP_URL.startsWith("https:"),
    maxAge: HANDOVER_TTL_SECONDS,
  });
}

export function clearHandoverCookie(bookingId: string): string {
  return serializeCookieHeader(HANDOVER_COOKIE, "", {
    path: classroomPath(bookingId),
    httpOnly: true,
    sameSite: "lax",
    maxAge: 0,
  });
}

/** The handed-over client_url when the cookie is intact, fresh, and for this viewer and booking. */
export function readHandover(
  request: Request,
  bookingId: string | undefined,
  viewerId: string,
  now: Date,
): string | null {
  const raw = parseCookieHeader(request.headers.get("Cookie") ?? "").find((c) => c.name === HANDOVER_COOKIE)?.value;
  if (!raw || !bookingId) return null;
  const [payload, signature, extra] = raw.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, "base64url");
  const expected = mac(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      b?: unknown;
      v?: unknown;
      u?: unknown;
      e?: unknown;
    };
    if (claims.b !== bookingId || claims.v !== viewerId || typeof claims.u !== "string" || typeof claims.e !== "number")
      return null;
    return claims.e > now.getTime() ? claims.u : null;
  } catch {
    return null;
  }
}

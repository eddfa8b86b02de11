/**
 * Everything the booking details page says beyond the card: attendance, snapshot, reviews and
 * the follow-up actions this viewer may take. Pure, like the card.
 */
import { presentBookingCard, type BookingCardView, type CardBooking } from "./booking-card";
import { formatSeconds } from "./format";
import { OUTCOME_STATES, presentLesson } from "./lesson-presentation";
import { canUploadSnapshot, reviewTargetOfLesson } from "./permissions";

/** One profile's time in one Lessonspace session of the booking (lessonspace_attendance). */
export type AttendanceRow = { profileId: string; fullName: string; secondsPresent: number };

export type AttendanceSummary = {
  /** Per person, summed over the booking's sessions; the tutor first, then by time present. */
  people: { profileId: string; name: string; time: string; isTutor: boolean }[];
  /** The tutor was there and nobody else joined. */
  onlyTutorAttended: boolean;
};

export function summariseAttendance(rows: readonly AttendanceRow[], tutorId: string): AttendanceSummary {
  const totals = new Map<string, { name: string; seconds: number }>();
  for (const row of rows) {
    const total = totals.get(row.profileId) ?? { name: row.fullName, seconds: 0 };
    total.seconds += row.secondsPresent;
    totals.set(row.profileId, total);
  }
  const people = [...totals.entries()]
    .map(([profileId, { name, seconds }]) => ({ profileId, name, seconds, isTutor: profileId === tutorId }))
    .sort((a, b) => Number(b.isTutor) - Number(a.isTutor) || b.seconds - a.seconds || a.name.localeCompare(b.name))
    .map(({ seconds, ...person }) => ({ ...person, time: formatSeconds(seconds) }));
  return { people, onlyTutorAttended: people.length === 1 && people[0]!.isTutor };
}

/** An outcome already says who did not join; the attendance list need not say it again. */
function withoutRepeatedAbsence(summary: AttendanceSummary, card: BookingCardView): AttendanceSummary {
  return OUTCOME_STATES.has(card.state) ? { ...summary, onlyTutorAttended: false } : summary;
}

export type ReviewRow = { reviewerId: string; reviewerName: string; rating: number; comment: string };

export type BookingDetailsInput = CardBooking & {
  sessionArtifacts: unknown;
  attendance: readonly AttendanceRow[];
  reviews: readonly ReviewRow[];
};

export type BookingDetailsView = BookingCardView & {
  /** null when there is nothing to say yet (no session, lesson not over). */
  attendance: AttendanceSummary | null;
  /** Our snapshot route when the tutor uploaded one. */
  snapshotUrl: string | null;
  reviews: { reviewerName: string; rating: number; comment: string }[];
  canReview: boolean;
  canUploadSnapshot: boolean;
  /** The booking's tutor, once the lesson has started (lesson-presentation.ts `note`). */
  canWriteNote: boolean;
};

/** Whether `session_artifacts` holds a whiteboard snapshot (written by the upload route). */
export function hasWhiteboardSnapshot(artifacts: unknown): boolean {
  if (typeof artifacts !== "object" || artifacts === null) return false;
  const url = (artifacts as Record<string, unknown>).whiteboard_snapshot_url;
  return typeof url === "string" && url.length > 0;
}

export function presentBookingDetails(
  booking: BookingDetailsInput,
  viewerId: string,
  now: Date,
  timeZone: string,
  hasWards = false,
): BookingDetailsView {
  const card = presentBookingCard(booking, viewerId, now, timeZone, hasWards);
  const { actions } = presentLesson(booking, now, timeZone);
  const hadSession = booking.sessions.length > 0 || booking.attendance.length > 0;
  const attendanceKnown = hadSession || OUTCOME_STATES.has(card.state);
  return {
    ...card,
    attendance: attendanceKnown
      ? withoutRepeatedAbsence(summariseAttendance(booking.attendance, booking.tutorId), card)
      : null,
    // Always our own route, never a stored URL: it authorizes the viewer and serves with nosniff.
    snapshotUrl: hasWhiteboardSnapshot(booking.sessionArtifacts) ? `/bookings/${booking.id}/snapshot` : null,
    reviews: booking.reviews.map(({ reviewerName, rating, comment }) => ({ reviewerName, rating, comment })),
    // Who may (the permission) and whether the lesson is one to review or photograph (it happened).
    canReview:
      reviewTargetOfLesson(booking, viewerId, now, timeZone).ok &&
      !booking.reviews.some((review) => review.reviewerId === viewerId),
    canUploadSnapshot: actions.snapshot && canUploadSnapshot(booking, viewerId, now).ok,
    canWriteNote: actions.note && booking.tutorId === viewerId,
  };
}

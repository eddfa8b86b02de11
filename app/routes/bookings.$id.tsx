import { activeWardsOf } from "~/.server/bookings/assignment";
import { requireViewer } from "~/.server/auth";
import { requireBookingRecordForViewer } from "~/.server/bookings/bookings";
import { mayViewRecordOfBooking } from "~/.server/bookings/learning-record";
import { loadLessonTalkTime } from "~/.server/transcripts/read";
import { previousHomework } from "~/.server/notes/notes";
import { LessonNote } from "~/components/notes/LessonNote";
import { homeworkProgress, presentLessonNote } from "~/domain/lesson-note";
import { consentNoticeFor } from "~/.server/privacy/consent";
import { retentionPolicy } from "~/.server/privacy/retention";
import { removalNotice } from "~/domain/retention";
import { AssignStudentForm } from "~/components/bookings/AssignStudentForm";
import { BookingAction } from "~/components/bookings/BookingAction";
import { BookingFacts } from "~/components/bookings/BookingCard";
import { RefreshAtNextChange } from "~/components/bookings/RefreshAtNextChange";
import { TalkTimeSummary } from "~/components/transcripts/TalkTime";
import { learnerIdOf } from "~/domain/attendee";
import { refreshPlan } from "~/domain/booking-card";
import { presentBookingDetails, type BookingDetailsView } from "~/domain/booking-details";
import { calendarDay, timeZoneLabel } from "~/domain/format";
import { canAssignStudent } from "~/domain/permissions";
import { presentTalkTime, secondsPresentOf } from "~/domain/talk-time";
import { usableTimeZone } from "~/domain/time-zone";
import { TRANSCRIPT_EXPIRED_TEXT, type TranscriptStatus } from "~/domain/transcript-view";
import type { Route } from "./+types/bookings.$id";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: loaderData ? `${loaderData.booking.serviceName} · Tutorwise Classroom` : "Lesson · Tutorwise Classroom" },
];

/** The booking's stable page (its meeting_url): participants only; anyone else gets the same 404 as a missing booking. */
export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const { booking, attendance, reviews, note } = await requireBookingRecordForViewer(params.id, viewer.id);
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const learnerId = learnerIdOf(booking);
  // The page's reads at once (the wards only for someone who may still change who attends).
  const mayChoose = canAssignStudent(booking, viewer.id, null, new Set(), now, booking.presence.length > 0).ok;
  const isTutor = booking.tutorId === viewer.id;
  const [lessonTalk, recordVisible, wards, previous, privacyNotice] = await Promise.all([
    loadLessonTalkTime(booking.id),
    mayViewRecordOfBooking(booking, viewer.id),
    mayChoose ? activeWardsOf(viewer.id) : [],
    isTutor ? previousHomework(booking) : null,
    consentNoticeFor(learnerId),
  ]);
  const details = presentBookingDetails(
    { ...booking, attendance, reviews },
    viewer.id,
    now,
    timeZone,
    wards.length > 0,
  );
  return {
    timeZone: timeZoneLabel(timeZone, now),
    booking: details,
    student: booking.student,
    wards,
    refresh: refreshPlan([booking], now),
    // What was said, and the learner's record across lessons.
    transcript: {
      status: lessonTalk.status,
      talk: presentTalkTime(lessonTalk.talk, booking.durationActual, learnerId, secondsPresentOf(attendance)),
    },
    recordPath: recordVisible ? `/students/${learnerId}/record` : null,
    // The booking page is for participants (visibility.ts): an active guardian who is not the
    // client reads and ticks homework from the dashboard.
    note: presentLessonNote(
      note,
      {
        isTutor,
        isClient: booking.clientId === viewer.id,
        isStudent: booking.studentId === viewer.id,
        isActiveGuardian: false,
      },
      now,
      timeZone,
      calendarDay(now, timeZone),
    ),
    noteEditPath: details.canWriteNote ? `/bookings/${booking.id}/note` : null,
    previousHomework: previous ? { bookingId: previous.bookingId, progress: homeworkProgress(previous.items)! } : null,
    // What the retention job removed, said instead of nothing (docs/decisions/0071-retention-of-lesson-data.md).
    removed: removedNotices(lessonTalk.status, booking.sessionArtifacts),
    // The family's choice, which the tutor sees and cannot change (docs/decisions/0070-consent-per-learner.md).
    privacyNotice,
  };
}

function removedNotices(status: TranscriptStatus, sessionArtifacts: unknown) {
  const policy = retentionPolicy();
  const artifacts = (typeof sessionArtifacts === "object" && sessionArtifacts) as Record<string, unknown> | null;
  return {
    transcript: status === "removed" ? removalNotice("transcript", policy.transcriptDays) : null,
    snapshot: artifacts?.whiteboard_snapshot_removed_at ? removalNotice("snapshot", policy.snapshotDays) : null,
  };
}

export default function BookingDetails({ loaderData }: Route.ComponentProps) {
  const {
    timeZone,
    booking,
    student,
    wards,
    refresh,
    transcript,
    recordPath,
    note,
    noteEditPath,
    previousHomework,
    privacyNotice,
    removed,
  } = loaderData;
  return (
    <>
      <RefreshAtNextChange plan={refresh} />
      <main className="page">
        <p>
          <a href="/">← Your lessons</a>
        </p>
        <div className="booking-card-head">
          <h1>{booking.serviceName}</h1>
          <span className={`badge badge-${booking.state}`}>{booking.badge}</span>
        </div>
        <p className="muted">
          {booking.when} · times in {timeZone}
        </p>
        <section className="card" aria-label="Join">
          <BookingAction booking={booking} />
          {privacyNotice ? <p className="muted">{privacyNotice}</p> : null}
        </section>
        <BookingFacts booking={booking} bookedBy />

        {booking.canAssignStudent ? (
          <section aria-labelledby="who-attends">
            <h2 id="who-attends">Change who attends</h2>
            <AssignStudentForm
              bookingId={booking.id}
              clientName={booking.clientName}
              current={student}
              wards={wards}
              returnTo={`/bookings/${booking.id}`}
            />
          </section>
        ) : null}

        <LessonNote bookingId={booking.id} note={note} editPath={noteEditPath} previousHomework={previousHomework} />
        <Attendance booking={booking} />
        <TalkTimeSummary talk={transcript.talk} />
        <LessonEvidence
          bookingId={booking.id}
          status={transcript.status}
          recordPath={recordPath}
          attendeeName={booking.attendee.name}
          removedNotice={removed.transcript}
        />
        <Snapshot booking={booking} removedNotice={removed.snapshot} />
        <Reviews booking={booking} />
      </main>
    </>
  );
}

function Attendance({ booking }: { booking: BookingDetailsView }) {
  const { attendance } = booking;
  if (!attendance) return null;
  return (
    <section aria-labelledby="attendance">
      <h2 id="attendance">Attendance</h2>
      {attendance.people.length === 0 ? (
        <p>Nobody joined the classroom for this lesson.</p>
      ) : (
        <ul className="attendance">
          {attendance.people.map((person) => (
            <li key={person.profileId}>
              {person.name} {person.time}
              {person.isTutor ? <span className="muted"> (tutor)</span> : null}
            </li>
          ))}
        </ul>
      )}
      {attendance.onlyTutorAttended ? (
        <p className="notice">Only the tutor attended: {booking.attendee.name} did not join the classroom.</p>
      ) : null}
    </section>
  );
}

function LessonEvidence(props: {
  bookingId: string;
  status: TranscriptStatus;
  recordPath: string | null;
  attendeeName: string;
  removedNotice: string | null;
}) {
  const { bookingId, status, recordPath, attendeeName, removedNotice } = props;
  if (status === "none" && !recordPath) return null;
  return (
    <section aria-labelledby="transcript">
      <h2 id="transcript">Transcript and record</h2>
      <ul>
        {status === "done" ? (
          <li>
            <a href={`/bookings/${bookingId}/transcript`}>Read the transcript</a>
          </li>
        ) : null}
        {status === "pending" ? <li>The transcript is being prepared.</li> : null}
        {status === "expired" ? <li>{TRANSCRIPT_EXPIRED_TEXT}</li> : null}
        {status === "failed" ? <li>The transcript could not be fetched.</li> : null}
        {status === "removed" ? <li>Transcript: {removedNotice}</li> : null}
        {recordPath ? (
          <li>
            <a href={recordPath}>{attendeeName}'s learning record</a>
          </li>
        ) : null}
      </ul>
    </section>
  );
}

function Snapshot({ booking, removedNotice }: { booking: BookingDetailsView; removedNotice: string | null }) {
  if (!booking.snapshotUrl && !booking.canUploadSnapshot && !removedNotice) return null;
  return (
    <section aria-labelledby="snapshot">
      <h2 id="snapshot">Whiteboard snapshot</h2>
      {booking.snapshotUrl ? (
        <a href={booking.snapshotUrl} className="snapshot-link">
          <img
            className="snapshot-thumb"
            src={booking.snapshotUrl}
            alt={`Whiteboard from ${booking.serviceName}, ${booking.when}`}
            loading="lazy"
          />
          <span>Open the full image</span>
        </a>
      ) : removedNotice ? (
        <p className="muted">{removedNotice}</p>
      ) : (
        <p className="muted">No snapshot yet.</p>
      )}
      {booking.canUploadSnapshot ? (
        <p>
          <a href={`/bookings/${booking.id}/snapshot/upload`}>Upload whiteboard snapshot</a>
        </p>
      ) : null}
    </section>
  );
}

function Reviews({ booking }: { booking: BookingDetailsView }) {
  if (booking.reviews.length === 0 && !booking.canReview) return null;
  return (
    <section aria-labelledby="reviews">
      <h2 id="reviews">Reviews</h2>
      {booking.reviews.length === 0 ? <p className="muted">No reviews yet.</p> : null}
      {booking.reviews.map((review, index) => (
        <figure key={index} className="review">
          <figcaption>
            <strong>{review.reviewerName}</strong>{" "}
            <span className="rating" role="img" aria-label={`${review.rating} out of 5`}>
              {"★".repeat(stars(review.rating))}
              {"☆".repeat(5 - stars(review.rating))}
            </span>
          </figcaption>
          {review.comment ? <blockquote>{review.comment}</blockquote> : null}
        </figure>
      ))}
      {booking.canReview ? (
        <p>
          <a href={`/bookings/${booking.id}/review`}>Leave a review</a>
        </p>
      ) : null}
    </section>
  );
}

const stars = (rating: number) => Math.max(0, Math.min(5, Math.round(rating)));

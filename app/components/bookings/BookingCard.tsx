import type { BookingCardView } from "~/domain/booking-card";
import { BookingAction } from "./BookingAction";

/** One booking on the dashboard: who, what, when, and the action for this moment. */
/** `returnTo`: the page "Choose who attends" comes back to (the dashboard, or /lessons). */
export function BookingCard({ booking, returnTo = "/" }: { booking: BookingCardView; returnTo?: string }) {
  const titleId = `booking-${booking.id}-title`;
  return (
    <article className={`card booking-card state-${booking.state}`} aria-labelledby={titleId}>
      <div className="booking-card-head">
        <h3 id={titleId}>{booking.serviceName}</h3>
        <span className={`badge badge-${booking.state}`}>{booking.badge}</span>
      </div>
      <p className="muted booking-when">{booking.when}</p>
      <BookingFacts booking={booking} />
      <BookingAction booking={booking} />
      <p className="booking-card-links">
        <a href={`/bookings/${booking.id}`} aria-describedby={titleId}>
          Lesson details
        </a>
        {booking.canAssignStudent ? (
          <a
            href={`/bookings/${booking.id}/student?returnTo=${encodeURIComponent(returnTo)}`}
            aria-describedby={titleId}
          >
            Choose who attends
          </a>
        ) : null}
      </p>
    </article>
  );
}

export function BookingFacts({ booking, bookedBy = false }: { booking: BookingCardView; bookedBy?: boolean }) {
  return (
    <dl className="facts">
      <dt>Tutor</dt>
      <dd>{booking.tutorName}</dd>
      <dt>Attendee</dt>
      <dd>
        {booking.attendee.name}
        {booking.attendee.asAdultLearner ? " (adult learner)" : null}
      </dd>
      {bookedBy ? (
        <>
          <dt>Booked by</dt>
          <dd>{booking.clientName}</dd>
        </>
      ) : null}
      <dt>Duration</dt>
      <dd>
        {booking.plannedDuration} planned
        {booking.actualDuration ? `, ${booking.actualDuration} in the classroom` : null}
      </dd>
    </dl>
  );
}

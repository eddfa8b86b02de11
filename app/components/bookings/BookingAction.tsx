import type { BookingCardView } from "~/domain/booking-card";

type Props = { booking: BookingCardView };

/**
 * The state line and the one thing to do now, shared by the card and the details page. The
 * state was decided on the server (domain/join-window); this only renders it.
 */
export function BookingAction({ booking }: Props) {
  switch (booking.state) {
    case "ready":
      return (
        <div className="booking-action">
          <p className="booking-state">
            {booking.rejoin
              ? `The lesson has ended. You can rejoin the classroom until ${booking.closesAt}.`
              : booking.inProgress
                ? `In progress until ${booking.endsAt}.`
                : `The classroom is open. The lesson starts at ${booking.startsAt}.`}
          </p>
          {/* A plain form so that it opens the classroom in a new tab with or without JavaScript. */}
          <form method="post" action={`/api/bookings/${booking.id}/launch`} target="_blank">
            {/* After the tutor ended the lesson, joining is still possible but no longer the thing to do. */}
            <button
              type="submit"
              className={booking.rejoin ? undefined : "primary"}
              aria-describedby={`join-hint-${booking.id}`}
            >
              {booking.rejoin ? "Rejoin" : "Join Lesson"}
            </button>{" "}
            <span className="muted" id={`join-hint-${booking.id}`}>
              Opens in a new tab
            </span>
          </form>
        </div>
      );
    case "upcoming":
      return (
        <div className="booking-action">
          <p className="booking-state">Scheduled for {booking.startsAt}</p>
          <button type="button" disabled>
            {booking.awaitingConfirmation ? "Waiting for the tutor to confirm" : `Join opens at ${booking.opensAt}`}
          </button>
        </div>
      );
    case "completed":
      return (
        <div className="booking-action">
          {booking.outcome ? (
            <p className={`booking-outcome outcome-${booking.outcome.kind}`}>{booking.outcome.sentence}</p>
          ) : null}
          {booking.recording === "available" ? (
            <a className="button" href={`/bookings/${booking.id}/recording`}>
              View Recording
            </a>
          ) : (
            <p className="booking-state">
              {booking.recording === "preparing" ? "Recording being prepared" : "No recording"}
            </p>
          )}
        </div>
      );
    case "cancelled":
      return (
        <div className="booking-action">
          <p className="booking-state">
            {booking.declined ? "The tutor declined this booking." : "This lesson was cancelled."}
          </p>
        </div>
      );
  }
}

export function stateLabel(booking: BookingCardView): string {
  switch (booking.state) {
    case "ready":
      return booking.inProgress ? "In progress" : "Ready to join";
    case "upcoming":
      return booking.awaitingConfirmation ? "Awaiting confirmation" : "Upcoming";
    case "completed":
      // A lesson that was not held is over but not "Completed": say what happened instead.
      return booking.outcome?.label ?? "Completed";
    case "cancelled":
      return booking.declined ? "Declined" : "Cancelled";
  }
}

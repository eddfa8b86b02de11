import type { BookingCardView } from "~/domain/booking-card";

type Props = { booking: BookingCardView };

/**
 * The lesson's one-line state and the one thing to do now, shared by the card and the details
 * page. Everything was decided on the server (domain/lesson-presentation); this only renders it.
 */
export function BookingAction({ booking }: Props) {
  const { join } = booking;
  return (
    <div className="booking-action">
      <p className={`booking-state outcome-${booking.state}`}>{booking.explanation}</p>
      {join?.kind === "join" || join?.kind === "rejoin" ? (
        // A plain form so that it opens the classroom in a new tab with or without JavaScript.
        <form method="post" action={`/api/bookings/${booking.id}/launch`} target="_blank">
          {/* After the tutor ended the lesson, joining is still possible but no longer the thing to do. */}
          <button
            type="submit"
            className={join.kind === "rejoin" ? undefined : "primary"}
            aria-describedby={`join-hint-${booking.id}`}
          >
            {join.kind === "rejoin" ? "Rejoin" : "Join Lesson"}
          </button>{" "}
          <span className="muted" id={`join-hint-${booking.id}`}>
            Opens in a new tab
          </span>
        </form>
      ) : null}
      {join?.kind === "disabled" ? (
        <button type="button" disabled>
          {join.label}
        </button>
      ) : null}
      {booking.recording === "available" ? (
        <a className="button" href={`/bookings/${booking.id}/recording`}>
          View Recording
        </a>
      ) : booking.recording ? (
        <p className="muted">{booking.recording === "preparing" ? "Recording being prepared" : "No recording"}</p>
      ) : null}
    </div>
  );
}

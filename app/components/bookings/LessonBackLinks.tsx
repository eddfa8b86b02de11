/** The way back from a lesson's form: to the lesson itself, and to the list the tutor came from. */
export function LessonBackLinks({ bookingId, returnTo }: { bookingId: string; returnTo: string | null | undefined }) {
  return (
    <p>
      <a href={`/bookings/${bookingId}`}>Back to the lesson</a> · <a href={returnTo ?? "/"}>Back to your lessons</a>
    </p>
  );
}

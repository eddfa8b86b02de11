export type RecordingNoticeProps = {
  booking: { id: string; serviceName: string };
  state: "none" | "not-ready" | "unavailable" | "failed";
};

const copy: Record<RecordingNoticeProps["state"], { title: string; message: string; retry: boolean }> = {
  none: {
    title: "No recording for this lesson",
    message:
      "This lesson has no recording. If it has only just ended, the recording appears here once the classroom has finished the session.",
    retry: false,
  },
  "not-ready": {
    title: "Your recording is being prepared",
    message:
      "The classroom is still processing the recording of this lesson. This usually takes a few minutes. Please try again shortly.",
    retry: true,
  },
  unavailable: {
    title: "The recording service is not answering",
    message:
      "We could not reach the classroom service to fetch your recording. Nothing is lost: please try again in a minute.",
    retry: true,
  },
  failed: {
    title: "We could not open this recording",
    message:
      "The classroom service refused to give us a link to the recording. Please try again later; if it keeps happening, contact support.",
    retry: true,
  },
};

/** What "View Recording" shows when it cannot take you straight to the recording. */
export function RecordingNotice({ booking, state }: RecordingNoticeProps) {
  const { title, message, retry } = copy[state];
  return (
    <main className="page narrow">
      <p className="muted">{booking.serviceName}</p>
      <h1>{title}</h1>
      <p role="status">{message}</p>
      <p>
        {retry ? (
          <>
            {/* A plain link: the recording opens by a full navigation with or without JavaScript. */}
            <a className="button primary" href={`/bookings/${booking.id}/recording`}>
              Try again
            </a>{" "}
          </>
        ) : null}
        <a href={`/bookings/${booking.id}`}>Back to the lesson</a>
      </p>
    </main>
  );
}

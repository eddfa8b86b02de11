import { parseWithZod } from "@conform-to/zod/v4";
import {
  FormDataParseError,
  MaxFilesExceededError,
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseFormData,
} from "@remix-run/form-data-parser";
import { data, redirect } from "react-router";
import { z } from "zod";
import { requireViewer } from "~/.server/auth";
import { requireBookingRecordForViewer } from "~/.server/bookings/bookings";
import { learnerOf } from "~/domain/attendee";
import { lessonTime } from "~/domain/format";
import { findReview, saveReview } from "~/.server/bookings/reviews";
import { RATING_LABELS, REVIEW_COMMENT_MAX, ReviewForm, type ReviewFormErrors } from "~/components/bookings/ReviewForm";
import { reviewTargetOfLesson } from "~/domain/permissions";
import { usableTimeZone } from "~/domain/time-zone";
import { plainText } from "~/domain/plain-text";
import { safeReturnPath } from "~/domain/return-path";
import { LessonBackLinks } from "~/components/bookings/LessonBackLinks";
import type { Route } from "./+types/bookings.$id.review";

// v4.5 review of a lesson that took place: the tutor reviews the session (about the student, or the
// adult learner), the client reviews the tutor. One review per reviewer per booking, editable.

const RATING_MESSAGE = `Choose a rating from 1 to ${RATING_LABELS.length}.`;
const reviewSchema = z.object({
  rating: z.number(RATING_MESSAGE).int(RATING_MESSAGE).min(1, RATING_MESSAGE).max(RATING_LABELS.length, RATING_MESSAGE),
  // Browsers count a line break as one character against maxlength but send it as CRLF.
  comment: plainText()
    .transform((text) => text.replace(/\r\n?/g, "\n").trim())
    .pipe(
      z
        .string()
        .max(
          REVIEW_COMMENT_MAX,
          `Keep your comment to ${REVIEW_COMMENT_MAX.toLocaleString("en-GB")} characters or fewer.`,
        ),
    )
    .default(""),
});

// A review is a few kilobytes at most; anything bigger is refused before it is read whole.
const MAX_REVIEW_BODY_BYTES = 64 * 1024;

export const meta: Route.MetaFunction = () => [{ title: "Review your lesson · Tutorwise Classroom" }];

async function authorize(args: Route.LoaderArgs | Route.ActionArgs) {
  const { url, params } = args;
  const viewer = await requireViewer(args);
  const bookingId = params.id;
  // With its sessions, attendance and outcome: a lesson that did not take place is not reviewed.
  const { booking } = await requireBookingRecordForViewer(bookingId, viewer.id);
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const target = reviewTargetOfLesson(booking, viewer.id, now, timeZone);
  const lesson = {
    id: booking.id,
    serviceName: booking.serviceName,
    when: lessonTime(booking.sessionStartTime, timeZone, now),
    revieweeName: target.ok && target.as === "client" ? booking.tutor.fullName : learnerOf(booking).fullName,
    as: target.ok ? target.as : null,
  };
  const returnTo = url.searchParams.get("returnTo");
  return { viewer, booking, target, lesson, returnTo: returnTo ? safeReturnPath(returnTo) : null };
}

export async function loader(args: Route.LoaderArgs) {
  const { viewer, booking, target, lesson, returnTo } = await authorize(args);
  const page = { lesson, returnTo };
  if (!target.ok) return data({ ...page, refusal: target.reason, review: null, saved: false }, { status: 403 });
  const review = await findReview(booking.id, viewer.id);
  const saved = args.url.searchParams.get("saved") === "1";
  return { ...page, refusal: null, review: review ? { rating: review.rating, comment: review.comment } : null, saved };
}

export async function action(args: Route.ActionArgs) {
  const { request } = args;
  const { viewer, booking, target, returnTo } = await authorize(args);
  if (!target.ok) return data({ status: "error" as const, error: { "": [target.reason] } }, { status: 403 });

  let formData: FormData;
  try {
    formData = await parseFormData(request, { maxFiles: 0, maxParts: 10, maxTotalSize: MAX_REVIEW_BODY_BYTES });
  } catch (error) {
    const unreadable = [
      FormDataParseError,
      MultipartParseError,
      MaxFilesExceededError,
      MaxPartsExceededError,
      MaxHeaderSizeExceededError,
      MaxTotalSizeExceededError,
    ];
    if (!unreadable.some((kind) => error instanceof kind)) throw error;
    return data(
      { status: "error" as const, error: { "": ["We could not read that form. Please try again."] } },
      { status: 400 },
    );
  }
  const submission = parseWithZod(formData, { schema: reviewSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });

  await saveReview({
    bookingId: booking.id,
    reviewerId: viewer.id,
    revieweeId: target.revieweeId,
    rating: submission.value.rating,
    comment: submission.value.comment,
  });
  throw redirect(returnTo ?? `/bookings/${booking.id}/review?saved=1`, { status: 303 });
}

type ActionResult = {
  status?: string;
  error?: Record<string, string[] | null> | null;
  initialValue?: Record<string, unknown> | null;
};

function errorsOf(result: ActionResult | undefined): ReviewFormErrors {
  const error = result?.error ?? {};
  return { form: error[""] ?? undefined, rating: error.rating ?? undefined, comment: error.comment ?? undefined };
}

export default function ReviewRoute({ loaderData, actionData }: Route.ComponentProps) {
  const { lesson, refusal, review, saved, returnTo } = loaderData;
  const result = actionData as ActionResult | undefined;
  const submitted = result?.initialValue ?? null;
  const heading =
    lesson.as === "client"
      ? `How was your lesson with ${lesson.revieweeName}?`
      : `How was your session with ${lesson.revieweeName}?`;
  const action = `/bookings/${lesson.id}/review${returnTo ? `?${new URLSearchParams({ returnTo })}` : ""}`;
  return (
    <>
      <main className="page narrow">
        <h1>{refusal ? "Review your lesson" : heading}</h1>
        <p className="muted">
          {lesson.serviceName}, {lesson.when}
        </p>
        {saved ? (
          <p className="success" role="status">
            Thank you: your review is saved. You can change it here at any time.
          </p>
        ) : null}
        {refusal ? (
          <p className="error" role="alert">
            {refusal}
          </p>
        ) : (
          <div className="card">
            <ReviewForm
              action={action}
              defaultRating={Number(submitted?.rating) || review?.rating}
              defaultComment={typeof submitted?.comment === "string" ? submitted.comment : review?.comment}
              errors={errorsOf(result)}
              submitLabel={review ? "Update review" : "Save review"}
            />
          </div>
        )}
        <LessonBackLinks bookingId={lesson.id} returnTo={returnTo} />
      </main>
    </>
  );
}

/**
 * The v4.5 review form: a rating from 1 to 5 and an optional comment. A plain HTML form, so it
 * works without JavaScript; the same markup sits on the review page and in the Recent Sessions
 * dialog. Constraints are HTML attributes; the server checks them again (bookings.$id.review).
 */
import { Errors } from "~/components/Errors";

export const RATING_LABELS = ["Poor", "Fair", "Good", "Very good", "Excellent"] as const;
export const REVIEW_COMMENT_MAX = 2000;

export type ReviewFormErrors = { form?: string[]; rating?: string[]; comment?: string[] };

export function ReviewForm({
  action,
  idPrefix = "review",
  defaultRating,
  defaultComment,
  errors = {},
  submitLabel = "Save review",
  children,
}: {
  action: string;
  /** Keeps ids unique when several forms share a page. */
  idPrefix?: string;
  defaultRating?: number | null;
  defaultComment?: string | null;
  errors?: ReviewFormErrors;
  submitLabel?: string;
  children?: React.ReactNode;
}) {
  const ratingErrorId = `${idPrefix}-rating-error`;
  const commentErrorId = `${idPrefix}-comment-error`;
  return (
    <form method="post" action={action} className="stack">
      <Errors id={`${idPrefix}-form-error`} errors={errors.form} alert />
      <div>
        <label htmlFor={`${idPrefix}-rating`}>Rating</label>
        <select
          id={`${idPrefix}-rating`}
          name="rating"
          required
          defaultValue={defaultRating ? String(defaultRating) : ""}
          aria-invalid={errors.rating?.length ? true : undefined}
          aria-describedby={errors.rating?.length ? ratingErrorId : undefined}
        >
          <option value="" disabled>
            Choose from 1 to 5
          </option>
          {RATING_LABELS.map((label, index) => (
            <option key={label} value={index + 1}>
              {index + 1} – {label}
            </option>
          ))}
        </select>
        <Errors id={ratingErrorId} errors={errors.rating} />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-comment`}>Comment (optional)</label>
        <textarea
          id={`${idPrefix}-comment`}
          name="comment"
          rows={5}
          maxLength={REVIEW_COMMENT_MAX}
          defaultValue={defaultComment ?? ""}
          aria-invalid={errors.comment?.length ? true : undefined}
          aria-describedby={errors.comment?.length ? commentErrorId : `${idPrefix}-comment-hint`}
        />
        {errors.comment?.length ? (
          <p className="error" id={commentErrorId}>
            {errors.comment.join(" ")}
          </p>
        ) : (
          <p className="muted" id={`${idPrefix}-comment-hint`}>
            Up to {REVIEW_COMMENT_MAX.toLocaleString("en-GB")} characters.
          </p>
        )}
      </div>
      <p>
        <button type="submit" className="primary">
          {submitLabel}
        </button>
        {children}
      </p>
    </form>
  );
}

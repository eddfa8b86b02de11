/**
 * v4.5 reviews of a lesson: one per reviewer per booking, editable. Who may review whom is
 * decided by reviewTarget in app/domain/permissions.ts; this module only reads and writes.
 */
import { db } from "../db";

export type ReviewInput = {
  bookingId: string;
  reviewerId: string;
  revieweeId: string;
  rating: number;
  comment: string;
};

export async function findReview(bookingId: string, reviewerId: string) {
  return db.review.findUnique({
    where: { bookingId_reviewerId: { bookingId, reviewerId } },
    select: { rating: true, comment: true, updatedAt: true },
  });
}

/** Creates the reviewer's review of this booking, or replaces their earlier one (one row either way). */
export async function saveReview(input: ReviewInput): Promise<void> {
  const { bookingId, reviewerId, revieweeId, rating, comment } = input;
  // The unique (booking_id, reviewer_id) makes this an INSERT … ON CONFLICT: a double submit stays one row.
  await db.review.upsert({
    where: { bookingId_reviewerId: { bookingId, reviewerId } },
    create: { bookingId, reviewerId, revieweeId, rating, comment },
    update: { revieweeId, rating, comment },
    select: { id: true },
  });
}

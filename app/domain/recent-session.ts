/** One card of the tutor's Recent Sessions: a completed lesson still lacking a snapshot or the tutor's review. */
export type RecentSession = {
  bookingId: string;
  serviceName: string;
  /** Who the lesson was for: the assigned student, or the adult learner who booked it. */
  attendeeName: string;
  /** When it was, in the tutor's time zone ("Wed 25 Nov, 15:00"). */
  when: string;
  hasSnapshot: boolean;
  hasReview: boolean;
  uploadPath: string;
  reviewPath: string;
};

/** One card of the tutor's Recent Sessions: a completed lesson still lacking a snapshot, the tutor's review or a published note. */
export type RecentSession = {
  bookingId: string;
  serviceName: string;
  /** Who the lesson was for: the assigned student, or the adult learner who booked it. */
  attendeeName: string;
  /** When it was, in the tutor's time zone ("Wed 25 Nov, 15:00"). */
  when: string;
  hasSnapshot: boolean;
  hasReview: boolean;
  /** The tutor published the lesson note. */
  hasNote: boolean;
  notePath: string;
  uploadPath: string;
  reviewPath: string;
};

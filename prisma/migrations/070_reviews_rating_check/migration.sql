-- v4.5 reviews are rated 1 to 5. The app validates this, but other epics write reviews too,
-- so the database holds the rule as well (Prisma's schema language has no CHECK constraints).
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_rating_between_1_and_5" CHECK ("rating" BETWEEN 1 AND 5);

-- Rate-limit counters for launch and sign-in, shared by every app server (DESIGN.md section 8).
-- The layout is rate-limiter-flexible's own, created here so the app never needs CREATE rights
-- (IF NOT EXISTS: development databases may hold the table the library made before this migration).
-- CreateTable
CREATE TABLE IF NOT EXISTS "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

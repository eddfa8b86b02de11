import type pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { pool } from "./db";
import { env } from "./env";
import { logger } from "./logger";

export { signInKey } from "./sign-in-key";

/**
 * Rate limits for launch and sign-in (docs/decisions/0023-rate-limits-count-only-what-costs.md). App servers are stateless, so the
 * counters live in PostgreSQL (table `rate_limits`, migration 069) and every server behind the
 * load balancer sees the same counts.
 */

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

const TABLE = "rate_limits";
const WINDOW_SECONDS = 60;

type Limiters = { launch: RateLimiterPostgres; signIn: RateLimiterPostgres };

// One pair of limiters per database URL and process (per test file in tests), on the process's
// one database pool (app/.server/db.ts): a counter update holds a connection for one statement.
const registry = ((globalThis as { __rateLimiters?: Map<string, Limiters> }).__rateLimiters ??= new Map());

function limiters(): Limiters {
  const config = env();
  let found = registry.get(config.DATABASE_URL);
  if (!found) {
    found = {
      launch: createLimiter(pool, "launch", config.LAUNCH_RATE_LIMIT_PER_MINUTE),
      signIn: createLimiter(pool, "sign-in", config.SIGN_IN_RATE_LIMIT_PER_MINUTE),
    };
    registry.set(config.DATABASE_URL, found);
  }
  return found;
}

// The table comes from migration 069_rate_limits, so the limiter never issues CREATE TABLE.
function createLimiter(pool: pg.Pool, keyPrefix: string, points: number): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: pool,
    storeType: "pool",
    tableName: TABLE,
    tableCreated: true,
    keyPrefix,
    points,
    duration: WINDOW_SECONDS,
  });
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/**
 * A limiter that cannot reach its table lets the request through: the limit guards our
 * Lessonspace quota and sign-in, and a database outage fails the request elsewhere anyway.
 */
function failOpen(scope: string, error: unknown): RateDecision {
  logger.error({ scope, err: error }, "rate-limit.unavailable");
  return { ok: true };
}

/** Counts one launch (one call to Lessonspace) for this person; refused over the per-minute limit. */
export async function takeLaunchAllowance(viewerId: string): Promise<RateDecision> {
  try {
    const { launch } = limiters();
    await launch.consume(viewerId);
    return { ok: true };
  } catch (thrown) {
    if (thrown instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: retryAfter(thrown) };
    return failOpen("launch", thrown);
  }
}

export async function signInAllowed(key: string): Promise<RateDecision> {
  try {
    const { signIn } = limiters();
    const res = await signIn.get(key);
    if (res && res.consumedPoints >= env().SIGN_IN_RATE_LIMIT_PER_MINUTE)
      return { ok: false, retryAfterSeconds: retryAfter(res) };
    return { ok: true };
  } catch (error) {
    return failOpen("sign-in", error);
  }
}

export async function recordFailedSignIn(key: string): Promise<void> {
  try {
    const { signIn } = limiters();
    await signIn.penalty(key, 1);
  } catch (error) {
    failOpen("sign-in", error);
  }
}

/** A successful sign-in forgets earlier typos. */
export async function forgetFailedSignIns(key: string): Promise<void> {
  try {
    const { signIn } = limiters();
    await signIn.delete(key);
  } catch (error) {
    failOpen("sign-in", error);
  }
}

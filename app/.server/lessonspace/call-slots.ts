import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Prisma } from "~/generated/prisma/client";
import { pool, sql, type SqlExecutor } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import { columnsOf } from "../sql-columns";

/**
 * Lessonspace's rate limit (about 5 requests a second per API key, 429 over it), shared by every
 * process in PostgreSQL (docs/decisions/0075-lessonspace-calls-take-a-slot-in-postgresql.md).
 * Each call reserves its start time in one atomic statement on the key's row of
 * `lessonspace_call_slots`: the next free slot, at least 1/rate after the previous one and not
 * before a 429's Retry-After, then sleeps until it. Calls are spaced rather than counted per
 * window, so no one-second window ever holds more than the rate, whichever processes made them.
 */

/**
 * Spacing a little wider than 1/rate: a call reaches Lessonspace some milliseconds after its slot
 * (timers, a busy event loop, the network), more for one than the next, and Lessonspace counts
 * arrivals in any one second. 10% absorbs up to 100 ms of such jitter (up to ~90 ms seen on a
 * two-core machine at load 20) and still uses 90.9% of the rate. Taking the slot only when it is
 * due, instead of reserving it ahead, was tried: every waiter then wakes at the same moment and the
 * herd delays the winner's request more than that.
 */
export const SLOT_MARGIN = 1.1;

export type SlotOutcome = { ok: true; waitedMs: number } | { ok: false; retryAfterSeconds: number };

export type CallSlots = {
  /** Waits for this call's slot, or refuses (reserving nothing) when it is further away than `maxWaitMs`. */
  take(maxWaitMs: number): Promise<SlotOutcome>;
  /** Lessonspace answered 429: no process calls again for `seconds`. */
  holdOff(seconds: number): Promise<void>;
};

type WaitRow = { wait_ms: number };
export const WAIT_COLUMNS = columnsOf<WaitRow>()(["wait_ms"]);

const MS = Prisma.sql`interval '1 millisecond'`;

/**
 * Reserves the next slot when it starts within `maxWaitMs`; answers how long to wait for it (no
 * row: too far away, nothing reserved). The row lock serialises concurrent reservations.
 */
export function reserveSlotSql(keyHash: string, spacingMs: number, maxWaitMs: number): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO lessonspace_call_slots AS s (key_hash, next_slot_at, not_before)
    VALUES (${keyHash}, clock_timestamp() + ${spacingMs}::float8 * ${MS}, '-infinity')
    ON CONFLICT (key_hash) DO UPDATE
       SET next_slot_at = greatest(s.next_slot_at, s.not_before, clock_timestamp()) + ${spacingMs}::float8 * ${MS}
     WHERE greatest(s.next_slot_at, s.not_before, clock_timestamp()) <= clock_timestamp() + ${maxWaitMs}::float8 * ${MS}
    RETURNING (extract(epoch FROM s.next_slot_at - clock_timestamp()) * 1000 - ${spacingMs}::float8)::float8 AS wait_ms`;
}

/** How long until the next slot is free (read after a refused reservation, for Retry-After). */
export function nextSlotSql(keyHash: string): Prisma.Sql {
  return Prisma.sql`
    SELECT (extract(epoch FROM greatest(next_slot_at, not_before) - clock_timestamp()) * 1000)::float8 AS wait_ms
      FROM lessonspace_call_slots WHERE key_hash = ${keyHash}`;
}

export function holdOffSql(keyHash: string, seconds: number): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO lessonspace_call_slots AS s (key_hash, next_slot_at, not_before)
    VALUES (${keyHash}, clock_timestamp(), clock_timestamp() + ${seconds * 1000}::float8 * ${MS})
    ON CONFLICT (key_hash) DO UPDATE SET not_before = greatest(s.not_before, excluded.not_before)`;
}

/** The row's key: a hash, so the table never holds the API key itself. */
export function keyHashOf(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("base64url").slice(0, 22);
}

/** When the table cannot be reached: come back later rather than call Lessonspace unlimited. */
const UNAVAILABLE_RETRY_SECONDS = 5;

/** Slots for one API key at `perSecond`, on `executor` (the process's shared pool by default). */
export function callSlotsFor(options: { apiKey: string; perSecond: number; executor?: SqlExecutor }): CallSlots {
  const keyHash = keyHashOf(options.apiKey);
  const spacingMs = (1000 / options.perSecond) * SLOT_MARGIN;
  const executor = options.executor ?? pool;
  return {
    async take(maxWaitMs) {
      try {
        const [reserved] = await sql<WaitRow>(reserveSlotSql(keyHash, spacingMs, Math.max(0, maxWaitMs)), executor);
        if (!reserved) {
          const [next] = await sql<WaitRow>(nextSlotSql(keyHash), executor);
          return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((next?.wait_ms ?? 1000) / 1000)) };
        }
        const waitMs = Math.max(0, reserved.wait_ms);
        if (waitMs > 0) await sleep(waitMs);
        return { ok: true, waitedMs: waitMs };
      } catch (error) {
        // A busy or unreachable database must not let calls through unlimited: a burst past the
        // rate costs every process a Retry-After. The caller answers "rate-limited" and comes back.
        logger.error({ err: error instanceof Error ? error : undefined }, "lessonspace.slots_unavailable");
        return { ok: false, retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS };
      }
    },
    async holdOff(seconds) {
      try {
        await sql(holdOffSql(keyHash, seconds), executor);
        logger.warn({ retryAfterSeconds: seconds }, "lessonspace.rate_limited");
      } catch (error) {
        logger.error({ err: error instanceof Error ? error : undefined }, "lessonspace.slots_unavailable");
      }
    },
  };
}

// One per database URL and key in a process (per test file in tests), on the process's one pool.
const registry = ((globalThis as { __lessonspaceSlots?: Map<string, CallSlots> }).__lessonspaceSlots ??= new Map());

/** This process's slots for the configured key and rate (LESSONSPACE_RATE_PER_SECOND). */
export function lessonspaceCallSlots(): CallSlots {
  const config = env();
  const id = `${config.DATABASE_URL} ${config.LESSONSPACE_API_KEY} ${config.LESSONSPACE_RATE_PER_SECOND}`;
  let found = registry.get(id);
  if (!found) {
    found = callSlotsFor({ apiKey: config.LESSONSPACE_API_KEY, perSecond: config.LESSONSPACE_RATE_PER_SECOND });
    registry.set(id, found);
  }
  return found;
}

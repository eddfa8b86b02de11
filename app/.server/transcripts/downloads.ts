import { sql } from "../db";
import { env } from "../env";
import { logger, runInJob } from "../logger";
import { claimDueFetchesSql, ingestTranscript, type Claim, type FetchOptions, type TranscriptOutcome } from "./ingest";

/**
 * The transcript downloads of one worker process
 * (docs/decisions/0076-transcripts-downloaded-as-soon-as-announced.md): up to `concurrency` at once,
 * as soon as their transcript_fetches row is due. The row is the queue: the webhook's transaction
 * writes it, a download claims it with FOR UPDATE SKIP LOCKED and a lease (so any number of workers
 * share the work, and a killed worker's row is taken by another once the lease ends), and a failed
 * attempt sets its next time. An idle worker looks for due rows every `pollMs`; a finished download
 * or `wake()` makes it look at once.
 */

export const TRANSCRIPT_POLL_MS = 1_000;
/** After a failed claim (the database away), look again this much later, up to a minute. */
const MAX_BACKOFF_MS = 60_000;

export type DownloadOptions = {
  /** Downloads at once in this process; default TRANSCRIPT_CONCURRENCY. */
  concurrency?: number;
  /** How often an idle worker looks for due rows; default 1 s. */
  pollMs?: number;
  fetchOptions?: FetchOptions;
  /** The clock (tests inject one). */
  now?: () => Date;
  /** Told of every outcome (tests and the bench count them). */
  onOutcome?: (outcome: TranscriptOutcome) => void;
};

export type TranscriptDownloads = {
  /** Look for due rows now (the per-minute safety-net job calls it). */
  wake(): void;
  /** Downloads running now. */
  running(): number;
  /** Stops claiming; waits for the downloads in flight, up to `timeoutMs` (their rows are leased either way). */
  stop(timeoutMs?: number): Promise<void>;
};

export function startTranscriptDownloads(options: DownloadOptions = {}): TranscriptDownloads {
  const concurrency = options.concurrency ?? env().TRANSCRIPT_CONCURRENCY;
  const pollMs = options.pollMs ?? TRANSCRIPT_POLL_MS;
  const now = options.now ?? (() => new Date());
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | null = null;
  let failures = 0;

  const wake = () => {
    woken = true;
    wakeUp?.();
  };

  const download = (claim: Claim) => {
    const task = runInJob("transcript-download", claim.id, async () => {
      try {
        const outcome = await ingestTranscript(claim, now(), options.fetchOptions);
        options.onOutcome?.(outcome);
      } catch (error) {
        // The row keeps its lease and is taken again once it ends.
        logger.error(
          { sessionId: claim.session_id, err: error instanceof Error ? error : undefined },
          "transcript.download_error",
        );
      }
    }).finally(() => {
      inFlight.delete(task);
      wake();
    });
    inFlight.add(task);
  };

  const loop = async () => {
    while (!stopped) {
      woken = false;
      let delayMs = pollMs;
      const room = concurrency - inFlight.size;
      if (room > 0) {
        try {
          const claims = await sql<Claim>(claimDueFetchesSql(now(), room));
          failures = 0;
          for (const claim of claims) download(claim);
        } catch (error) {
          failures += 1;
          delayMs = Math.min(MAX_BACKOFF_MS, pollMs * 2 ** failures);
          logger.error(
            { err: error instanceof Error ? error : undefined, retryInMs: delayMs },
            "transcript.claim_failed",
          );
        }
      }
      if (stopped || woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = null;
    }
  };
  const looping = loop();

  return {
    wake,
    running: () => inFlight.size,
    async stop(timeoutMs = 30_000) {
      stopped = true;
      wake();
      await looping;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}

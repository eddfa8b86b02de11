// Background workers: the notification sweep (cron every minute, and once at start so a restart or
// an outage catches up), the sends and the transcript downloads. They run inside the app server by default
// (startWorkersInProcess, called from app/entry.server.tsx) or on their own with `npm run worker`
// (scripts/worker.ts) when WORKERS_IN_PROCESS=false. Any number of them may run on any number of
// machines: exactly-once comes from the notifications row (unique key + claim), not from there
// being one worker.
import { env } from "./env";
import { logger, runInJob } from "./logger";
import { sendNotification, type SenderOptions } from "./notifications/sender";
import { runSweep, type SweepOptions } from "./notifications/sweep";
import { fetchDueSummaries } from "./lessonspace/summaries";
import { startTranscriptDownloads, type DownloadOptions, type TranscriptDownloads } from "./transcripts/downloads";
import { accessLogRetention } from "./privacy/access-log";
import { runRetention } from "./privacy/retention";
import { describeError, openQueue, QUEUES, type OpenQueueOptions, type Queue } from "./queue";

export type WorkerOptions = OpenQueueOptions & {
  /** Send jobs fetched (and sent concurrently) per round; default 25. */
  sendBatchSize?: number;
  /** How often an idle worker looks for jobs; default 1 s (pg-boss's minimum is 0.5 s). */
  pollingIntervalSeconds?: number;
  /** Queue one sweep at start (catch-up after a restart or outage); default true. */
  sweepOnStart?: boolean;
  /** Run the send worker; default true. */
  send?: boolean;
  /** Run the sweep worker; default true. */
  sweep?: boolean;
  sweepOptions?: SweepOptions;
  senderOptions?: SenderOptions;
  /** Run the transcript downloads (with the sweep unless set); default: the same as `sweep`. */
  transcripts?: boolean;
  transcriptOptions?: DownloadOptions;
};

export type Workers = { queue: Queue; stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void> };

type SendJob = { notificationId: string };

const SUMMARY_BATCH = 10;

/** Starts one set of workers on its own pg-boss instance (tests start several to race them). */
export async function createWorkers(options: WorkerOptions = {}): Promise<Workers> {
  const queue = await openQueue(options);
  const { boss } = queue;
  const polling = options.pollingIntervalSeconds ?? 1;
  let downloads: TranscriptDownloads | null = null;
  try {
    if (options.sweep ?? true) {
      await boss.work(QUEUES.sweep, { pollingIntervalSeconds: polling }, ([job]) =>
        runInJob(QUEUES.sweep, job!.id, async () => {
          await runSweep(queue, new Date(), options.sweepOptions);
        }),
      );
      if (options.schedule ?? true) await boss.schedule(QUEUES.sweep, "* * * * *");
      if (options.sweepOnStart ?? true) await boss.send(QUEUES.sweep, {});
      // Retention (docs/decisions/0071-retention-of-lesson-data.md, docs/decisions/0072-access-log-append-only.md):
      // daily, at a quiet hour; lesson data in batches locked with SKIP LOCKED, then the access log
      // through the one function its append-only trigger allows, so a second run at once takes
      // other rows or none.
      await boss.work(QUEUES.retention, { pollingIntervalSeconds: polling }, ([job]) =>
        runInJob(QUEUES.retention, job!.id, async () => {
          await runRetention({ now: new Date() });
          const removed = await accessLogRetention(new Date(), env().RETENTION_ACCESS_LOG_DAYS);
          if (removed) logger.info({ removed }, "access_log.expired");
        }),
      );
      if (options.schedule ?? true) await boss.schedule(QUEUES.retention, "17 3 * * *");
    }
    if (options.transcripts ?? options.sweep ?? true) {
      // Transcripts (docs/decisions/0076-transcripts-downloaded-as-soon-as-announced.md): downloaded
      // as soon as their row is due, TRANSCRIPT_CONCURRENCY at once per process; the per-minute job
      // only wakes this process's downloads, a safety net should its polling have stalled.
      const running = startTranscriptDownloads({
        ...options.transcriptOptions,
        onOutcome: (outcome) => {
          options.transcriptOptions?.onOutcome?.(outcome);
          // A stored transcript makes its summary due now: ask without waiting for the next minute.
          if (outcome.kind === "stored")
            void boss
              .send(QUEUES.summaries, {})
              .catch((error: unknown) => logger.warn({ error: describeError(error) }, "summaries.wake_failed"));
        },
      });
      downloads = running;
      await boss.work(QUEUES.transcripts, { pollingIntervalSeconds: polling }, ([job]) =>
        runInJob(QUEUES.transcripts, job!.id, async () => running.wake()),
      );
      if (options.schedule ?? true) await boss.schedule(QUEUES.transcripts, "* * * * *");
      // Summaries (docs/decisions/0063-lessonspace-summaries-api-contract.md): the rows hold each
      // session's backoff, so a run every minute asks only for what is due.
      await boss.work(QUEUES.summaries, { pollingIntervalSeconds: polling }, ([job]) =>
        runInJob(QUEUES.summaries, job!.id, async () => {
          const outcomes = await fetchDueSummaries(new Date(), SUMMARY_BATCH);
          if (outcomes.length) logger.info({ count: outcomes.length }, "summaries.fetched");
        }),
      );
      if (options.schedule ?? true) await boss.schedule(QUEUES.summaries, "* * * * *");
      if (options.sweepOnStart ?? true) await boss.send(QUEUES.summaries, {});
    }
    if (options.send ?? true) {
      const batchSize = options.sendBatchSize ?? 25;
      let workerId = "";
      workerId = await boss.work<SendJob>(QUEUES.send, { batchSize, pollingIntervalSeconds: polling }, async (jobs) => {
        // Each job succeeds or fails on its own: a failed one is failed here (pg-boss retries it
        // with backoff) and pg-boss completes the rest when this returns.
        await Promise.all(
          jobs.map((job) =>
            runInJob(QUEUES.send, job.id, async () => {
              try {
                await sendNotification(job.data.notificationId, options.senderOptions);
              } catch (error) {
                // A thrown Response (the database away) is no Error: `error` says what it was.
                const message = describeError(error);
                logger.warn({ error: message, err: error instanceof Error ? error : undefined }, "job.failed");
                // With the database away this cannot be recorded either: the job then expires and is retried.
                await boss
                  .fail(QUEUES.send, job.id, { message })
                  .catch((failError: unknown) =>
                    logger.error({ error: describeError(failError) }, "job.fail_unrecorded"),
                  );
              }
            }),
          ),
        );
        // A full batch means more are waiting: fetch again at once instead of after the polling interval.
        if (jobs.length === batchSize && workerId) boss.notifyWorker(workerId);
      });
    }
  } catch (error) {
    await downloads?.stop(0);
    await queue.stop({ graceful: false });
    throw error;
  }
  logger.info({ sweep: options.sweep ?? true, send: options.send ?? true }, "workers.started");
  return {
    queue,
    async stop(stopOptions) {
      // Downloads in flight finish (graceful) or are left to their lease, which another worker takes.
      await downloads?.stop(stopOptions?.graceful === false ? 0 : (stopOptions?.timeoutMs ?? 10_000));
      await queue.stop(stopOptions);
      logger.info("workers.stopped");
    },
  };
}

// The process's own workers, kept on globalThis so a dev-server reload does not start a second set.
const state = globalThis as { __tutorwiseWorkers?: Promise<Workers> | null };

/** Starts this process's workers once; later calls return the same ones. */
export function startWorkers(options: WorkerOptions = {}): Promise<Workers> {
  state.__tutorwiseWorkers ??= createWorkers(options).catch((error: unknown) => {
    state.__tutorwiseWorkers = null;
    throw error;
  });
  return state.__tutorwiseWorkers;
}

/** Stops this process's workers, letting jobs in flight finish (within the timeout). */
export async function stopWorkers(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void> {
  const running = state.__tutorwiseWorkers;
  state.__tutorwiseWorkers = null;
  if (running) await (await running.catch(() => null))?.stop(options);
}

/**
 * Called once by the server entry: starts the workers inside the app process unless
 * WORKERS_IN_PROCESS=false (a separate `npm run worker` then runs them) or this is a test run
 * (integration tests start the workers they need themselves). A failure is logged, never fatal:
 * pages keep working, and reminders catch up when a worker starts.
 */
export function startWorkersInProcess(): void {
  const settings = env();
  if (!settings.WORKERS_IN_PROCESS || settings.NODE_ENV === "test" || state.__tutorwiseWorkers) return;
  startWorkers().catch((error: unknown) => logger.error({ err: error }, "workers.start_failed"));
}

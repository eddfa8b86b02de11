// `npm run worker`: the background workers on their own (the notification sweep and the sends), for
// deployments that set WORKERS_IN_PROCESS=false on their app servers and scale workers apart. Run as
// many as you like on as many machines: each message is still sent once (app/.server/worker.ts).
// SIGTERM (or Ctrl-C) stops taking jobs, lets the ones in flight finish (up to 30 s), then exits.
import { env } from "../app/.server/env.ts";
import { logger } from "../app/.server/logger.ts";
import { closeMailer } from "../app/.server/notifications/mailer.ts";
import { startWorkers, stopWorkers } from "../app/.server/worker.ts";

try {
  // Validate the whole configuration first, naming every missing variable.
  env();
  await startWorkers();
} catch (error) {
  // The message names every missing setting; a stack would only bury it.
  logger.fatal({ error: error instanceof Error ? error.message : String(error) }, "workers.start_failed");
  process.exit(1);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stopWorkers({ graceful: true, timeoutMs: 30_000 })
      .then(() => closeMailer())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "workers.stop_failed");
          process.exit(1);
        },
      );
  });
}

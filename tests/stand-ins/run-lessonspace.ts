// Runs the Lessonspace stand-in on its own: `npx tsx tests/stand-ins/run-lessonspace.ts [--port 4010] [--api-key KEY]`.
// Prints the URL to use as LESSONSPACE_API_URL, and stops cleanly on Ctrl-C.
import { parseArgs } from "node:util";
import { stopOnSignal, wholeNumber } from "./cli";
import { startLessonspaceStandIn } from "./lessonspace";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.LESSONSPACE_STANDIN_PORT ?? "0" },
    host: { type: "string", default: "127.0.0.1" },
    "api-key": { type: "string", default: process.env.LESSONSPACE_API_KEY ?? "dev-lessonspace-key" },
    org: { type: "string", default: "1" },
    "rate-limit": { type: "string", default: "5" },
    "session-end-delay-ms": { type: "string", default: "0" },
    "recording-delay-ms": { type: "string", default: "0" },
    "summary-delay-ms": { type: "string", default: "0" },
    "summary-min-seconds": { type: "string", default: "300" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`Usage: tsx tests/stand-ins/run-lessonspace.ts [options]
  --port N                  port to listen on (default: any free port; env LESSONSPACE_STANDIN_PORT)
  --host H                  address to bind (default 127.0.0.1)
  --api-key KEY             key expected in "Authorization: Organisation KEY" (env LESSONSPACE_API_KEY)
  --org ID                  organisation id in the sessions API paths (default 1)
  --rate-limit N            launches per second per key before 429; 0 disables (default 5)
  --session-end-delay-ms N  wait before session.end after the last person leaves (default 0)
  --recording-delay-ms N    playback answers 404 until this long after a session ends (default 0)
  --summary-delay-ms N      a summary answers "pending" until this long after its session ends (default 0)
  --summary-min-seconds N   sessions this long or shorter get no summary (default 300)`);
  process.exit(0);
}

const standIn = await startLessonspaceStandIn({
  port: wholeNumber("port", values.port),
  hostname: values.host,
  apiKey: values["api-key"],
  organisationId: values.org,
  rateLimitPerSecond: wholeNumber("rate-limit", values["rate-limit"]),
  sessionEndDelayMs: wholeNumber("session-end-delay-ms", values["session-end-delay-ms"]),
  recordingAvailableAfterMs: wholeNumber("recording-delay-ms", values["recording-delay-ms"]),
  summaryReadyAfterMs: wholeNumber("summary-delay-ms", values["summary-delay-ms"]),
  summaryMinSessionSeconds: wholeNumber("summary-min-seconds", values["summary-min-seconds"]),
});

console.log(`Lessonspace stand-in listening on ${standIn.url}`);
console.log(`  LESSONSPACE_API_URL=${standIn.url}`);
console.log(`  LESSONSPACE_API_KEY=${values["api-key"]}`);
console.log(`  organisation id: ${standIn.organisationId}`);

stopOnSignal(standIn);

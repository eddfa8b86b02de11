import { AsyncLocalStorage } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { createLogger, logger, logTo, runInJob, runWithRequestId, wantsPrettyLogs } from "./logger";

function capture(level = "info") {
  const lines: Record<string, unknown>[] = [];
  const context = new AsyncLocalStorage<{ requestId: string } | { queue: string; jobId: string }>();
  const logger = createLogger({ write: (line: string) => void lines.push(JSON.parse(line)) }, { level, context });
  return { lines, logger, context };
}

describe("createLogger", () => {
  it("writes one JSON line with level, ISO time and the event as msg, then the fields", () => {
    const { lines, logger } = capture();
    logger.warn({ bookingId: "b1" }, "webhook.refused");
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]!)).toEqual(["level", "time", "bookingId", "msg"]);
    expect(lines[0]).toMatchObject({ level: "warn", bookingId: "b1", msg: "webhook.refused" });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it("logs an error under err with its type, message and stack", () => {
    const { lines, logger } = capture();
    logger.error({ err: new TypeError("no such room") }, "webhook.apply-failed");
    expect(lines[0]!.err).toMatchObject({ type: "TypeError", message: "no such room" });
    expect((lines[0]!.err as { stack: string }).stack).toContain("logger.test.ts");
  });

  it("drops lines below its level", () => {
    const { lines, logger } = capture("warn");
    logger.info("sweep.done");
    logger.warn("notification.retry");
    expect(lines.map((line) => line.msg)).toEqual(["notification.retry"]);
  });

  it("adds the context's fields to every line inside it, and a line's own fields never leak into the next", async () => {
    const { lines, logger, context } = capture();
    await context.run({ requestId: "r-1" }, async () => {
      logger.info({ step: 1 }, "first");
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info("second");
    });
    logger.info("outside");
    expect(lines).toEqual([
      expect.objectContaining({ requestId: "r-1", step: 1, msg: "first" }),
      expect.not.objectContaining({ step: 1 }),
      expect.not.objectContaining({ requestId: "r-1" }),
    ]);
    expect(lines[1]).toMatchObject({ requestId: "r-1", msg: "second" });
  });
});

describe("the process's logger", () => {
  it("names the request on a request's lines and the queue and job on a job's, each run apart", async () => {
    const lines: Record<string, unknown>[] = [];
    logTo({ write: (line) => void lines.push(JSON.parse(line)) });
    try {
      await Promise.all([
        runWithRequestId("r-2", async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          logger.info("in.request");
        }),
        runInJob("notification-send", "j-1", async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          logger.info("in.job");
        }),
      ]);
    } finally {
      logTo(null);
    }
    // The two runs interleave: which line comes first is the timers' business, not the logger's.
    const byMessage = [...lines].sort((a, b) => String(a.msg).localeCompare(String(b.msg)));
    expect(byMessage).toEqual([
      { level: "info", time: expect.any(String), queue: "notification-send", jobId: "j-1", msg: "in.job" },
      { level: "info", time: expect.any(String), requestId: "r-2", msg: "in.request" },
    ]);
  });
});

describe("wantsPrettyLogs", () => {
  it("is pretty in development on a terminal only, unless LOG_FORMAT says", () => {
    const unset = { LOG_LEVEL: "info" as const };
    expect(wantsPrettyLogs(unset, "development", true)).toBe(true);
    expect(wantsPrettyLogs(unset, "development", false)).toBe(false);
    expect(wantsPrettyLogs(unset, "production", true)).toBe(false);
    expect(wantsPrettyLogs(unset, "test", true)).toBe(false);
    expect(wantsPrettyLogs(unset, undefined, true)).toBe(false);
    expect(wantsPrettyLogs({ ...unset, LOG_FORMAT: "pretty" }, "production", false)).toBe(true);
    expect(wantsPrettyLogs({ ...unset, LOG_FORMAT: "json" }, "development", true)).toBe(false);
  });
});

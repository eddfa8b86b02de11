// server.ts's wrapping of every request: its id and log line, and the guard around React Router's
// listener (a response that fails after it began must end that response only, never the process:
// an unhandled rejection would take every request with it).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { lessonspaceWebhookListener, WEBHOOK_PATH } from "~/.server/lessonspace/webhook-endpoint";
import { logger } from "~/.server/logger";
import { neverRejects, withRequestLog } from "../../server.ts";
import { logsFromNow } from "../support/logs.ts";

let server: Server | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(async () => {
  process.off("unhandledRejection", onUnhandled);
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  unhandled.length = 0;
});

/** The listener as server.ts serves React Router's: with a request id and log line, guarded. */
async function serve(listener: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  process.on("unhandledRejection", onUnhandled);
  server = createServer(withRequestLog(neverRejects(listener)));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("a listener that rejects before answering gives a plain 500 and a log line, and the server goes on", async () => {
  const logged = logsFromNow();
  let calls = 0;
  const url = await serve(async (_req, res) => {
    calls += 1;
    if (calls === 1) throw new Error("the error page could not be rendered");
    res.end("fine");
  });

  const failed = await fetch(`${url}/bookings/1?token=secret`);
  expect(failed.status).toBe(500);
  expect(await failed.text()).toBe("Internal Server Error");
  const next = await fetch(url);
  expect(await next.text()).toBe("fine");
  expect(unhandled).toEqual([]);
  await expect.poll(() => logged().filter((line) => line.msg === "request").length).toBe(2);
  const failures = logged().filter((line) => line.msg === "response.failed");
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatchObject({
    level: "error",
    requestId: failed.headers.get("x-request-id"),
    method: "GET",
    route: "/bookings/1",
    err: { type: "Error", message: "the error page could not be rendered" },
  });
  expect(
    logged()
      .filter((line) => line.msg === "request")
      .map((line) => [line.route, line.status]),
  ).toEqual([
    ["/bookings/1", 500],
    ["/", 200],
  ]);
  expect(JSON.stringify(logged())).not.toContain("secret");
});

test("a listener that rejects halfway through the body cuts that connection; the client sees a broken answer, not a whole one", async () => {
  const logged = logsFromNow();
  const url = await serve(async (req, res) => {
    if (req.url === "/broken") {
      res.writeHead(200, { "Content-Type": "text/html", "Content-Length": "1000" });
      res.write("<!DOCTYPE html><p>half");
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("the body stream broke");
    }
    res.end("fine");
  });

  const broken = await fetch(`${url}/broken`);
  expect(broken.status).toBe(200);
  await expect(broken.text()).rejects.toThrow();
  expect(await (await fetch(url)).text()).toBe("fine");
  expect(unhandled).toEqual([]);
  expect(logged().find((line) => line.msg === "response.failed")).toMatchObject({ route: "/broken" });
});

test("every line logged while a request is handled carries its id, which the answer carries in X-Request-Id", async () => {
  const logged = logsFromNow();
  const url = await serve(async (req, res) => {
    logger.info({ step: 1 }, "probe.before");
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Deep code logs without being handed anything; timers started here keep the id too.
    await new Promise<void>((resolve) => setImmediate(() => (logger.info({ step: 2 }, "probe.after"), resolve())));
    res.end(req.url);
  });

  // Concurrent requests interleave their lines; each line still names its own request.
  const answers = await Promise.all(["/a", "/b", "/c"].map((route) => fetch(`${url}${route}`)));
  const ids = answers.map((answer) => answer.headers.get("x-request-id")!);
  expect(new Set(ids).size).toBe(3);
  await expect.poll(() => logged().filter((line) => line.msg === "request").length).toBe(3);
  for (const [i, route] of ["/a", "/b", "/c"].entries()) {
    const lines = logged().filter((line) => line.requestId === ids[i]);
    expect(lines.map((line) => line.msg).sort()).toEqual(["probe.after", "probe.before", "request"]);
    expect(lines.find((line) => line.msg === "request")).toMatchObject({ method: "GET", route, status: 200 });
  }
  expect(logged().every((line) => typeof line.requestId === "string")).toBe(true);
  // Lines outside any request carry none.
  logger.info("probe.outside");
  expect(logged().at(-1)).not.toHaveProperty("requestId");
});

test("a caller's short, plain X-Request-Id is kept; anything else is replaced by one of ours", async () => {
  const logged = logsFromNow();
  const url = await serve(async (_req, res) => void res.end("fine"));
  const kept = await fetch(url, { headers: { "X-Request-Id": "lb-2f9c.7_a" } });
  expect(kept.headers.get("x-request-id")).toBe("lb-2f9c.7_a");
  const unsafe = await fetch(url, { headers: { "X-Request-Id": '"},{"level":"fatal' } });
  const replaced = unsafe.headers.get("x-request-id")!;
  expect(replaced).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await expect.poll(() => logged().filter((line) => line.msg === "request").length).toBe(2);
  expect(logged().map((line) => line.requestId)).toEqual(["lb-2f9c.7_a", replaced]);
});

test("the webhook fast path's refusal and its request line share the request's id", async () => {
  const logged = logsFromNow();
  process.on("unhandledRejection", onUnhandled);
  server = createServer(withRequestLog(neverRejects(lessonspaceWebhookListener)));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const answer = await fetch(`${url}${WEBHOOK_PATH}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event: "user.join", room: { id: "no-such-room" } }),
  });
  expect(answer.status).toBe(401);
  const id = answer.headers.get("x-request-id");
  await expect.poll(() => logged().map((line) => line.msg)).toEqual(["webhook.refused", "request"]);
  expect(logged()).toEqual([
    expect.objectContaining({ level: "warn", requestId: id, kind: "unsigned" }),
    expect.objectContaining({ requestId: id, route: WEBHOOK_PATH, status: 401 }),
  ]);
});

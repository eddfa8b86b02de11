// server.ts's guard around React Router's listener: a response that fails after it began must end
// that response only, never the process (an unhandled rejection would take every request with it).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { neverRejects } from "../../server.ts";

let server: Server | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(async () => {
  process.off("unhandledRejection", onUnhandled);
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  unhandled.length = 0;
});

async function serve(listener: (req: IncomingMessage, res: ServerResponse) => Promise<void>, logged: string[]) {
  process.on("unhandledRejection", onUnhandled);
  server = createServer(neverRejects(listener, (line) => logged.push(line)));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("a listener that rejects before answering gives a plain 500 and a log line, and the server goes on", async () => {
  const logged: string[] = [];
  let calls = 0;
  const url = await serve(async (_req, res) => {
    calls += 1;
    if (calls === 1) throw new Error("the error page could not be rendered");
    res.end("fine");
  }, logged);

  const failed = await fetch(`${url}/bookings/1?token=secret`);
  expect(failed.status).toBe(500);
  expect(await failed.text()).toBe("Internal Server Error");
  const next = await fetch(url);
  expect(await next.text()).toBe("fine");
  expect(unhandled).toEqual([]);
  expect(logged).toHaveLength(1);
  expect(JSON.parse(logged[0]!)).toMatchObject({
    event: "response.failed",
    method: "GET",
    route: "/bookings/1",
    error: "the error page could not be rendered",
  });
  expect(logged[0]).not.toContain("secret");
});

test("a listener that rejects halfway through the body cuts that connection; the client sees a broken answer, not a whole one", async () => {
  const logged: string[] = [];
  const url = await serve(async (req, res) => {
    if (req.url === "/broken") {
      res.writeHead(200, { "Content-Type": "text/html", "Content-Length": "1000" });
      res.write("<!DOCTYPE html><p>half");
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("the body stream broke");
    }
    res.end("fine");
  }, logged);

  const broken = await fetch(`${url}/broken`);
  expect(broken.status).toBe(200);
  await expect(broken.text()).rejects.toThrow();
  expect(await (await fetch(url)).text()).toBe("fine");
  expect(unhandled).toEqual([]);
  expect(JSON.parse(logged[0]!)).toMatchObject({ event: "response.failed", route: "/broken" });
});

// The workers run inside the app server, so a database outage while they finish a job must not end
// the process. pg-boss 10 completes a job without awaiting it; with PostgreSQL gone that was an
// unhandled rejection (seen in CI: the app server died mid-outage). patches/pg-boss+10.4.2.patch
// turns it into a worker error. Here the queue talks to PostgreSQL through a TCP relay this file
// can cut, the way a restart or a network fault would.
import net from "node:net";
import { afterEach, expect, it } from "vitest";
import { openQueue, type Queue } from "~/.server/queue";
import { logsFromNow } from "../support/logs.ts";

type Relay = { url: string; cut(): void; restore(): void; close(): Promise<void> };

/** A TCP relay to the test database; cut() drops every connection and refuses new ones. */
async function relayTo(databaseUrl: string): Promise<Relay> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise(
        (resolve) => ((open = false), [...sockets].forEach((s) => s.destroy()), server.close(() => resolve())),
      ),
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let queue: Queue | undefined;
let relay: Relay | undefined;

afterEach(async () => {
  relay?.restore();
  await queue?.stop({ graceful: false, timeoutMs: 2_000 });
  await relay?.close();
  process.off("unhandledRejection", onUnhandled);
  unhandled.length = 0;
});

it(
  "a job finished while PostgreSQL is unreachable is a logged worker error, not a crash; the worker carries on after",
  { timeout: 30_000 },
  async () => {
    process.on("unhandledRejection", onUnhandled);
    relay = await relayTo(process.env.DATABASE_URL!);
    const logged = logsFromNow();
    queue = await openQueue({ databaseUrl: relay.url, schedule: false, supervise: false });
    const { boss } = queue;
    await boss.createQueue("outage-probe");

    let finishFirst!: () => void;
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const handled: string[] = [];
    await boss.work<{ n: number }>("outage-probe", { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      handled.push(String(job!.data.n));
      if (job!.data.n === 1) {
        started();
        // The database goes away while this job runs; pg-boss then tries to mark it completed.
        await new Promise<void>((resolve) => (finishFirst = resolve));
      }
    });
    await boss.send("outage-probe", { n: 1 });
    await firstStarted;
    relay.cut();
    finishFirst();

    await expect
      .poll(
        () =>
          logged().some(
            (line) =>
              line.msg === "queue.error" &&
              line.level === "error" &&
              /ECONNREFUSED|terminated|closed/i.test(String((line.err as { message?: string }).message)),
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(unhandled).toEqual([]);

    // PostgreSQL is back: the same worker takes new jobs.
    relay.restore();
    await expect
      .poll(async () => (await boss.send("outage-probe", { n: 2 }).catch(() => null)) !== null, { timeout: 10_000 })
      .toBe(true);
    await expect.poll(() => handled.includes("2"), { timeout: 15_000 }).toBe(true);
    expect(unhandled).toEqual([]);
  },
);

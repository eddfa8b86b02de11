// The load generator's own process: runs autocannon for bench/lib/load.ts and answers with the
// figures, so the requests are made outside the event loop of the process under test and of the
// stand-ins in the bench's main process. Every latency is kept, for exact p50/p95/p99.
import { randomUUID } from "node:crypto";
import autocannon, { type Request } from "autocannon";
import { signWebhook } from "../../tests/stand-ins/lessonspace.ts";
import type { LoadResult, LoadSpec, WebhookRoom } from "./load.ts";

type Message = { id: number; spec: LoadSpec };

// Delivery timestamps move forward per room, so each join/leave is news to the app, as it is live.
const WEBHOOK_BASE = Date.UTC(2026, 0, 1, 9, 0, 0);
const roomTurns = new Map<string, number>();
let deliveries = 0;

function webhookRequest(rooms: WebhookRoom[]): Request {
  return {
    method: "POST",
    path: "/api/webhooks/lessonspace",
    setupRequest(request) {
      const room = rooms[deliveries++ % rooms.length]!;
      const turn = roomTurns.get(room.roomId) ?? 0;
      roomTurns.set(room.roomId, turn + 1);
      const event = turn % 2 === 0 ? "user.join" : "user.leave";
      const body = JSON.stringify({
        event,
        room: { id: room.roomId },
        session: { id: room.sessionId },
        user: { id: room.profileId, name: "Bench Tutor", leader: true },
        timestamp: new Date(WEBHOOK_BASE + turn * 60_000).toISOString(),
      });
      request.headers = {
        ...request.headers,
        "content-type": "application/json",
        "x-webhook-id": randomUUID(),
        "x-webhook-event": event,
        "x-webhook-signature": signWebhook(body, room.secret),
      };
      request.body = body;
      return request;
    },
  };
}

function toRequests(spec: LoadSpec): Request[] {
  return spec.requests.map((request) =>
    "webhook" in request
      ? webhookRequest(request.webhook.rooms)
      : {
          method: request.method,
          path: request.path,
          headers: request.headers ?? {},
          ...(request.body ? { body: request.body } : {}),
        },
  );
}

function run(spec: LoadSpec, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(65_536);
    let count = 0;
    const statuses: Record<string, number> = {};
    let firstError: string | undefined;
    const instance = autocannon(
      { url: spec.url, connections: spec.connections, duration: seconds, requests: toRequests(spec), timeout: 10 },
      (error, result) => {
        if (error) return reject(error);
        const sorted = latencies.subarray(0, count).sort();
        const at = (p: number) => (count ? sorted[Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1))]! : NaN);
        const ok = new Set(spec.okStatuses ?? [200]);
        let unexpected = 0;
        let non2xx3xx = 0;
        for (const [status, n] of Object.entries(statuses)) {
          if (!ok.has(Number(status))) unexpected += n;
          if (Number(status) < 200 || Number(status) >= 400) non2xx3xx += n;
        }
        resolve({
          requests: count,
          seconds: result.duration,
          rps: count / result.duration,
          p50: at(0.5),
          p95: at(0.95),
          p99: at(0.99),
          max: count ? sorted[count - 1]! : NaN,
          statuses,
          unexpected,
          non2xx3xx,
          errors: result.errors,
          timeouts: result.timeouts,
          firstError,
          bytes: result.throughput.total,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    instance.on("reqError", (error) => {
      firstError ??= error.message;
    });
  });
}

process.on("message", (message: Message) => {
  void (async () => {
    try {
      if (message.spec.warmupSeconds) await run(message.spec, message.spec.warmupSeconds);
      const result = await run(message.spec, message.spec.seconds);
      process.send!({ id: message.id, result });
    } catch (error) {
      process.send!({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  })();
});
process.send!({ ready: true });

// Webhook delivery as Lessonspace documents it: signed with the space secret, the same
// x-webhook-id on every retry, retried on non-2xx or timeout, in order per space.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { signWebhook } from "./crypto";

export type WebhookEventName = "session.start" | "session.end" | "user.join" | "user.leave" | "transcription.finish";

/** One attempt to deliver one event (a retried event appears once per attempt). */
export interface WebhookDelivery {
  id: string; // x-webhook-id, shared by the retries of one event
  url: string;
  event: WebhookEventName;
  roomId: string;
  attempt: number; // 1 for the first try
  status: number | null; // null when the request failed without a response (refused, timed out)
  error?: string;
  body: string; // the exact bytes that were signed and sent
  at: Date;
}

export interface OutgoingWebhook {
  url: string;
  event: WebhookEventName;
  roomId: string;
  secret: string;
  timestamp: string; // when the event happened, not when it is delivered
  payload: unknown;
}

export interface DispatcherOptions {
  fetchImpl: typeof fetch;
  retryDelaysMs: number[];
  timeoutMs: number;
  log: WebhookDelivery[];
}

export class WebhookDispatcher {
  private chains = new Map<string, Promise<void>>();
  private controller = new AbortController();

  constructor(private readonly opts: DispatcherOptions) {}

  /** Queues an event behind the earlier events of the same space. */
  enqueue(queueKey: string, hook: OutgoingWebhook): void {
    const signal = this.controller.signal;
    const body = JSON.stringify(hook.payload);
    const id = randomUUID();
    const previous = this.chains.get(queueKey) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(hook, id, body, signal));
    this.chains.set(queueKey, next);
    void next.finally(() => {
      if (this.chains.get(queueKey) === next) this.chains.delete(queueKey);
    });
  }

  /** Resolves once every queued event of this space (or of all spaces) was delivered or given up. */
  async drain(queueKey?: string): Promise<void> {
    for (;;) {
      const pending =
        queueKey === undefined ? [...this.chains.values()] : [this.chains.get(queueKey)].filter((p) => p !== undefined);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Drops everything queued or being retried. */
  abort(): void {
    this.controller.abort();
    this.chains.clear();
    this.controller = new AbortController();
  }

  private async deliver(hook: OutgoingWebhook, id: string, body: string, signal: AbortSignal): Promise<void> {
    const { fetchImpl, retryDelaysMs, timeoutMs, log } = this.opts;
    const headers = {
      "content-type": "application/json",
      "user-agent": "Lessonspace-Webhooks (stand-in)",
      "x-webhook-id": id,
      "x-webhook-event": hook.event,
      "x-webhook-timestamp": hook.timestamp,
      "x-webhook-signature": signWebhook(body, hook.secret),
    };
    for (let attempt = 1; attempt <= retryDelaysMs.length + 1; attempt++) {
      if (signal.aborted) return;
      let status: number | null = null;
      let error: string | undefined;
      try {
        const res = await fetchImpl(hook.url, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (signal.aborted) return;
      log.push({
        id,
        url: hook.url,
        event: hook.event,
        roomId: hook.roomId,
        attempt,
        status,
        error,
        body,
        at: new Date(),
      });
      if (status !== null && status >= 200 && status < 300) return;
      const delay = retryDelaysMs[attempt - 1];
      if (delay === undefined) return; // out of retries: later events are still delivered
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        return;
      }
    }
  }
}

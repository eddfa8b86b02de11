// The Lessonspace stand-in's HTTP server: the documented API (launch, sessions, playback),
// the classroom page behind client_url, recordings, transcripts, and switches to make it
// misbehave. Each endpoint group is a module over one shared state object (state.ts); this file
// builds the state, mounts the groups and listens.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { messagePage } from "./classroom";
import { newSigningKey } from "./crypto";
import { setFault } from "./faults";
import { launchRoutes } from "./launch";
import { playbackRoutes } from "./playback";
import { roomRoutes } from "./room";
import { sessionsApiRoutes } from "./sessions-api";
import { SpaceRegistry, type PastSessionInput, type SpaceState } from "./spaces";
import {
  detail,
  page,
  RateLimiter,
  type ApiCall,
  type LaunchRecord,
  type LessonspaceState,
  type Fault,
  type TranscriptFault,
} from "./state";
import { summaryRoutes } from "./summaries";
import { publishTranscriptFile, setTranscriptFault, transcriptRoutes } from "./transcripts";
import { WebhookDispatcher, type WebhookDelivery } from "./webhooks";

export type { ApiCall, Fault, FaultKind, LaunchRecord, TranscriptFault } from "./state";

export interface LessonspaceStandInOptions {
  apiKey: string;
  port?: number; // default 0: any free port
  hostname?: string; // default 127.0.0.1
  organisationId?: string; // default "1"
  fetchImpl?: typeof fetch; // delivers webhooks; default global fetch
  rateLimitPerSecond?: number; // per key across the API (launch, sessions, playback), like Lessonspace's ~5/s; 0 disables. Default 5
  retryDelaysMs?: number[]; // one entry per retry after a failed delivery. Default [200, 500, 1000, 2000, 4000]
  webhookTimeoutMs?: number; // a delivery slower than this fails and is retried. Default 30 000
  sessionEndDelayMs?: number; // Lessonspace waits ~30 s after the last person leaves. Default 0
  recordingAvailableAfterMs?: number; // playback answers 404 until this long after the session ended. Default 0
  recordingUrlTtlMs?: number; // lifetime of a recording_url. Default 3 hours
  refreshSeconds?: number; // classroom page auto-refresh (to show who is present); 0 disables. Default 5
  pageSize?: number; // sessions list page size. Default 20
  now?: () => Date; // clock for timestamps, timeouts and expiries. Default real time
  transcriptUrlTtlMs?: number; // lifetime of a transcript download URL. Default 1 hour
  summaryReadyAfterMs?: number; // a summary answers "pending" until this long after its session ended. Default 3 s
  summaryMinSessionSeconds?: number; // sessions this long or shorter get no summary. Default 300, like Lessonspace
}

export interface LessonspaceStandIn {
  url: string; // API base, the app's LESSONSPACE_API_URL
  organisationId: string;
  launches: LaunchRecord[];
  deliveries: WebhookDelivery[];
  /** Every API request that reached the rate limit, with its arrival time and whether it was refused (429). */
  apiCalls: ApiCall[];
  spaces: Map<string, SpaceState>; // launch id -> space
  setFault(fault: Fault | null): void;
  setLatency(ms: number): void;
  /** Same as pressing "End lesson"; resolves once its webhooks were delivered (or given up). */
  endSession(roomId: string): Promise<void>;
  /** Resolves when no webhook is queued or being retried. */
  idle(): Promise<void>;
  /** Serves `body` at a fresh pre-signed-style URL (/transcripts/<token>.json) and answers the URL. */
  publishTranscriptFile(body: string | Uint8Array, options?: { ttlMs?: number }): string;
  setTranscriptFault(fault: TranscriptFault | null): void;
  /** Paths of every transcript download request, answered or not. */
  transcriptRequests: string[];
  /** Stores a finished, recorded session (no webhooks): demo data for the embedded default. */
  recordPastSession(input: PastSessionInput): { roomId: string; secret: string };
  /** How long after a session ends its summary stops answering "pending". */
  setSummaryReadyAfterMs(ms: number): void;
  /** Session ids of every summary request that passed the gate (faults and 401s are not listed). */
  summaryRequests: string[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startLessonspaceStandIn(opts: LessonspaceStandInOptions): Promise<LessonspaceStandIn> {
  const now = opts.now ?? (() => new Date());
  const deliveries: WebhookDelivery[] = [];
  const dispatcher = new WebhookDispatcher({
    fetchImpl: opts.fetchImpl ?? ((input, init) => fetch(input, init)),
    retryDelaysMs: opts.retryDelaysMs ?? [200, 500, 1000, 2000, 4000],
    timeoutMs: opts.webhookTimeoutMs ?? 30_000,
    log: deliveries,
  });
  const state: LessonspaceState = {
    apiKey: opts.apiKey,
    organisationId: opts.organisationId ?? "1",
    now,
    baseUrl: "",
    signingKey: newSigningKey(),
    registry: new SpaceRegistry(dispatcher, now, opts.sessionEndDelayMs ?? 0),
    dispatcher,
    limiter: new RateLimiter(opts.rateLimitPerSecond ?? 5),
    lifetime: new AbortController(),
    launches: [],
    deliveries,
    apiCalls: [],
    fault: null,
    latencyMs: 0,
    settings: {
      refreshSeconds: opts.refreshSeconds ?? 5,
      pageSize: opts.pageSize ?? 20,
      recordingAvailableAfterMs: opts.recordingAvailableAfterMs ?? 0,
      recordingUrlTtlMs: opts.recordingUrlTtlMs ?? 3 * 60 * 60 * 1000,
      transcriptUrlTtlMs: opts.transcriptUrlTtlMs ?? 60 * 60 * 1000,
      summaryReadyAfterMs: opts.summaryReadyAfterMs ?? 3000,
      summaryMinSessionSeconds: opts.summaryMinSessionSeconds ?? 300,
    },
    summaryRequests: [],
    transcripts: { files: new Map(), requests: [], fault: null },
  };
  const { registry } = state;
  registry.publishTranscript = (session) =>
    publishTranscriptFile(
      state,
      JSON.stringify(
        session.utterances.map((u) => ({
          start_time: u.startSeconds,
          end_time: u.endSeconds,
          user: { id: u.userId ?? String(u.lessonspaceUserId), name: u.name },
          breakout_id: u.breakoutId,
          text: u.text,
        })),
      ),
    );

  const app = new Hono();
  launchRoutes(app, state);
  sessionsApiRoutes(app, state);
  playbackRoutes(app, state);
  summaryRoutes(app, state);
  roomRoutes(app, state);
  transcriptRoutes(app, state);
  app.notFound((c) =>
    c.req.path.startsWith("/v2/")
      ? detail(c, 404, "Not found.")
      : page(c, 404, messagePage("Not found", "There is nothing here.")),
  );
  app.onError((err, c) => {
    console.error("[lessonspace stand-in]", err);
    return detail(c, 500, "Internal error");
  });

  const hostname = opts.hostname ?? "127.0.0.1";
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname }, () => resolve(s as Server)) as Server;
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

  return {
    url: state.baseUrl,
    organisationId: state.organisationId,
    launches: state.launches,
    deliveries,
    apiCalls: state.apiCalls,
    spaces: registry.spaces,
    transcriptRequests: state.transcripts.requests,
    summaryRequests: state.summaryRequests,
    setSummaryReadyAfterMs(ms) {
      state.settings.summaryReadyAfterMs = ms;
    },
    publishTranscriptFile: (body, options) => publishTranscriptFile(state, body, options?.ttlMs),
    setTranscriptFault: (f) => setTranscriptFault(state, f),
    setFault: (f) => setFault(state, f),
    setLatency(ms) {
      state.latencyMs = ms;
    },
    async endSession(roomId) {
      const space = registry.byRoomId(roomId);
      if (space === undefined) throw new Error(`Lessonspace stand-in: no space with room_id ${roomId}`);
      registry.end(space);
      await dispatcher.drain(space.launchId);
    },
    idle: () => dispatcher.drain(),
    recordPastSession(input) {
      const space = registry.recordPastSession(input);
      return { roomId: space.roomId, secret: space.secret };
    },
    reset() {
      dispatcher.abort();
      registry.clear();
      state.launches.length = 0;
      deliveries.length = 0;
      state.apiCalls.length = 0;
      state.limiter.clear();
      state.fault = null;
      state.transcripts.fault = null;
      state.transcripts.files.clear();
      state.transcripts.requests.length = 0;
      state.summaryRequests.length = 0;
      state.latencyMs = 0;
    },
    async stop() {
      state.lifetime.abort();
      dispatcher.abort();
      registry.clearTimers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

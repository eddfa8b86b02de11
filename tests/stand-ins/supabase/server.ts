// Wires the Auth and Storage halves behind one loopback HTTP server, with the API gateway's
// `apikey` check in front of /auth/v1 (as on a hosted project) and switches to fail on purpose.
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createAuthService, gotrueError } from "./auth";
import { createKeyMaterial } from "./keys";
import { createStorageService } from "./storage";

export interface SupabaseStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  hostname?: string;
  /** Where objects persist; default a fresh temp folder, removed on stop(). */
  storageDir?: string;
  /** Access-token lifetime (GoTrue's JWT_EXP); default 3600. */
  accessTokenTtlSeconds?: number;
  /** Window in which a rotated refresh token may still be used (GoTrue default 10). */
  refreshTokenReuseIntervalSeconds?: number;
  /** Project-wide upload limit in bytes; default 50 MB like Supabase's free plan. */
  maxUploadBytes?: number;
  /** Legacy JWT secret; fix it to get the same anon/service keys on every start. */
  jwtSecret?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  status: number;
}

export interface SupabaseStandIn {
  /** http://127.0.0.1:<port>; use as SUPABASE_URL. */
  url: string;
  /** Legacy anon key (HS256 JWT, role anon); use as SUPABASE_PUBLISHABLE_KEY. */
  anonKey: string;
  /** Legacy service key (HS256 JWT, role service_role); use as SUPABASE_SERVICE_ROLE_KEY. */
  serviceRoleKey: string;
  jwtSecret: string;
  storageDir: string;
  /** Idempotent by email: an existing user gets the new password (and keeps its id). */
  createUser(u: {
    id?: string;
    email: string;
    password: string;
    userMetadata?: Record<string, unknown>;
  }): Promise<{ id: string }>;
  /** While down, every /auth/v1 endpoint (JWKS included) answers 503. */
  setAuthDown(down: boolean): void;
  /** While down, every /storage/v1 endpoint answers 503. */
  setStorageDown(down: boolean): void;
  /** Every request served, oldest first (for "was the Auth server called?" assertions). */
  readonly requests: readonly RecordedRequest[];
  resetRequests(): void;
  stop(): Promise<void>;
}

export async function startSupabaseStandIn(opts: SupabaseStandInOptions = {}): Promise<SupabaseStandIn> {
  const keys = await createKeyMaterial({ jwtSecret: opts.jwtSecret });
  const ownsStorageDir = opts.storageDir === undefined;
  const storageDir = opts.storageDir ?? (await mkdtemp(join(tmpdir(), "supabase-standin-")));
  const now = () => Date.now();

  const requests: RecordedRequest[] = [];
  let authDown = false;
  let storageDown = false;

  // Listen first: the Auth issuer (`${url}/auth/v1`) needs the port that was picked.
  let handler: ((req: Request) => Response | Promise<Response>) | null = null;
  const hostname = opts.hostname ?? "127.0.0.1";
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const s = serve(
      {
        fetch: (req: Request) => (handler ? handler(req) : new Response("starting", { status: 503 })),
        port: opts.port ?? 0,
        hostname,
      },
      (info: AddressInfo) => resolve({ server: s as Server, port: info.port }),
    ) as Server;
    s.once("error", reject);
  });
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

  const auth = createAuthService({
    url,
    keys,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
    refreshTokenReuseIntervalSeconds: opts.refreshTokenReuseIntervalSeconds ?? 10,
    now,
  });
  const storage = await createStorageService({
    dir: storageDir,
    keys,
    maxUploadBytes: opts.maxUploadBytes ?? 50 * 1024 * 1024,
    now,
  });

  const root = new Hono();
  root.use("*", async (c, next) => {
    await next();
    const u = new URL(c.req.url);
    requests.push({ method: c.req.method, path: u.pathname, search: u.search, status: c.res.status });
  });

  root.use("/auth/v1/*", async (c, next) => {
    if (authDown) return c.json({ message: "The auth service is unavailable (stand-in switched off)" }, 503);
    // The hosted gateway lets the JWKS through without a key; everything else needs one.
    if (new URL(c.req.url).pathname !== "/auth/v1/.well-known/jwks.json") {
      const key = c.req.header("apikey") ?? c.req.query("apikey");
      if (!key) {
        return c.json(
          { message: "No API key found in request", hint: "No `apikey` request header or url param was found." },
          401,
        );
      }
      if (key !== keys.anonKey && key !== keys.serviceRoleKey) {
        return c.json(
          { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." },
          401,
        );
      }
    }
    await next();
  });

  root.use("/storage/v1/*", async (c, next) => {
    if (storageDown) {
      return c.json(
        {
          statusCode: "503",
          error: "Service Unavailable",
          message: "The storage service is unavailable (stand-in switched off)",
        },
        503,
      );
    }
    await next();
  });

  root.route("/auth/v1", auth.app);
  root.route("/storage/v1", storage.app);
  root.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith("/auth/v1/")) return gotrueError(c, 404, "not_found", `${path} is not served by the stand-in`);
    if (path.startsWith("/storage/v1/")) {
      return c.json({ statusCode: "404", error: "Not Found", message: `Route ${c.req.method}:${path} not found` }, 404);
    }
    return c.json({ message: "no Route matched with those values" }, 404);
  });
  root.onError((err, c) => {
    console.error("[supabase stand-in]", err);
    return c.json({ message: "stand-in internal error", detail: String(err) }, 500);
  });
  handler = (req) => root.fetch(req);

  let stopped = false;
  return {
    url,
    anonKey: keys.anonKey,
    serviceRoleKey: keys.serviceRoleKey,
    jwtSecret: keys.jwtSecret,
    storageDir,
    createUser: (u) => auth.createUser(u),
    setAuthDown: (down) => {
      authDown = down;
    },
    setStorageDown: (down) => {
      storageDown = down;
    },
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // fetch keeps connections alive; without this close() waits for them to idle out.
        server.closeAllConnections();
      });
      if (ownsStorageDir) await rm(storageDir, { recursive: true, force: true });
    },
  };
}

// Drive route modules the way React Router does: real Requests in, real Responses out.
// Thrown responses (redirects, 404s) are caught and returned, so tests assert on one shape.
import { randomUUID } from "node:crypto";
import { RouterContextProvider } from "react-router";
import { viewerMiddleware } from "~/.server/auth";
import { db } from "~/.server/db";
import { testStandIns } from "./stand-ins.ts";

export const APP_URL = "http://app.test";
export const TEST_PASSWORD = "correct horse battery staple";

export type RouteResult = { status: number; headers: Headers; data: unknown; response: Response | null };

type RouteModule = {
  loader?: (args: never) => unknown;
  action?: (args: never) => unknown;
};

type CallOptions = {
  params?: Record<string, string>;
  cookie?: string;
  method?: string;
  form?: Record<string, string | Blob> | FormData;
  body?: BodyInit;
  headers?: Record<string, string>;
};

export function makeRequest(path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.cookie) headers.set("Cookie", options.cookie);
  let body: BodyInit | undefined = options.body;
  if (options.form) {
    if (options.form instanceof FormData) body = options.form;
    else {
      const form = new FormData();
      for (const [key, value] of Object.entries(options.form)) form.append(key, value);
      body = form;
    }
  }
  const method = options.method ?? (body ? "POST" : "GET");
  if (method !== "GET" && !headers.has("Origin")) headers.set("Origin", APP_URL);
  return new Request(new URL(path, APP_URL), { method, headers, body });
}

type DataWithInit = { type: "DataWithResponseInit"; data: unknown; init: ResponseInit | null };

// What `data()` returns; React Router does not export the class at run time.
function isDataWithResponseInit(value: unknown): value is DataWithInit {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "DataWithResponseInit";
}

async function normalise(value: unknown): Promise<RouteResult> {
  if (value instanceof Response) {
    const type = value.headers.get("Content-Type") ?? "";
    const data = type.includes("json") ? await value.clone().json() : await value.clone().text();
    return { status: value.status, headers: value.headers, data, response: value };
  }
  if (isDataWithResponseInit(value)) {
    const init = value.init ?? {};
    return { status: init.status ?? 200, headers: new Headers(init.headers), data: value.data, response: null };
  }
  return { status: 200, headers: new Headers(), data: value, response: null };
}

export type RouteArgs = { request: Request; url: URL; params: Record<string, string>; context: RouterContextProvider };

/**
 * Runs `call` inside the root's viewer middleware, as React Router does: the viewer is verified at
 * most once for everything `call` runs, and its session cookies are added to the final answer.
 * `settle` turns what `call` returned or threw into a result (and a Response for the middleware).
 */
export async function throughRoot<T extends { response: Response | null; status: number; headers: Headers }>(
  request: Request,
  params: Record<string, string>,
  call: (args: RouteArgs) => Promise<unknown>,
  settle: (value: unknown) => Promise<T>,
): Promise<T> {
  // What React Router passes (future.v8_passThroughRequests): the request and its address.
  const args: RouteArgs = { request, url: new URL(request.url), params, context: new RouterContextProvider() };
  let result: T | undefined;
  const response = (await viewerMiddleware(args as never, async () => {
    let value: unknown;
    try {
      value = await call(args);
    } catch (thrown) {
      if (!(thrown instanceof Response) && !isDataWithResponseInit(thrown)) throw thrown;
      value = thrown;
    }
    result = await settle(value);
    return result.response ?? new Response(null, { status: result.status, headers: result.headers });
  })) as Response;
  return { ...result!, headers: response.headers };
}

async function invoke(fn: ((args: never) => unknown) | undefined, request: Request, params: Record<string, string>) {
  if (!fn) throw new Error("The route module has no such function");
  return throughRoot(request, params, async (args) => fn(args as never), normalise);
}

export function callLoader(module: RouteModule, path: string, options: CallOptions = {}) {
  return invoke(module.loader, makeRequest(path, { ...options, method: "GET" }), options.params ?? {});
}

export type RootData = { nonce: string; viewer: { fullName: string; timeZone: string } | null };

/** A page's document request: the root loader (the header's viewer) and the page's loader side by side. */
export async function callPage(
  module: RouteModule,
  path: string,
  options: CallOptions = {},
): Promise<RouteResult & { root: RootData | null }> {
  const root = await import("~/root");
  let rootData: RootData | null = null;
  const result = await throughRoot(
    makeRequest(path, { ...options, method: "GET" }),
    options.params ?? {},
    async (args) => {
      const [rootAnswer, page] = await Promise.allSettled([root.loader(args as never), module.loader!(args as never)]);
      if (rootAnswer.status === "fulfilled") rootData = rootAnswer.value;
      if (page.status === "rejected") throw page.reason;
      return page.value;
    },
    normalise,
  );
  return { ...result, root: rootData };
}

export function callAction(module: RouteModule, path: string, options: CallOptions = {}) {
  return invoke(module.action, makeRequest(path, { method: "POST", ...options }), options.params ?? {});
}

export type TestProfile = { id: string; fullName: string; email: string; timeZone: string };

/** A profile with a matching Auth user in this file's Supabase stand-in. */
export async function createProfile(overrides: Partial<TestProfile> & { roles?: string[] } = {}): Promise<TestProfile> {
  const email = overrides.email ?? `${randomUUID()}@example.test`;
  const { id } = await testStandIns.supabase.createUser({ id: overrides.id, email, password: TEST_PASSWORD });
  const profile = await db.profile.create({
    data: {
      id,
      email,
      fullName: overrides.fullName ?? "Test Person",
      roles: overrides.roles ?? [],
      timeZone: overrides.timeZone ?? "Europe/London",
    },
    select: { id: true, fullName: true, timeZone: true },
  });
  return { ...profile, email };
}

/** Signs in through our own sign-in action and returns the Cookie header a browser would send. */
export async function signIn(profile: { email: string }): Promise<string> {
  const signInRoute = await import("~/routes/sign-in");
  const result = await callAction(signInRoute, "/sign-in", {
    form: { email: profile.email, password: TEST_PASSWORD, redirectTo: "/" },
  });
  if (result.status !== 302) throw new Error(`Sign-in failed with ${result.status}`);
  const cookies = result.headers.getSetCookie().map((line) => line.split(";")[0]!);
  return cookies.join("; ");
}

export type BookingOverrides = Partial<{
  clientId: string;
  tutorId: string;
  studentId: string | null;
  serviceName: string;
  sessionStartTime: Date;
  sessionDuration: number;
  status: "Pending" | "Confirmed" | "Completed" | "Cancelled" | "Declined";
}>;

export async function createBooking(parties: { clientId: string; tutorId: string } & BookingOverrides) {
  return db.booking.create({
    data: {
      serviceName: "GCSE Maths",
      sessionStartTime: new Date(),
      sessionDuration: 60,
      status: "Confirmed",
      ...parties,
    },
  });
}

export async function addGuardian(guardianId: string, studentId: string, status: "ACTIVE" | "PENDING" = "ACTIVE") {
  return db.profileGraph.create({
    data: { sourceProfileId: guardianId, targetProfileId: studentId, relationshipType: "GUARDIAN", status },
  });
}

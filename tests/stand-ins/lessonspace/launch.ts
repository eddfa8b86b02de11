// POST /v2/spaces/launch/: every request recorded, then latency, faults, key, rate limit and
// body checks in Lessonspace's order; a valid body creates or joins the space and answers client_url.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { signClientToken, type ClientTokenClaims } from "./crypto";
import { answerFault, takeFault } from "./faults";
import type { LaunchInput, SpaceState } from "./spaces";
import { admit, detail, isAuthorized, unauthorized, type LaunchRecord, type LessonspaceState } from "./state";

const isoDateTime = z.iso.datetime({ offset: true });
const hookUrl = z.union([z.url({ protocol: /^https?$/ }), z.literal(""), z.null()]);

const LaunchBody = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(255).nullish(),
  user: z
    .object({
      id: z.union([z.string().min(1), z.number()]).transform(String),
      name: z.string().min(1).max(255),
      email: z.union([z.email(), z.literal("")]).nullish(),
      leader: z.boolean().optional(),
      role: z.string().optional(),
    })
    .nullish(),
  timeouts: z
    .object({ not_before: isoDateTime.nullish(), not_after: isoDateTime.nullish() })
    .refine((t) => !t.not_before || !t.not_after || Date.parse(t.not_before) < Date.parse(t.not_after), {
      message: "not_before must be earlier than not_after.",
      path: ["not_after"],
    })
    .nullish(),
  record_av: z.boolean().optional(),
  record_content: z.boolean().optional(),
  allow_guests: z.boolean().optional(),
  transcribe: z.boolean().optional(),
  summarise: z.boolean().optional(),
  webhooks: z.record(z.string(), z.record(z.string(), hookUrl).nullish()).nullish(),
});

function zodDetail(error: z.ZodError): { detail: string; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "non_field_errors";
    (errors[key] ??= []).push(issue.message);
  }
  const detailText = Object.entries(errors)
    .map(([k, msgs]) => `${k}: ${msgs.join(" ")}`)
    .join("; ");
  return { detail: detailText, errors };
}

function recordLaunch(state: LessonspaceState, c: Context): LaunchRecord {
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((value, name) => {
    headers[name] = name === "authorization" ? "[redacted]" : value;
  });
  const record: LaunchRecord = {
    at: state.now(),
    path: c.req.path,
    headers,
    authorized: isAuthorized(state, c),
    body: undefined,
    status: null,
  };
  state.launches.push(record);
  return record;
}

function clientUrl(state: LessonspaceState, space: SpaceState, input: LaunchInput, lessonspaceUserId: number): string {
  const claims: ClientTokenClaims = {
    room: space.roomId,
    space: space.launchId,
    uid: input.user?.id ?? null,
    lsuid: lessonspaceUserId,
    gid: randomUUID(),
    name: input.user?.name ?? "Guest",
    email: input.user?.email || null,
    leader: input.user?.leader ?? false,
    not_before: input.timeouts?.not_before ?? null,
    not_after: input.timeouts?.not_after ?? null,
    iat: state.now().toISOString(),
  };
  return `${state.baseUrl}/room/${space.roomId}?token=${signClientToken(claims, state.signingKey)}`;
}

async function handleLaunch(state: LessonspaceState, c: Context, record: LaunchRecord): Promise<Response> {
  const text = await c.req.text();
  try {
    record.body = JSON.parse(text);
  } catch {
    record.body = text;
  }
  if (state.latencyMs > 0) {
    await sleep(state.latencyMs, undefined, { signal: state.lifetime.signal }).catch(() => undefined);
  }
  const fault = takeFault(state, "launch");
  if (fault) return answerFault(state, c, fault);
  if (!record.authorized) return unauthorized(c);
  const refused = admit(state, c);
  if (refused) return refused;
  const contentType = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType))
    return detail(c, 415, `Unsupported media type "${contentType}" in request.`);
  if (typeof record.body === "string") return detail(c, 400, "JSON parse error - the request body is not valid JSON.");
  const parsed = LaunchBody.safeParse(record.body);
  if (!parsed.success) return c.json(zodDetail(parsed.error), 400);
  const input = parsed.data as LaunchInput;
  // Like Lessonspace: a summary is made from the transcript, a transcript from the recording.
  if (input.summarise && !(input.transcribe && input.record_av))
    return detail(c, 400, "summarise requires record_av and transcribe to be enabled.");
  // No await between looking the space up and creating it: concurrent first launches converge.
  const { space, created, lessonspaceUserId } = state.registry.launch(input);
  return c.json(
    {
      client_url: clientUrl(state, space, input, lessonspaceUserId),
      api_base: state.baseUrl,
      room_id: space.roomId,
      secret: space.secret,
      session_id: state.registry.currentSessionId(space),
      user_id: lessonspaceUserId,
      room_settings: {
        record_av: space.recordAv ?? false,
        record_content: space.recordContent ?? false,
        waiting_room: false,
        transcribe: space.transcribe,
        summarise: space.summarise,
      },
    },
    created ? 201 : 200,
  );
}

export function launchRoutes(app: Hono, state: LessonspaceState): void {
  app.post("/v2/spaces/launch/", async (c) => {
    const record = recordLaunch(state, c);
    const res = await handleLaunch(state, c, record);
    record.status = state.lifetime.signal.aborted || c.req.raw.signal.aborted ? null : res.status;
    return res;
  });
  app.post("/v2/spaces/launch", (c) => {
    // Every Lessonspace URL ends with a slash; forgetting it is a mistake worth seeing.
    const record = recordLaunch(state, c);
    record.status = 404;
    return detail(c, 404, "Not found.");
  });
  app.on(["GET", "PUT", "PATCH", "DELETE"], "/v2/spaces/launch/", (c) =>
    detail(c, 405, `Method "${c.req.method}" not allowed.`, { Allow: "POST, OPTIONS" }),
  );
}

// The organisation API: GET /v2/hello/, the sessions list (filters, pages) and one session.
// Behind the same gate as playback: API faults, the key, the organisation id.
import type { Hono } from "hono";
import { apiGate } from "./faults";
import { recordingReady } from "./playback";
import { isoSeconds, type SessionState, type SpaceState } from "./spaces";
import { detail, isAuthorized, unauthorized, type LessonspaceState } from "./state";

function sessionJson(state: LessonspaceState, space: SpaceState, session: SessionState) {
  return {
    uuid: session.id,
    name: session.name,
    room_id: space.roomId,
    launch_id: space.launchId,
    space: { uuid: space.roomId, launch_id: space.launchId, name: space.name },
    start_time: isoSeconds(session.startTime),
    end_time: session.endTime ? isoSeconds(session.endTime) : null,
    duration: session.endTime ? Math.round((session.endTime.getTime() - session.startTime.getTime()) / 1000) : null,
    recording_available: recordingReady(state, session),
    playback_url: `${state.baseUrl}/v2/organisations/${state.organisationId}/sessions/${session.id}/playback/`,
    users: [...session.participants.values()].map((p) => ({
      id: p.userId ?? String(p.lessonspaceUserId),
      lessonspace_id: p.lessonspaceUserId,
      name: p.name,
      email: p.email,
      leader: p.leader,
      joined_at: isoSeconds(p.visits[0]!.joinedAt),
      left_at: p.visits.at(-1)?.leftAt ? isoSeconds(p.visits.at(-1)!.leftAt!) : null,
    })),
  };
}

export function sessionsApiRoutes(app: Hono, state: LessonspaceState): void {
  app.get("/v2/hello/", (c) => {
    if (!isAuthorized(state, c)) return unauthorized(c);
    return c.json({ response: "The sun is shining and so are you 🌞" });
  });

  app.get("/v2/organisations/:org/sessions/", async (c) => {
    const gate = apiGate(state, c);
    if (gate) return gate;
    const launchId = c.req.query("launch_id");
    const spaceIds = c.req.queries("space");
    const sessions = [...state.registry.spaces.values()]
      .filter((s) => launchId === undefined || s.launchId === launchId)
      .filter((s) => spaceIds === undefined || spaceIds.includes(s.roomId))
      .flatMap((s) => s.sessions.map((session) => ({ space: s, session })))
      .sort((a, b) => b.session.startTime.getTime() - a.session.startTime.getTime());
    const pageSize = state.settings.pageSize;
    const pageParam = c.req.query("page") ?? "1";
    const pageNo = /^\d+$/.test(pageParam) ? Number(pageParam) : NaN;
    const pages = Math.max(1, Math.ceil(sessions.length / pageSize));
    if (!(pageNo >= 1 && pageNo <= pages)) return detail(c, 404, "Invalid page.");
    const link = (n: number) => {
      const u = new URL(c.req.url);
      const target = new URL(`${state.baseUrl}${u.pathname}${u.search}`);
      target.searchParams.set("page", String(n));
      return target.toString();
    };
    return c.json({
      count: sessions.length,
      next: pageNo < pages ? link(pageNo + 1) : null,
      previous: pageNo > 1 ? link(pageNo - 1) : null,
      results: sessions
        .slice((pageNo - 1) * pageSize, pageNo * pageSize)
        .map(({ space, session }) => sessionJson(state, space, session)),
    });
  });

  app.get("/v2/organisations/:org/sessions/:uuid/", async (c) => {
    const gate = apiGate(state, c);
    if (gate) return gate;
    const found = state.registry.findSession(c.req.param("uuid"));
    if (!found) return detail(c, 404, "Not found.");
    return c.json(sessionJson(state, found.space, found.session));
  });
}

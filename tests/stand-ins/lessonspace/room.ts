// The classroom behind client_url: a token-checked page that joins the session, auto-refreshes to
// show who is present, and plain forms to leave, end the lesson and "say" something.
import type { Context, Hono } from "hono";
import { messagePage, roomPage } from "./classroom";
import { verifyClientToken, type ClientTokenClaims } from "./crypto";
import { participantKey, type SessionState, type SpaceState } from "./spaces";
import { page, type LessonspaceState } from "./state";

function roomLink(roomId: string, token: string, sessionId?: string): string {
  return `/room/${roomId}?token=${token}${sessionId ? `&s=${sessionId}` : ""}`;
}

/** A classroom token for this room, or a 403 page. */
function roomClaims(
  state: LessonspaceState,
  c: Context,
  roomId: string,
  token: string | undefined,
): { claims: ClientTokenClaims; space: SpaceState } | Response {
  const claims = verifyClientToken(token, state.signingKey);
  if (claims === null || claims.room !== roomId) {
    return page(
      c,
      403,
      messagePage(
        "This link is not valid",
        "The classroom link is damaged or was not made for this room. Ask for a new link from the lesson page.",
      ),
    );
  }
  const space = state.registry.byRoomId(roomId);
  if (space === undefined) return page(c, 404, messagePage("Room not found", "This classroom does not exist."));
  return { claims, space };
}

export function roomRoutes(app: Hono, state: LessonspaceState): void {
  app.get("/room/:roomId", (c) => {
    const roomId = c.req.param("roomId");
    const token = c.req.query("token") ?? "";
    const found = roomClaims(state, c, roomId, token);
    if (found instanceof Response) return found;
    const { claims, space } = found;
    const at = state.now().getTime();
    if (claims.not_after && at > Date.parse(claims.not_after)) {
      state.registry.leave(space, claims); // like Lessonspace, the room closes on whoever is still in it
      return page(
        c,
        403,
        messagePage(
          "This link has expired",
          `The classroom closed at ${claims.not_after}. Go back to the lesson page.`,
        ),
      );
    }
    if (claims.not_before && at < Date.parse(claims.not_before)) {
      return page(
        c,
        403,
        messagePage("This link is not valid yet", `The classroom opens at ${claims.not_before}. Come back then.`),
      );
    }
    const rejoin = roomLink(roomId, token);
    const seenSession = c.req.query("s");
    let session: SessionState;
    if (seenSession !== undefined) {
      // An auto-refresh of an open page only redraws it; it never joins again.
      const active = space.activeSession;
      if (active === null || active.id !== seenSession) {
        return page(c, 200, messagePage("The lesson has ended", "This session is over.", rejoin));
      }
      if (!active.present.has(participantKey(claims))) {
        return page(c, 200, messagePage("You have left the lesson", "You are no longer in the classroom.", rejoin));
      }
      session = active;
    } else {
      session = state.registry.join(space, claims);
    }
    const me = session.participants.get(participantKey(claims))!;
    return page(
      c,
      200,
      roomPage({
        space,
        session,
        me,
        token,
        refreshUrl: roomLink(roomId, token, session.id),
        refreshSeconds: state.settings.refreshSeconds,
      }),
    );
  });

  app.post("/room/:roomId/leave", async (c) => {
    const roomId = c.req.param("roomId");
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const found = roomClaims(state, c, roomId, token);
    if (found instanceof Response) return found;
    state.registry.leave(found.space, found.claims);
    return c.redirect(`/room/${roomId}/left?token=${token}`, 303);
  });

  app.post("/room/:roomId/end", async (c) => {
    const roomId = c.req.param("roomId");
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const found = roomClaims(state, c, roomId, token);
    if (found instanceof Response) return found;
    state.registry.end(found.space);
    return c.redirect(`/room/${roomId}/ended?token=${token}`, 303);
  });

  // "Saying" something: a plain form, so it works without JavaScript. Back to the room page.
  app.post("/room/:roomId/say", async (c) => {
    const roomId = c.req.param("roomId");
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const found = roomClaims(state, c, roomId, token);
    if (found instanceof Response) return found;
    const text = typeof form.text === "string" ? form.text.trim().slice(0, 2000) : "";
    const seconds =
      typeof form.seconds === "string" && /^\d{1,4}(\.\d+)?$/.test(form.seconds) ? Number(form.seconds) : undefined;
    const session = found.space.activeSession;
    if (text && state.registry.say(found.space, found.claims, text, seconds) === null) {
      return page(
        c,
        409,
        messagePage("You are not in the lesson", "Join the lesson before speaking.", roomLink(roomId, token)),
      );
    }
    return c.redirect(session ? roomLink(roomId, token, session.id) : roomLink(roomId, token), 303);
  });

  app.get("/room/:roomId/left", (c) => {
    const roomId = c.req.param("roomId");
    const token = c.req.query("token") ?? "";
    const found = roomClaims(state, c, roomId, token);
    if (found instanceof Response) return found;
    return page(c, 200, messagePage("You have left the lesson", "You can close this window.", roomLink(roomId, token)));
  });

  app.get("/room/:roomId/ended", (c) => {
    const roomId = c.req.param("roomId");
    const token = c.req.query("token") ?? "";
    const found = roomClaims(state, c, roomId, token);
    if (found instanceof Response) return found;
    return page(
      c,
      200,
      messagePage("The lesson has ended", "Thank you. You can close this window.", roomLink(roomId, token)),
    );
  });
}

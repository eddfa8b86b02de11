// /settings/notifications (each person's choice of e-mails) and /unsubscribe (the signed link in
// every e-mail, and RFC 8058 one-click posts from mail providers), against real PostgreSQL.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RouterContextProvider } from "react-router";
import { db } from "~/.server/db";
import { notificationChoices } from "~/.server/notifications/preferences";
import { securityMiddleware } from "~/.server/security";
import { signUnsubscribeToken } from "~/.server/notifications/unsubscribe-token";
import type { NotificationKind } from "~/domain/notification-kinds";
import * as settings from "~/routes/settings.notifications";
import * as unsubscribe from "~/routes/unsubscribe";
import { APP_URL, callAction, callLoader, createProfile, makeRequest, signIn } from "../support/app.ts";

type SettingsPage = {
  kinds: { kind: string; title: string }[];
  enabled: string[];
  saved: boolean;
  unsubscribedFrom: string | null;
  hasEmail: boolean;
};

async function rows(profileId: string) {
  return db.notificationPreference.findMany({
    where: { profileId },
    select: { kind: true, enabled: true },
    orderBy: { kind: "asc" },
  });
}

function enabledForm(...kinds: string[]): FormData {
  const form = new FormData();
  for (const kind of kinds) form.append("enabled", kind);
  return form;
}

const oneClickBody = () => new URLSearchParams({ "List-Unsubscribe": "One-Click" });
const oneClickHeaders = { "Content-Type": "application/x-www-form-urlencoded" };

const FAMILY_KINDS = [
  "reminder_day_before",
  "reminder_classroom_open",
  "lesson_record",
  "weekly_digest",
  "tutor_reminded",
  "learner_late",
];

describe("the settings page", () => {
  it("signed out, the page and the form send you to sign in and back here", async () => {
    const page = await callLoader(settings, "/settings/notifications");
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe(`/sign-in?redirectTo=${encodeURIComponent("/settings/notifications")}`);
    const post = await callAction(settings, "/settings/notifications", { form: enabledForm("lesson_record") });
    expect(post.status).toBe(302);
    expect(post.headers.get("Location")).toMatch(/^\/sign-in\?/);
  });

  it("everything is on by default; a parent is asked about reminders, the lesson record and the late-start notices, not the tutors' kinds", async () => {
    const parent = await createProfile({ roles: ["client"] });
    const page = (await callLoader(settings, "/settings/notifications", { cookie: await signIn(parent) }))
      .data as SettingsPage;
    expect(page.kinds.map((k) => k.kind)).toEqual(FAMILY_KINDS);
    expect(page.kinds[0]!.title).toBe("Reminder the day before");
    expect(page.kinds.find((k) => k.kind === "learner_late")!.title).toBe("Tutor is waiting");
    expect(page.enabled).toEqual(FAMILY_KINDS);
    expect(page).toMatchObject({ saved: false, unsubscribedFrom: null, hasEmail: true });
  });

  it("a tutor is asked about the review prompt and the late-start alert", async () => {
    const tutor = await createProfile({ roles: ["tutor"] });
    const page = (await callLoader(settings, "/settings/notifications", { cookie: await signIn(tutor) }))
      .data as SettingsPage;
    expect(page.kinds.map((k) => k.kind)).toEqual([
      "reminder_day_before",
      "reminder_classroom_open",
      "review_prompt",
      "tutor_late",
    ]);
  });

  it("saving turns unticked kinds off and ticked ones on, then shows the page with a confirmation", async () => {
    const parent = await createProfile({ roles: ["client"] });
    const cookie = await signIn(parent);
    const result = await callAction(settings, "/settings/notifications", {
      cookie,
      form: enabledForm("reminder_classroom_open"),
    });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/settings/notifications?saved=1");
    expect(await rows(parent.id)).toEqual([
      { kind: "learner_late", enabled: false },
      { kind: "lesson_record", enabled: false },
      { kind: "reminder_classroom_open", enabled: true },
      { kind: "reminder_day_before", enabled: false },
      { kind: "tutor_reminded", enabled: false },
      { kind: "weekly_digest", enabled: false },
    ]);
    const page = (await callLoader(settings, "/settings/notifications?saved=1", { cookie })).data as SettingsPage;
    expect(page).toMatchObject({ saved: true, enabled: ["reminder_classroom_open"] });

    // Ticking everything again (the form sends each ticked box under the same name).
    await callAction(settings, "/settings/notifications", {
      cookie,
      form: enabledForm(...FAMILY_KINDS),
    });
    expect(Object.values(await notificationChoices(parent.id)).every(Boolean)).toBe(true);
  });

  it("nothing ticked switches every offered kind off and leaves the ones not offered alone", async () => {
    const parent = await createProfile({ roles: ["client"] });
    await callAction(settings, "/settings/notifications", { cookie: await signIn(parent), form: new FormData() });
    expect(await notificationChoices(parent.id)).toEqual({
      reminder_day_before: false,
      reminder_classroom_open: false,
      lesson_record: false,
      weekly_digest: false,
      review_prompt: true,
      tutor_late: true,
      tutor_reminded: false,
      learner_late: false,
    });
  });

  it.each([["newsletter"], ["reminder_day_before", "REVIEW_PROMPT"], ["lesson_record'; DROP TABLE profiles; --"]])(
    "an unknown kind (%j) is a 400 with a message and changes nothing",
    async (...kinds) => {
      const parent = await createProfile({ roles: ["client"] });
      const cookie = await signIn(parent);
      await callAction(settings, "/settings/notifications", { cookie, form: enabledForm("reminder_day_before") });
      const before = await rows(parent.id);
      const result = await callAction(settings, "/settings/notifications", { cookie, form: enabledForm(...kinds) });
      expect(result.status).toBe(400);
      // On the group, so the page shows it beside the checkboxes.
      expect((result.data as { error?: Record<string, string[]> }).error?.enabled).toEqual([
        "Choose only messages from the list.",
      ]);
      expect(await rows(parent.id)).toEqual(before);
    },
  );

  it("says 'unsubscribed' only when that kind really is off", async () => {
    const parent = await createProfile({ roles: ["client"] });
    const cookie = await signIn(parent);
    const crafted = (await callLoader(settings, "/settings/notifications?unsubscribed=lesson_record", { cookie }))
      .data as SettingsPage;
    expect(crafted.unsubscribedFrom).toBeNull();
    const unknown = (await callLoader(settings, "/settings/notifications?unsubscribed=bogus", { cookie }))
      .data as SettingsPage;
    expect(unknown.unsubscribedFrom).toBeNull();
  });

  it("one person's choices never touch another's", async () => {
    const [a, b] = await Promise.all([createProfile(), createProfile()]);
    await callAction(settings, "/settings/notifications", { cookie: await signIn(a), form: new FormData() });
    expect(await rows(b.id)).toEqual([]);
  });
});

describe("the unsubscribe link (GET) and its button (POST)", () => {
  const link = (profileId: string, kind: NotificationKind, secret?: string) =>
    `/unsubscribe?token=${encodeURIComponent(signUnsubscribeToken({ profileId, kind }, secret))}`;
  const confirm = () => new URLSearchParams({ confirm: "unsubscribe" });
  const press = (path: string, cookie?: string) =>
    callAction(unsubscribe, path, { body: confirm(), cookie, headers: oneClickHeaders });

  it("opening the link (as a mail scanner does) changes nothing: a page names the kind and offers a button posting back", async () => {
    const parent = await createProfile({ roles: ["client"], fullName: "Paula Private" });
    for (const cookie of [undefined, await signIn(parent)]) {
      const result = await callLoader(unsubscribe, link(parent.id, "lesson_record"), { cookie });
      expect(result.status).toBe(200);
      expect(result.data).toEqual({
        state: "confirm",
        kind: "Lesson record",
        action: link(parent.id, "lesson_record"),
      });
      expect(JSON.stringify(result.data)).not.toMatch(/Paula|@/);
    }
    expect(await rows(parent.id)).toEqual([]);
  });

  it("the button, signed in as that person: switches the kind off and lands on the settings page saying so", async () => {
    const parent = await createProfile({ roles: ["client"] });
    const cookie = await signIn(parent);
    const result = await press(link(parent.id, "reminder_day_before"), cookie);
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe("/settings/notifications?unsubscribed=reminder_day_before");
    expect(await rows(parent.id)).toEqual([{ kind: "reminder_day_before", enabled: false }]);
    const page = (await callLoader(settings, result.headers.get("Location")!, { cookie })).data as SettingsPage;
    expect(page.unsubscribedFrom).toBe("Reminder the day before");
    expect(page.enabled).toEqual(FAMILY_KINDS.filter((kind) => kind !== "reminder_day_before"));
  });

  it("the button, signed out: switches it off and shows a page that names the kind and nothing about the person", async () => {
    const parent = await createProfile({ roles: ["client"], fullName: "Paula Private" });
    const result = await press(link(parent.id, "lesson_record"));
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ state: "done", kind: "Lesson record" });
    expect(JSON.stringify(result.data)).not.toMatch(/Paula|@|[0-9a-f]{8}-/);
    expect(await rows(parent.id)).toEqual([{ kind: "lesson_record", enabled: false }]);
  });

  it("the button, signed in as someone else: switches the token's person off, not the viewer, and does not show the viewer's settings as changed", async () => {
    const [parent, other] = await Promise.all([createProfile(), createProfile()]);
    const result = await press(link(parent.id, "lesson_record"), await signIn(other));
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ state: "done", kind: "Lesson record" });
    expect(await rows(parent.id)).toEqual([{ kind: "lesson_record", enabled: false }]);
    expect(await rows(other.id)).toEqual([]);
  });

  it("is idempotent: a second press changes nothing more and still confirms", async () => {
    const parent = await createProfile();
    for (let i = 0; i < 2; i++) {
      const result = await press(link(parent.id, "reminder_classroom_open"));
      expect(result.data).toEqual({ state: "done", kind: "Classroom is open" });
    }
    expect(await rows(parent.id)).toEqual([{ kind: "reminder_classroom_open", enabled: false }]);
  });

  it("a person switched back on after unsubscribing stays on until they unsubscribe again", async () => {
    const parent = await createProfile({ roles: ["client"] });
    const cookie = await signIn(parent);
    await press(link(parent.id, "lesson_record"));
    await callAction(settings, "/settings/notifications", {
      cookie,
      form: enabledForm("reminder_day_before", "reminder_classroom_open", "lesson_record"),
    });
    expect((await notificationChoices(parent.id)).lesson_record).toBe(true);
    await callLoader(unsubscribe, link(parent.id, "lesson_record"));
    expect((await notificationChoices(parent.id)).lesson_record).toBe(true);
  });

  it("a tampered token is a 400 page and changes nothing", async () => {
    const [parent, victim] = await Promise.all([createProfile(), createProfile()]);
    const token = signUnsubscribeToken({ profileId: parent.id, kind: "lesson_record" });
    const [version, , signature] = token.split(".");
    // Same signature, someone else's id in the payload.
    const forgedPayload = Buffer.from(JSON.stringify({ p: victim.id, k: "lesson_record" })).toString("base64url");
    for (const bad of [`${version}.${forgedPayload}.${signature}`, token.slice(0, -2), `${token}x`, "garbage", ""]) {
      const result = await callLoader(unsubscribe, `/unsubscribe?token=${encodeURIComponent(bad)}`);
      expect(result.status, bad).toBe(400);
      expect(result.data).toEqual({ state: "invalid" });
      const pressed = await press(`/unsubscribe?token=${encodeURIComponent(bad)}`);
      expect(pressed.status, bad).toBe(400);
    }
    const missing = await callLoader(unsubscribe, "/unsubscribe");
    expect(missing.status).toBe(400);
    expect(await rows(parent.id)).toEqual([]);
    expect(await rows(victim.id)).toEqual([]);
  });

  it("a token signed with another secret is a 400 and changes nothing", async () => {
    const parent = await createProfile();
    const result = await press(link(parent.id, "lesson_record", "some-other-secret-of-at-least-32-characters"));
    expect(result.status).toBe(400);
    expect(await rows(parent.id)).toEqual([]);
  });

  it("a good token for a person who no longer exists confirms and writes nothing", async () => {
    const before = await db.notificationPreference.count();
    const gone = randomUUID();
    const result = await press(link(gone, "lesson_record"));
    expect(result.status).toBe(200);
    expect(await rows(gone)).toEqual([]);
    expect(await db.notificationPreference.count()).toBe(before);
  });
});

describe("one-click unsubscribe (POST, RFC 8058)", () => {
  const oneClick = (path: string, body: BodyInit = oneClickBody(), headers: Record<string, string> = oneClickHeaders) =>
    // Mail providers post from their servers: no cookie, no Origin, no Sec-Fetch-Site.
    new Request(new URL(path, APP_URL), { method: "POST", body, headers });

  async function throughTheApp(request: Request, module: { action?: unknown }) {
    let ran = false;
    const response = (await securityMiddleware(
      { request, params: {}, context: new RouterContextProvider(), unstable_pattern: "" } as never,
      async () => {
        ran = true;
        const result = await (module.action as (args: unknown) => Promise<unknown>)({
          request,
          url: new URL(request.url),
          params: {},
          context: new RouterContextProvider(),
        });
        const init = (result as { init?: ResponseInit }).init ?? {};
        return new Response(JSON.stringify((result as { data?: unknown }).data), { status: init.status ?? 200 });
      },
    )) as Response;
    return { ran, status: response.status, body: await response.text() };
  }

  const path = (profileId: string, kind: NotificationKind = "reminder_day_before", secret?: string) =>
    `/unsubscribe?token=${encodeURIComponent(signUnsubscribeToken({ profileId, kind }, secret))}`;

  it("answers 200 and switches the kind off, passing the cross-site refusal", async () => {
    const parent = await createProfile();
    const result = await throughTheApp(oneClick(path(parent.id)), unsubscribe);
    expect(result).toMatchObject({ ran: true, status: 200 });
    expect(await rows(parent.id)).toEqual([{ kind: "reminder_day_before", enabled: false }]);
  });

  it("passes even when the provider sends a foreign Origin and Sec-Fetch-Site (a browser-based client)", async () => {
    const parent = await createProfile();
    const request = oneClick(path(parent.id), oneClickBody(), {
      ...oneClickHeaders,
      Origin: "https://mail.example",
      "Sec-Fetch-Site": "cross-site",
    });
    expect(await throughTheApp(request, unsubscribe)).toMatchObject({ ran: true, status: 200 });
    expect(await rows(parent.id)).toEqual([{ kind: "reminder_day_before", enabled: false }]);
  });

  it("takes a multipart body too, and a repeat is still a 200 with nothing more changed", async () => {
    const parent = await createProfile();
    const form = new FormData();
    form.append("List-Unsubscribe", "One-Click");
    for (let i = 0; i < 2; i++) {
      const result = await callAction(unsubscribe, path(parent.id), { body: form });
      expect(result.status).toBe(200);
    }
    expect(await rows(parent.id)).toEqual([{ kind: "reminder_day_before", enabled: false }]);
  });

  it("a tampered token or one signed with another secret is a 400 and changes nothing", async () => {
    const parent = await createProfile();
    const tampered = path(parent.id).slice(0, -3);
    for (const bad of [
      tampered,
      path(parent.id, "reminder_day_before", "some-other-secret-of-at-least-32-characters"),
    ]) {
      const result = await throughTheApp(oneClick(bad), unsubscribe);
      expect(result.status, bad).toBe(400);
    }
    expect(await rows(parent.id)).toEqual([]);
  });

  it("a post without List-Unsubscribe=One-Click is a 400 and changes nothing", async () => {
    const parent = await createProfile();
    for (const body of [new URLSearchParams({ "List-Unsubscribe": "yes" }), new URLSearchParams(), "not a form"]) {
      const result = await throughTheApp(oneClick(path(parent.id), body), unsubscribe);
      expect(result.status).toBe(400);
    }
    expect(await rows(parent.id)).toEqual([]);
  });

  it("reads no cookie: a signed-in stranger's post with a bad token changes nothing of theirs", async () => {
    const stranger = await createProfile();
    const cookie = await signIn(stranger);
    const result = await callAction(unsubscribe, "/unsubscribe?token=u1.abc.def", {
      body: oneClickBody(),
      headers: { ...oneClickHeaders, Cookie: cookie },
    });
    expect(result.status).toBe(400);
    expect(await rows(stranger.id)).toEqual([]);
  });

  it("the exemption is this path only: a cross-site post to the settings form, or below /unsubscribe, is still refused", async () => {
    const parent = await createProfile();
    const cookie = await signIn(parent);
    const foreign = { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site", Cookie: cookie };
    const forged = makeRequest("/settings/notifications", { method: "POST", form: enabledForm(), headers: foreign });
    expect(await throughTheApp(forged, settings)).toMatchObject({ ran: false, status: 403 });
    for (const near of ["/unsubscribe/", "/unsubscribe/x", "/unsubscribed", "/settings/notifications?x=/unsubscribe"]) {
      const request = makeRequest(`${near}${near.includes("?") ? "&" : "?"}token=x`, {
        method: "POST",
        body: oneClickBody(),
        headers: { ...oneClickHeaders, ...foreign },
      });
      expect((await throughTheApp(request, settings)).status, near).toBe(403);
    }
    expect(await rows(parent.id)).toEqual([]);
  });
});

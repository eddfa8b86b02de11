import { data, redirect } from "react-router";
import { viewerFrom } from "~/.server/auth";
import type { SiteHeaderHandle } from "~/components/SiteHeader";
import { switchOffNotification } from "~/.server/notifications/preferences";
import { verifyUnsubscribeToken } from "~/.server/notifications/unsubscribe-token";
import { NOTIFICATION_LABELS } from "~/domain/notification-kinds";
import type { Route } from "./+types/unsubscribe";

// The link in every e-mail's footer and List-Unsubscribe header (docs/decisions/0045-email-choices-and-one-click-unsubscribe.md). The signed
// token names who stops receiving which kind, so it works without a sign-in:
// - GET (a person following the link) switches that kind off, then shows the settings page with the
//   change applied when they are signed in as that person, else a small page naming only the kind;
// - POST with List-Unsubscribe=One-Click (RFC 8058, sent by the mail provider's servers with no
//   cookies) switches it off and answers 200. The cross-site refusal lets exactly this path through
//   (app/.server/security.ts); this action reads no cookie, the token is its only authority.
// Both are idempotent. A bad token is a 400 page and changes nothing.

export const meta: Route.MetaFunction = () => [{ title: "Unsubscribe · Tutorwise Classroom" }];

// Reached without signing in, and by anyone a forwarded e-mail reaches: the page names no one.
export const handle: SiteHeaderHandle = { siteHeader: false };

const INVALID = { state: "invalid" as const };

export async function loader({ context, url }: Route.LoaderArgs) {
  const claims = verifyUnsubscribeToken(url.searchParams.get("token"));
  if (!claims) return data(INVALID, { status: 400 });
  await switchOffNotification(claims.profileId, claims.kind);
  const { viewer } = await viewerFrom(context);
  if (viewer?.id === claims.profileId) throw redirect(`/settings/notifications?unsubscribed=${claims.kind}`);
  return data({ state: "done" as const, kind: NOTIFICATION_LABELS[claims.kind].title });
}

export async function action({ request, url }: Route.ActionArgs) {
  const claims = verifyUnsubscribeToken(url.searchParams.get("token"));
  if (!claims) return data(INVALID, { status: 400 });
  let oneClick = false;
  try {
    oneClick = (await request.formData()).get("List-Unsubscribe") === "One-Click";
  } catch {
    // Not a form body: not a one-click request.
  }
  if (!oneClick) return data({ state: "not-one-click" as const }, { status: 400 });
  await switchOffNotification(claims.profileId, claims.kind);
  return data({ state: "done" as const, kind: NOTIFICATION_LABELS[claims.kind].title });
}

export default function Unsubscribe({ loaderData, actionData }: Route.ComponentProps) {
  const page = actionData ?? loaderData;
  return (
    <main className="page narrow">
      <p>
        <a className="brand" href="/">
          Tutorwise Classroom
        </a>
      </p>
      {page.state === "done" ? (
        <>
          <h1>You are unsubscribed</h1>
          <p className="success" role="status">
            You will no longer get “{page.kind}” e-mails.
          </p>
        </>
      ) : page.state === "not-one-click" ? (
        <>
          <h1>Nothing changed</h1>
          <p>This address unsubscribes when you open the link in your e-mail. Nothing was changed.</p>
        </>
      ) : (
        <>
          <h1>This unsubscribe link does not work</h1>
          <p>It may have been cut short or changed on its way. Nothing was changed.</p>
        </>
      )}
      <p>
        <a href="/sign-in?redirectTo=%2Fsettings%2Fnotifications">Sign in to choose which e-mails you get</a>
      </p>
    </main>
  );
}

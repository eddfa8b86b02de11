import { data, redirect } from "react-router";
import { viewerFrom } from "~/.server/auth";
import type { SiteHeaderHandle } from "~/components/SiteHeader";
import { switchOffNotification } from "~/.server/notifications/preferences";
import { verifyUnsubscribeToken } from "~/.server/notifications/unsubscribe-token";
import { NOTIFICATION_LABELS } from "~/domain/notification-kinds";
import type { Route } from "./+types/unsubscribe";

// The link in every e-mail's footer and List-Unsubscribe header
// (docs/decisions/0045-email-choices-and-one-click-unsubscribe.md). The signed token names who stops
// receiving which kind, so it works without a sign-in:
// - GET (a person following the link, or a mail scanner fetching it) changes nothing: it shows a page
//   naming only the kind, with an Unsubscribe button that posts back here (a plain form);
// - POST from that button switches the kind off, then lands on the settings page saying so when the
//   signed-in viewer is the token's person (the cookie only chooses the page), else a "done" page;
// - POST with List-Unsubscribe=One-Click (RFC 8058, sent by the mail provider's servers with no
//   cookies) switches it off and answers 200 without reading any cookie.
// The cross-site refusal lets posts to exactly this path through (app/.server/security.ts): the
// token is the only authority, so a forged post can do nothing the link cannot. Both posts are
// idempotent. A bad token is a 400 page and changes nothing.

export const meta: Route.MetaFunction = () => [{ title: "Unsubscribe · Tutorwise Classroom" }];

// Reached without signing in, and by anyone a forwarded e-mail reaches: the page names no one.
export const handle: SiteHeaderHandle = { siteHeader: false };

const INVALID = { state: "invalid" as const };

export function loader({ url }: Route.LoaderArgs) {
  const token = url.searchParams.get("token");
  const claims = verifyUnsubscribeToken(token);
  if (!claims || !token) return data(INVALID, { status: 400 });
  return data({
    state: "confirm" as const,
    kind: NOTIFICATION_LABELS[claims.kind].title,
    action: `/unsubscribe?${new URLSearchParams({ token })}`,
  });
}

export async function action({ context, request, url }: Route.ActionArgs) {
  const claims = verifyUnsubscribeToken(url.searchParams.get("token"));
  if (!claims) return data(INVALID, { status: 400 });
  let form: FormData | null = null;
  try {
    form = await request.formData();
  } catch {
    // Not a form body: neither a one-click request nor our button.
  }
  const oneClick = form?.get("List-Unsubscribe") === "One-Click";
  const confirmed = form?.get("confirm") === "unsubscribe";
  if (!oneClick && !confirmed) return data({ state: "not-confirmed" as const }, { status: 400 });
  await switchOffNotification(claims.profileId, claims.kind);
  const done = { state: "done" as const, kind: NOTIFICATION_LABELS[claims.kind].title };
  if (oneClick) return data(done);
  const { viewer } = await viewerFrom(context);
  if (viewer?.id === claims.profileId) throw redirect(`/settings/notifications?unsubscribed=${claims.kind}`, 303);
  return data(done);
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
      {page.state === "confirm" ? (
        <>
          <h1>Unsubscribe from “{page.kind}” e-mails?</h1>
          <p>You will no longer get “{page.kind}” e-mails. Nothing changes until you press the button.</p>
          <form method="post" action={page.action}>
            <input type="hidden" name="confirm" value="unsubscribe" />
            <button type="submit">Unsubscribe</button>
          </form>
        </>
      ) : page.state === "done" ? (
        <>
          <h1>You are unsubscribed</h1>
          <p className="success" role="status">
            You will no longer get “{page.kind}” e-mails.
          </p>
        </>
      ) : page.state === "not-confirmed" ? (
        <>
          <h1>Nothing changed</h1>
          <p>Open the link in your e-mail and press Unsubscribe. Nothing was changed.</p>
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

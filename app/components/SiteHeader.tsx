import { useLocation, type UIMatch } from "react-router";
import type { Viewer } from "~/domain/viewer";

/**
 * A page without the site header says so with `export const handle = { siteHeader: false }`: the
 * classroom (its own slim bar), the launch's error pages, unsubscribe. Every other page shows it
 * to whoever is signed in (the root renders it); error pages do not, as the root's boundary
 * replaces the root's component.
 */
export type SiteHeaderHandle = { siteHeader?: false };

export function wantsSiteHeader(matches: UIMatch[]): boolean {
  return matches.every((match) => (match.handle as SiteHeaderHandle | undefined)?.siteHeader !== false);
}

/** Brand, the signed-in person, their time zone (every time on the page is in it) and sign-out. */
export function SiteHeader({ viewer }: { viewer: Pick<Viewer, "fullName" | "timeZone"> }) {
  const location = useLocation();
  // On the settings page itself, keep its own way back rather than nesting one in another.
  const here =
    location.pathname === "/settings/time-zone"
      ? (new URLSearchParams(location.search).get("returnTo") ?? "/")
      : location.pathname + location.search;
  const returnTo = encodeURIComponent(here);
  return (
    <header className="site-header">
      <a className="brand" href="/">
        Tutorwise Classroom
      </a>
      <form method="post" action="/sign-out" className="site-header-user">
        <span className="muted">{viewer.fullName}</span>
        <span className="muted" aria-hidden="true">
          ·
        </span>
        <a href={`/settings/time-zone?returnTo=${returnTo}`}>Time zone: {viewer.timeZone}</a>
        <span className="muted" aria-hidden="true">
          ·
        </span>
        <a href="/settings/notifications">E-mails</a>
        <span className="muted" aria-hidden="true">
          ·
        </span>
        <a href="/settings/privacy">Privacy</a>
        <span className="muted" aria-hidden="true">
          ·
        </span>
        <button type="submit" className="link">
          Sign out
        </button>
      </form>
    </header>
  );
}

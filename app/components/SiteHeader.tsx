import type { Viewer } from "~/.server/auth";

export function SiteHeader({ viewer }: { viewer: Pick<Viewer, "fullName" | "timeZone"> }) {
  return (
    <header className="site-header">
      <a className="brand" href="/">
        Tutorwise Classroom
      </a>
      <form method="post" action="/sign-out">
        <span className="muted">{viewer.fullName} · </span>
        <button type="submit" className="link">
          Sign out
        </button>
      </form>
    </header>
  );
}

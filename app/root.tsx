import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteLoaderData,
} from "react-router";
import type { Route } from "./+types/root";
import { viewerFrom, viewerMiddleware } from "./.server/auth";
import { nonceContext, securityMiddleware } from "./.server/security";
import { SiteHeader, wantsSiteHeader } from "./components/SiteHeader";
// The stylesheet travels inside each page (docs/decisions/0081-first-paint-before-scripts.md).
import styles from "./styles.css?inline";

export const middleware: Route.MiddlewareFunction[] = [securityMiddleware, viewerMiddleware];

export const links: Route.LinksFunction = () => [{ rel: "icon", href: "/favicon.svg", type: "image/svg+xml" }];

// The one place a page learns who is signed in for its header; the page's own loader shares the
// same verification (viewerMiddleware). A failed lookup is reported by the page's loader, which
// asks too: the document itself must still render, with its nonce.
export async function loader({ context }: Route.LoaderArgs) {
  const viewer = await viewerFrom(context).then(
    (result) => result.viewer,
    () => null,
  );
  return {
    nonce: context.get(nonceContext),
    viewer: viewer ? { fullName: viewer.fullName, timeZone: viewer.timeZone } : null,
  };
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const nonce = data?.nonce;
  return (
    <html lang="en-GB">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        {/* The whole stylesheet (1.6 KB gzipped), so the first paint waits for no request: on a slow
            link a stylesheet shares it with the module scripts and paints late. */}
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: styles }} />
        {/* The nonce the server used, also when hydrating: browsers hide it from the DOM, and React
            (in development) reports a link rendered without it as a mismatch. */}
        <Links nonce={nonce} />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App({ loaderData }: Route.ComponentProps) {
  const matches = useMatches();
  const { viewer } = loaderData;
  return (
    <>
      {viewer && wantsSiteHeader(matches) ? <SiteHeader viewer={viewer} /> : null}
      <Outlet />
    </>
  );
}

// Pages that fail into this boundary keep their Retry-After (a 503 while the database is away).
export function headers({ errorHeaders }: Route.HeadersArgs) {
  const retryAfter = errorHeaders?.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : {};
}

export function meta() {
  return [{ title: "Tutorwise Classroom" }];
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  let title = "Something went wrong";
  let message = "We could not show this page. Please try again in a moment.";
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = "Page not found";
      message = "There is nothing here, or it is not yours to see.";
    } else if (error.status === 503) {
      title = "Tutorwise is briefly unavailable";
      message = "We could not reach our database. Please try again in a minute.";
    } else if (typeof error.data === "string" && error.data) {
      message = error.data;
    }
  }
  return (
    <main className="page narrow">
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Back to your lessons</a>
      </p>
    </main>
  );
}

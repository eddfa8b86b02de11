import type { Config } from "@react-router/dev/config";

export default {
  ssr: true,
  // Separate build folders let several Playwright runs share one checkout.
  buildDirectory: process.env.BUILD_DIR ?? "build",
  // Cross-site posts are refused by app/.server/security.ts on every route (403 with a message),
  // judging Sec-Fetch-Site, Origin and Referer against APP_URL too. React Router's own check on UI
  // routes would answer first with a bare 400, and refuses every post behind a TLS-terminating load
  // balancer (it compares Origin https://… with the http://… the server sees), so it is left open.
  allowedActionOrigins: ["**"],
  // The whole route manifest (~20 routes) is one immutable, cached script, loaded with the app's
  // code. The default ("lazy") inlines the matched routes' part of it into every page, built per
  // request, and after hydration asks /__manifest about the routes the page's <Form>s and <Link>s
  // lead to: a second request per page view, and on a slow link a round trip before a form submits.
  routeDiscovery: { mode: "initial" },
  future: {
    v8_middleware: true,
    v8_trailingSlashAwareDataRequests: true,
    v8_splitRouteModules: true,
    v8_viteEnvironmentApi: true,
    // Loaders and actions get the HTTP request as it came (one Request object less per request);
    // what they read of the address comes from their `url` argument, which has React Router's
    // `.data` suffix and `_routes` parameter taken off.
    v8_passThroughRequests: true,
    // `npm run dev`: Vite's dependency scanner starts from the client entry and every route module,
    // so the packages they use are pre-bundled at start. Without it they were found on the first page
    // view, and Vite's re-bundling reloaded that page with two copies of React ("Invalid hook call").
    unstable_optimizeDeps: true,
  },
} satisfies Config;

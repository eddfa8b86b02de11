import type { Config } from "@react-router/dev/config";

export default {
  ssr: true,
  // Separate build folders let several Playwright runs share one checkout.
  buildDirectory: process.env.BUILD_DIR ?? "build",
  future: {
    v8_middleware: true,
    v8_trailingSlashAwareDataRequests: true,
    v8_splitRouteModules: true,
    v8_viteEnvironmentApi: true,
  },
} satisfies Config;

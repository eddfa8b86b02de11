import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [reactRouter()],
  resolve: { tsconfigPaths: true },
  server: { host: "127.0.0.1" },
  // Rolldown's timing note names React Router's own route transform on a 2-core machine: nothing
  // here can act on it, and a warning in every build hides the ones that matter.
  build: { rolldownOptions: { checks: { bundlerTimings: false } } },
});

import { defineConfig } from "vite";

// The second half of `npm run build`: compiles server.ts (and what it imports from app/) into
// <build>/server.js beside React Router's build, and scripts/worker.ts (`npm run worker`) into
// <build>/worker.js, so production runs plain JavaScript
// (`node build/server.js`) with no TypeScript loader. Packages stay imports from node_modules.
export default defineConfig({
  logLevel: "warn",
  publicDir: false,
  build: {
    ssr: true,
    // BUILD_DIR as react-router.config.ts reads it, so each build folder gets its own server.
    outDir: process.env.BUILD_DIR ?? "build",
    emptyOutDir: false,
    copyPublicDir: false,
    target: "node20",
    rolldownOptions: {
      input: { server: "server.ts", worker: "scripts/worker.ts" },
      output: { entryFileNames: "[name].js", chunkFileNames: "server-chunks/[name]-[hash].js" },
    },
  },
});

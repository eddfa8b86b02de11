import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Standalone on purpose: the React Router plugin in vite.config.ts is for the app build, not for tests.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    // Vitest's default leaves one core free, which is no parallelism on a 2-core CI machine;
    // integration tests mostly wait on PostgreSQL, so two workers pay off there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["app/**/*.test.{ts,tsx}"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "stand-ins",
          include: ["tests/stand-ins/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.{ts,tsx}"],
          environment: "node",
          // One embedded PostgreSQL per run with a migrated template; every test file gets its own clone.
          globalSetup: ["tests/support/global-setup.ts"],
          setupFiles: [
            "tests/support/per-file-database.ts",
            "tests/support/per-file-stand-ins.ts",
            "tests/support/logs.ts",
          ],
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

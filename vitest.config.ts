import { defineConfig } from "vitest/config";

const alias = { "@": import.meta.dirname };

/**
 * unit:        pure code, no services (`*.test.ts` next to the code).
 * integration: real database + shared store (`*.int.test.ts`, `tests/**`); TEST_BACKEND=postgres (PostgreSQL + Redis)
 *              or pglite (PGlite + memory store) — scripts/test-all.sh runs it for both.
 * e2e:         a production build driven by Chromium (`e2e/**`).
 * chaos:       the production build on PostgreSQL + Redis behind TCP proxies that cut or hang (`chaos/**`,
 *              `npm run test:chaos`); reuses the e2e build (E2E_REUSE_BUILD=1 after an e2e run).
 */
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "lib/**/*.test.tsx", "app/**/*.test.ts", "app/**/*.test.tsx", "components/**/*.test.ts", "components/**/*.test.tsx", "scripts/**/*.test.ts", "tests/ops/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["lib/**/*.int.test.ts", "app/**/*.int.test.ts", "tests/**/*.test.ts"],
          exclude: ["tests/ops/**", "**/node_modules/**"], // ops checks need no database (unit project)
          setupFiles: ["tests/setup/backend.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          include: ["e2e/**/*.test.ts"],
          globalSetup: ["e2e/support/global-setup.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "chaos",
          include: ["chaos/**/*.test.ts"],
          globalSetup: ["e2e/support/global-setup.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

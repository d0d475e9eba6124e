import { defineConfig } from "vitest/config";

// Two cores per machine: at most two test files run at once. Each file gets its own database.
export default defineConfig({
  test: {
    pool: "forks",
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Long randomized runs: one file at a time, on its own (they load the database hard).
        extends: true,
        test: {
          name: "soak",
          include: ["test/soak/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 60_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});

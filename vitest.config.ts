import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node loads index.js for type-graphql and Apollo while Vite
    // would resolve our own imports to index.mjs, giving two graphql realms. Pin one.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(import.meta.resolve("graphql")) }],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most test files wait on servers, browsers and child processes rather than compute: at least
    // two run at once, also on a 2-core machine where Vitest's default (cores − 1) runs one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});

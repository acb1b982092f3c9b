import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Vitest defaults to one worker less than the CPU count: a single worker on the 2-core machines
    // this runs on. Many suites wait on real tools (nginx, promtool, kubectl, the CLI), so two
    // workers keep both cores busy.
    maxWorkers: 2,
    // Test files share a worker's module cache instead of re-importing cdk8s and the generated CRD
    // types for every file (most of the suite's import time); no test mutates module state.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

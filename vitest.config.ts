import { defineConfig } from 'vitest/config';

// One runner for everything: unit tests, kernel tests on Dawn (Node), oracle tests against llama.cpp,
// and Playwright-driven browser tests (e2e/). SwiftShader is slow and the machine has 2 cores, so
// timeouts are generous and files run in at most 2 forked workers.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    environment: 'node',
    reporters: ['default', './test/summary-reporter.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    env: {
      XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp',
    },
  },
});

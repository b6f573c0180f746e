import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Integration suites start their own embedded engines; two cores cannot run many at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The workers' FailedRecords EMF documents stay out of the test output; the shell's own test
    // turns them back on for the instance it injects.
    env: { POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // The interop suites start real servers on 127.0.0.1; two cores are enough for two at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});

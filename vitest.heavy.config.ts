import { defineConfig } from 'vitest/config';

// `npm run test:heavy`: suites too slow or too demanding for `npm test` (failover with a streaming standby,
// PgBouncer, multi-million-row streams). Run one file at a time: they start servers of their own.
export default defineConfig({
  test: {
    include: ['test/heavy/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

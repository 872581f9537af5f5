import { defineConfig } from 'vitest/config';

// `npm test`: unit, fake-server and integration suites against one embedded PostgreSQL (under ~10 minutes).
// The heavy suites (failover, PgBouncer, huge streams) live in test/heavy and run with vitest.heavy.config.ts.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/fake-server/**/*.test.ts', 'test/integration/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

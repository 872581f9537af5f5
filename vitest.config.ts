import { defineConfig } from 'vitest/config';

// `npm test`: unit, fake-server and integration suites against one embedded PostgreSQL (under ~10 minutes).
// The heavy suites (failover, PgBouncer, huge streams) live in test/heavy and run with vitest.heavy.config.ts.
// The Kysely integration tests run twice: against the devDependency `kysely` (0.28) and, with `kysely` resolved
// to the `kysely-0.29` alias for the tests and pgjet's sources alike, against Kysely 0.29.
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'pgjet',
          include: ['test/unit/**/*.test.ts', 'test/fake-server/**/*.test.ts', 'test/integration/**/*.test.ts'],
          env: { KYSELY_LINE: '0.28' },
        },
      },
      {
        extends: true,
        resolve: { alias: { kysely: 'kysely-0.29' } },
        test: {
          name: 'kysely-0.29',
          include: ['test/integration/kysely/**/*.test.ts'],
          env: { KYSELY_LINE: '0.29' },
        },
      },
    ],
  },
});

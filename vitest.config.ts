import { defineConfig } from 'vitest/config';

// `npm test`: unit, fake-server and integration suites against one embedded PostgreSQL (under ~10 minutes).
// The heavy suites (failover, PgBouncer, huge streams) live in test/heavy and run with vitest.heavy.config.ts.
// The Drizzle tests run a second time against the oldest supported drizzle-orm minor (the npm alias
// drizzle-orm-0.44), and the Kysely tests against Kysely 0.29 (`kysely` resolved to the `kysely-0.29` alias for the
// tests and pgjet's sources alike), after the main project (groupOrder), so a re-run never shares a schema with
// the main project's run of the same files.
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
          env: { PGJET_DRIZZLE_MINOR: '0.45', KYSELY_LINE: '0.28' },
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        resolve: { alias: [{ find: /^drizzle-orm(?=\/|$)/, replacement: 'drizzle-orm-0.44' }] },
        test: {
          name: 'drizzle-orm 0.44',
          include: ['test/integration/drizzle/**/*.test.ts'],
          env: { PGJET_DRIZZLE_MINOR: '0.44' },
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        resolve: { alias: { kysely: 'kysely-0.29' } },
        test: {
          name: 'kysely-0.29',
          include: ['test/integration/kysely/**/*.test.ts'],
          env: { KYSELY_LINE: '0.29' },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

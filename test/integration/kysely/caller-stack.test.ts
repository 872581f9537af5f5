/**
 * A database error raised through Kysely on pgjet names the application's frame, as Kysely's PostgresDriver
 * arranges for node-postgres: pgjet's verbs re-stamp the stack where the caller's awaits are still visible.
 */
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { testDsn } from '../../support/env.js';

const pool = createPool(testDsn(), { maxSize: 2 });
const db = new Kysely<Record<string, never>>({ dialect: new PgjetDialect({ pool }) });
afterAll(async () => {
  await db.destroy();
  await pool.close();
});

async function applicationCodeThatFails(): Promise<void> {
  await sql`SELECT 1 / 0`.execute(db);
}

describe('pgjet/kysely errors', () => {
  it('carry the calling function in their stack, once', async () => {
    const err = (await applicationCodeThatFails().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/division by zero/);
    expect(err.stack).toContain('applicationCodeThatFails');
    expect(err.stack?.split('applicationCodeThatFails').length).toBe(2);
  });
});

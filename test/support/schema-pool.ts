/**
 * A schema of its own for one test file (test files run in parallel against one database), and a pool whose
 * sessions use it through `serverSettings.search_path`.
 */
import { connect, createPool, quoteIdentifier, type Pool, type PoolConfig } from '../../src/index.js';
import { testDsn } from './env.js';

/** Drops and recreates `schema` (as the superuser), then opens a pool whose search_path is that schema. */
export async function schemaPool(schema: string, options: PoolConfig = {}): Promise<Pool> {
  await resetSchema(schema);
  const pool = createPool(testDsn(), { maxSize: 4, ...options, serverSettings: { search_path: schema, ...options.serverSettings } });
  await pool.ready();
  return pool;
}

/** Drops `schema` with everything in it and creates it empty. */
export async function resetSchema(schema: string): Promise<void> {
  const conn = await connect(testDsn());
  try {
    const name = quoteIdentifier(schema);
    await conn.execute(`DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name}`);
  } finally {
    await conn.close();
  }
}

/**
 * Each Drizzle test file's own copy of the tests' schema: the PostgreSQL schema is dropped, then created from
 * the SQL drizzle-kit generates for it at test time (drizzle-kit's programmatic API, the same generator as
 * `drizzle-kit generate`), run through pgjet/drizzle itself.
 */
import { sql } from 'drizzle-orm';
import { connect, createPool, quoteIdentifier, type Pool } from '../../../src/index.js';
import { drizzle } from '../../../src/integrations/drizzle/index.js';
import { testDsn } from '../../support/env.js';
import { appSchema } from './schema.js';

/** A pool, a Drizzle database with the relational schema, and the tables, all in PostgreSQL schema `name`. */
export async function drizzleFixture(name: string, poolSize = 4) {
  const conn = await connect(testDsn());
  try {
    await conn.execute(`DROP SCHEMA IF EXISTS ${quoteIdentifier(name)} CASCADE`);
  } finally {
    await conn.close();
  }
  const app = appSchema(name);
  const pool: Pool = createPool(testDsn(), { minSize: 1, maxSize: poolSize });
  const db = drizzle(pool, { schema: app });
  const { generateDrizzleJson, generateMigration } = await import('drizzle-kit/api');
  const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(app));
  for (const statement of statements) await db.execute(sql.raw(statement));
  return { app, pool, db };
}

import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { schemaPool } from '../../support/schema-pool.js';

interface Database {
  item: { id: number; label: string };
}

let pool: Pool;
let db: Kysely<Database>;

beforeAll(async () => {
  pool = await schemaPool('kysely_stream', { maxSize: 2 });
  db = new Kysely<Database>({ dialect: new PgjetDialect({ pool }) });
  await sql`CREATE TABLE item AS SELECT g AS id, 'item ' || g AS label FROM generate_series(1, 10000) g`.execute(db);
  await sql`CREATE SEQUENCE produced`.execute(db);
});

afterAll(async () => {
  await db.destroy();
});

describe('.stream()', () => {
  it('streams 10,000 rows in chunks, in order, and returns the connection', async () => {
    let count = 0;
    let last = 0;
    for await (const row of db.selectFrom('item').selectAll().orderBy('id').stream(1000)) {
      count++;
      expect(row.id).toBe(last + 1);
      last = row.id;
    }
    expect(count).toBe(10_000);
    expect(row0Label(await db.selectFrom('item').select('label').where('id', '=', 10_000).executeTakeFirstOrThrow())).toBe('item 10000');
    expect(pool.stats()).toMatchObject({ borrowed: 0 });
  });

  it('works inside a transaction, on the transaction connection', async () => {
    const n = await db.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ id: 10_001, label: 'extra' }).execute();
      let seen = 0;
      for await (const _row of trx.selectFrom('item').select('id').where('id', '>', 9_990).stream(3)) seen++;
      return seen;
    });
    expect(n).toBe(11);
    expect(pool.stats()).toMatchObject({ borrowed: 0 });
  });

  it('leaving the loop early releases the connection', async () => {
    let seen = 0;
    for await (const _row of db.selectFrom('item').select('id').stream(100)) {
      if (++seen === 150) break;
    }
    expect(seen).toBe(150);
    expect(pool.stats()).toMatchObject({ borrowed: 0 });
    expect(await db.selectFrom('item').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).toEqual({ n: '10001' }); // count(*) is int8: a string, as on pg
  });

  it('rows are produced on demand through a pgjet cursor, not all at once', async () => {
    // Each row calls nextval: the sequence shows how many rows the server has produced when the loop stops.
    const query = db.selectFrom('item').select(sql<string>`nextval('produced')`.as('n'));
    for await (const _row of query.stream(500)) break;
    const produced = (await sql<{ v: string }>`SELECT last_value AS v FROM produced`.execute(db)).rows[0].v;
    expect(Number(produced)).toBeLessThan(2_000);
  });

  it('refuses a chunk size that is not a positive integer', async () => {
    const iterate = async (): Promise<void> => {
      for await (const _row of db.selectFrom('item').select('id').stream(0)) break;
    };
    await expect(iterate()).rejects.toThrow(/chunkSize must be a positive integer/);
    expect(pool.stats()).toMatchObject({ borrowed: 0 });
  });
});

function row0Label(row: { label: string }): string {
  return row.label;
}

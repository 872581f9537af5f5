/**
 * Result types follow the call: `rowMode: 'array'` rows are typed (and are) arrays on every query surface, and
 * server errors carry their SQLSTATE as a literal type. Each case checks the value at run time and its type at
 * compile time (`npm run typecheck` fails on a wrong `expectTypeOf`).
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  connect,
  createPool,
  type Connection,
  DatabaseError,
  IntegrityConstraintViolationError,
  type Pool,
  type Row,
  UniqueViolationError,
} from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;
let pool: Pool;

beforeAll(async () => {
  conn = await connect(testDsn());
  pool = createPool(testDsn(), { maxSize: 2 });
});
afterAll(async () => {
  await conn.close();
  await pool.close();
});

const SQL = "SELECT 1::int4 AS n, 'a'::text AS n";

describe("rowMode: 'array'", () => {
  it('types rows as arrays on a connection, keeping duplicate column names', async () => {
    const rows = await conn.fetch(SQL, [], { rowMode: 'array' });
    expectTypeOf(rows).toEqualTypeOf<unknown[][]>();
    expect(rows).toEqual([[1, 'a']]);

    const row = await conn.fetchRow(SQL, [], { rowMode: 'array' });
    expectTypeOf(row).toEqualTypeOf<unknown[] | null>();
    expect(row).toEqual([1, 'a']);

    const result = await conn.query(SQL, [], { rowMode: 'array' });
    expectTypeOf(result.rows).toEqualTypeOf<unknown[][]>();
    expect(result.rows).toEqual([[1, 'a']]);

    const many = await conn.fetchMany('SELECT $1::int4 AS v', [[1], [2]], { rowMode: 'array' });
    expectTypeOf(many).toEqualTypeOf<unknown[][]>();
    expect(many).toEqual([[1], [2]]);

    const streamed: unknown[][] = [];
    for await (const r of conn.cursor('SELECT generate_series(1, 3) AS v', [], { rowMode: 'array', prefetch: 2 })) {
      expectTypeOf(r).toEqualTypeOf<unknown[]>();
      streamed.push(r);
    }
    expect(streamed).toEqual([[1], [2], [3]]);
  });

  it('takes an explicit tuple type, and stays Row without the option', async () => {
    const tuples = await conn.fetch<[number, string]>(SQL, [], { rowMode: 'array' });
    expectTypeOf(tuples).toEqualTypeOf<[number, string][]>();
    expect(tuples[0][1]).toBe('a');

    const objects = await conn.fetch("SELECT 1::int4 AS n");
    expectTypeOf(objects).toEqualTypeOf<Row[]>();
    expect(objects).toEqual([{ n: 1 }]);

    const explicitObject = await conn.fetch("SELECT 1::int4 AS n", [], { rowMode: 'object' });
    expectTypeOf(explicitObject).toEqualTypeOf<Row[]>();
    expect(explicitObject).toEqual([{ n: 1 }]);
  });

  it('works the same on a pool, a transaction and a prepared statement', async () => {
    const fromPool = await pool.fetch(SQL, [], { rowMode: 'array' });
    expectTypeOf(fromPool).toEqualTypeOf<unknown[][]>();
    expect(fromPool).toEqual([[1, 'a']]);

    const fromTx = await conn.transaction(async (tx) => tx.fetchRow(SQL, [], { rowMode: 'array' }));
    expectTypeOf(fromTx).toEqualTypeOf<unknown[] | null>();
    expect(fromTx).toEqual([1, 'a']);

    const stmt = await conn.prepare(SQL);
    try {
      const prepared = await stmt.fetch([], { rowMode: 'array' });
      expectTypeOf(prepared).toEqualTypeOf<unknown[][]>();
      expect(prepared).toEqual([[1, 'a']]);
    } finally {
      await stmt.close();
    }
  });
});

describe('literal SQLSTATE types', () => {
  it("UniqueViolationError['code'] is '23505', and a class's error has the codes of its class", async () => {
    expectTypeOf<UniqueViolationError['code']>().toEqualTypeOf<'23505'>();
    expectTypeOf<IntegrityConstraintViolationError['code']>().toEqualTypeOf<`23${string}`>();
    expectTypeOf<DatabaseError['code']>().toEqualTypeOf<string>();

    await conn.execute('CREATE TEMP TABLE typed_unique (k int PRIMARY KEY)');
    await conn.execute('INSERT INTO typed_unique VALUES (1)');
    const err = await conn.execute('INSERT INTO typed_unique VALUES (1)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueViolationError);
    if (!(err instanceof UniqueViolationError)) return;
    const code: '23505' = err.code;
    expect(code).toBe('23505');
  });
});

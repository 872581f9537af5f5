/**
 * The real pg-cursor and pg-query-stream packages through the face's own Client and Pool (the path Knex and
 * TypeORM take), with values parsed by the client's type parsers and 'drain' waiting for the submittable.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Pool } from '../../../src/faces/pg/index.js';
import { testDsn } from '../../support/env.js';

const require = createRequire(import.meta.url);
interface CursorLike {
  submit: (...args: never[]) => unknown;
  read(rows: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
const Cursor = require('pg-cursor') as new (text: string, values?: unknown[]) => CursorLike;
interface QueryStreamLike extends AsyncIterable<Record<string, unknown>> {
  submit: (...args: never[]) => unknown;
}
const QueryStream = require('pg-query-stream') as new (text: string, values?: unknown[], options?: { batchSize?: number }) => QueryStreamLike;

let client: Client;
beforeAll(async () => {
  client = new Client({ connectionString: testDsn() });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

describe('pg-cursor and pg-query-stream on pgjet/pg', () => {
  it('a cursor reads in batches with pg values, to the end, and the client is usable after it', async () => {
    const cursor = client.query(new Cursor("SELECT g AS n, g::int8 AS big, DATE '2024-01-02' AS d FROM generate_series(1, 25) g WHERE g > $1", [0]));
    const first = await cursor.read(10);
    expect(first).toHaveLength(10);
    expect(first[0]).toEqual({ n: 1, big: '1', d: new Date(2024, 0, 2) });
    const rest = await cursor.read(100);
    expect(rest.map((r) => r.n)).toEqual(Array.from({ length: 15 }, (_, i) => i + 11));
    expect(await cursor.read(10)).toEqual([]);
    expect((await client.query('SELECT 42 AS x')).rows).toEqual([{ x: 42 }]);
  });

  it("a cursor closed early ends its turn: 'drain' fires and the next query runs", async () => {
    const cursor = client.query(new Cursor('SELECT g AS n FROM generate_series(1, 1000) g'));
    expect(await cursor.read(5)).toHaveLength(5);
    const drained = once(client, 'drain');
    await cursor.close();
    await drained;
    expect((await client.query('SELECT 43 AS x')).rows).toEqual([{ x: 43 }]);
  });

  it('a query stream yields every row in order through a Pool client', async () => {
    const pool = new Pool({ connectionString: testDsn(), max: 2 });
    try {
      const pooled = await pool.connect();
      try {
        const seen: unknown[] = [];
        for await (const row of pooled.query(new QueryStream('SELECT g AS n FROM generate_series(1, 1000) g', [], { batchSize: 64 }))) seen.push(row.n);
        expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
        expect((await pooled.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        pooled.release();
      }
    } finally {
      await pool.end();
    }
  });
});

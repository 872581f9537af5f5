/**
 * pg-cursor (the real package) through the pg face's submittable support: reads of any size, rows, fields,
 * command tags and values as stock pg gives them on the same server (differential), errors that leave the
 * connection usable, early close freeing the connection, transactions, type parsers, and the connection
 * going away mid-cursor.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../../src/index.js';
import { testConfig, testDsn } from '../../support/env.js';
import { Cursor, SubmitOnlyClient, readInSizes, stockClient, type CursorResult, type PgCursor, type SubmittingClient } from './submittable-adapter.js';

let conn: Connection;
let client: SubmitOnlyClient;
let stock: pg.Client;

beforeAll(async () => {
  conn = await connect(testDsn());
  stock = new pg.Client(testConfig());
  await stock.connect();
});

afterAll(async () => {
  await conn.close();
  await stock.end();
});

beforeEach(() => {
  client = new SubmitOnlyClient(conn);
});

afterEach(async () => {
  await client.idle();
});

/** The end of a cursor: the result it emits with 'end'. */
function ended(cursor: PgCursor): Promise<CursorResult> {
  return new Promise((resolve) => cursor.once('end', resolve));
}

/** What a cursor run shows a pg user: each read's rows, then the result's command, count and fields. */
async function observe(c: SubmittingClient, text: string, values: unknown[] | null, sizes: readonly number[]) {
  const cursor = c.query(new Cursor(text, values));
  const end = ended(cursor);
  const reads = await readInSizes(cursor, sizes);
  const result = await end;
  return { reads, command: result.command, rowCount: result.rowCount, fields: result.fields.map((f) => [f.name, f.dataTypeID, f.format]) };
}

describe('pg-cursor on the face', () => {
  it('reads in any sizes, with the rows, tag and fields stock pg gives', async () => {
    const text = 'SELECT g AS num, g::text AS label FROM generate_series(1, $1::int4) g';
    const ours = await observe(client, text, [7], [2, 3, 100]);
    expect(ours.reads.map((r) => r.length)).toEqual([2, 3, 2, 0]);
    expect(ours.reads[0]).toEqual([{ num: 1, label: '1' }, { num: 2, label: '2' }]);
    expect(ours).toEqual(await observe(stockClient(stock), text, [7], [2, 3, 100]));
  });

  it('gives every value exactly as stock pg does (text parsed by pg\'s own parsers)', async () => {
    const text = `SELECT 9007199254740993::int8 AS big, 1.50::numeric AS num, '2024-02-29'::date AS d,
      '2024-02-29 13:45:00.123456'::timestamp AS ts, '2024-02-29 13:45:00+02'::timestamptz AS tstz,
      '1 year 2 days 03:04:05'::interval AS iv, '\\x0102ff'::bytea AS b, '{"a":[1,2]}'::jsonb AS j,
      ARRAY[1,NULL,3]::int4[] AS arr, '{"(1,2)"}'::point[] AS pts, true AS t, NULL::text AS n,
      'caf\u00e9'::varchar(10) AS s, $1::json AS param`;
    const values = [{ name: 'brian' }];
    const ours = await observe(client, text, values, [10]);
    const theirs = await observe(stockClient(stock), text, values, [10]);
    expect(ours).toEqual(theirs);
    expect((ours.reads[0][0] as { param: unknown }).param).toEqual({ name: 'brian' });
  });

  it('any sequence of read sizes returns every row once, in order, each read as full as it can be', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 5 }), async (total, sizes) => {
        const cursor = client.query(new Cursor('SELECT g FROM generate_series(1, $1::int4) g', [total]));
        const reads = await readInSizes(cursor, sizes);
        let left = total;
        reads.forEach((rows, i) => {
          expect(rows.length).toBe(Math.min(left, sizes[i % sizes.length]));
          left -= rows.length;
        });
        expect(reads.flat()).toEqual(Array.from({ length: total }, (_, i) => ({ g: i + 1 })));
      }),
      { numRuns: 25 },
    );
  });

  it('emits a row event per row and an end event with the result', async () => {
    const cursor = client.query(new Cursor('SELECT generate_series(0, 5) AS num'));
    cursor.on('row', (row: unknown, result: CursorResult) => result.addRow(row));
    const end = ended(cursor);
    await cursor.read(10);
    expect((await end).rows).toHaveLength(6);
  });

  it('a statement error reaches the read and every queued read; the connection stays usable', async () => {
    const cursor = client.query(new Cursor('SELECT 1 FROM no_such_table_here'));
    const reads = [cursor.read(1), cursor.read(1), cursor.read(1)];
    for (const read of reads) await expect(read).rejects.toMatchObject({ code: '42P01' });
    await client.idle();
    expect(await conn.fetchVal('SELECT 41 + 1')).toBe(42);
  });

  it('an error raised while rows are produced reaches the reader; the connection stays usable', async () => {
    const cursor = client.query(new Cursor('SELECT 10 / (3 - g) FROM generate_series(1, 5) g'));
    await expect(cursor.read(2)).resolves.toEqual([{ '?column?': 5 }, { '?column?': 10 }]);
    await expect(cursor.read(2)).rejects.toMatchObject({ code: '22012' });
    await client.idle();
    expect(conn.isInTransaction).toBe(false);
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
  });

  it('statements without rows report their tag; an empty query reads nothing', async () => {
    await conn.execute('CREATE TEMP TABLE IF NOT EXISTS sub_cursor_t (foo text, bar text)');
    const insert = client.query(new Cursor('INSERT INTO sub_cursor_t VALUES ($1, $2)', ['a', 'b']));
    const done = new Promise<[unknown[], CursorResult]>((resolve, reject) => insert.read(1, (err, rows, result) => (err ? reject(err) : resolve([rows, result]))));
    const [rows, result] = await done;
    expect(rows).toEqual([]);
    expect([result.command, result.rowCount]).toEqual(['INSERT', 1]);
    const empty = client.query(new Cursor('-- nothing but a comment'));
    const emptyEnd = ended(empty);
    await expect(empty.read(100)).resolves.toEqual([]);
    await emptyEnd;
  });

  it('closing early frees the connection and closes the portal', async () => {
    const cursor = client.query(new Cursor('SELECT generate_series(1, 100000) AS g'));
    expect(await cursor.read(25)).toHaveLength(25);
    await cursor.close();
    await client.idle();
    expect(await conn.fetch("SELECT name FROM pg_cursors WHERE statement NOT LIKE '%pg_cursors%'")).toEqual([]);
    expect(conn.isInTransaction).toBe(false);
  });

  it('closing a cursor that was never submitted does nothing', async () => {
    const cursor = new Cursor('SELECT 1');
    await expect(cursor.close()).resolves.toBeUndefined();
  });

  it('inside a transaction, the cursor runs in it and leaves it open', async () => {
    await conn.execute('BEGIN');
    try {
      await conn.execute('CREATE TEMP TABLE sub_cursor_tx (id serial PRIMARY KEY)');
      await conn.execute('INSERT INTO sub_cursor_tx DEFAULT VALUES');
      const cursor = client.query(new Cursor('SELECT id FROM sub_cursor_tx'));
      expect(await cursor.read(10)).toEqual([{ id: 1 }]);
      await client.idle();
      expect(conn.isInTransaction).toBe(true);
      await conn.execute('ALTER TABLE sub_cursor_tx ADD COLUMN name text');
    } finally {
      await conn.execute('ROLLBACK');
    }
  });

  it("rowMode 'array', the cursor's own types, else the client's types", async () => {
    const arrays = client.query(new Cursor('SELECT generate_series(0, 2) AS num', null, { rowMode: 'array' }));
    expect(await arrays.read(10)).toEqual([[0], [1], [2]]);
    const own = client.query(new Cursor('SELECT 1 AS num', null, { types: { getTypeParser: () => () => 'own' } }));
    expect(await own.read(10)).toEqual([{ num: 'own' }]);
    const typed = new SubmitOnlyClient(conn, { getTypeParser: () => (text: string) => `client:${text}` });
    const fromClient = typed.query(new Cursor('SELECT 7 AS num'));
    expect(await fromClient.read(10)).toEqual([{ num: 'client:7' }]);
    await typed.idle();
  });

  it('the connection closing mid-cursor fails the pending read and ends the turn', async () => {
    const own = await connect(testDsn());
    const ownClient = new SubmitOnlyClient(own);
    const cursor = ownClient.query(new Cursor('SELECT generate_series(1, 1000) AS g'));
    expect(await cursor.read(10)).toHaveLength(10);
    const failed = new Promise<Error>((resolve) => cursor.once('error', resolve));
    await own.close();
    expect((await failed).message).toBe('Connection terminated');
    await ownClient.idle();
  });
});

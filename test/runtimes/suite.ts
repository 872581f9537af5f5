/**
 * The runtime suite: a subset of the integration suite (core queries, types, pool, transactions, COPY, cursors,
 * LISTEN/NOTIFY, TLS, cancellation, a connection killed while idle) written against nothing but pgjet and
 * `node:assert`, so the same file runs under Node (tsx), Bun and Deno. test/runtimes/run.ts starts the server
 * and runs this file under each runtime; it reads `PGJET_RT_DSN` and `PGJET_RT_CA` (the server's TLS CA, PEM)
 * and prints one JSON line per case, then a summary line, and exits 1 when a case failed.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import {
  connect,
  ConnectionError,
  createPool,
  Interval,
  QueryCanceledError,
  Range,
  TimeoutError,
  UniqueViolationError,
  type Connection,
} from '../../src/index.js';

const dsn = process.env.PGJET_RT_DSN ?? '';
const ca = process.env.PGJET_RT_CA ?? '';
if (dsn === '') throw new Error('PGJET_RT_DSN is not set (test/runtimes/run.ts sets it)');

type Case = [name: string, body: () => Promise<void>];
const cases: Case[] = [];
const test = (name: string, body: () => Promise<void>): void => void cases.push([name, body]);

async function withConn<T>(fn: (conn: Connection) => Promise<T>, options = {}): Promise<T> {
  const conn = await connect(dsn, options);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

test('core queries: fetch, fetchRow, fetchVal, execute, executeMany, pipelining', () =>
  withConn(async (conn) => {
    await conn.execute('CREATE TEMP TABLE rt_users (id serial PRIMARY KEY, name text UNIQUE)');
    assert.equal(await conn.execute('INSERT INTO rt_users(name) VALUES ($1)', ['Alice']), 'INSERT 0 1');
    await conn.executeMany('INSERT INTO rt_users(name) VALUES ($1)', [['Bob'], ['Carol']]);
    assert.deepEqual(await conn.fetch('SELECT id, name FROM rt_users ORDER BY id'), [
      { id: 1, name: 'Alice' },
      { id: 2, name: 'Bob' },
      { id: 3, name: 'Carol' },
    ]);
    assert.deepEqual(await conn.fetchRow('SELECT name FROM rt_users WHERE id = $1', [2]), { name: 'Bob' });
    assert.equal(await conn.fetchVal('SELECT count(*) FROM rt_users'), 3n);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => conn.fetchVal('SELECT $1::int4 * 2', [i])));
    assert.deepEqual(many, Array.from({ length: 50 }, (_, i) => i * 2));
    const err = await conn.execute('INSERT INTO rt_users(name) VALUES ($1)', ['Bob']).catch((e: unknown) => e);
    assert.ok(err instanceof UniqueViolationError);
    assert.equal(await conn.fetchVal('SELECT 1'), 1);
  }));

test('types: binary and text values, arrays, json, ranges, intervals, wide UTF-8', () =>
  withConn(async (conn) => {
    const row = await conn.fetchRow<Record<string, unknown>>(
      `SELECT 42::int8 AS i8, 1.5::float8 AS f8, '12.3400'::numeric AS num, 'héllo wörld ✓'::text AS t,
              '\\x00ff'::bytea AS b, '2024-02-29'::date AS d, '2024-02-29 12:34:56.789+00'::timestamptz AS ts,
              '{1,NULL,3}'::int4[] AS arr, '{"a":[1,2]}'::jsonb AS j, '[1,5)'::int4range AS r,
              '1 day 02:00:00'::interval AS iv, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u`,
    );
    assert.ok(row !== null);
    assert.equal(row.i8, 42n);
    assert.equal(row.f8, 1.5);
    assert.equal(row.num, '12.3400');
    assert.equal(row.t, 'héllo wörld ✓');
    assert.deepEqual([...(row.b as Uint8Array)], [0, 255]);
    assert.equal(row.d, '2024-02-29');
    assert.equal((row.ts as Date).toISOString(), '2024-02-29T12:34:56.789Z');
    assert.deepEqual(row.arr, [1, null, 3]);
    assert.deepEqual(row.j, { a: [1, 2] });
    assert.ok(row.r instanceof Range);
    assert.equal((row.r as Range<number>).lower, 1);
    assert.ok(row.iv instanceof Interval);
    assert.equal(row.u, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    const long = 'ü'.repeat(100_000);
    assert.equal(await conn.fetchVal('SELECT $1::text', [long]), long);
    const wide = await conn.fetch("SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) AS g");
    assert.equal(wide.length, 20_000);
    assert.equal((wide[19_999] as { g: number }).g, 20_000);
  }));

test('pool: concurrent calls on a few connections, acquire and release', async () => {
  const pool = createPool(dsn, { minSize: 1, maxSize: 4 });
  try {
    await pool.ready();
    const sums = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.fetchVal<number>('SELECT $1::int4 + 1', [i])));
    assert.equal(sums.reduce<number>((a, b) => a + (b ?? 0), 0), 40 * 41 / 2);
    const conn = await pool.acquire();
    assert.equal(await conn.fetchVal('SELECT 7'), 7);
    await conn.release();
    assert.ok(pool.stats().size <= 4);
  } finally {
    await pool.close();
  }
});

test('transactions: commit, rollback on throw, savepoints', () =>
  withConn(async (conn) => {
    await conn.execute('CREATE TEMP TABLE rt_tx (v int)');
    await conn.transaction(async (tx) => {
      await tx.execute('INSERT INTO rt_tx VALUES (1)');
      await tx.transaction(async (sp) => sp.execute('INSERT INTO rt_tx VALUES (2)'));
      await tx.transaction(async (sp) => {
        await sp.execute('INSERT INTO rt_tx VALUES (3)');
        throw new Error('undo 3');
      }).catch(() => undefined);
    });
    await conn.transaction(async (tx) => {
      await tx.execute('INSERT INTO rt_tx VALUES (4)');
      throw new Error('undo 4');
    }).catch(() => undefined);
    assert.deepEqual(await conn.fetch('SELECT v FROM rt_tx ORDER BY v'), [{ v: 1 }, { v: 2 }]);
    assert.equal(conn.isInTransaction, false);
  }));

test('COPY: records in (binary), text in from a stream, out as chunks', () =>
  withConn(async (conn) => {
    await conn.execute('CREATE TEMP TABLE rt_copy (id int, name text)');
    await conn.copyRecordsToTable('rt_copy', { records: Array.from({ length: 1000 }, (_, i) => [i, `n${i}`]), columns: ['id', 'name'] });
    await conn.copyToTable('rt_copy', { source: Readable.from(['1000,x\n', '1001,y\n']), format: 'csv' });
    assert.equal(await conn.fetchVal('SELECT count(*) FROM rt_copy'), 1002n);
    let text = '';
    for await (const chunk of conn.copyOut('SELECT id FROM rt_copy WHERE id < $1 ORDER BY id', [3], { format: 'csv' })) {
      text += chunk.toString('utf8');
    }
    assert.equal(text, '0\n1\n2\n');
  }));

test('cursors: streamed rows with a small prefetch, and an early break', () =>
  withConn(async (conn) => {
    let count = 0;
    for await (const row of conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, 1000) AS g', [], { prefetch: 64 })) {
      count += row.g;
    }
    assert.equal(count, 500_500);
    for await (const row of conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, 1000) AS g', [], { prefetch: 10 })) {
      if (row.g === 5) break;
    }
    assert.equal(await conn.fetchVal('SELECT 1'), 1);
  }));

test('LISTEN/NOTIFY: a notification from another connection', () =>
  withConn(async (listener) => {
    const received = new Promise<string>((resolve) => {
      void listener.listen('rt_events', (payload) => resolve(payload));
    });
    // listen() resolves once LISTEN ran; the pipeline keeps this query behind it.
    await listener.fetchVal('SELECT 1');
    await withConn((sender) => sender.notify('rt_events', 'hello'));
    assert.equal(await received, 'hello');
  }));

test('TLS: verify-full against the server CA', async () => {
  if (ca === '') throw new Error('PGJET_RT_CA is not set');
  await withConn(
    async (conn) => {
      assert.equal(await conn.fetchVal('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'), true);
    },
    { ssl: { ca, servername: 'localhost' }, host: 'localhost' },
  );
});

test('cancellation: a timeout cancels on the server and the connection stays usable', () =>
  withConn(async (conn) => {
    const err = await conn.execute('SELECT pg_sleep(30)', [], { timeout: 200 }).catch((e: unknown) => e);
    assert.ok(err instanceof TimeoutError, String(err));
    assert.ok((err as TimeoutError).cause instanceof QueryCanceledError);
    assert.equal(await conn.fetchVal('SELECT 1'), 1);
  }));

test('a connection killed while idle fails its next call at once, retryable', async () => {
  const conn = await connect(dsn);
  const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()));
  await withConn((admin) => admin.fetchVal('SELECT pg_terminate_backend($1, 10000)', [conn.processId]));
  await closed;
  const err = await conn.fetchVal('SELECT 1').catch((e: unknown) => e);
  assert.ok(err instanceof ConnectionError);
  assert.equal((err as ConnectionError).safeToRetry, true);
});

const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node';
let failed = 0;
for (const [name, body] of cases) {
  const started = performance.now();
  try {
    await body();
    console.log(JSON.stringify({ runtime, name, ok: true, ms: Math.round(performance.now() - started) }));
  } catch (err) {
    failed++;
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.log(JSON.stringify({ runtime, name, ok: false, error: message }));
  }
}
console.log(JSON.stringify({ runtime, summary: true, passed: cases.length - failed, failed }));
process.exit(failed === 0 ? 0 : 1);

/**
 * Cursors: `cursor()` in and out of transactions (leaving the loop early must close the portal and leave the
 * connection usable), bounded memory with a slow consumer, and asyncpg's cursor object (`openCursor`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, connect, DivisionByZeroError, InterfaceError, QueryCanceledError, TimeoutError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;

beforeAll(async () => {
  conn = await connect(testDsn());
});

afterAll(async () => {
  await conn.close();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('cursor()', () => {
  it('streams every row in order, outside a transaction, in prefetch-sized batches', async () => {
    const rows = await collect(conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, $1::int4) g', [1050], { prefetch: 100 }));
    expect(rows).toHaveLength(1050);
    expect(rows[0]).toEqual({ g: 1 });
    expect(rows[1049]).toEqual({ g: 1050 });
    expect(conn.isInTransaction).toBe(false);
  });

  it('breaking out of the loop closes the portal; a normal query works after', async () => {
    let seen = 0;
    for await (const row of conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, 100000) g', [], { prefetch: 50 })) {
      seen = row.g;
      if (seen === 120) break;
    }
    expect(seen).toBe(120);
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
    expect(await conn.fetch('SELECT name, statement FROM pg_cursors WHERE statement NOT LIKE $$%pg_cursors%$$')).toEqual([]);
  });

  it('calls made during the iteration wait for it, then run', async () => {
    const order: string[] = [];
    const it = conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, 300) g', [], { prefetch: 100 });
    let later: Promise<unknown> | undefined;
    for await (const row of it) {
      if (row.g === 1) later = conn.fetchVal('SELECT 2').then((v) => order.push(`query ${String(v)}`));
      if (row.g === 300) order.push('loop end');
    }
    await later;
    expect(order).toEqual(['loop end', 'query 2']);
  });

  it('works inside a transaction, break included, without changing its state', async () => {
    await conn.transaction(async (tx) => {
      await tx.execute('CREATE TEMP TABLE cur_tx (x int4) ON COMMIT DROP');
      await tx.execute('INSERT INTO cur_tx SELECT generate_series(1, 500)');
      let n = 0;
      for await (const row of conn.cursor<{ x: number }>('SELECT x FROM cur_tx ORDER BY x', [], { prefetch: 64 })) {
        n += row.x;
        if (row.x === 200) break;
      }
      expect(n).toBe(20100);
      expect(conn.isInTransaction).toBe(true);
      expect(await tx.fetchVal('SELECT count(*) FROM cur_tx')).toBe(500n);
    });
    expect(conn.isInTransaction).toBe(false);
  });

  it('a throw inside the loop closes the portal and propagates', async () => {
    const boom = new Error('consumer failed');
    const err = await (async () => {
      for await (const row of conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, 1000) g')) {
        if (row.g === 150) throw boom;
      }
    })().catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(await conn.fetchVal('SELECT 3')).toBe(3);
  });

  it('a server error mid-stream rejects the loop; the connection is fine', async () => {
    const seen: number[] = [];
    const err = await (async () => {
      for await (const row of conn.cursor<{ v: number }>('SELECT 10 / (150 - g) AS v FROM generate_series(1, 300) g', [], { prefetch: 100 })) {
        seen.push(row.v);
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivisionByZeroError);
    expect(seen.length).toBe(100);
    expect(await conn.fetchVal('SELECT 4')).toBe(4);
  });

  it('a bad query or arguments reject at the first step', async () => {
    await expect(collect(conn.cursor('SELEKT 1'))).rejects.toMatchObject({ code: '42601' });
    await expect(collect(conn.cursor('SELECT $1::int4', []))).rejects.toBeInstanceOf(InterfaceError);
    await expect(collect(conn.cursor('SELECT $1::int4', ['x']))).rejects.toMatchObject({ name: 'DataError' });
    await expect(collect(conn.cursor('SELECT 1', [], { prefetch: 0 }))).rejects.toBeInstanceOf(InterfaceError);
    expect(await conn.fetchVal('SELECT 5')).toBe(5);
  });

  it('supports rowMode, types overrides, empty results and reuses the statement cache', async () => {
    expect(await collect(conn.cursor('SELECT 1 AS a, 2 AS a', [], { rowMode: 'array' }))).toEqual([[1, 2]]);
    expect(await collect(conn.cursor("SELECT '2024-01-02'::date AS d", [], { types: { date: (s) => `D:${s}` } }))).toEqual([{ d: 'D:2024-01-02' }]);
    expect(await collect(conn.cursor('SELECT 1 WHERE false'))).toEqual([]);
    const sql = 'SELECT g FROM generate_series(1, $1::int4) g';
    for (let i = 0; i < 3; i++) expect(await collect(conn.cursor(sql, [3], { prefetch: 2 }))).toHaveLength(3);
  });

  it('a cached statement made stale by a schema change is prepared again transparently', async () => {
    // The schema changes through another session: DDL on `conn` itself would drop its cache before any use.
    const other = await connect(testDsn());
    await conn.execute('DROP TABLE IF EXISTS cur_stale; CREATE TABLE cur_stale (a int4); INSERT INTO cur_stale VALUES (1)');
    const sql = 'SELECT * FROM cur_stale';
    expect(await collect(conn.cursor(sql))).toEqual([{ a: 1 }]);
    expect(await collect(conn.cursor(sql))).toEqual([{ a: 1 }]);
    await other.execute("ALTER TABLE cur_stale ADD COLUMN b text DEFAULT 'x'");
    expect(await collect(conn.cursor(sql))).toEqual([{ a: 1, b: 'x' }]);
    await other.execute('ALTER TABLE cur_stale DROP COLUMN b');
    await other.close();
    let inTx: unknown;
    await conn.transaction(async () => {
      inTx = await collect(conn.cursor(sql)).catch((e: unknown) => e);
    }).catch(() => undefined);
    expect(inTx).toMatchObject({ name: 'InvalidCachedStatementError' });
    expect(await collect(conn.cursor(sql))).toEqual([{ a: 1 }]);
    await conn.execute('DROP TABLE cur_stale');
  });

  it('a batch timeout: TimeoutError caused by 57014, connection usable', async () => {
    const err = await collect(conn.cursor('SELECT pg_sleep(5)', [], { timeout: 200 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).cause).toBeInstanceOf(QueryCanceledError);
    expect(await conn.fetchVal('SELECT 6')).toBe(6);
  });

  it('an abort between batches ends the loop with AbortError and closes the portal', async () => {
    const controller = new AbortController();
    const err = await (async () => {
      for await (const row of conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, 1000) g', [], { prefetch: 10, signal: controller.signal })) {
        if (row.g === 15) controller.abort(new Error('stop'));
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(await conn.fetchVal('SELECT 7')).toBe(7);
  });

  it('200k wide rows with a slow consumer keep memory bounded', async () => {
    const start = process.memoryUsage();
    let peak = 0;
    let n = 0;
    for await (const row of conn.cursor<{ g: number; pad: string }>("SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, 200000) g", [], { prefetch: 200 })) {
      n++;
      if (row.pad.length !== 1000) throw new Error('bad row');
      if (n % 2000 === 0) {
        await new Promise((r) => setImmediate(r));
        const m = process.memoryUsage();
        peak = Math.max(peak, m.rss - start.rss);
      }
    }
    expect(n).toBe(200_000);
    // The rows total ~200 MB; a cursor holding more than a few batches would show here.
    expect(peak).toBeLessThan(100 * 1024 * 1024);
  }, 60_000);
});

describe('openCursor()', () => {
  it('needs a transaction', async () => {
    await expect(conn.openCursor('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
  });

  it('fetch, fetchRow, forward and close inside a transaction', async () => {
    await conn.transaction(async () => {
      const cur = await conn.openCursor<{ g: number }>('SELECT g FROM generate_series(1, $1::int4) g', [20]);
      expect(cur.columns.map((c) => c.name)).toEqual(['g']);
      expect(await cur.fetch(3)).toEqual([{ g: 1 }, { g: 2 }, { g: 3 }]);
      expect(await cur.fetchRow()).toEqual({ g: 4 });
      expect(await cur.forward(5)).toBe(5);
      expect(await cur.fetchRow()).toEqual({ g: 10 });
      // Calls pipeline like any other, and other queries can run between them.
      const [a, b] = await Promise.all([cur.fetch(2), conn.fetchVal('SELECT 99')]);
      expect(a).toEqual([{ g: 11 }, { g: 12 }]);
      expect(b).toBe(99);
      expect(await cur.forward(100)).toBe(8);
      expect(await cur.fetch(5)).toEqual([]);
      expect(await cur.fetchRow()).toBeNull();
      await cur.close();
      await cur.close();
      await expect(cur.fetch(1)).rejects.toBeInstanceOf(InterfaceError);
      await expect(cur.fetch(0)).rejects.toBeInstanceOf(InterfaceError);
    });
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
  });

  it('two cursors at once, and errors surface', async () => {
    await conn.transaction(async () => {
      const a = await conn.openCursor<{ x: number }>('SELECT generate_series(1, 3) AS x');
      const b = await conn.openCursor<{ y: string }>("SELECT 'y' || generate_series(1, 3) AS y", [], { rowMode: 'object' });
      expect(await a.fetch(2)).toEqual([{ x: 1 }, { x: 2 }]);
      expect(await b.fetch(1)).toEqual([{ y: 'y1' }]);
      expect(await a.fetch(2)).toEqual([{ x: 3 }]);
      await a.close();
      await b.close();
    });
    let bad: unknown;
    await conn.transaction(async () => {
      bad = await conn.openCursor('SELEKT').catch((e: unknown) => e);
    }).catch(() => undefined);
    expect(bad).toMatchObject({ code: '42601' });
    expect(conn.isInTransaction).toBe(false);
    expect(await conn.fetchVal('SELECT 2')).toBe(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Connection,
  createPool,
  InterfaceError,
  InvalidPasswordError,
  Transaction,
  type Pool,
  type PooledConnection,
} from '../../../src/index.js';
import { testConfig, testDsn } from '../../support/env.js';

let pool: Pool;

beforeAll(async () => {
  pool = createPool(testDsn(), { minSize: 2, maxSize: 4 });
  await pool.ready();
});

afterAll(async () => {
  await pool.close();
});

describe('borrowing', () => {
  it('createPool returns at once; ready() resolves once minSize connections are open', () => {
    expect(pool.stats()).toMatchObject({ size: 2, idle: 2, borrowed: 0, waiting: 0, minSize: 2, maxSize: 4 });
  });

  it('acquire / release, with the proxy acting as a Connection', async () => {
    const c = await pool.acquire();
    expect(c).toBeInstanceOf(Connection);
    expect(await c.fetchVal('SELECT 1')).toBe(1);
    expect(pool.stats()).toMatchObject({ borrowed: 1, idle: 1 });
    await c.release();
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 2 });
  });

  it('pool.release(conn) works too; a connection from elsewhere is refused', async () => {
    const c = await pool.acquire();
    await pool.release(c);
    await expect(pool.release(c)).rejects.toBeInstanceOf(InterfaceError);
    const other = createPool(testDsn(), { minSize: 0 });
    const foreign = await other.acquire();
    await expect(pool.release(foreign)).rejects.toThrow(/acquired from this pool/);
    await foreign.release();
    await other.close();
  });

  it('withConnection releases after fn, whatever happens, and resolves with its result', async () => {
    expect(await pool.withConnection((c) => c.fetchVal('SELECT 42'))).toBe(42);
    await expect(pool.withConnection(async () => { throw new Error('x'); })).rejects.toThrow('x');
    // A body that released the connection itself is fine.
    expect(await pool.withConnection(async (c) => { await c.release(); return 'ok'; })).toBe('ok');
    expect(pool.stats().borrowed).toBe(0);
  });

  it('the shortcuts run on a borrowed connection', async () => {
    expect(await pool.fetch('SELECT 1 AS a')).toEqual([{ a: 1 }]);
    expect(await pool.fetchRow('SELECT 2 AS b')).toEqual({ b: 2 });
    expect(await pool.fetchVal('SELECT 3')).toBe(3);
    expect((await pool.query('SELECT 4 AS d')).command).toBe('SELECT');
    expect(await pool.execute('SELECT 5')).toBe('SELECT 1');
    await pool.execute('CREATE TEMP TABLE IF NOT EXISTS pb_tmp (x int)');
    await pool.withConnection((c) => c.execute('CREATE TABLE IF NOT EXISTS pool_basics (x int)'));
    await pool.executeMany('INSERT INTO pool_basics VALUES ($1)', [[1], [2]]);
    expect(await pool.fetchMany('INSERT INTO pool_basics VALUES ($1) RETURNING x', [[3]])).toEqual([{ x: 3 }]);
    expect(await pool.transaction(async (tx) => {
      expect(tx).toBeInstanceOf(Transaction);
      return tx.fetchVal('SELECT count(*) FROM pool_basics');
    })).toBe(3n);
    await pool.execute('DROP TABLE pool_basics');
    expect(pool.stats().borrowed).toBe(0);
  });

  it('await using releases at the end of the block', async () => {
    {
      await using c = await pool.acquire();
      expect(await c.fetchVal('SELECT 1')).toBe(1);
      expect(pool.stats().borrowed).toBe(1);
    }
    expect(pool.stats().borrowed).toBe(0);
    const c = await pool.acquire();
    await c.release();
    await c[Symbol.asyncDispose](); // already released explicitly: nothing happens
  });
});

describe('misuse (InterfaceError)', () => {
  it('releasing twice', async () => {
    const c = await pool.acquire();
    await c.release();
    await expect(c.release()).rejects.toBeInstanceOf(InterfaceError);
    await expect(c.release()).rejects.toThrow(/already released/);
    expect(pool.stats().borrowed).toBe(0);
  });

  it('using a released connection names where it was released', async () => {
    const c = await pool.acquire();
    const fetch = c.fetch; // read before release: still refused when called after
    await c.release();
    let err: unknown;
    try {
      await c.fetch('SELECT 1');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/released back to the pool/);
    expect((err as Error).message).toMatch(/released at:/);
    // The first frame after 'released at:' is this file's release() call, not the pool's internals.
    expect((err as Error).message).toMatch(/released at:\n[^\n]*basics\.test\.ts/);
    expect(() => fetch.call(c, 'SELECT 1')).toThrow(InterfaceError);
    expect(() => c.isInTransaction).toThrow(InterfaceError);
    expect(() => c.on('notice', () => undefined)).toThrow(InterfaceError);
  });

  it('a transaction object outliving its released connection is refused', async () => {
    const c = await pool.acquire();
    const tx = await c.transaction();
    await c.release();
    await expect(tx.fetchVal('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
    await tx[Symbol.asyncDispose](); // the pool's reset rolled it back; disposing is quiet
    const next = await pool.acquire();
    expect(await next.fetchVal('SELECT 1')).toBe(1);
    expect(next.isInTransaction).toBe(false);
    await next.release();
  });

  it('acquiring from a closed pool', async () => {
    const p = createPool(testDsn(), { minSize: 1 });
    await p.ready();
    await p.close();
    expect(p.isClosed).toBe(true);
    await expect(p.acquire()).rejects.toBeInstanceOf(InterfaceError);
    await expect(p.fetch('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
    await expect(p.withConnection(async () => 1)).rejects.toBeInstanceOf(InterfaceError);
    await expect(p.ready()).rejects.toBeInstanceOf(InterfaceError);
  });

  it('invalid options throw InterfaceError from createPool', () => {
    expect(() => createPool(testDsn(), { minSize: 5, maxSize: 2 })).toThrow(InterfaceError);
    expect(() => createPool(testDsn(), { maxSize: 0 })).toThrow(InterfaceError);
    expect(() => createPool(testDsn(), { acquireTimeout: -1 })).toThrow(InterfaceError);
    expect(() => createPool(testDsn(), { reset: true as unknown as 'auto' })).toThrow(InterfaceError);
    expect(() => createPool(testDsn(), { reset: '  ' })).toThrow(InterfaceError);
    expect(() => createPool(testDsn(), { init: 'x' as unknown as () => void })).toThrow(InterfaceError);
  });

  it('pool.transaction takes only a function', async () => {
    await expect(pool.transaction(undefined as unknown as () => Promise<void>)).rejects.toBeInstanceOf(InterfaceError);
  });
});

describe('hooks and failures', () => {
  it('init runs once per new connection, setup on each acquire', async () => {
    const inits: number[] = [];
    let setups = 0;
    const p = createPool({
      ...testConfig(),
      minSize: 1,
      maxSize: 1,
      init: async (conn) => {
        inits.push(conn.processId);
      },
      setup: async (conn) => {
        setups++;
        expect(await conn.fetchVal('SELECT 1')).toBe(1);
      },
    });
    await p.ready();
    await p.fetchVal('SELECT 1');
    await p.withConnection((c) => c.fetchVal('SELECT 1'));
    expect(inits).toHaveLength(1);
    expect(setups).toBe(2);
    await p.close();
  });

  it('a failing setup rejects the acquire and returns the connection', async () => {
    const p = createPool(testDsn(), { minSize: 1, maxSize: 1, setup: () => { throw new Error('setup failed'); } });
    await expect(p.acquire()).rejects.toThrow('setup failed');
    expect(p.stats()).toMatchObject({ borrowed: 0, size: 1 });
    await p.close();
  });

  it('a failing init fails the open', async () => {
    const p = createPool(testDsn(), { minSize: 1, init: () => { throw new Error('init failed'); } });
    await expect(p.ready()).rejects.toThrow('init failed');
    await expect(p.acquire()).rejects.toThrow('init failed');
    expect(p.stats().size).toBe(0);
    await p.close();
  });

  it('failures to open surface through ready() and the next acquire, never as unhandled rejections', async () => {
    const p = createPool({ ...testConfig(), password: 'wrong', minSize: 2 });
    await expect(p.ready()).rejects.toBeInstanceOf(InvalidPasswordError);
    await expect(p.acquire({ timeout: 5_000 })).rejects.toBeInstanceOf(InvalidPasswordError);
    await expect(p.fetchVal('SELECT 1')).rejects.toBeInstanceOf(InvalidPasswordError);
    expect(p.stats()).toMatchObject({ size: 0, waiting: 0 });
    await p.close();
  });

  it('a background failure nobody awaits becomes an error event (or a warning), never a crash', async () => {
    const p = createPool({ ...testConfig(), password: 'wrong', minSize: 1 });
    const err = await new Promise<Error>((resolve) => p.once('error', resolve));
    expect(err).toBeInstanceOf(InvalidPasswordError);
    await p.close();
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const q = createPool({ ...testConfig(), password: 'wrong', minSize: 1 });
    expect((await warned).message).toMatch(/pgjet pool:.*password/);
    await q.close();
  });

  it('listeners added through a pooled connection are removed at release', async () => {
    const p = createPool(testDsn(), { minSize: 1, maxSize: 1 });
    const seen: string[] = [];
    const c = await p.acquire();
    c.on('notice', (n) => seen.push(n.message));
    await c.execute("DO $$ BEGIN RAISE NOTICE 'one'; END $$");
    await c.release();
    const d = await p.acquire();
    await d.execute("DO $$ BEGIN RAISE NOTICE 'two'; END $$");
    expect(seen).toEqual(['one']);
    // removeAllListeners on a proxy leaves the pool's own bookkeeping alone.
    d.removeAllListeners();
    await d.release();
    expect(await p.fetchVal('SELECT 1')).toBe(1);
    await p.close();
  });

  it('an unused idle pool with minSize 0 opens nothing until asked', async () => {
    const p = createPool(testDsn(), { minSize: 0 });
    await p.ready();
    expect(p.stats().size).toBe(0);
    const c: PooledConnection = await p.acquire();
    expect(p.stats().size).toBe(1);
    await c.release();
    await p.close();
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createPool, type Connection, type PoolConfig, type PooledConnection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let admin: Connection;
const table = `pool_reset_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  admin = await connect(testDsn());
  await admin.execute(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
});

afterAll(async () => {
  await admin.execute(`DROP TABLE IF EXISTS ${table}`);
  await admin.close();
});

/** A one-connection pool, so consecutive borrowers share a session. */
const onePool = (opts: PoolConfig = {}) => createPool(testDsn(), { minSize: 1, maxSize: 1, ...opts });

/** Calls queued on the connection and not yet answered (white box: the pipelined reset is one of them). */
const queued = (c: PooledConnection): number => c.session.wire.pendingCount + c.session.wire.inflightCount;

const advisoryLocks = (c: PooledConnection): Promise<bigint | null> =>
  c.fetchVal<bigint>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");

describe("reset 'auto'", () => {
  it('a transaction body that throws: ROLLBACK, nothing written, the connection comes back clean', async () => {
    const pool = onePool();
    const pid = await pool.withConnection(async (c) => {
      await c.execute("SET work_mem = '7MB'");
      await expect(
        c.transaction(async (tx) => {
          await tx.execute(`INSERT INTO ${table} VALUES (1)`);
          throw new Error('body failed');
        }),
      ).rejects.toThrow('body failed');
      return c.processId;
    });
    await expect(
      pool.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${table} VALUES (2)`);
        await tx.execute("SET LOCAL statement_timeout = '5s'");
        throw new Error('again');
      }),
    ).rejects.toThrow('again');
    await pool.withConnection(async (c) => {
      expect(c.processId).toBe(pid);
      expect(c.isInTransaction).toBe(false);
      expect(await c.fetchVal('SHOW work_mem')).toBe('4MB');
      expect(await c.fetchVal('SHOW statement_timeout')).toBe('0');
      expect(c.isInTransaction).toBe(false);
    });
    expect(await admin.fetchVal(`SELECT count(*) FROM ${table}`)).toBe(0n);
    await pool.close();
  });

  it('a session SET is undone; the reset rides ahead of the next query (queued, not awaited)', async () => {
    const pool = onePool();
    const a = await pool.acquire();
    await a.execute("SET statement_timeout = '1234ms'");
    await a.release();
    const b = await pool.acquire();
    expect(queued(b)).toBe(1); // the reset, already queued when the borrower gets the connection
    expect(await b.fetchVal('SHOW statement_timeout')).toBe('0');
    await b.release();
    const c = await pool.acquire();
    expect(queued(c)).toBe(0); // a clean session costs nothing
    await c.release();
    await pool.close();
  });

  it('serverSettings survive the reset (they are the session defaults RESET ALL returns to)', async () => {
    const pool = onePool({ serverSettings: { application_name: 'pgjet-reset-app' } });
    await pool.execute("SET application_name = 'changed'");
    expect(await pool.fetchVal('SHOW application_name')).toBe('pgjet-reset-app');
    await pool.close();
  });

  it('a manual BEGIN left open is rolled back', async () => {
    const pool = onePool();
    const a = await pool.acquire();
    await a.execute('BEGIN');
    await a.execute(`INSERT INTO ${table} VALUES (10)`);
    await a.release();
    const b = await pool.acquire();
    expect(await b.fetchVal(`SELECT count(*) FROM ${table} WHERE id = 10`)).toBe(0n);
    expect(b.isInTransaction).toBe(false);
    await b.release();
    await pool.close();
  });

  it('a failed transaction left open is rolled back', async () => {
    const pool = onePool();
    const a = await pool.acquire();
    await a.execute('BEGIN');
    await a.execute('SELECT 1/0').catch(() => undefined);
    expect(a.isInTransaction).toBe(true);
    await a.release();
    expect(await pool.fetchVal('SELECT 1')).toBe(1);
    await pool.close();
  });

  it('LISTEN is undone (UNLISTEN *)', async () => {
    const pool = onePool();
    await pool.execute('LISTEN pgjet_reset_channel');
    expect(await pool.fetchVal('SELECT count(*) FROM pg_listening_channels()')).toBe(0n);
    await pool.close();
  });

  it('calls released before they finished are treated as dirty', async () => {
    const pool = onePool();
    const a = await pool.acquire();
    const pending = a.execute("SET search_path = 'nowhere'");
    await a.release();
    await pending;
    expect(await pool.fetchVal('SHOW search_path')).toBe('"$user", public');
    await pool.close();
  });

  it('only dirty sessions are reset: a SELECT that takes an advisory lock is not seen', async () => {
    const pool = onePool();
    await pool.fetchVal('SELECT pg_advisory_lock(4242)');
    await pool.withConnection(async (c) => {
      expect(await advisoryLocks(c)).toBe(1n); // documented: use reset 'always' for such SELECTs
      await c.execute('SET work_mem = DEFAULT'); // now dirty: the full reset unlocks it
    });
    await pool.withConnection(async (c) => expect(await advisoryLocks(c)).toBe(0n));
    await pool.close();
  });

  it('prepare() through a pooled connection counts as dirty', async () => {
    const pool = onePool();
    await pool.withConnection(async (c) => {
      await c.prepare('SELECT 1');
      await c.fetchVal('SELECT 1');
    });
    const b = await pool.acquire();
    expect(queued(b)).toBe(1);
    await b.release();
    await pool.close();
  });
});

describe('other reset modes', () => {
  it("'always' resets every time (advisory locks taken by a SELECT too)", async () => {
    const pool = onePool({ reset: 'always' });
    await pool.fetchVal('SELECT pg_advisory_lock(4343)');
    await pool.withConnection(async (c) => expect(await advisoryLocks(c)).toBe(0n));
    await pool.close();
  });

  it('false: session state survives, an open transaction is still rolled back', async () => {
    const pool = onePool({ reset: false });
    await pool.execute("SET work_mem = '9MB'");
    expect(await pool.fetchVal('SHOW work_mem')).toBe('9MB');
    const a = await pool.acquire();
    await a.execute('BEGIN');
    await a.release();
    expect(await pool.withConnection((c) => c.fetchVal('SELECT 1').then(() => c.isInTransaction))).toBe(false);
    await pool.close();
  });

  it('a SQL string runs on every release', async () => {
    const pool = onePool({ reset: "SET application_name = 'was-reset'" });
    await pool.fetchVal('SELECT 1');
    expect(await pool.fetchVal('SHOW application_name')).toBe('was-reset');
    await pool.close();
  });

  it('a function is awaited before the hand-over; if it throws the connection is replaced', async () => {
    const calls: number[] = [];
    let fail = false;
    const pool = onePool({
      reset: async (conn) => {
        calls.push(conn.processId);
        if (fail) throw new Error('reset failed');
        await conn.execute('RESET ALL');
      },
    });
    pool.on('error', () => undefined);
    const pid = await pool.withConnection(async (c) => {
      await c.execute("SET work_mem = '5MB'");
      return c.processId;
    });
    expect(calls).toEqual([pid]);
    expect(await pool.fetchVal('SHOW work_mem')).toBe('4MB');
    fail = true;
    await pool.fetchVal('SELECT 1');
    const next = await pool.fetchVal<number>('SELECT pg_backend_pid()');
    expect(next).not.toBe(pid);
    await pool.close();
  });

  it('pgbouncer: no reset query, but an open transaction is rolled back', async () => {
    const pool = onePool({ pgbouncer: true });
    await pool.execute("SET work_mem = '6MB'");
    expect(await pool.fetchVal('SHOW work_mem')).toBe('6MB');
    const a = await pool.acquire();
    await a.execute('BEGIN');
    await a.release();
    const b = await pool.acquire();
    await b.fetchVal('SELECT 1');
    expect(b.isInTransaction).toBe(false);
    await b.release();
    await pool.close();
  });
});

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Client } from '../../../src/faces/pg/client.js';
import { Pool, type PoolClient } from '../../../src/faces/pg/pool.js';
import { testConfig } from '../../support/env.js';
import { backendPid, deferred, makePool } from './pool-support.js';

describe('pg face Pool: construction', () => {
  it("fills in pg-pool's defaults without changing the caller's object", () => {
    const config = { max: 3 };
    const pool = new Pool(config);
    expect(config).toEqual({ max: 3 });
    expect(pool.options).toMatchObject({ max: 3, min: 0, maxUses: Infinity, idleTimeoutMillis: 10_000, maxLifetimeSeconds: 0, allowExitOnIdle: false });
    expect(new Pool({ poolSize: 4 }).options.max).toBe(4);
    expect(new Pool().options.max).toBe(10);
    expect(new Pool({ idleTimeoutMillis: null }).options.idleTimeoutMillis).toBeNull();
    expect(pool).toMatchObject({ totalCount: 0, idleCount: 0, waitingCount: 0, expiredCount: 0, ending: false, ended: false });
  });

  it('keeps the password out of enumeration (logs, JSON) but passes it to clients', () => {
    const pool = new Pool({ user: 'u', password: 'secret-pw' });
    expect(JSON.stringify(pool.options)).not.toContain('secret-pw');
    expect(Object.keys(pool.options)).not.toContain('password');
    expect((pool.options as { password?: string }).password).toBe('secret-pw');
  });

  it('returns promises of the Promise class it was given', async () => {
    class TaggedPromise<T> extends Promise<T> {}
    const pool = makePool({ Promise: TaggedPromise });
    const result = pool.query('SELECT 1 AS one');
    expect(result).toBeInstanceOf(TaggedPromise);
    expect((await result).rows).toEqual([{ one: 1 }]);
  });
});

describe('pg face Pool: client classes', () => {
  it("pools the face's Client by default, a subclass given as Client, or the second constructor argument", async () => {
    expect(await makePool().connect().then((c) => { c.release(); return c; })).toBeInstanceOf(Client);
    class Traced extends Client {}
    const traced = await makePool({ Client: Traced }).connect();
    expect(traced).toBeInstanceOf(Traced);
    traced.release();
    class Bound extends Pool {
      constructor() {
        super(testConfig(), Traced);
      }
    }
    const bound = new Bound();
    const viaArgument = await bound.connect();
    expect(viaArgument).toBeInstanceOf(Traced);
    viaArgument.release();
    await bound.end();
  });

  it("pools node-postgres' own Client just as well", async () => {
    const pool = makePool({ Client: pg.Client, max: 2 });
    const client = await pool.connect();
    expect(client).toBeInstanceOf(pg.Client);
    expect((await client.query('SELECT $1::text AS v', ['pg'])).rows).toEqual([{ v: 'pg' }]);
    client.release();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(pool).toMatchObject({ totalCount: 1, idleCount: 1 });
  });
});

describe('pg face Pool: query', () => {
  it('runs a statement with values, as a promise and with a callback (which gets no promise)', async () => {
    const pool = makePool();
    const res = await pool.query('SELECT $1::text AS name', ['brianc']);
    expect(res.rows).toEqual([{ name: 'brianc' }]);
    expect(res.rowCount).toBe(1);
    const done = deferred<unknown>();
    const returned = pool.query('SELECT $1::int AS n', [7], (err, r) => (err ? done.reject(err) : done.resolve(r?.rows)));
    expect(returned).toBeUndefined();
    expect(await done.promise).toEqual([{ n: 7 }]);
    const noValues = deferred<unknown>();
    pool.query('SELECT 2 AS two', (err, r) => (err ? noValues.reject(err) : noValues.resolve(r?.rows)));
    expect(await noValues.promise).toEqual([{ two: 2 }]);
    expect(pool).toMatchObject({ totalCount: 1, idleCount: 1 });
  });

  it('takes a query config object', async () => {
    const pool = makePool();
    const res = await pool.query({ text: 'SELECT $1::int + 1 AS n', values: [41] });
    expect(res.rows).toEqual([{ n: 42 }]);
  });

  it('a failed statement rejects with the server error and drops its client, and the pool goes on', async () => {
    const pool = makePool({ max: 1 });
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i++) await pool.query('SELECT no_such_column').catch((e: unknown) => errors.push(e));
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatchObject({ code: '42703' });
    expect(pool).toMatchObject({ totalCount: 0, idleCount: 0 });
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('a callback gets the error and never a promise rejection', async () => {
    const pool = makePool();
    const done = deferred<Error | null>();
    const returned = pool.query('SELEC 1', (err) => done.resolve(err));
    expect(returned).toBeUndefined();
    expect((await done.promise)?.message).toMatch(/syntax error/);
  });

  it('a function as the statement is refused with pg-pool\'s message, asynchronously', async () => {
    const pool = makePool();
    const done = deferred<Error>();
    let isSync = true;
    (pool.query as unknown as (cb: (err: Error) => void) => void)((err) => {
      expect(isSync).toBe(false);
      done.resolve(err);
    });
    isSync = false;
    expect((await done.promise).message).toBe('Passing a function as the first parameter to pool.query is not supported');
    expect(pool.totalCount).toBe(0);
  });

  it('a null statement is an error and leaves no client behind', async () => {
    const pool = makePool();
    await expect(pool.query(null as unknown as string)).rejects.toBeInstanceOf(Error);
    expect(pool.idleCount).toBe(0);
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});

describe('pg face Pool: connect and release', () => {
  it('lends the same client again once released, and counts it', async () => {
    const pool = makePool();
    const a = await pool.connect();
    expect(pool).toMatchObject({ totalCount: 1, idleCount: 0 });
    const pid = await backendPid(a);
    a.release();
    expect(pool).toMatchObject({ totalCount: 1, idleCount: 1 });
    const b = await pool.connect();
    expect(b).toBe(a);
    expect(await backendPid(b)).toBe(pid);
    b.release();
  });

  it('the callback form gets (err, client, done), never synchronously', async () => {
    const pool = makePool();
    const first = await pool.connect();
    first.release();
    const done = deferred<void>();
    let isInside = true;
    const returned = pool.connect((err, client, release) => {
      expect(isInside).toBe(false);
      expect(err).toBeUndefined();
      expect(client).toBe(first);
      expect(release).toBe(client?.release);
      release();
      done.resolve();
    });
    isInside = false;
    expect(returned).toBeUndefined();
    await done.promise;
  });

  it('serves waiters in call order once max clients are lent, and idle clients last in first out', async () => {
    const pool = makePool({ max: 2 });
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => pool.connect().then((c) => { order.push(n); return c; }));
    expect(pool.waitingCount).toBe(3);
    a.release();
    const first = await waiting[0];
    expect(first).toBe(a);
    b.release();
    expect(await waiting[1]).toBe(b);
    first.release();
    expect(await waiting[2]).toBe(a);
    expect(order).toEqual([1, 2, 3]);
    a.release();
    b.release();
    // Both idle now: the one released last is lent first.
    const next = await pool.connect();
    expect(next).toBe(b);
    next.release();
    expect(pool.totalCount).toBe(2);
  });

  it('never opens more than max clients however many borrow at once', async () => {
    const pool = makePool({ max: 3 });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => pool.query('SELECT pg_backend_pid() AS pid').then((r) => (r.rows[0] as { pid: number }).pid)),
    );
    expect(new Set(results).size).toBeLessThanOrEqual(3);
    expect(pool.totalCount).toBeLessThanOrEqual(3);
  });

  it("a second release throws pg's error, every time, and changes nothing", async () => {
    const pool = makePool();
    const client = await pool.connect();
    client.release();
    const message = 'Release called on client which has already been released to the pool.';
    expect(() => client.release()).toThrow(message);
    expect(() => client.release()).toThrow(message);
    expect(pool).toMatchObject({ totalCount: 1, idleCount: 1 });
  });

  it('release(err) and release(true) close the client instead of keeping it', async () => {
    const pool = makePool();
    for (const how of [new Error('done with it'), true] as const) {
      const client = await pool.connect();
      const removed = new Promise((resolve) => pool.once('remove', resolve));
      client.release(how);
      expect(pool).toMatchObject({ totalCount: 0, idleCount: 0 });
      expect(await removed).toBe(client);
    }
  });

  it('a client that was ended while lent is dropped on release, not kept', async () => {
    const pool = makePool({ max: 1 });
    const client: PoolClient = await pool.connect();
    const ended = client.end();
    client.release();
    await ended;
    expect(pool).toMatchObject({ totalCount: 0, idleCount: 0 });
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});

import { describe, expect, it } from 'vitest';
import type { PoolClient } from '../../../src/faces/pg/pool.js';
import { deferred, makePool, nextEvent } from './pool-support.js';

describe('pg face Pool: events', () => {
  it('connect (new clients only) and acquire (every lending) come before the borrower gets the client', async () => {
    const pool = makePool();
    const seen: string[] = [];
    pool.on('connect', () => seen.push('connect'));
    pool.on('acquire', () => seen.push('acquire'));
    const client = await pool.connect();
    seen.push('lent');
    client.release();
    (await pool.connect()).release();
    expect(seen).toEqual(['connect', 'acquire', 'lent', 'acquire']);
  });

  it('connect is not emitted for a client that failed to connect', async () => {
    const pool = makePool({ password: 'not-the-password', user: 'no_such_role_for_pool_events' });
    let connects = 0;
    pool.on('connect', () => connects++);
    await expect(pool.connect()).rejects.toBeInstanceOf(Error);
    expect(connects).toBe(0);
    expect(pool.totalCount).toBe(0);
  });

  it('release carries the error the client was released with (or undefined) and the client', async () => {
    const pool = makePool();
    const releases: [unknown, unknown][] = [];
    pool.on('release', (err: unknown, client: unknown) => releases.push([err, client]));
    const a = await pool.connect();
    a.release();
    const b = await pool.connect();
    const problem = new Error('problem');
    b.release(problem);
    await pool.query('SELECT 1');
    expect(releases.slice(0, 2)).toEqual([[undefined, a], [problem, b]]);
    // pool.query releases with whatever its client's callback reported: nothing (null or undefined) on success.
    expect(releases[2][0]).toBeFalsy();
    expect(releases).toHaveLength(3);
  });

  it('remove follows a client closed by the pool, with that client', async () => {
    const pool = makePool();
    const client = await pool.connect();
    const removed = nextEvent<[PoolClient]>(pool, 'remove');
    client.release(true);
    expect((await removed)[0]).toBe(client);
  });

  it("an idle client's error is emitted on the pool with the client, after it was dropped", async () => {
    const pool = makePool();
    const client = await pool.connect();
    client.release();
    const failure = nextEvent<[Error & { client?: unknown }, PoolClient]>(pool, 'error');
    client.emit('error', new Error('on purpose'));
    const [err, errClient] = await failure;
    expect(err.message).toBe('on purpose');
    expect(err.client).toBe(client);
    expect(errClient).toBe(client);
    expect(pool).toMatchObject({ totalCount: 0, idleCount: 0 });
  });

  it("a lent client's error is the borrower's: not emitted on the pool, the client still counted", async () => {
    const pool = makePool();
    let poolErrors = 0;
    pool.on('error', () => poolErrors++);
    const client = await pool.connect();
    const got = deferred<Error>();
    client.once('error', got.resolve);
    client.emit('error', new Error('expected'));
    expect((await got.promise).message).toBe('expected');
    expect(poolErrors).toBe(0);
    expect(pool.totalCount).toBe(1);
    client.release();
  });

  it('with no error listener, an idle client failure becomes a process warning, not a crash', async () => {
    const pool = makePool();
    const client = await pool.connect();
    client.release();
    const warned = nextEvent<[Error]>(process, 'warning', (w) => w.name === 'PgPoolWarning');
    client.emit('error', new Error('nobody listens'));
    expect((await warned)[0].message).toMatch(/nobody listens/);
    expect(pool.totalCount).toBe(0);
  });

  it('log receives the pool\'s debug messages', async () => {
    const messages: unknown[] = [];
    const pool = makePool({ maxUses: 1, log: (msg: unknown) => messages.push(msg) });
    (await pool.connect()).release();
    expect(messages).toContain('remove expended client');
    expect(messages).toContain('connecting new client');
  });
});

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolClient } from '../../../src/faces/pg/pool.js';
import { deferred, makePool, nextEvent } from './pool-support.js';

describe('pg face Pool: connection timeout', () => {
  // A server that accepts connections and never answers: a connect to it can only end by timing out.
  let silent: net.Server;
  let silentPort = 0;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a new client that cannot connect in time fails the borrower and is not counted', async () => {
    const pool = makePool({ host: '127.0.0.1', port: silentPort, connectionTimeoutMillis: 50 });
    const err = await pool.connect().then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/timeout/);
    expect(pool).toMatchObject({ totalCount: 0, idleCount: 0, waitingCount: 0 });
  });

  it("a waiter that gets no client in time fails with pg-pool's message; the pool then serves the next", async () => {
    // The holder connects without a deadline (a loaded machine may take long); pg-pool reads its options when
    // it uses them, so the deadline set next applies to the waiter.
    const pool = makePool({ max: 1 });
    const holder = await pool.connect();
    pool.options.connectionTimeoutMillis = 100;
    const done = deferred<Error | null | undefined>();
    pool.query('SELECT 1', (err) => done.resolve(err));
    expect(pool.waitingCount).toBe(1);
    expect((await done.promise)?.message).toBe('timeout exceeded when trying to connect');
    expect(pool.waitingCount).toBe(0);
    holder.release();
    expect((await pool.query('SELECT $1::text AS name', ['after'])).rows).toEqual([{ name: 'after' }]);
  });
});

describe('pg face Pool: client retirement', () => {
  it('maxUses: a client is closed on the release that uses it up', async () => {
    const pool = makePool({ maxUses: 2 });
    const first = await pool.connect();
    first.release();
    const second = await pool.connect();
    expect(second).toBe(first);
    const removed = nextEvent<[PoolClient]>(pool, 'remove');
    second.release();
    expect((await removed)[0]).toBe(first);
    const third = await pool.connect();
    expect(third).not.toBe(first);
    third.release();
  });

  it('idleTimeoutMillis: an idle client above min is closed when its time is up', async () => {
    const pool = makePool({ idleTimeoutMillis: 20 });
    const removed = nextEvent<[PoolClient]>(pool, 'remove');
    await pool.query('SELECT 1');
    expect(pool.idleCount).toBe(1);
    await removed;
    expect(pool).toMatchObject({ idleCount: 0, totalCount: 0 });
  });

  it('min: idle clients down to min are kept past the idle timeout', async () => {
    const pool = makePool({ max: 2, min: 1, idleTimeoutMillis: 20 });
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    const removed = nextEvent<[PoolClient]>(pool, 'remove');
    a.release();
    b.release();
    const [gone] = await removed;
    expect([a, b]).toContain(gone);
    // The survivor's timer either ran already or runs within its 20 ms; that it then keeps the client can
    // only be seen as the absence of a removal, so give it a few periods to happen.
    let isSecondRemoved = false;
    pool.on('remove', () => (isSecondRemoved = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isSecondRemoved).toBe(false);
    expect(pool).toMatchObject({ idleCount: 1, totalCount: 1 });
    const survivor = await pool.connect();
    expect([a, b].filter((c) => c !== gone)).toContain(survivor);
    survivor.release();
  });

  it('maxLifetimeSeconds: an idle client is closed once it is older than that', async () => {
    const pool = makePool({ maxLifetimeSeconds: 1 });
    const removed = nextEvent<[PoolClient]>(pool, 'remove');
    await pool.query('SELECT 1');
    await removed;
    expect(pool).toMatchObject({ totalCount: 0, expiredCount: 0 });
  });

  it('maxLifetimeSeconds: a lent client expires and is closed when released', async () => {
    const pool = makePool({ maxLifetimeSeconds: 1 });
    const client = await pool.connect();
    await client.query('SELECT pg_sleep(1.2)');
    expect(pool.expiredCount).toBe(1);
    const removed = nextEvent<[PoolClient]>(pool, 'remove');
    client.release();
    expect((await removed)[0]).toBe(client);
    expect(pool).toMatchObject({ totalCount: 0, expiredCount: 0 });
  });
});

describe('pg face Pool: hooks', () => {
  it('verify runs on each new client; its error fails the borrower and drops the client', async () => {
    let calls = 0;
    const pool = makePool({
      verify: (client, done) => {
        calls++;
        client.query('SELECT 1', (err) => done(calls === 1 ? new Error('nope') : (err ?? undefined)));
      },
    });
    await expect(pool.connect()).rejects.toThrow('nope');
    expect(pool.totalCount).toBe(0);
    const client = await pool.connect();
    client.release();
    const again = await pool.connect();
    again.release();
    expect(calls).toBe(2);
  });

  it('onConnect runs once per new client, may be async, and its failure drops the client', async () => {
    let fail = true;
    const seen: PoolClient[] = [];
    const pool = makePool({
      onConnect: async (client) => {
        seen.push(client);
        await client.query('SET application_name = \'pg-face-hook\'');
        if (fail) throw new Error('hook failed');
      },
    });
    await expect(pool.connect()).rejects.toThrow('hook failed');
    expect(pool.totalCount).toBe(0);
    fail = false;
    const client = await pool.connect();
    expect((await client.query('SHOW application_name')).rows).toEqual([{ application_name: 'pg-face-hook' }]);
    client.release();
    (await pool.connect()).release();
    expect(seen).toHaveLength(2);
  });
});

describe('pg face Pool: end', () => {
  it('lets lent clients finish, then closes everything', async () => {
    const pool = makePool({ max: 5 });
    const queries = Array.from({ length: 5 }, (_, i) => pool.query('SELECT $1::int AS i', [i]));
    await pool.end();
    expect(pool).toMatchObject({ ending: true, ended: true, totalCount: 0 });
    expect((await Promise.all(queries)).map((r) => r.rows[0])).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
  });

  it('waits for a lent client to be released', async () => {
    const pool = makePool();
    const client = await pool.connect();
    let isEnded = false;
    const ending = pool.end().then(() => {
      isEnded = true;
    });
    await client.query('SELECT 1');
    expect(isEnded).toBe(false);
    client.release();
    await ending;
    expect(pool.ended).toBe(true);
  });

  it("refuses use after end with pg-pool's messages, through promises and callbacks", async () => {
    const pool = makePool();
    await pool.query('SELECT 1');
    await pool.end();
    const after = 'Cannot use a pool after calling end on the pool';
    await expect(pool.connect()).rejects.toThrow(after);
    await expect(pool.query('SELECT 1')).rejects.toThrow(after);
    await expect(pool.end()).rejects.toThrow('Called end on pool more than once');
    const viaCallback = deferred<Error | undefined>();
    pool.connect((err) => viaCallback.resolve(err));
    expect((await viaCallback.promise)?.message).toBe(after);
    const endAgain = deferred<Error | undefined>();
    pool.end((err) => endAgain.resolve(err));
    expect((await endAgain.promise)?.message).toBe('Called end on pool more than once');
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, connect, createPool, PoolTimeoutError, SerializationError, TimeoutError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let admin: Connection;

beforeAll(async () => {
  admin = await connect(testDsn());
});

afterAll(async () => {
  await admin.close();
});

/** A unique application_name, so pg_stat_activity can be filtered to one pool's sessions. */
const appName = (): string => `pgjet-pool-${randomUUID().slice(0, 8)}`;

const sessionsOf = async (app: string): Promise<number> =>
  Number(await admin.fetchVal<bigint>('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [app]));

describe('maxSize under load', () => {
  it('200 concurrent pool.fetch with maxSize 10: all succeed, never more than 10 server sessions', async () => {
    const app = appName();
    const pool = createPool(testDsn(), { minSize: 0, maxSize: 10, serverSettings: { application_name: app } });
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await sessionsOf(app));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => pool.fetch<{ i: number }>('SELECT $1::int4 AS i, pg_sleep(0.002)', [i])),
    );
    sampling = false;
    await sampler;
    expect(results.map((r) => r[0].i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    peak = Math.max(peak, await sessionsOf(app));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(10);
    expect(pool.stats()).toMatchObject({ size: 10, idle: 10, borrowed: 0, waiting: 0 });
    await pool.close();
    // Closed connections leave the server (Terminate is asynchronous on the server side: poll briefly).
    for (let i = 0; i < 50 && (await sessionsOf(app)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await sessionsOf(app)).toBe(0);
  });

  it('waiters are served first in, first out', async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 1 });
    const held = await pool.acquire();
    const order: number[] = [];
    const waiters = [0, 1, 2, 3].map((i) =>
      pool.withConnection(async () => {
        order.push(i);
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.stats().waiting).toBe(4);
    await held.release();
    await Promise.all(waiters);
    expect(order).toEqual([0, 1, 2, 3]);
    await pool.close();
  });
});

describe('acquire timeout', () => {
  it('fires on time with PoolTimeoutError and the timed-out waiter leaves the queue', async () => {
    const pool = createPool(testDsn(), { minSize: 2, maxSize: 2, acquireTimeout: 150 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const started = performance.now();
    const err = await pool.acquire({ timeout: 200 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(PoolTimeoutError);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as PoolTimeoutError).safeToRetry).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(1_000); // generous: a loaded CI machine delays timers
    expect(pool.stats().waiting).toBe(0);

    // Many waiters timing out (the pool default, 150 ms) leave nothing behind either.
    const many = await Promise.allSettled(Array.from({ length: 100 }, () => pool.fetchVal('SELECT 1')));
    expect(many.every((r) => r.status === 'rejected' && r.reason instanceof PoolTimeoutError)).toBe(true);
    expect(pool.stats()).toMatchObject({ waiting: 0, borrowed: 2, size: 2 });

    // A released connection goes to the idle set (no dead waiter swallows it) and is lent at once.
    await a.release();
    expect(pool.stats()).toMatchObject({ idle: 1, borrowed: 1, waiting: 0 });
    const t0 = performance.now();
    expect(await pool.fetchVal('SELECT 1')).toBe(1);
    expect(performance.now() - t0).toBeLessThan(1_000); // lent at once: no 150 ms acquireTimeout (that would throw)
    await b.release();
    await pool.close();
  });

  it('an AbortSignal cancels the wait with AbortError', async () => {
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 1 });
    const held = await pool.acquire();
    const ctl = new AbortController();
    const waiting = pool.acquire({ signal: ctl.signal });
    setTimeout(() => ctl.abort(new Error('no longer needed')), 30);
    const err = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as Error).cause).toEqual(new Error('no longer needed'));
    expect(pool.stats().waiting).toBe(0);
    await expect(pool.acquire({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    await held.release();
    await pool.close();
  });
});

describe('serializable bank transfers', () => {
  it('concurrent transfers retried on SerializationError keep the total balance', async () => {
    const table = `pool_bank_${randomUUID().slice(0, 8)}`;
    await admin.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0))`);
    await admin.execute(`INSERT INTO ${table} SELECT g, 100 FROM generate_series(1, 5) g`);
    const pool = createPool(testDsn(), { minSize: 0, maxSize: 8 });
    let retries = 0;
    const transfer = async (from: number, to: number, amount: number): Promise<void> => {
      for (;;) {
        try {
          await pool.transaction(
            async (tx) => {
              const balance = await tx.fetchVal<number>(`SELECT balance FROM ${table} WHERE id = $1`, [from]);
              if ((balance ?? 0) < amount) return;
              // Rows are locked in id order, so transfers conflict (40001) but never deadlock.
              const moves: [number, number][] = [[from, -amount], [to, amount]];
              moves.sort((x, y) => x[0] - y[0]);
              for (const [id, delta] of moves) await tx.execute(`UPDATE ${table} SET balance = balance + $2 WHERE id = $1`, [id, delta]);
            },
            { isolation: 'serializable' },
          );
          return;
        } catch (err) {
          if (!(err instanceof SerializationError)) throw err;
          retries++;
        }
      }
    };
    const workers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; i < 8; i++) {
        const from = ((w + i) % 5) + 1;
        const to = ((w + 2 * i + 1) % 5) + 1;
        if (from !== to) await transfer(from, to, 1 + ((w * 7 + i) % 13));
      }
    });
    await Promise.all(workers);
    expect(await admin.fetchVal(`SELECT sum(balance)::int FROM ${table}`)).toBe(500);
    expect(retries).toBeGreaterThan(0);
    expect(pool.stats()).toMatchObject({ borrowed: 0, waiting: 0 });
    await pool.close();
    await admin.execute(`DROP TABLE ${table}`);
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../../src/index.js';
import type { PoolClient } from '../../../src/faces/pg/pool.js';
import { testDsn } from '../../support/env.js';
import { backendPid, deferred, makePool, nextEvent } from './pool-support.js';

let admin: Connection;

beforeAll(async () => {
  admin = await connect(testDsn());
});

afterAll(async () => {
  await admin.close();
});

const terminate = async (pid: number): Promise<void> => {
  expect(await admin.fetchVal('SELECT pg_terminate_backend($1)', [pid])).toBe(true);
};

describe('pg face Pool: the server ending a pooled backend', () => {
  it('an idle client killed by pg_terminate_backend: error event, client removed, the next query succeeds', async () => {
    const pool = makePool({ max: 1 });
    const client = await pool.connect();
    const pid = await backendPid(client);
    client.release();
    const failure = nextEvent<[Error & { code?: string; client?: unknown }, PoolClient]>(pool, 'error');
    await terminate(pid);
    const [err, errClient] = await failure;
    expect(errClient).toBe(client);
    expect(err.client).toBe(client);
    expect(err.message).toMatch(/terminat/);
    expect(pool).toMatchObject({ totalCount: 0, idleCount: 0 });
    const res = await pool.query('SELECT pg_backend_pid() AS pid');
    expect((res.rows[0] as { pid: number }).pid).not.toBe(pid);
    expect(pool.totalCount).toBe(1);
  });

  it('a client killed during pool.query: the query fails, the client is not kept, the pool goes on', async () => {
    const pool = makePool({ max: 1 });
    pool.on('error', () => undefined);
    const client = await pool.connect();
    const pid = await backendPid(client);
    client.release();
    const running = pool.query('SELECT pg_sleep(30)').then(() => null, (e: unknown) => e as Error);
    // Wait until the statement is running on that backend, then end the backend under it.
    const started = async (): Promise<boolean> =>
      (await admin.fetchVal<number>("SELECT count(*)::int FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%'", [pid])) === 1;
    while (!(await started())) await new Promise((resolve) => setImmediate(resolve));
    await terminate(pid);
    expect(await running).toBeInstanceOf(Error);
    expect(pool.idleCount).toBe(0);
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('a lent client killed while held is dropped when released, never lent again', async () => {
    const pool = makePool({ max: 1 });
    const client = await pool.connect();
    const pid = await backendPid(client);
    const clientError = deferred<Error>();
    client.on('error', clientError.resolve);
    await terminate(pid);
    expect((await clientError.promise).message).toMatch(/terminat/);
    client.release();
    expect(pool).toMatchObject({ totalCount: 0, idleCount: 0 });
    const next = await pool.connect();
    expect(next).not.toBe(client);
    expect(await backendPid(next)).not.toBe(pid);
    next.release();
  });
});

type Step = { kind: 'borrow' } | { kind: 'release'; index: number; withError: boolean } | { kind: 'query' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant<Step>({ kind: 'borrow' }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('release' as const), index: fc.nat(), withError: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) }),
    weight: 3,
  },
  { arbitrary: fc.constant<Step>({ kind: 'query' }), weight: 1 },
);

describe('pg face Pool: bookkeeping against a model', () => {
  it('lends idle clients last in first out, drops clients released with an error, and counts right', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(stepArb, { minLength: 8, maxLength: 24 }), async (max, steps) => {
        const pool = makePool({ max });
        const held: PoolClient[] = [];
        const idle: PoolClient[] = [];
        try {
          for (const step of steps) {
            if (step.kind === 'borrow' && held.length < max) {
              const client = await pool.connect();
              const expected = idle.pop();
              const isNew = !held.includes(client);
              // Held before checking, so that a failed check still gives it back and the pool can end.
              held.push(client);
              if (expected) expect(client).toBe(expected);
              else expect(isNew).toBe(true);
            } else if (step.kind === 'release' && held.length > 0) {
              const [client] = held.splice(step.index % held.length, 1);
              client.release(step.withError ? new Error('drop it') : undefined);
              if (!step.withError) idle.push(client);
            } else if (step.kind === 'query' && held.length < max) {
              // pool.query borrows like connect (the newest idle client, else a new one) and releases it after.
              const before = idle[idle.length - 1];
              const res = await pool.query('SELECT 1 AS one');
              expect(res.rows).toEqual([{ one: 1 }]);
              if (!before) idle.push(pool._clients.find((c) => !held.includes(c) && !idle.includes(c)) as PoolClient);
            }
            expect(pool).toMatchObject({ idleCount: idle.length, totalCount: idle.length + held.length, waitingCount: 0 });
          }
        } finally {
          for (const client of held) client.release();
          await pool.end();
        }
        expect(pool).toMatchObject({ ended: true, totalCount: 0, idleCount: 0 });
      }),
      { numRuns: 20 },
    );
  });
});

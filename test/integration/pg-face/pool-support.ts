/**
 * Shared pieces of the pg face's Pool tests: pools on the test server that are ended after each test, and small
 * promise helpers that wait on events rather than on time.
 */
import { afterEach } from 'vitest';
import { Pool, type PoolClient, type PoolConfig } from '../../../src/faces/pg/pool.js';
import { testConfig } from '../../support/env.js';

const open = new Set<Pool>();

afterEach(async () => {
  const pools = [...open];
  open.clear();
  await Promise.all(pools.filter((pool) => !pool.ending).map((pool) => pool.end()));
});

/** A pool on the test server (superuser), ended after the test unless the test ended it. */
export function makePool(config: PoolConfig = {}): Pool {
  const pool = new Pool({ ...testConfig(), ...config });
  open.add(pool);
  return pool;
}

/** The backend process id of a pooled client, asked of the server. */
export async function backendPid(client: PoolClient): Promise<number> {
  const res = await client.query('SELECT pg_backend_pid() AS pid');
  return Number((res.rows[0] as { pid: number }).pid);
}

/** A promise with its settle functions outside, for callbacks that must be awaited. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves with the arguments of the next `event` on `emitter` that `accept` lets through. */
export function nextEvent<A extends unknown[]>(
  emitter: { on(event: string, fn: (...args: A) => void): unknown; off(event: string, fn: (...args: A) => void): unknown },
  event: string,
  accept: (...args: A) => boolean = () => true,
): Promise<A> {
  return new Promise((resolve) => {
    const listener = (...args: A): void => {
      if (!accept(...args)) return;
      emitter.off(event, listener);
      resolve(args);
    };
    emitter.on(event, listener);
  });
}

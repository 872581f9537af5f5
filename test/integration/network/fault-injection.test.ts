/**
 * Every kind of request through the fault proxy, with faults chosen from fixed seeds: the stream cut at a
 * byte offset, a byte flipped, garbage injected, a stall, tiny split chunks with delays. Whatever the fault,
 * every call settles within its bound (commandTimeout + cancelTimeout, or the connect's own limit) with a
 * value or a `PgjetError`, nothing is left as an unhandled rejection, and the pool serves a correct query
 * afterwards.
 *
 * `npm run test:faults` runs the same cases with random seeds for a bounded time (PGJET_FAULT_SECONDS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, PgjetError, type Pool, type PooledConnection } from '../../../src/index.js';
import { testConfig, testDsn } from '../../support/env.js';
import { startFaultProxy, type FaultPlan, type FaultProxy, type LinkPlan } from '../../support/fault-proxy.js';
import { connect } from '../../../src/index.js';

const COMMAND_TIMEOUT = 1_200;
const CANCEL_TIMEOUT = 500;
const CONNECT_TIMEOUT = 2_000;
/** Slack for event-loop turns on a loaded 2-core machine. */
const SLACK = 2_000;
/** No single call may take longer than this, whatever the fault. */
const BOUND = Math.max(COMMAND_TIMEOUT + CANCEL_TIMEOUT, CONNECT_TIMEOUT) + SLACK;

/** A small deterministic PRNG (mulberry32), so a seed names a case. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One fault for the server → client direction (or, one time in four, client → server), from `seed`. */
export function planFor(seed: number): LinkPlan {
  const random = prng(seed);
  const offset = Math.floor(random() * 6_000);
  const kind = Math.floor(random() * 5);
  let fault: FaultPlan;
  switch (kind) {
    case 0:
      fault = { cutAt: offset };
      break;
    case 1:
      fault = { flipAt: [offset], flipMask: 1 + Math.floor(random() * 255) };
      break;
    case 2:
      fault = { inject: { offset, bytes: Uint8Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 256)) } };
      break;
    case 3:
      fault = { stallAt: offset };
      break;
    default:
      fault = { splitEvery: 1 + Math.floor(random() * 7), delayMs: Math.floor(random() * 3) };
  }
  return random() < 0.25 ? { toServer: fault } : { toClient: fault };
}

/** What each workload runs on a borrowed connection; every promise it starts is returned to be checked. */
type Workload = (c: PooledConnection) => Promise<unknown>[];

const WORKLOADS: Record<string, Workload> = {
  fetch: (c) => [c.fetch('SELECT g, md5(g::text) AS h FROM generate_series(1, 300) g')],
  pipelined: (c) => [
    c.fetchVal('SELECT $1::int4 + 1', [1]),
    c.fetch('SELECT g FROM generate_series(1, 50) g'),
    c.execute('SELECT 1; SELECT 2'),
    c.fetchRow('SELECT $1::text AS t', ['x'.repeat(500)]),
  ],
  executeMany: (c) => [c.executeMany('INSERT INTO fault_t (id, v) VALUES ($1, $2)', Array.from({ length: 200 }, (_, i) => [i, `v${i}`]))],
  copyIn: (c) => [c.copyRecordsToTable('fault_t', { records: Array.from({ length: 300 }, (_, i) => [i, `r${i}`]), columns: ['id', 'v'] })],
  copyOut: (c) => [c.copyFromQuery('SELECT g, md5(g::text) FROM generate_series(1, 500) g', undefined, { output: () => undefined })],
  cursor: (c) => [(async () => {
    let n = 0;
    for await (const _row of c.cursor('SELECT g FROM generate_series(1, 400) g', undefined, { prefetch: 50 })) n++;
    return n;
  })()],
  transaction: (c) => [c.transaction(async (tx) => {
    await tx.execute('INSERT INTO fault_t (id, v) VALUES ($1, $2)', [1, 'tx']);
    return tx.fetchVal('SELECT count(*) FROM fault_t');
  })],
  listen: (c) => [(async () => {
    const heard = new Promise<string>((resolve) => {
      void c.listen('fault_ch', (payload) => resolve(payload)).then(async (stop) => {
        await c.notify('fault_ch', 'ping');
        await heard;
        await stop();
      }).catch(() => undefined);
    });
    // The listen chain's own failures are the connection's; bound the wait for the notification.
    return Promise.race([heard, c.fetchVal('SELECT pg_sleep(0.3)').then(() => 'none')]);
  })()],
};

/** One case: a fresh proxy whose first connection gets the seed's fault, a pool behind it, one workload. */
export async function runCase(target: { host: string; port: number }, workload: string, seed: number): Promise<void> {
  const proxy: FaultProxy = await startFaultProxy({ target, plan: (i) => (i === 0 ? planFor(seed) : undefined) });
  const { user, password, database } = testConfig();
  const dsn = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${proxy.host}:${proxy.port}/${database}?sslmode=disable`;
  const pool: Pool = createPool(dsn, {
    maxSize: 1,
    commandTimeout: COMMAND_TIMEOUT,
    cancelTimeout: CANCEL_TIMEOUT,
    connectTimeout: CONNECT_TIMEOUT,
    acquireTimeout: BOUND,
  });
  try {
    const started = performance.now();
    const outcomes = await Promise.allSettled([(async () => {
      const conn = await pool.acquire();
      try {
        const calls = WORKLOADS[workload](conn).map((p) => settleTimed(p));
        for (const { outcome, ms } of await Promise.all(calls)) {
          expect(ms, `${workload} seed ${seed}: a call took ${ms.toFixed(0)} ms`).toBeLessThan(BOUND);
          if (outcome.status === 'rejected') expectTyped(outcome.reason, workload, seed);
        }
      } finally {
        await conn.release();
      }
    })()]);
    for (const o of outcomes) if (o.status === 'rejected') expectTyped(o.reason, workload, seed);
    expect(performance.now() - started).toBeLessThan(2 * BOUND + SLACK);
    // The pool recovers: a connection that died (or stalled, and is abandoned by this call's limit) is replaced.
    let value: unknown;
    for (let attempt = 0; attempt < 3 && value !== 42; attempt++) {
      value = await pool.fetchVal('SELECT 41 + $1::int4', [1]).catch((e: unknown) => expectTyped(e, workload, seed));
    }
    expect(value, `${workload} seed ${seed}: the pool answers afterwards`).toBe(42);
  } finally {
    pool.terminate();
    await proxy.close();
  }
}

async function settleTimed(p: Promise<unknown>): Promise<{ outcome: PromiseSettledResult<unknown>; ms: number }> {
  const started = performance.now();
  const [outcome] = await Promise.allSettled([p]);
  return { outcome, ms: performance.now() - started };
}

function expectTyped(err: unknown, workload: string, seed: number): void {
  if (!(err instanceof PgjetError)) {
    throw new Error(`${workload} seed ${seed}: rejected with ${String(err)}, not a PgjetError`, { cause: err });
  }
}

/** Seeds run by `npm test`; `npm run test:faults` draws its own. */
const FIXED_SEEDS = [1, 2, 3];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const conn = await connect(testDsn());
  await conn.execute('DROP TABLE IF EXISTS fault_t; CREATE UNLOGGED TABLE fault_t (id int, v text)');
  await conn.close();
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('every request kind through injected faults', () => {
  // Each workload gets its own faults: the seed is offset by the workload's position.
  const cases = Object.keys(WORKLOADS).flatMap((w, i) => FIXED_SEEDS.map((seed) => [w, seed + 1000 * i] as const));
  it.each(cases)('%s, seed %i: settles in bound with a value or a PgjetError; the pool recovers', async (workload, seed) => {
    const { host, port } = testConfig();
    await runCase({ host, port }, workload, seed);
    expect(unhandled).toEqual([]);
  }, 4 * BOUND + 10_000);
});

/** `npm run test:faults`: random workloads and seeds until PGJET_FAULT_SECONDS have passed. */
const RANDOM_SECONDS = Number(process.env.PGJET_FAULT_SECONDS ?? 0);

describe.skipIf(RANDOM_SECONDS <= 0)('random seeds (only under npm run test:faults, which sets PGJET_FAULT_SECONDS)', () => {
  it('every case settles in bound and the pool recovers; a failure names its workload and seed', async () => {
    const { host, port } = testConfig();
    const names = Object.keys(WORKLOADS);
    const end = Date.now() + RANDOM_SECONDS * 1000;
    let cases = 0;
    while (Date.now() < end) {
      const seed = Math.floor(Math.random() * 2 ** 31);
      await runCase({ host, port }, names[seed % names.length], seed);
      cases++;
    }
    expect(unhandled).toEqual([]);
    console.log(`fault injection: ${cases} random cases passed`);
  }, RANDOM_SECONDS * 1000 + 4 * BOUND + 30_000);
});

/**
 * Every call ends within its limit plus `cancelTimeout`, whatever the server or the network does after the
 * call's bytes went out: a stalled answer, a cancel that never arrives, an answer that comes after the
 * deadline. Driven through the fault proxy in front of the real server; the tests wait on events (the
 * proxy's stall, the call's settling) and only measure time to check the bound.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  connect,
  ConnectionError,
  createPool,
  TimeoutError,
  type Connection,
} from '../../../src/index.js';
import { testConfig } from '../../support/env.js';
import { startFaultProxy, type FaultProxy, type LinkPlan } from '../../support/fault-proxy.js';

const CANCEL_TIMEOUT = 400;
/** What a settled call may take beyond its bound: event-loop turns on a busy 2-core machine. */
const SLACK = 1_500;

let proxy: FaultProxy;
let plans: (LinkPlan | undefined)[] = [];

beforeAll(async () => {
  const { host, port } = testConfig();
  proxy = await startFaultProxy({ target: { host, port }, plan: (i) => plans[i] });
});

afterAll(async () => {
  await proxy.close();
});

const opened: Connection[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.terminate();
});

function proxyDsn(): string {
  const { user, password, database } = testConfig();
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${proxy.host}:${proxy.port}/${database}?sslmode=disable`;
}

async function open(cancelTimeout = CANCEL_TIMEOUT): Promise<Connection> {
  const conn = await connect(proxyDsn(), { cancelTimeout });
  opened.push(conn);
  return conn;
}

/** Runs `call` and returns what it rejected with and how long it took (fails the test if it resolves). */
async function timed(call: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  const error = await call.then(
    (value) => new Error(`resolved with ${JSON.stringify(value)}`),
    (e: unknown) => e as Error,
  );
  return { error, ms: performance.now() - started };
}

describe('a stalled answer', () => {
  it('a timed-out call whose answer never comes is abandoned with its connection within timeout + cancelTimeout', async () => {
    const conn = await open();
    const link = proxy.links[proxy.links.length - 1];
    link.stall('toClient');
    const call = timed(conn.fetchVal('SELECT 1', [], { timeout: 200 }));
    // Queued behind the stalled call: it fails with the connection.
    const other = conn.fetchVal('SELECT 2').catch((e: unknown) => e);
    const { error, ms } = await call;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.cause).toBeInstanceOf(ConnectionError);
    expect((error.cause as Error).message).toMatch(/abandoned: a call stopped by its timeout got no answer within 400 ms/);
    expect((error as TimeoutError).safeToRetry).toBe(false);
    expect(ms).toBeLessThan(200 + CANCEL_TIMEOUT + SLACK);
    expect(conn.isClosed).toBe(true);
    expect(await other).toBeInstanceOf(ConnectionError);
  });

  it('an aborted call is abandoned the same way, as an AbortError', async () => {
    const conn = await open();
    proxy.links[proxy.links.length - 1].stall('toClient');
    const controller = new AbortController();
    const call = timed(conn.fetchVal('SELECT 1', [], { signal: controller.signal }));
    controller.abort(new Error('user left'));
    const { error, ms } = await call;
    expect(error).toBeInstanceOf(AbortError);
    expect((error.cause as Error).message).toContain('abandoned');
    expect(ms).toBeLessThan(CANCEL_TIMEOUT + SLACK);
  });

  it('a cancel whose own connection stalls does not hold the call past the bound', async () => {
    const { host, port } = testConfig();
    const stalling = await startFaultProxy({ target: { host, port }, faultCancels: true, plan: (i) => (i === 0 ? undefined : { toServer: { stallAt: 0 } }) });
    try {
      const { user, password, database } = testConfig();
      const conn = await connect(`postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${stalling.host}:${stalling.port}/${database}?sslmode=disable`, { cancelTimeout: CANCEL_TIMEOUT });
      opened.push(conn);
      const { error, ms } = await timed(conn.fetch('SELECT pg_sleep(30)', [], { timeout: 150 }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error.cause as Error).message).toContain('abandoned');
      expect(ms).toBeLessThan(150 + CANCEL_TIMEOUT + SLACK);
      expect(stalling.links.some((l) => l.isCancel && l.toServer.isStalled)).toBe(true);
    } finally {
      await stalling.close();
    }
  });
});

describe('an answer after the deadline', () => {
  it('rejects with the timeout, never resolves late, and the connection stays usable', async () => {
    const conn = await open(5_000);
    const link = proxy.links[proxy.links.length - 1];
    // Cached, so the timed call is one round trip.
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
    // The server answers at once; the answer reaches the client 300 ms later, after the 100 ms deadline.
    link.replan({ toClient: { delayMs: 300 } });
    const { error } = await timed(conn.fetchVal('SELECT 1', [], { timeout: 100 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).safeToRetry).toBe(false);
    link.replan({ toClient: {} });
    expect(await conn.fetchVal('SELECT 3')).toBe(3);
  });
});

describe('closing', () => {
  it('conn.close() settles within cancelTimeout when the server never answers the Terminate', async () => {
    const conn = await open();
    proxy.links[proxy.links.length - 1].stall('both');
    const started = performance.now();
    await conn.close();
    expect(performance.now() - started).toBeLessThan(CANCEL_TIMEOUT + SLACK);
    expect(conn.isClosed).toBe(true);
  });

  it('a pool replaces an abandoned connection and closes within its bound', async () => {
    plans = [];
    const pool = createPool(proxyDsn(), { maxSize: 1, cancelTimeout: CANCEL_TIMEOUT });
    try {
      expect(await pool.fetchVal('SELECT 1')).toBe(1);
      const first = proxy.links[proxy.links.length - 1];
      first.stall('toClient');
      const { error } = await timed(pool.fetchVal('SELECT 2', [], { timeout: 150 }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(await pool.fetchVal('SELECT 4')).toBe(4);
      expect(proxy.links[proxy.links.length - 1]).not.toBe(first);
      // A borrowed connection whose stream stalls: close() still settles once the call's bound has passed.
      const lease = await pool.acquire();
      proxy.links[proxy.links.length - 1].stall('both');
      const stuck = lease.fetchVal('SELECT 5', [], { timeout: 100 }).catch((e: unknown) => e);
      const started = performance.now();
      const closing = pool.close();
      expect(await stuck).toBeInstanceOf(TimeoutError);
      await lease.release();
      await closing;
      expect(performance.now() - started).toBeLessThan(100 + 2 * CANCEL_TIMEOUT + SLACK);
    } finally {
      pool.terminate();
    }
  });
});

describe('one AbortSignal shared by many calls', () => {
  it('adds one listener, not one per call: no MaxListenersExceededWarning', async () => {
    // The default cancelTimeout: fifteen pipelined calls are cancelled one after the other.
    const conn = await connect(proxyDsn());
    opened.push(conn);
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const calls = Array.from({ length: 25 }, (_, i) => conn.fetchVal('SELECT $1::int4', [i], { signal: controller.signal }));
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      const aborted = Array.from({ length: 15 }, () => conn.fetchVal('SELECT pg_sleep(0.05)', [], { signal: controller.signal }).catch((e: unknown) => e));
      controller.abort();
      for (const err of await Promise.all(aborted)) expect(err).toBeInstanceOf(AbortError);
      // A warning is emitted on a later tick: let the loop turn once before looking.
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      expect(await conn.fetchVal('SELECT 6')).toBe(6);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

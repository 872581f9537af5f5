/**
 * Timeouts and aborts on queries (README, "Queries" and "Timeouts"): server-side cancel with the connection left
 * usable, withdrawal of calls not yet sent, and no cancel leaking into the next query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, connect, QueryCanceledError, TimeoutError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;

beforeAll(async () => {
  conn = await connect(testDsn());
});

afterAll(async () => {
  await conn.close();
});

describe('timeouts', () => {
  it('a timeout cancels on the server: TimeoutError caused by QueryCanceledError; a queued call behind it succeeds', async () => {
    const started = Date.now();
    const slow = conn.fetch('SELECT pg_sleep(10)', [], { timeout: 200 }).catch((e: unknown) => e);
    const behind = conn.fetchVal('SELECT $1::text', ['behind']);
    const err = await slow;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).safeToRetry).toBe(false);
    expect((err as Error).cause).toBeInstanceOf(QueryCanceledError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await behind).toBe('behind');
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
  });

  it('commandTimeout applies to every call, and a per-call timeout overrides it', async () => {
    const limited = await connect(testDsn(), { commandTimeout: 150 });
    try {
      await expect(limited.fetch('SELECT pg_sleep(5)')).rejects.toBeInstanceOf(TimeoutError);
      expect(await limited.fetchVal('SELECT pg_sleep(0.3)::text', [], { timeout: 2_000 })).toBe('');
    } finally {
      await limited.close();
    }
  });

  it('execute() without arguments (simple protocol) is cancelled the same way', async () => {
    const err = await conn.execute('SELECT pg_sleep(10)', [], { timeout: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(await conn.execute('SELECT 1')).toBe('SELECT 1');
  });

  it('a cancel that would arrive after the query finished does not cancel the next query', async () => {
    // Timeouts racing the query's own end: whichever wins, the following query must never see a cancel.
    for (let i = 0; i < 12; i++) {
      const ms = 20 + (i % 4) * 5;
      await conn.fetch('SELECT pg_sleep($1::float8 / 1000)', [ms], { timeout: ms }).catch((e: unknown) => {
        if (!(e instanceof TimeoutError)) throw e;
      });
      expect(await conn.fetchVal('SELECT pg_sleep(0.05)::text || $1', ['ok'])).toBe('ok');
    }
    // A timeout on a call that finished long ago never fires a cancel either.
    await conn.fetchVal('SELECT 1', [], { timeout: 30 });
    await new Promise((r) => setTimeout(r, 60));
    expect(await conn.fetchVal('SELECT pg_sleep(0.1)::text || $1', ['still ok'])).toBe('still ok');
  });
});

describe('aborts', () => {
  it('an already-aborted signal rejects before sending: AbortError, safeToRetry', async () => {
    const reason = new Error('never mind');
    const err = await conn.fetch('SELECT 1', [], { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).safeToRetry).toBe(true);
    expect((err as Error).cause).toBe(reason);
  });

  it('an abort while the call waits behind a held connection withdraws it (safeToRetry)', async () => {
    const controller = new AbortController();
    let waiting: Promise<unknown> | undefined;
    let n = 0;
    // A cursor holds the connection: the call queued meanwhile has not been written when it is aborted.
    for await (const row of conn.cursor<{ g: number }>('SELECT g FROM generate_series(1, 10) g', [], { prefetch: 2 })) {
      if (row.g === 1) {
        waiting = conn.fetchVal('SELECT 1', [], { signal: controller.signal }).catch((e: unknown) => e);
        controller.abort();
      }
      n++;
    }
    expect(n).toBe(10);
    const err = await waiting;
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).safeToRetry).toBe(true);
    expect(await conn.fetchVal('SELECT 2')).toBe(2);
  });

  it('an abort during the query cancels it on the server', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user left')), 150);
    const err = await conn.fetch('SELECT pg_sleep(10)', [], { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).safeToRetry).toBe(false);
    expect((err as Error).cause).toBeInstanceOf(QueryCanceledError);
    expect(await conn.fetchVal('SELECT 3')).toBe(3);
  });
});

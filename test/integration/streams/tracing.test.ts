/**
 * Observability: the opt-in 'query' event, the `pgjet:query` and `pgjet:connect` TracingChannels, and the
 * 'notice' event with typed fields.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection, type NoticeMessage, type QueryEvent } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;

beforeAll(async () => {
  conn = await connect(testDsn());
});

afterAll(async () => {
  await conn.close();
});

describe("'query' event", () => {
  it('reports SQL, duration and row count of every kind of call while someone listens', async () => {
    const events: QueryEvent[] = [];
    const onQuery = (e: QueryEvent): void => {
      events.push(e);
    };
    conn.on('query', onQuery);
    await conn.fetch('SELECT generate_series(1, $1::int4)', [3]);
    await conn.execute('SELECT 1; SELECT 2');
    await conn.executeMany('SELECT $1::int4', [[1], [2]]);
    await conn.fetch('SELECT 1/0').catch(() => undefined);
    await conn.copyFromQuery('SELECT 1', [], { output: () => undefined });
    conn.off('query', onQuery);
    await conn.fetch('SELECT 42');
    expect(events.map((e) => [e.sql, e.rowCount])).toEqual([
      ['SELECT generate_series(1, $1::int4)', 3],
      ['SELECT 1; SELECT 2', 1],
      ['SELECT $1::int4', 2],
      ['SELECT 1/0', 0],
      ['COPY (\nSELECT 1\n) TO STDOUT', 1],
    ]);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
    expect(events[3].error).toMatchObject({ code: '22012' });
    expect(events[0].error).toBeUndefined();
  });

  it('a listener that throws does not break the query', async () => {
    const errors: Error[] = [];
    const onError = (e: Error): void => {
      errors.push(e);
    };
    const bad = (): void => {
      throw new Error('logger broke');
    };
    conn.on('error', onError);
    conn.on('query', bad);
    expect(await conn.fetchVal('SELECT 5')).toBe(5);
    conn.off('query', bad);
    conn.off('error', onError);
    expect(errors.map((e) => e.message)).toEqual(['logger broke']);
  });
});

describe('diagnostics_channel', () => {
  it('pgjet:query traces each query with its context', async () => {
    const channel = tracingChannel<object, { sql: string; database: string; processId: number; result?: unknown; error?: unknown }>('pgjet:query');
    const seen: string[] = [];
    const handlers = {
      start: (ctx: { sql: string }) => seen.push(`start ${ctx.sql}`),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (ctx: { sql: string; result?: unknown }) => seen.push(`asyncEnd ${ctx.sql} ${ctx.result === undefined ? 'none' : 'result'}`),
      error: (ctx: { sql: string; error?: unknown }) => seen.push(`error ${ctx.sql} ${(ctx.error as { code?: string }).code}`),
    };
    let context: { database?: string; processId?: number } = {};
    const grab = { start: (ctx: { database: string; processId: number }) => { context = ctx; } };
    channel.subscribe(handlers);
    channel.start.subscribe(grab.start as (message: unknown) => void);
    try {
      await conn.fetch('SELECT 1 AS traced');
      await conn.fetch('SELECT 1/0 AS traced').catch(() => undefined);
    } finally {
      channel.unsubscribe(handlers);
      channel.start.unsubscribe(grab.start as (message: unknown) => void);
    }
    expect(seen).toEqual([
      'start SELECT 1 AS traced',
      'asyncEnd SELECT 1 AS traced result',
      'start SELECT 1/0 AS traced',
      'error SELECT 1/0 AS traced 22012',
      'asyncEnd SELECT 1/0 AS traced none',
    ]);
    expect(context.processId).toBe(conn.processId);
    expect(typeof context.database).toBe('string');
  });

  it('pgjet:connect traces connect()', async () => {
    const channel = tracingChannel<object, { database: string; hosts: string; result?: unknown }>('pgjet:connect');
    const seen: string[] = [];
    const handlers = {
      start: (ctx: { hosts: string }) => seen.push(`start ${ctx.hosts.length > 0}`),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (ctx: { result?: unknown }) => seen.push(`asyncEnd ${ctx.result !== undefined}`),
      error: () => seen.push('error'),
    };
    channel.subscribe(handlers);
    try {
      const other = await connect(testDsn());
      await other.close();
    } finally {
      channel.unsubscribe(handlers);
    }
    expect(seen).toEqual(['start true', 'asyncEnd true']);
  });
});

describe("'notice' event", () => {
  it('delivers NOTICE messages with typed fields', async () => {
    const notices: NoticeMessage[] = [];
    const onNotice = (n: NoticeMessage): void => {
      notices.push(n);
    };
    conn.on('notice', onNotice);
    await conn.execute("DO $$ BEGIN RAISE NOTICE 'hello %', 42 USING HINT = 'a hint'; END $$");
    conn.off('notice', onNotice);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ severity: 'NOTICE', message: 'hello 42', hint: 'a hint', code: '00000' });
  });
});

/**
 * The client's side of `client.query(submittable)` (runSubmittable): submittables take the connection in
 * turn with the client's other calls, a callback given with the call reaches the submittable, the client's
 * parsers and error mapping apply, and a client that cannot run queries fails the submittable without
 * running it.
 */
import QueryStream from 'pg-query-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../../src/index.js';
import { runSubmittable, type SubmittableClientHost } from '../../../src/faces/pg/submittable-client.js';
import { testDsn } from '../../support/env.js';
import { Cursor } from './submittable-adapter.js';

let conn: Connection;

beforeAll(async () => {
  conn = await connect(testDsn());
});

afterAll(async () => {
  await conn.close();
});

/** A host like the face's Client: a gate that exclusive sections and ordinary calls pass in turn. */
function gatedHost(overrides: Partial<SubmittableClientHost> = {}) {
  let gate: Promise<void> = Promise.resolve();
  const order: string[] = [];
  const host: SubmittableClientHost = {
    exclusive: async <T>(fn: (c: Connection) => Promise<T>): Promise<T> => {
      const before = gate;
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      try {
        await before;
        return await fn(conn);
      } finally {
        open();
      }
    },
    unusableError: () => null,
    typeParsers: { getTypeParser: () => (text: string) => text },
    ...overrides,
  };
  /** An ordinary client call: waits for the gate, as the face's Client does. */
  const query = async (sql: string): Promise<void> => {
    await gate;
    order.push(String(await conn.fetchVal(sql)));
  };
  return { host, order, query };
}

describe('runSubmittable', () => {
  it('holds the client until the submittable is done; a callback given with the call gets the result', async () => {
    const { host, order, query } = gatedHost();
    const stream = new QueryStream('SELECT g FROM generate_series(1, 3) g');
    const result = new Promise<{ rowCount: number | null }>((resolve, reject) => {
      runSubmittable(host, stream, (err: Error | null, res: { rowCount: number | null }) => (err ? reject(err) : resolve(res)));
    });
    const rows: unknown[] = [];
    stream.on('data', (row: unknown) => {
      rows.push(row);
      order.push('row');
    });
    const after = query("SELECT 'after'");
    expect((await result).rowCount).toBe(3);
    await after;
    // The client's parsers apply: they return the text as is.
    expect(rows).toEqual([{ g: '1' }, { g: '2' }, { g: '3' }]);
    expect(order).toEqual(['row', 'row', 'row', 'after']);
  });

  it('submit() runs at once: a cursor closed before its turn comes still releases the client', async () => {
    const { host, order, query } = gatedHost();
    const before = query("SELECT 'before'");
    const cursor = runSubmittable(host, new Cursor('SELECT generate_series(1, 10)'));
    await cursor.close();
    await query("SELECT 'after'");
    await before;
    expect(order).toEqual(['before', 'after']);
    expect(conn.isInTransaction).toBe(false);
  });

  it("maps errors with the client's mapError", async () => {
    const { host } = gatedHost({ mapError: (err) => Object.assign(new Error(`mapped: ${err.message}`), { code: (err as { code?: string }).code }) });
    const cursor = runSubmittable(host, new Cursor('SELECT * FROM no_such_table_either'));
    await expect(cursor.read(1)).rejects.toMatchObject({ message: expect.stringMatching(/^mapped: /), code: '42P01' });
  });

  it("query_timeout: the callback and the submittable get pg's error, and the statement is cancelled on the server", async () => {
    const { host, order, query } = gatedHost({ queryTimeout: 50 });
    const calls: Error[] = [];
    // A marker of its own: other files run pg_sleep on the same server at the same time.
    const cursor = runSubmittable(host, new Cursor('SELECT pg_sleep(30) AS submittable_timeout_probe'), (err: Error) => calls.push(err));
    await expect(cursor.read(1)).rejects.toThrow('Query read timeout');
    // The client's next query runs once the cancelled statement has ended, long before pg_sleep(30) would.
    await query("SELECT 'next'");
    expect(order).toEqual(['next']);
    expect(calls.map((e) => e.message)).toEqual(['Query read timeout']);
    expect(await conn.fetchVal("SELECT count(*)::int4 FROM pg_stat_activity WHERE query LIKE '%submittable\\_timeout\\_probe%' AND state = 'active' AND pid <> pg_backend_pid()")).toBe(0);
  });

  it('a client that cannot run queries fails the submittable on the next tick, without running it', async () => {
    const refusal = new Error('Client was closed and is not queryable');
    let ran = false;
    const { host } = gatedHost({
      unusableError: () => refusal,
      exclusive: () => {
        ran = true;
        return Promise.reject(new Error('unreachable'));
      },
    });
    const cursor = runSubmittable(host, new Cursor('SELECT 1'));
    await expect(cursor.read(1)).rejects.toBe(refusal);
    expect(ran).toBe(false);
  });

  it('a client that cannot connect fails the submittable with that error', async () => {
    const { host } = gatedHost({ exclusive: () => Promise.reject(new Error('Connection terminated unexpectedly')) });
    const stream = runSubmittable(host, new QueryStream('SELECT 1'));
    const failure = new Promise<Error>((resolve) => stream.once('error', resolve));
    stream.resume();
    expect((await failure).message).toBe('Connection terminated unexpectedly');
  });
});

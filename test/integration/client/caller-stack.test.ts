/**
 * Errors show where they were called from: whatever pgjet rejects a public call with (a server error parsed in
 * the socket's data handler, a timeout fired by a timer, a connection lost in a socket event, a pool that has
 * nothing to lend) carries the caller's frames in its `stack`, async frames included, under its own first line.
 * Each case runs the call from a named function in this file and looks for that name and the file in the stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  ConnectionError,
  createPool,
  DatabaseError,
  PgjetError,
  PoolTimeoutError,
  TimeoutError,
  type Connection,
} from '../../../src/index.js';
import { freePort } from '../../support/server.js';
import { testConfig, testDsn } from '../../support/env.js';

const THIS_FILE = 'caller-stack.test.ts';

let conn: Connection;
beforeAll(async () => {
  conn = await connect(testDsn());
  await conn.execute(`DROP TABLE IF EXISTS cs_t; CREATE TABLE cs_t (id int4 PRIMARY KEY, n int4 NOT NULL)`);
});
afterAll(async () => {
  await conn.execute('DROP TABLE IF EXISTS cs_t');
  await conn.close();
});

/**
 * Runs `caller` (a named function that makes one pgjet call) and returns what it rejected with, after checking
 * that its stack names `caller`, this file, and starts with the error's own `Name: message` line.
 */
async function rejection(caller: () => Promise<unknown>): Promise<Error> {
  let caught: unknown;
  try {
    await caller();
  } catch (err) {
    caught = err;
  }
  expect(caught, `${caller.name} did not reject`).toBeInstanceOf(PgjetError);
  const err = caught as Error;
  const stack = err.stack ?? '';
  expect(stack.split('\n')[0]).toBe(`${err.name}: ${err.message.split('\n')[0]}`);
  expect(stack, `the stack of ${err.name} names ${caller.name}`).toContain(caller.name);
  expect(stack).toContain(THIS_FILE);
  return err;
}

describe('a connection', () => {
  it('fetch, fetchRow, fetchVal, query: a server error', async () => {
    expect(await rejection(async function callsFetch() {
      await conn.fetch('SELECT 1 / 0');
    })).toBeInstanceOf(DatabaseError);
    await rejection(async function callsFetchRow() {
      await conn.fetchRow('SELECT 1 / $1::int4', [0]);
    });
    await rejection(async function callsFetchVal() {
      await conn.fetchVal('SELECT 1 / 0');
    });
    await rejection(async function callsQuery() {
      await conn.query('SELECT 1 / 0');
    });
  });

  it('execute through either protocol, executeMany, fetchMany', async () => {
    await rejection(async function callsExecuteScript() {
      await conn.execute('SELECT 1; SELECT 1 / 0');
    });
    await rejection(async function callsExecuteWithArgs() {
      await conn.execute('INSERT INTO cs_t VALUES ($1, NULL)', [1]);
    });
    await rejection(async function callsExecuteMany() {
      await conn.executeMany('INSERT INTO cs_t VALUES ($1, $2)', [[1, 1], [1, 1]]);
    });
    await rejection(async function callsFetchMany() {
      await conn.fetchMany('INSERT INTO cs_t VALUES ($1, $2) RETURNING id', [[2, 2], [2, 2]]);
    });
  });

  it('a timeout', async () => {
    expect(await rejection(async function callsFetchWithTimeout() {
      await conn.fetch('SELECT pg_sleep(10)', [], { timeout: 50 });
    })).toBeInstanceOf(TimeoutError);
  });

  it('a prepared statement', async () => {
    await rejection(async function callsPrepare() {
      await conn.prepare('SELECT * FROM cs_missing');
    });
    const ps = await conn.prepare('SELECT 10 / $1::int4 AS q');
    await rejection(async function callsPreparedFetch() {
      await ps.fetch([0]);
    });
    await rejection(async function callsPreparedFetchVal() {
      await ps.fetchVal([0]);
    });
    await rejection(async function callsPreparedExecuteMany() {
      await ps.executeMany([[1], [0]]);
    });
    await ps.close();
  });

  it('a transaction: a query inside it, and a COMMIT that fails', async () => {
    await rejection(async function callsInsideTransaction() {
      await conn.transaction(async (tx) => {
        await tx.fetch('SELECT 1 / 0');
      });
    });
    await conn.execute(`DROP TABLE IF EXISTS cs_d; CREATE TABLE cs_d (id int4 UNIQUE DEFERRABLE INITIALLY DEFERRED)`);
    await rejection(async function callsCommit() {
      await conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO cs_d VALUES (1), (1)');
      });
    });
    await rejection(async function callsManualCommit() {
      const tx = await conn.transaction();
      await tx.execute('INSERT INTO cs_d VALUES (1), (1)');
      await tx.commit();
    });
    await conn.execute('DROP TABLE cs_d');
  });

  it('a cursor, and the cursor object of a transaction', async () => {
    await rejection(async function callsCursor() {
      for await (const row of conn.cursor('SELECT 1 / (g - 3) FROM generate_series(1, 5) g', [], { prefetch: 1 })) void row;
    });
    await rejection(async function callsOpenCursor() {
      await conn.transaction(async () => {
        await conn.openCursor('SELECT 1 / 0');
      });
    });
    await rejection(async function callsCursorFetch() {
      await conn.transaction(async () => {
        const cur = await conn.openCursor('SELECT 1 / (g - 3) FROM generate_series(1, 5) g');
        await cur.fetch(5);
      });
    });
  });

  it('COPY in and out', async () => {
    await rejection(async function callsCopyRecordsToTable() {
      await conn.copyRecordsToTable('cs_t', { records: [[1, 1], [1, 1]] });
    });
    await rejection(async function callsCopyToTable() {
      await conn.copyToTable('cs_t', { source: [Buffer.from('1\tnot a number\n')] });
    });
    await rejection(async function callsCopyFromTable() {
      await conn.copyFromTable('cs_missing', { output: () => undefined });
    });
    await rejection(async function callsCopyFromQuery() {
      await conn.copyFromQuery('SELECT 1 / 0', [], { output: () => undefined });
    });
    await rejection(async function callsCopyOut() {
      for await (const chunk of conn.copyOut('SELECT 1 / 0')) void chunk;
    });
  });

  it('notify', async () => {
    await rejection(async function callsNotify() {
      await conn.notify('cs_channel', 'x'.repeat(9000));
    });
  });

  it('a connection lost during a call', async () => {
    const doomed = await connect(testDsn());
    let kill: Promise<string> | undefined;
    const err = await rejection(async function callsFetchOnLostConnection() {
      // The call is awaited at once (its rejection may come before the kill's answer), so the caller awaits it.
      const running = doomed.fetch('SELECT pg_sleep(10)');
      kill = conn.execute('SELECT pg_terminate_backend($1)', [doomed.processId]);
      await running;
    });
    await kill;
    expect(err).toBeInstanceOf(PgjetError);
    doomed.terminate();
  });

  it('connect() to a port nobody listens on', async () => {
    const port = await freePort();
    expect(await rejection(async function callsConnect() {
      await connect({ ...testConfig(), port, connectTimeout: 5_000 });
    })).toBeInstanceOf(ConnectionError);
  });
});

describe('a pool', () => {
  it('a shortcut, a transaction, a cursor, and an acquire that times out', async () => {
    const pool = createPool(testDsn(), { maxSize: 1 });
    await rejection(async function callsPoolFetch() {
      await pool.fetch('SELECT 1 / 0');
    });
    await rejection(async function callsPoolTransaction() {
      await pool.transaction(async (tx) => {
        await tx.fetch('SELECT 1 / 0');
      });
    });
    await rejection(async function callsPoolCursor() {
      for await (const row of pool.cursor('SELECT 1 / 0')) void row;
    });
    await rejection(async function callsBorrowedConnection() {
      await pool.withConnection(async (c) => {
        await c.fetch('SELECT 1 / 0');
      });
    });
    const held = await pool.acquire();
    expect(await rejection(async function callsPoolAcquire() {
      await pool.acquire({ timeout: 20 });
    })).toBeInstanceOf(PoolTimeoutError);
    await held.release();
    await pool.close();
  });
});

/**
 * Edge-safe connections: a connection whose socket the server closed while it sat idle never hangs the next
 * call. The call rejects at once with a ConnectionError that is safe to retry (nothing reached a server), and a
 * pool hands out a working connection instead. The server closes the socket through pg_terminate_backend;
 * waits are on events (the connection's 'close', the backend's exit), never on timers.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ConnectionError, createPool, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let admin: Connection;

beforeAll(async () => {
  admin = await connect(testDsn());
});
afterAll(async () => {
  await admin.close();
});

/** The backend has left pg_stat_activity: it has exited (PostgreSQL 13 has no waiting pg_terminate_backend). */
const GONE = 'SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])) AS gone';

/** Terminates the backend and resolves once it has exited, as the server reports it. */
async function killBackend(pid: number): Promise<void> {
  expect(await admin.fetchVal('SELECT pg_terminate_backend($1)', [pid])).toBe(true);
  while (!(await admin.fetchVal<boolean>(GONE, [[pid]]))) {
    // each round trip is the wait: the server answers once more about the backend's state
  }
  // The victim stays idle past pgjet's 100 ms idle threshold (wire.ts), as a connection that dies while idle
  // is; a call within that time of the last one is written at once and cannot be known to be unsent.
  await admin.execute('SELECT pg_sleep(0.15)');
}

/** The same from a child process, blocking this one's event loop until the backends have exited. */
function killBackendsBlocking(pids: readonly number[]): void {
  const script = `
    const pg = require('pg');
    const c = new pg.Client(process.env.KILL_DSN);
    const pids = JSON.parse(process.env.KILL_PIDS);
    // The pause makes the freeze outlast pgjet's idle threshold, as a real one (seconds or more) does.
    c.connect().then(() => c.query('SELECT pg_sleep(0.15)'))
      .then(() => c.query('SELECT bool_and(pg_terminate_backend(p)) AS ok FROM unnest($1::int[]) AS p', [pids]))
      .then(async (r) => {
        if (r.rows[0].ok !== true) process.exitCode = 2;
        while (!(await c.query(${JSON.stringify(GONE)}, [pids])).rows[0].gone) { /* until the backends have exited */ }
        return c.end();
      })
      .catch((e) => { console.error(e); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script], { env: { ...process.env, KILL_DSN: testDsn(), KILL_PIDS: JSON.stringify(pids) }, stdio: 'inherit', timeout: 20_000 });
}

describe('a socket closed by the server while idle', () => {
  it('the next call rejects at once with a retryable ConnectionError naming the cause', async () => {
    const conn = await connect(testDsn());
    const closed = once(conn, 'close');
    await killBackend(conn.processId);
    await closed;
    expect(conn.isClosed).toBe(true);
    const err = await conn.fetchVal('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).safeToRetry).toBe(true);
    expect((err as Error).message).toMatch(/terminating connection due to administrator command/);
  });

  it('a call made before the close was read (the process was frozen meanwhile) rejects, retryable, without hanging', async () => {
    for (let round = 0; round < 3; round++) {
      const conn = await connect(testDsn());
      // The event loop is blocked while another process kills the backend and waits for its exit, as when a
      // runtime freezes between requests: the socket's end is in the kernel, unread, when the call is made.
      killBackendsBlocking([conn.processId]);
      const err = await conn.fetchVal('SELECT 1').catch((e: unknown) => e);
      expect(err, `round ${round}`).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).safeToRetry, `round ${round}`).toBe(true);
      expect(conn.isClosed).toBe(true);
    }
  });

  it('a pool replaces the dead idle connection transparently, noticed or not', async () => {
    const app = `pgjet-idle-death-${process.pid}`;
    const pool = createPool(testDsn(), { minSize: 2, maxSize: 2, serverSettings: { application_name: app } });
    const poolPids = async (): Promise<number[]> =>
      (await admin.fetch<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app])).map((r) => r.pid);
    try {
      await pool.ready();
      const first = await pool.fetchVal<number>('SELECT pg_backend_pid()');
      await killBackend(first as number);
      const second = await pool.fetchVal<number>('SELECT pg_backend_pid()');
      expect(second).not.toBe(first);
      // Now every idle connection dies while the process is frozen: the call still succeeds, on a new backend.
      const idle = await poolPids();
      expect(idle.length).toBeGreaterThan(0);
      killBackendsBlocking(idle);
      const third = await pool.fetchVal<number>('SELECT pg_backend_pid()');
      expect(idle).not.toContain(third);
      expect(pool.stats().borrowed).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

import { Kysely, sql } from 'kysely';
import type * as Kysely029 from 'kysely-0.29';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection, type Pool } from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { testDsn } from '../../support/env.js';
import { schemaPool } from '../../support/schema-pool.js';

// Kysely 0.29's abort signal on a running query. Its 'cancel query' strategy calls the connection's
// cancelQuery; 'kill session' its killSession. The file runs in both projects; under Kysely 0.28 (no abort
// options) it only states why it skips.

const is029 = process.env.KYSELY_LINE === '0.29';

/** The 0.29 signature of `sql` (the tests' `kysely` import is 0.29 at run time in the kysely-0.29 project). */
const sql029 = sql as unknown as typeof Kysely029.sql;
type Db029 = Kysely029.Kysely<Record<string, never>>;

let monitor: Connection;

/** Resolves once the server runs a statement holding `marker` (waits on the server's own view, not a timer). */
async function runningOnServer(marker: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pid = await monitor.fetchVal<number | null>(
      "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
      [marker],
    );
    if (pid !== null) return pid;
    if (Date.now() > deadline) throw new Error(`the server never ran ${marker}`);
  }
}

/** Whether any backend still runs a statement holding `marker`. */
async function stillRunning(marker: string): Promise<boolean> {
  const sql = "SELECT count(*) > 0 FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()";
  return (await monitor.fetchVal<boolean>(sql, [marker])) === true;
}

/** Starts a 30-second statement through Kysely with `signal`, and resolves with it once the server runs it. */
async function startLongQuery(db: Kysely<never>, marker: string, options: { signal: AbortSignal; inflightQueryAbortStrategy?: string }) {
  const query = sql029`SELECT pg_sleep(30), ${sql029.lit(marker)} AS marker`.execute(db as unknown as Db029, options as Kysely029.AbortableQueryOptions);
  const settled = query.then(
    () => 'resolved',
    (err: unknown) => err,
  );
  const pid = await runningOnServer(marker);
  return { settled, pid };
}

const backendPid = async (db: Kysely<never>): Promise<number> => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0].pid;

describe.skipIf(!is029)('Kysely 0.29 abort signal (skipped under Kysely 0.28, which has no abort options)', () => {
  let pool: Pool;
  let db: Kysely<never>;

  beforeAll(async () => {
    monitor = await connect(testDsn());
    // Two connections: 'kill session' runs pg_terminate_backend on a second one, as PostgresDialect does.
    pool = await schemaPool('kysely_cancel', { maxSize: 2 });
    db = new Kysely<never>({ dialect: new PgjetDialect({ pool, closePoolOnDestroy: true }) });
  });

  afterAll(async () => {
    await db.destroy();
    await monitor.close();
  });

  it("'cancel query': rejects at once with the reason, the server stops the query, the connection stays usable", async () => {
    const controller = new AbortController();
    const reason = new Error('the user went away');
    const { settled, pid } = await startLongQuery(db, 'cancel-probe-1', { signal: controller.signal, inflightQueryAbortStrategy: 'cancel query' });
    const abortedAt = performance.now();
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(5_000); // the statement sleeps 30 s
    // Holding both of the pool's connections waits for the cancelled one to be given back: the cancelled
    // backend is among them (not replaced), it answers, and it no longer runs the statement.
    const held = [await pool.acquire(), await pool.acquire()];
    try {
      expect(held.map((c) => c.processId)).toContain(pid);
      expect(await Promise.all(held.map((c) => c.fetchVal<number>('SELECT 1')))).toEqual([1, 1]);
    } finally {
      await Promise.all(held.map((c) => c.release()));
    }
    expect(await stillRunning('cancel-probe-1')).toBe(false);
    expect(pool.stats()).toMatchObject({ borrowed: 0 });
  });

  it("'kill session': the backend is terminated, the pool replaces it, the next query works", async () => {
    const controller = new AbortController();
    const { settled, pid } = await startLongQuery(db, 'cancel-probe-2', { signal: controller.signal, inflightQueryAbortStrategy: 'kill session' });
    controller.abort();
    expect(await settled).toBeInstanceOf(DOMException); // AbortController's default reason, an AbortError
    const pids = await Promise.all([backendPid(db), backendPid(db)]);
    expect(pids).not.toContain(pid);
    expect(await monitor.fetchVal('SELECT count(*)::int FROM pg_stat_activity WHERE pid = $1', [pid])).toBe(0);
  });

  it("'ignore query' (Kysely's default): rejects at once, the statement runs on to its end", async () => {
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const query = sql029`SELECT ${sql029.lit('cancel-probe-3')} AS marker, pg_sleep(0.3)`.execute(db as unknown as Db029, { signal: controller.signal });
    const settled = query.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    const pid = await runningOnServer('cancel-probe-3');
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(await stillRunning('cancel-probe-3')).toBe(true);
    // The statement ends by itself; its connection then goes back to the pool, the same backend.
    const deadline = Date.now() + 10_000;
    while (await stillRunning('cancel-probe-3')) expect(Date.now()).toBeLessThan(deadline);
    await expect.poll(() => pool.stats().borrowed).toBe(0);
    expect(await monitor.fetchVal('SELECT count(*)::int FROM pg_stat_activity WHERE pid = $1', [pid])).toBe(1);
  });

  it('a signal aborted before the call: rejects with its reason, nothing reaches the server', async () => {
    const reason = new Error('too late');
    const query = sql029`SELECT ${sql029.lit('cancel-probe-4')}`.execute(db as unknown as Db029, { signal: AbortSignal.abort(reason) });
    await expect(query).rejects.toBe(reason);
    expect(await stillRunning('cancel-probe-4')).toBe(false);
  });
});

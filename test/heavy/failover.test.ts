/**
 * A real primary and a synchronous streaming standby (test/support/replication.ts, the machine's PostgreSQL 15
 * binaries): targetSessionAttrs against both, then a failover under load. A pool with hosts
 * [primary, standby] and `targetSessionAttrs: 'read-write'` runs an insert workload; the primary is killed
 * (`pg_ctl stop -m immediate`) and the standby promoted. In-flight writes must reject (never hang), the pool
 * must reconnect to the promoted standby, and every acknowledged write must be there afterwards.
 *
 * Skips only when the binaries (initdb, postgres, pg_ctl, pg_basebackup) are absent, saying why; under
 * `CI=true` that is a failure instead, since CI has them. `PGJET_TEST_REPLICATION_BINDIR` picks another
 * directory than /usr/lib/postgresql/15/bin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createPool, PgjetError, type ConnectOptions } from '../../src/index.js';
import { MACHINE_PG15_BINDIR } from '../support/bindir-postgres.js';
import { replicationUnavailable, startReplicaPair, type ReplicaPair } from '../support/replication.js';

const binDir = process.env.PGJET_TEST_REPLICATION_BINDIR || MACHINE_PG15_BINDIR;
const unavailable = replicationUnavailable(binDir);
if (unavailable !== undefined) {
  const reason = `PostgreSQL binaries for the replica pair are missing: ${unavailable}`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}: the failover suite must run in CI`);
  console.warn(`test/heavy/failover.test.ts skipped: ${reason}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(unavailable !== undefined)(`failover with a synchronous standby ${unavailable ?? ''}`, () => {
  let pair: ReplicaPair;

  function base(extra: ConnectOptions = {}): ConnectOptions {
    return { user: pair.user, password: pair.password, database: 'postgres', ssl: 'disable', ...extra };
  }
  const both = (order: 'primary-first' | 'standby-first'): ConnectOptions => {
    const ports = order === 'primary-first' ? [pair.primary.port, pair.standby.port] : [pair.standby.port, pair.primary.port];
    return { host: ['127.0.0.1', '127.0.0.1'], port: ports };
  };
  async function serverPort(options: ConnectOptions): Promise<number> {
    const conn = await connect(base(options));
    try {
      return Number(await conn.fetchVal('SELECT inet_server_port()'));
    } finally {
      await conn.close();
    }
  }

  beforeAll(async () => {
    pair = await startReplicaPair(binDir);
    const conn = await connect(base({ host: '127.0.0.1', port: pair.primary.port }));
    try {
      await conn.execute('CREATE TABLE acked_writes (id bigint PRIMARY KEY, worker int NOT NULL, at timestamptz DEFAULT clock_timestamp())');
      // The standby must be attached as the synchronous one before the workload starts.
      for (let i = 0; ; i++) {
        const state = await conn.fetchVal("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'");
        if (state === 'sync') break;
        if (i > 200) throw new Error(`the standby never became synchronous (state ${String(state)})\n${pair.log()}`);
        await sleep(50);
      }
    } finally {
      await conn.close();
    }
  }, 120_000);

  afterAll(async () => {
    await pair?.stop();
  });

  it('targetSessionAttrs picks the right server of a real pair, in either host order', async () => {
    const { primary, standby } = pair;
    for (const order of ['primary-first', 'standby-first'] as const) {
      expect(await serverPort({ ...both(order), targetSessionAttrs: 'read-write' })).toBe(primary.port);
      expect(await serverPort({ ...both(order), targetSessionAttrs: 'primary' })).toBe(primary.port);
      expect(await serverPort({ ...both(order), targetSessionAttrs: 'read-only' })).toBe(standby.port);
      expect(await serverPort({ ...both(order), targetSessionAttrs: 'standby' })).toBe(standby.port);
      expect(await serverPort({ ...both(order), targetSessionAttrs: 'prefer-standby' })).toBe(standby.port);
    }
    const conn = await connect(base({ host: '127.0.0.1', port: standby.port }));
    expect(conn.getSetting('in_hot_standby')).toBe('on');
    await expect(conn.execute('INSERT INTO acked_writes(id, worker) VALUES (0, 0)')).rejects.toThrow(/read-only transaction/);
    await conn.close();
    await expect(connect(base({ host: '127.0.0.1', port: standby.port, targetSessionAttrs: 'read-write' }))).rejects.toThrow(/read-only/);
  });

  it('kills the primary under load: in-flight writes reject, the pool moves to the promoted standby, no acknowledged write is lost', async () => {
    const pool = createPool({ ...base({ ...both('primary-first'), targetSessionAttrs: 'read-write', connectTimeout: 2_000 }), minSize: 4, maxSize: 8 });
    await pool.ready();
    const acked = new Set<number>();
    const ackedAfterPromotion = new Set<number>();
    const failures: unknown[] = [];
    let nextId = 1;
    let phase: 'before' | 'outage' | 'promoted' | 'stop' = 'before';
    const worker = async (w: number): Promise<void> => {
      while (phase !== 'stop') {
        const id = nextId++;
        try {
          await pool.execute('INSERT INTO acked_writes(id, worker) VALUES ($1, $2)', [id, w], { timeout: 15_000 });
          acked.add(id);
          if (phase === 'promoted') ackedAfterPromotion.add(id);
        } catch (err) {
          // The outcome of a write cut off in flight is unknown: it is never counted, and retried under a new id.
          failures.push(err);
          await sleep(100);
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    try {
      await sleep(1_500);
      const ackedBeforeKill = acked.size;
      expect(ackedBeforeKill).toBeGreaterThan(20);
      phase = 'outage';
      await pair.primary.kill();
      await sleep(1_000);
      const failuresDuringOutage = failures.length;
      await pair.standby.promote();
      phase = 'promoted';
      const deadline = Date.now() + 60_000;
      while (ackedAfterPromotion.size < 100 && Date.now() < deadline) await sleep(100);
      phase = 'stop';
      await Promise.all(workers);

      // In-flight and outage-time writes were rejected with pgjet errors, not hung.
      expect(failuresDuringOutage).toBeGreaterThan(0);
      for (const err of failures) expect(err).toBeInstanceOf(PgjetError);
      // The pool recovered onto the promoted standby.
      expect(ackedAfterPromotion.size).toBeGreaterThanOrEqual(100);
      const where = await pool.fetchRow<{ port: number; recovery: boolean }>('SELECT inet_server_port() AS port, pg_is_in_recovery() AS recovery');
      expect(where).toEqual({ port: pair.standby.port, recovery: false });
      // Synchronous replication: every acknowledged write reached the standby before it was acknowledged.
      const ids = [...acked];
      const present = await pool.fetchVal<bigint>('SELECT count(*) FROM acked_writes WHERE id = ANY($1::bigint[])', [ids]);
      expect(Number(present)).toBe(acked.size);
      const total = await pool.fetchVal<bigint>('SELECT count(*) FROM acked_writes');
      expect(Number(total)).toBeGreaterThanOrEqual(acked.size);
      console.info(`failover: ${ackedBeforeKill} writes acknowledged before the kill, ${acked.size} in all, ` +
        `${failures.length} rejected, ${Number(total) - acked.size} unacknowledged but committed`);
    } finally {
      phase = 'stop';
      await Promise.allSettled(workers);
      await pool.close().catch(() => pool.terminate());
    }
  }, 180_000);
});

import { describe, expect, it } from 'vitest';
import { connect, createPool } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('pool.listen', () => {
  it('delivers notifications on a dedicated connection and re-LISTENs after it is killed', async () => {
    const app = `pgjet-listen-${process.pid}`;
    const pool = createPool(testDsn(), { minSize: 1, maxSize: 2, serverSettings: { application_name: app } });
    const got: string[] = [];
    let reconnects = 0;
    const stop = await pool.listen('pool_events', (payload) => {
      got.push(payload);
    }, { onReconnect: () => { reconnects++; } });
    pool.on('error', () => undefined);
    await pool.execute("SELECT pg_notify('pool_events', 'one')", []);
    await until(() => got.includes('one'));

    const admin = await connect(testDsn());
    const pids = await admin.fetch<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [app]);
    expect(pids).toHaveLength(1);
    await admin.fetchVal('SELECT pg_terminate_backend($1)', [pids[0].pid]);
    await until(() => reconnects === 1);
    await admin.fetchVal("SELECT pg_notify('pool_events', 'two')");
    await until(() => got.includes('two'));

    await stop();
    await until(async () => (await admin.fetchVal<bigint>(
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE '%LISTEN%'", [app])) === 0n);
    await admin.close();
    await pool.close();
  });

  it('is refused behind PgBouncer (pgbouncer: true)', async () => {
    const pool = createPool(testDsn(), { minSize: 0, pgbouncer: true });
    await expect(pool.listen('x', () => undefined)).rejects.toThrow(/pooler/);
    await pool.close();
  });
});

describe('pool stream shortcuts', () => {
  it('pool.cursor and pool.copy* borrow a connection for the whole operation', async () => {
    const pool = createPool(testDsn(), { minSize: 0, maxSize: 1 });
    await pool.execute('CREATE TABLE IF NOT EXISTS pool_copy (id int4, name text)');
    await pool.execute('TRUNCATE pool_copy');
    expect(await pool.copyRecordsToTable('pool_copy', { records: [[1, 'a'], [2, 'b']] })).toBe('COPY 2');
    const seen: number[] = [];
    for await (const row of pool.cursor<{ id: number }>('SELECT id FROM pool_copy ORDER BY id', [], { prefetch: 1 })) seen.push(row.id);
    expect(seen).toEqual([1, 2]);
    const chunks: Buffer[] = [];
    for await (const chunk of pool.copyOut('SELECT * FROM pool_copy ORDER BY id', [], { format: 'csv' })) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('1,a\n2,b\n');
    expect(pool.stats().borrowed).toBe(0);
    await pool.execute('DROP TABLE pool_copy');
    await pool.close();
  });
});

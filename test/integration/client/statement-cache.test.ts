import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DataError, InvalidCachedStatementError, UniqueViolationError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;
beforeAll(async () => {
  conn = await connect(testDsn());
});
afterAll(async () => {
  await conn.close();
});

async function preparedCount(c: Connection): Promise<bigint> {
  return (await c.fetchVal<bigint>('SELECT count(*) FROM pg_prepared_statements')) ?? 0n;
}

describe('statement cache', () => {
  it('re-prepares a statement made stale by ALTER TABLE, transparently outside a transaction', async () => {
    await conn.execute('DROP TABLE IF EXISTS sc_t; CREATE TABLE sc_t (id int4, v int4); INSERT INTO sc_t VALUES (1, 10)');
    expect(await conn.fetch('SELECT * FROM sc_t')).toEqual([{ id: 1, v: 10 }]);
    const other = await connect(testDsn());
    await other.execute('ALTER TABLE sc_t ALTER COLUMN v TYPE text');
    await other.close();
    expect(await conn.fetch('SELECT * FROM sc_t')).toEqual([{ id: 1, v: '10' }]);
  });

  it('inside a transaction a stale statement is an InvalidCachedStatementError, and the next transaction works', async () => {
    await conn.execute('DROP TABLE IF EXISTS sc_u; CREATE TABLE sc_u (id int4, v int4); INSERT INTO sc_u VALUES (1, 10)');
    expect(await conn.fetch('SELECT * FROM sc_u')).toHaveLength(1);
    // Through another session: DDL on `conn` itself drops its cache, so nothing would be stale.
    const other = await connect(testDsn());
    await other.execute('ALTER TABLE sc_u ALTER COLUMN v TYPE int8');
    await other.close();
    await conn.execute('BEGIN');
    await expect(conn.fetch('SELECT * FROM sc_u')).rejects.toBeInstanceOf(InvalidCachedStatementError);
    await conn.execute('ROLLBACK');
    await conn.execute('BEGIN');
    expect(await conn.fetch('SELECT * FROM sc_u')).toEqual([{ id: 1, v: 10n }]);
    await conn.execute('COMMIT');
  });

  it('evicts beyond statementCacheSize and closes evicted statements on the server', async () => {
    const c = await connect(testDsn(), { statementCacheSize: 100 });
    for (let i = 0; i < 1000; i++) await c.fetchVal(`SELECT ${i}::int4 AS v`);
    // The count query itself may add one entry and trigger one more lazy Close.
    expect(Number(await preparedCount(c))).toBeLessThanOrEqual(101);
    await c.close();
  });

  it('statementCacheSize 0 uses only unnamed statements', async () => {
    const c = await connect(testDsn(), { statementCacheSize: 0 });
    for (let i = 0; i < 10; i++) expect(await c.fetchVal('SELECT $1::int4 + 1', [i])).toBe(i + 1);
    expect(await preparedCount(c)).toBe(0n);
    await c.close();
  });

  it('does not cache SQL longer than maxCacheableStatementSize', async () => {
    const c = await connect(testDsn(), { maxCacheableStatementSize: 20 });
    await c.fetchVal(`SELECT 1 AS a_rather_long_column_name`);
    expect(await preparedCount(c)).toBe(0n);
    await c.close();
  });
});

describe('executeMany atomicity', () => {
  it('a batch whose row 500 of 1000 violates a constraint writes nothing, names the row, and the connection works', async () => {
    await conn.execute('DROP TABLE IF EXISTS sc_batch; CREATE TABLE sc_batch (id int4 PRIMARY KEY, name text)');
    const rows = Array.from({ length: 1000 }, (_, i) => [i === 500 ? 10 : i, `n${i}`]);
    const err = await conn.executeMany('INSERT INTO sc_batch VALUES ($1, $2)', rows).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect((err as { batchIndex: number }).batchIndex).toBe(500);
    expect((err as Error).message).toContain('argument list 500');
    expect(await conn.fetchVal('SELECT count(*) FROM sc_batch')).toBe(0n);
  });

  it('a bad value at row 500 of 1000 is refused with its row named, whether or not part of the batch was sent', async () => {
    // Outside a transaction the first rows go out before row 500 is encoded; the batch must still leave nothing.
    await conn.execute('TRUNCATE sc_batch');
    const rows: unknown[][] = Array.from({ length: 1000 }, (_, i) => [i, `n${i}`]);
    rows[500] = [2 ** 40, 'too big'];
    const err = await conn.executeMany('INSERT INTO sc_batch VALUES ($1, $2)', rows).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/argument list 500: invalid value for parameter \$1 \(int4\)/);
    expect(await conn.fetchVal('SELECT count(*) FROM sc_batch')).toBe(0n);
    // Inside a transaction the same batch is refused before anything is sent: the transaction stays usable.
    await conn.transaction(async (tx) => {
      await tx.execute("INSERT INTO sc_batch VALUES (-1, 'kept')");
      await expect(tx.executeMany('INSERT INTO sc_batch VALUES ($1, $2)', rows)).rejects.toThrow(/argument list 500/);
      expect(await tx.fetchVal('SELECT count(*) FROM sc_batch')).toBe(1n);
    });
    expect(await conn.fetchVal('SELECT name FROM sc_batch')).toBe('kept');
  });

  it('streams a 20,000-row batch in bounded chunks, atomically', async () => {
    await conn.execute('TRUNCATE sc_batch');
    const rows = Array.from({ length: 20_000 }, (_, i) => [i, `n${i}`]);
    await conn.executeMany('INSERT INTO sc_batch VALUES ($1, $2)', rows);
    expect(await conn.fetchVal('SELECT count(*) FROM sc_batch')).toBe(20_000n);
    await conn.execute('TRUNCATE sc_batch');
    rows[15_000] = [15_000, undefined as unknown as string];
    await expect(conn.executeMany('INSERT INTO sc_batch VALUES ($1, $2)', rows)).rejects.toThrow(/argument list 15000/);
    expect(await conn.fetchVal('SELECT count(*) FROM sc_batch')).toBe(0n);
  });
});

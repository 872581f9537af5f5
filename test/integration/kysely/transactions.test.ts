import { AbortedTransactionError, Kysely, sql, type Generated } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DivisionByZeroError,
  InFailedSqlTransactionError,
  ReadOnlySqlTransactionError,
  SyntaxErrorError,
  UniqueViolationError,
  type Pool,
} from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { schemaPool } from '../../support/schema-pool.js';

interface Database {
  account: { id: Generated<number>; owner: string; balance: number };
}

let pool: Pool;
let db: Kysely<Database>;

const owners = async (): Promise<string[]> => (await db.selectFrom('account').select('owner').orderBy('owner').execute()).map((r) => r.owner);

/** The pool's connections are clean: none borrowed, and a fresh borrower is outside any transaction. */
async function expectCleanPool(): Promise<void> {
  expect(pool.stats()).toMatchObject({ borrowed: 0 });
  await pool.withConnection(async (conn) => {
    expect(await conn.fetchVal("SELECT current_setting('transaction_isolation')")).toBe('read committed');
    expect(conn.isInTransaction).toBe(false);
  });
}

beforeAll(async () => {
  // One connection, so "the connection returned clean" is about the very connection the transaction used.
  pool = await schemaPool('kysely_tx', { minSize: 1, maxSize: 1 });
  db = new Kysely<Database>({ dialect: new PgjetDialect({ pool }) });
  await db.schema
    .createTable('account')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull().unique())
    .addColumn('balance', 'integer', (c) => c.notNull())
    .execute();
});

beforeEach(async () => {
  await db.deleteFrom('account').execute();
});

afterAll(async () => {
  await db.destroy();
});

describe('db.transaction()', () => {
  it('commits when the callback resolves', async () => {
    const id = await db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('account').values({ owner: 'ann', balance: 10 }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('account').values({ owner: 'bob', balance: 5 }).execute();
      return row.id;
    });
    expect(typeof id).toBe('number');
    expect(await owners()).toEqual(['ann', 'bob']);
    await expectCleanPool();
  });

  it('rolls back when the callback throws, rethrows, and returns the connection clean', async () => {
    const boom = new Error('boom');
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('account').values({ owner: 'carl', balance: 1 }).execute();
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await owners()).toEqual([]);
    await expectCleanPool();
  });

  it('rolls back on a database error inside (the error keeps its class)', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('account').values({ owner: 'dan', balance: 1 }).execute();
        await trx.insertInto('account').values({ owner: 'dan', balance: 2 }).execute();
      }),
    ).rejects.toBeInstanceOf(UniqueViolationError);
    expect(await owners()).toEqual([]);
    await expectCleanPool();
  });

  it('a caught error inside leaves a failed transaction: COMMIT becomes AbortedTransactionError', async () => {
    const err = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('account').values({ owner: 'eve', balance: 1 }).execute();
        await trx.insertInto('account').values({ owner: 'eve', balance: 1 }).execute().catch(() => undefined);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedTransactionError);
    expect((err as Error).cause).toBeInstanceOf(UniqueViolationError);
    expect(await owners()).toEqual([]);
    await expectCleanPool();
  });

  it('the cause is the error that failed the transaction, not one a savepoint undid or the 25P02 after it', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('account').values({ owner: 'flo', balance: 1 }).execute();
    const sp = await trx.savepoint('sp').execute();
    await expect(sp.insertInto('account').values({ owner: 'flo', balance: 2 }).execute()).rejects.toBeInstanceOf(UniqueViolationError);
    const back = await sp.rollbackToSavepoint('sp').execute();
    await expect(sql`SELECT 1 / 0`.execute(back)).rejects.toBeInstanceOf(DivisionByZeroError);
    await expect(sql`SELECT 1`.execute(back)).rejects.toBeInstanceOf(InFailedSqlTransactionError);
    const err = await back.commit().execute().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedTransactionError);
    expect((err as Error).cause).toBeInstanceOf(DivisionByZeroError);
    expect(await owners()).toEqual([]);
    await expectCleanPool();
  });

  it('applies the isolation level and access mode', async () => {
    const seen = await db
      .transaction()
      .setIsolationLevel('serializable')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const r = await sql<{ iso: string; ro: string }>`SELECT current_setting('transaction_isolation') AS iso, current_setting('transaction_read_only') AS ro`.execute(trx);
        return r.rows[0];
      });
    expect(seen).toEqual({ iso: 'serializable', ro: 'on' });
    await expect(
      db.transaction().setAccessMode('read only').execute((trx) => trx.insertInto('account').values({ owner: 'x', balance: 0 }).execute()),
    ).rejects.toBeInstanceOf(ReadOnlySqlTransactionError);
    // 'read write' is spelled out, so it wins over a session default of read only.
    const roPool = await schemaPool('kysely_tx_ro', { maxSize: 1, serverSettings: { default_transaction_read_only: 'on' } });
    const roDb = new Kysely<Database>({ dialect: new PgjetDialect({ pool: async () => roPool }) });
    try {
      const readOnly = (trx: Kysely<Database>): Promise<string> =>
        sql<{ ro: string }>`SELECT current_setting('transaction_read_only') AS ro`.execute(trx).then((r) => r.rows[0].ro);
      expect(await roDb.transaction().execute(readOnly)).toBe('on');
      expect(await roDb.transaction().setAccessMode('read write').execute(readOnly)).toBe('off');
    } finally {
      await roDb.destroy();
    }
    await expectCleanPool();
  });

  it("'snapshot' goes to the server as Kysely's PostgresDialect sends it, which refuses it", async () => {
    await expect(db.transaction().setIsolationLevel('snapshot').execute(async () => 1)).rejects.toBeInstanceOf(SyntaxErrorError);
    await expectCleanPool();
  });
});

describe('controlled transactions and savepoints', () => {
  it('savepoint, rollbackToSavepoint and releaseSavepoint', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('account').values({ owner: 'fay', balance: 1 }).execute();
    const sp = await trx.savepoint('before_gus').execute();
    await sp.insertInto('account').values({ owner: 'gus', balance: 1 }).execute();
    await expect(sp.insertInto('account').values({ owner: 'gus', balance: 2 }).execute()).rejects.toBeInstanceOf(UniqueViolationError);
    const back = await sp.rollbackToSavepoint('before_gus').execute();
    // The savepoint survives ROLLBACK TO, as in SQL, and can be used again and released.
    await back.insertInto('account').values({ owner: 'hal', balance: 1 }).execute();
    const again = await back.savepoint('inner').execute();
    await again.insertInto('account').values({ owner: 'ivy', balance: 1 }).execute();
    const released = await again.releaseSavepoint('inner').execute();
    await released.commit().execute();
    expect(await owners()).toEqual(['fay', 'hal', 'ivy']);
    await expectCleanPool();
  });

  it('rollback() of a controlled transaction undoes everything and releases the connection', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('account').values({ owner: 'jon', balance: 1 }).execute();
    await trx.rollback().execute();
    expect(trx.isRolledBack).toBe(true);
    expect(await owners()).toEqual([]);
    await expectCleanPool();
  });

  it('savepoints inside db.transaction() through the controlled API', async () => {
    const trx = await db.startTransaction().setIsolationLevel('repeatable read').execute();
    const sp = await trx.savepoint('a').execute();
    await sp.insertInto('account').values({ owner: 'kim', balance: 1 }).execute();
    await (await sp.rollbackToSavepoint('a').execute()).commit().execute();
    expect(await owners()).toEqual([]);
    await expectCleanPool();
  });
});

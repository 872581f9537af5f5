import { eq, sql } from 'drizzle-orm';
import { TransactionRollbackError } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReadOnlySqlTransactionError, UniqueViolationError } from '../../../src/index.js';
import { drizzle } from '../../../src/integrations/drizzle/index.js';
import { drizzleFixture } from './fixture.js';

let fx: Awaited<ReturnType<typeof drizzleFixture>>;

const names = async (): Promise<string[]> =>
  (await fx.db.select({ name: fx.app.users.name }).from(fx.app.users).orderBy(fx.app.users.name)).map((r) => r.name);

/** The pool is clean: nothing borrowed, and the (only) connection is outside any transaction. */
async function expectCleanPool(): Promise<void> {
  expect(fx.pool.stats()).toMatchObject({ borrowed: 0, size: 1 });
  await fx.pool.withConnection(async (conn) => {
    expect(conn.isInTransaction).toBe(false);
    expect(await conn.fetchVal("SELECT current_setting('transaction_isolation')")).toBe('read committed');
  });
}

beforeAll(async () => {
  fx = await drizzleFixture('drizzle_tx', 1); // one connection: the one every transaction pinned
});

beforeEach(async () => {
  await fx.db.delete(fx.app.users);
});

afterAll(async () => {
  await fx.pool.close();
});

const user = (name: string): { name: string; email: string } => ({ name, email: `${name}@example.com` });

describe('db.transaction()', () => {
  it('commits when the callback resolves, and returns its result', async () => {
    const { db, app } = fx;
    const id = await db.transaction(async (tx) => {
      const [u] = await tx.insert(app.users).values(user('ann')).returning();
      await tx.insert(app.posts).values({ authorId: u.id, title: 'first' });
      return u.id;
    });
    expect(typeof id).toBe('number');
    expect(await names()).toEqual(['ann']);
    await expectCleanPool();
  });

  it('rolls back when the callback throws; the connection goes back clean', async () => {
    const { db, app } = fx;
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(app.users).values(user('bob'));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await names()).toEqual([]);
    await expectCleanPool();
  });

  it('tx.rollback() rolls back and rejects with TransactionRollbackError', async () => {
    const { db, app } = fx;
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(app.users).values(user('cid'));
        tx.rollback();
      }),
    ).rejects.toBeInstanceOf(TransactionRollbackError);
    expect(await names()).toEqual([]);
    await expectCleanPool();
  });

  it('a database error inside rolls back everything', async () => {
    const { db, app } = fx;
    const err = await db
      .transaction(async (tx) => {
        await tx.insert(app.users).values(user('dan'));
        await tx.insert(app.users).values(user('dan'));
      })
      .catch((e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(UniqueViolationError);
    expect(await names()).toEqual([]);
    await expectCleanPool();
  });

  it('nested transactions are savepoints: an inner failure rolls back only the inner work', async () => {
    const { db, app } = fx;
    await db.transaction(async (tx) => {
      await tx.insert(app.users).values(user('eve'));
      await expect(
        tx.transaction(async (inner) => {
          await inner.insert(app.users).values(user('fay'));
          await inner.transaction(async (innermost) => {
            await innermost.insert(app.users).values(user('gus'));
          });
          throw new Error('undo fay and gus');
        }),
      ).rejects.toThrow('undo fay and gus');
      await tx.transaction(async (inner) => {
        await inner.insert(app.users).values(user('hal'));
      });
    });
    expect(await names()).toEqual(['eve', 'hal']);
    await expectCleanPool();
  });

  it('isolation level, access mode and deferrable', async () => {
    const { db, app } = fx;
    const seen = await db.transaction(
      async (tx) => (await tx.execute<{ iso: string; ro: string }>(sql`SELECT current_setting('transaction_isolation') AS iso, current_setting('transaction_read_only') AS ro`)).rows[0],
      { isolationLevel: 'serializable', accessMode: 'read only', deferrable: true },
    );
    expect(seen).toEqual({ iso: 'serializable', ro: 'on' });
    const err = await db.transaction((tx) => tx.insert(app.users).values(user('ivy')), { accessMode: 'read only' }).catch((e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(ReadOnlySqlTransactionError);
    await db.transaction(async (tx) => {
      await tx.setTransaction({ isolationLevel: 'repeatable read' });
      const iso = await tx.execute<{ iso: string }>(sql`SELECT current_setting('transaction_isolation') AS iso`);
      expect(iso.rows[0].iso).toBe('repeatable read');
    });
    await expectCleanPool();
  });

  it('a drizzle() over a single borrowed connection runs transactions on it', async () => {
    const { app, pool } = fx;
    await pool.withConnection(async (conn) => {
      const db = drizzle(conn, { schema: app });
      await db.transaction(async (tx) => {
        await tx.insert(app.users).values(user('jon'));
        expect(conn.isInTransaction).toBe(true);
      });
      expect(conn.isInTransaction).toBe(false);
      expect(await db.query.users.findFirst({ where: eq(app.users.name, 'jon'), columns: { name: true } })).toEqual({ name: 'jon' });
    });
    await expectCleanPool();
  });
});

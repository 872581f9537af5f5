import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  connect,
  ConnectionError,
  DivisionByZeroError,
  ForeignKeyViolationError,
  InFailedSqlTransactionError,
  InterfaceError,
  ReadOnlySqlTransactionError,
  Transaction,
  UniqueViolationError,
  type Connection,
  type IsolationLevel,
} from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;

const count = async (c: Connection = conn): Promise<bigint> => (await c.fetchVal<bigint>('SELECT count(*) FROM tx_items')) ?? -1n;

beforeAll(async () => {
  conn = await connect(testDsn());
  await conn.execute(`
    DROP TABLE IF EXISTS tx_items, tx_child, tx_parent;
    CREATE TABLE tx_items (id int PRIMARY KEY, name text);
    CREATE TABLE tx_parent (id int PRIMARY KEY);
    CREATE TABLE tx_child (id int PRIMARY KEY, parent int REFERENCES tx_parent DEFERRABLE INITIALLY DEFERRED);
  `);
});

beforeEach(async () => {
  await conn.execute('TRUNCATE tx_items, tx_child, tx_parent');
});

afterAll(async () => {
  await conn.execute('DROP TABLE IF EXISTS tx_items, tx_child, tx_parent');
  await conn.close();
});

describe('conn.transaction(fn)', () => {
  it('commits when fn resolves and resolves with its result', async () => {
    const result = await conn.transaction(async (tx) => {
      expect(tx).toBeInstanceOf(Transaction);
      expect(conn.isInTransaction).toBe(true);
      await tx.execute('INSERT INTO tx_items VALUES ($1, $2)', [1, 'a']);
      return tx.fetchVal<number>('SELECT id FROM tx_items');
    });
    expect(result).toBe(1);
    expect(conn.isInTransaction).toBe(false);
    expect(await count()).toBe(1n);
  });

  it('rolls back and rethrows when fn throws; nothing is written', async () => {
    const boom = new Error('boom');
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO tx_items VALUES (1, $1)', ['a']);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(conn.isInTransaction).toBe(false);
    expect(await count()).toBe(0n);
  });

  it('rolls back when a statement fails and rethrows the server error', async () => {
    await conn.execute("INSERT INTO tx_items VALUES (1, 'a')");
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO tx_items VALUES (2, $1)', ['b']);
        await tx.execute('INSERT INTO tx_items VALUES (1, $1)', ['dup']);
      }),
    ).rejects.toBeInstanceOf(UniqueViolationError);
    expect(await count()).toBe(1n);
  });

  it('a caught error inside fn makes COMMIT reject with InFailedSqlTransactionError, never a silent non-commit', async () => {
    let caught: unknown;
    const err = await conn
      .transaction(async (tx) => {
        await tx.execute('INSERT INTO tx_items VALUES (1, $1)', ['a']);
        try {
          await tx.fetchVal('SELECT 1 / 0');
        } catch (e) {
          caught = e; // swallowed
        }
        return 'done';
      })
      .catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(DivisionByZeroError);
    expect(err).toBeInstanceOf(InFailedSqlTransactionError);
    expect((err as InFailedSqlTransactionError).code).toBe('25P02');
    expect((err as Error).cause).toBe(caught);
    expect(conn.isInTransaction).toBe(false);
    expect(await count()).toBe(0n);
  });

  it('an error at COMMIT (deferred constraint) rejects and leaves the connection usable', async () => {
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO tx_child VALUES (1, 99)'); // checked only at COMMIT
      }),
    ).rejects.toBeInstanceOf(ForeignKeyViolationError);
    expect(conn.isInTransaction).toBe(false);
    expect(await conn.fetchVal('SELECT count(*) FROM tx_child')).toBe(0n);
  });

  it.each<[IsolationLevel, string]>([
    ['read_committed', 'read committed'],
    ['repeatable_read', 'repeatable read'],
    ['serializable', 'serializable'],
    ['read_uncommitted', 'read uncommitted'],
  ])('isolation %s', async (isolation, shown) => {
    const level = await conn.transaction((tx) => tx.fetchVal('SHOW transaction_isolation'), { isolation });
    expect(level).toBe(shown);
  });

  it('readOnly: the transaction is read only and a write fails with ReadOnlySqlTransactionError', async () => {
    await conn.transaction(
      async (tx) => {
        expect(await tx.fetchVal('SHOW transaction_read_only')).toBe('on');
        await expect(tx.execute("INSERT INTO tx_items VALUES (1, 'a')")).rejects.toBeInstanceOf(ReadOnlySqlTransactionError);
        await tx.rollback();
      },
      { readOnly: true },
    );
    expect(await count()).toBe(0n);
  });

  it('deferrable serializable read-only', async () => {
    const flags = await conn.transaction(
      (tx) => tx.fetchRow("SELECT current_setting('transaction_deferrable') AS d, current_setting('transaction_read_only') AS r"),
      { isolation: 'serializable', readOnly: true, deferrable: true },
    );
    expect(flags).toEqual({ d: 'on', r: 'on' });
  });

  it('rejects bad options with InterfaceError before sending anything', async () => {
    await expect(conn.transaction(async () => 1, { isolation: 'snapshot' as IsolationLevel })).rejects.toBeInstanceOf(InterfaceError);
    await expect(conn.transaction(async () => 1, { readOnly: 'yes' as unknown as boolean })).rejects.toBeInstanceOf(InterfaceError);
    expect(conn.isInTransaction).toBe(false);
  });

  it('refuses BEGIN while a transaction is open (InterfaceError), as asyncpg does', async () => {
    await conn.transaction(async () => {
      await expect(conn.transaction(async () => 1)).rejects.toBeInstanceOf(InterfaceError);
    });
    await conn.execute('BEGIN');
    await expect(conn.transaction(async () => 1)).rejects.toThrow(/manual BEGIN/);
    await conn.execute('ROLLBACK');
    // Two overlapping calls: the second is refused even before the first BEGIN is answered.
    const first = conn.transaction();
    await expect(conn.transaction()).rejects.toBeInstanceOf(InterfaceError);
    await (await first).rollback();
  });
});

describe('manual transactions', () => {
  it('commit() and rollback()', async () => {
    const tx = await conn.transaction();
    expect(tx.isActive).toBe(true);
    await tx.execute("INSERT INTO tx_items VALUES (1, 'a')");
    await tx.commit();
    expect(tx.state).toBe('committed');
    const tx2 = await conn.transaction({ isolation: 'repeatable_read' });
    await tx2.execute("INSERT INTO tx_items VALUES (2, 'b')");
    await tx2.rollback();
    expect(tx2.state).toBe('rolledBack');
    expect(await count()).toBe(1n);
  });

  it('a finished transaction refuses every use with InterfaceError', async () => {
    const tx = await conn.transaction();
    await tx.commit();
    await expect(tx.fetch('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
    await expect(tx.execute('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
    await expect(tx.commit()).rejects.toBeInstanceOf(InterfaceError);
    await expect(tx.rollback()).rejects.toBeInstanceOf(InterfaceError);
    await expect(tx.transaction()).rejects.toBeInstanceOf(InterfaceError);
    await expect(tx.fetchVal('SELECT 1')).rejects.toThrow(/committed/);
  });

  it('commit() of a failed transaction rejects with InFailedSqlTransactionError', async () => {
    const tx = await conn.transaction();
    await tx.execute("INSERT INTO tx_items VALUES (1, 'a')");
    await expect(tx.execute('SELECT nope')).rejects.toThrow();
    await expect(tx.commit()).rejects.toBeInstanceOf(InFailedSqlTransactionError);
    expect(tx.state).toBe('failed');
    expect(await count()).toBe(0n);
  });

  it('Symbol.asyncDispose rolls back an unfinished transaction and ignores a finished one', async () => {
    const tx = await conn.transaction();
    await tx.execute("INSERT INTO tx_items VALUES (1, 'a')");
    await tx[Symbol.asyncDispose]();
    expect(tx.state).toBe('rolledBack');
    await tx[Symbol.asyncDispose](); // nothing
    const done = await conn.transaction();
    await done.commit();
    await done[Symbol.asyncDispose]();
    expect(done.state).toBe('committed');
    expect(await count()).toBe(0n);
  });

  it('await using rolls back at the end of the block', async () => {
    {
      await using tx = await conn.transaction();
      await tx.execute("INSERT INTO tx_items VALUES (1, 'a')");
      expect(conn.isInTransaction).toBe(true);
    }
    expect(conn.isInTransaction).toBe(false);
    expect(await count()).toBe(0n);
    {
      await using tx = await conn.transaction();
      await tx.execute("INSERT INTO tx_items VALUES (2, 'b')");
      await tx.commit();
    }
    expect(await count()).toBe(1n);
  });

  it('mirrors the query methods (fetchRow, query, executeMany, fetchMany, prepare)', async () => {
    await conn.transaction(async (tx) => {
      await tx.executeMany('INSERT INTO tx_items VALUES ($1, $2)', [[1, 'a'], [2, 'b']]);
      const made = await tx.fetchMany<{ id: number }>('INSERT INTO tx_items VALUES ($1, $2) RETURNING id', [[3, 'c']]);
      expect(made).toEqual([{ id: 3 }]);
      expect(await tx.fetchRow('SELECT name FROM tx_items WHERE id = $1', [2])).toEqual({ name: 'b' });
      expect((await tx.query('SELECT id FROM tx_items ORDER BY id')).rowCount).toBe(3);
      const st = await tx.prepare('SELECT name FROM tx_items WHERE id = $1');
      expect(await st.fetchVal([1])).toBe('a');
      expect(tx.connection).toBe(conn);
    });
    expect(await count()).toBe(3n);
  });
});

describe('nested transactions (savepoints)', () => {
  it('a throwing nested body rolls back to its savepoint; the outer transaction commits', async () => {
    await conn.transaction(async (tx) => {
      await tx.execute("INSERT INTO tx_items VALUES (1, 'outer')");
      await expect(
        tx.transaction(async (sp) => {
          expect(sp.isNested).toBe(true);
          expect(sp.savepointName).toMatch(/^pgjet_sp_\d+$/);
          await sp.execute("INSERT INTO tx_items VALUES (2, 'inner')");
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      const kept = await tx.transaction(async (sp) => {
        await sp.execute("INSERT INTO tx_items VALUES (3, 'inner ok')");
        return sp.transaction(async (deeper) => deeper.fetchVal('SELECT count(*) FROM tx_items'));
      });
      expect(kept).toBe(2n);
    });
    expect(await conn.fetch('SELECT id FROM tx_items ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('a server error inside a savepoint leaves the outer transaction usable', async () => {
    await conn.transaction(async (tx) => {
      await tx.execute("INSERT INTO tx_items VALUES (1, 'a')");
      await expect(tx.transaction((sp) => sp.execute("INSERT INTO tx_items VALUES (1, 'dup')"))).rejects.toBeInstanceOf(UniqueViolationError);
      await tx.execute("INSERT INTO tx_items VALUES (2, 'b')");
    });
    expect(await count()).toBe(2n);
  });

  it('a caught error inside a savepoint rejects its release; the outer transaction stays usable', async () => {
    await conn.transaction(async (tx) => {
      await expect(
        tx.transaction(async (sp) => {
          await sp.execute("INSERT INTO tx_items VALUES (5, 'lost')");
          await sp.fetchVal('SELECT 1 / 0').catch(() => undefined);
        }),
      ).rejects.toBeInstanceOf(InFailedSqlTransactionError);
      await tx.execute("INSERT INTO tx_items VALUES (6, 'kept')");
    });
    expect(await conn.fetch('SELECT id FROM tx_items')).toEqual([{ id: 6 }]);
  });

  it('manual savepoints: commit releases, rollback rolls back; ending one ends those nested in it', async () => {
    const tx = await conn.transaction();
    const a = await tx.transaction();
    await a.execute("INSERT INTO tx_items VALUES (1, 'a')");
    const b = await a.transaction();
    await b.execute("INSERT INTO tx_items VALUES (2, 'b')");
    await a.rollback();
    expect(b.state).toBe('rolledBack');
    await expect(b.commit()).rejects.toBeInstanceOf(InterfaceError);
    const c = await tx.transaction();
    await c.execute("INSERT INTO tx_items VALUES (3, 'c')");
    await c.commit();
    await tx.commit();
    expect(await conn.fetch('SELECT id FROM tx_items')).toEqual([{ id: 3 }]);
  });

  it('a savepoint takes no isolation or access mode', async () => {
    await conn.transaction(async (tx) => {
      await expect(tx.transaction({ isolation: 'serializable' })).rejects.toBeInstanceOf(InterfaceError);
      await expect(tx.transaction(async () => 1, { readOnly: true })).rejects.toBeInstanceOf(InterfaceError);
    });
  });

  it('disposing the outer transaction ends its open savepoints', async () => {
    const tx = await conn.transaction();
    const sp = await tx.transaction();
    await sp.execute("INSERT INTO tx_items VALUES (1, 'a')");
    await tx[Symbol.asyncDispose]();
    expect(sp.isActive).toBe(false);
    await sp[Symbol.asyncDispose]();
    expect(conn.isInTransaction).toBe(false);
    expect(await count()).toBe(0n);
  });
});

describe('transactions and a closed connection', () => {
  it('rollback and dispose succeed quietly once the connection is gone (the server rolled back)', async () => {
    const c = await connect(testDsn());
    const tx = await c.transaction();
    await tx.execute("INSERT INTO tx_items VALUES (1, 'a')");
    c.terminate();
    await tx[Symbol.asyncDispose]();
    expect(tx.state).toBe('rolledBack');
    expect(await count()).toBe(0n);
  });

  it('a transaction body whose connection dies rejects with the connection error', async () => {
    const c = await connect(testDsn());
    const pid = c.processId;
    const err = await c
      .transaction(async (tx) => {
        await conn.fetchVal('SELECT pg_terminate_backend($1)', [pid]);
        await tx.fetchVal('SELECT 1');
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(c.isClosed).toBe(true);
  });
});

import { Kysely, sql, type Generated, type LogEvent } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DivisionByZeroError, type Pool } from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { schemaPool } from '../../support/schema-pool.js';

// Transaction and savepoint statements are the ones Kysely's PostgresDriver sends, run through the
// connection's executeQuery: Kysely's `log` sees each of them, as it does on PostgresDialect.

interface Database {
  note: { id: Generated<number>; body: string };
}

let pool: Pool;
let db: Kysely<Database>;
let logged: string[] = [];

const notes = async (): Promise<string[]> => (await db.selectFrom('note').select('body').orderBy('body').execute()).map((r) => r.body);

beforeAll(async () => {
  pool = await schemaPool('kysely_statements', { maxSize: 2 });
  const log = (event: LogEvent): void => {
    logged.push(event.level === 'error' ? `error: ${event.query.sql}` : event.query.sql);
  };
  db = new Kysely<Database>({ dialect: new PgjetDialect({ pool }), log });
  await db.schema.createTable('note').addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('body', 'text', (c) => c.notNull()).execute();
});

beforeEach(async () => {
  await db.deleteFrom('note').execute();
  logged = [];
});

afterAll(async () => {
  await db.destroy();
});

describe("Kysely's log sees transaction statements", () => {
  it('begin … commit around the callback', async () => {
    await db.transaction().execute((trx) => trx.insertInto('note').values({ body: 'a' }).execute());
    expect(logged).toEqual(['begin', 'insert into "note" ("body") values ($1)', 'commit']);
    expect(await notes()).toEqual(['a']);
  });

  it('a callback that throws: rollback in the log, nothing written, the error rethrown', async () => {
    const boom = new Error('boom');
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('note').values({ body: 'lost' }).execute();
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(logged).toEqual(['begin', 'insert into "note" ("body") values ($1)', 'rollback']);
    expect(await notes()).toEqual([]);
    expect(pool.stats()).toMatchObject({ borrowed: 0 });
  });

  it('a failing statement: logged as an error, then rollback', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('note').values({ body: 'x' }).execute();
        await sql`select 1 / 0`.execute(trx);
      }),
    ).rejects.toBeInstanceOf(DivisionByZeroError);
    expect(logged).toEqual(['begin', 'insert into "note" ("body") values ($1)', 'error: select 1 / 0', 'rollback']);
    expect(await notes()).toEqual([]);
  });

  it("isolation level and access mode in PostgresDriver's own words", async () => {
    const seen = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => (await trx.selectFrom('note').select('id').execute()).length);
    expect(seen).toBe(0);
    expect(logged).toEqual(['start transaction isolation level repeatable read read only', 'select "id" from "note"', 'commit']);
  });

  it('savepoint, rollback to and release, with the name quoted by Kysely', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('note').values({ body: 'kept' }).execute();
    const sp = await trx.savepoint('before "b"').execute();
    await sp.insertInto('note').values({ body: 'undone' }).execute();
    const back = await sp.rollbackToSavepoint('before "b"').execute();
    const inner = await back.savepoint('inner').execute();
    await (await inner.releaseSavepoint('inner').execute()).commit().execute();
    expect(logged.filter((q) => !q.startsWith('insert'))).toEqual([
      'begin',
      'savepoint "before ""b"""',
      'rollback to "before ""b"""',
      'savepoint "inner"',
      'release "inner"',
      'commit',
    ]);
    expect(await notes()).toEqual(['kept']);
  });

  it('a controlled rollback is logged', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('note').values({ body: 'gone' }).execute();
    await trx.rollback().execute();
    expect(logged).toEqual(['begin', 'insert into "note" ("body") values ($1)', 'rollback']);
    expect(await notes()).toEqual([]);
  });
});

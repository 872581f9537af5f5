import { Kysely, sql, type Generated } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, UndefinedTableError, UniqueViolationError, type Pool } from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { schemaPool } from '../../support/schema-pool.js';

interface Database {
  person: { id: Generated<number>; first_name: string; last_name: string | null; born: Date | null; tags: string[] | null };
  pet: { id: Generated<number>; name: string; owner_id: number; species: 'cat' | 'dog' };
}

let pool: Pool;
let db: Kysely<Database>;

beforeAll(async () => {
  pool = await schemaPool('kysely_flows');
  db = new Kysely<Database>({ dialect: new PgjetDialect({ pool }) });
  await db.schema
    .createTable('person')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('first_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('last_name', 'text')
    .addColumn('tags', sql`text[]`)
    .execute();
  await db.schema
    .createTable('pet')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('owner_id', 'integer', (c) => c.references('person.id').onDelete('cascade').notNull())
    .addColumn('species', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pet_owner_idx').on('pet').column('owner_id').execute();
});

afterAll(async () => {
  await db.destroy(); // closes the pool (closePoolOnDestroy defaults to true)
  expect(pool.isClosed).toBe(true);
});

describe('schema builder', () => {
  it('alters a table (add column), and the new column is usable at once', async () => {
    await db.schema.alterTable('person').addColumn('born', 'date').execute();
    const cols = await db.introspection.getTables();
    const person = cols.find((t) => t.schema === 'kysely_flows' && t.name === 'person');
    expect(person?.columns.map((c) => c.name)).toContain('born');
  });

  it('creates and drops a table; querying the dropped table is an UndefinedTableError', async () => {
    await db.schema.createTable('scratch').ifNotExists().addColumn('x', 'integer').execute();
    await db.schema.dropTable('scratch').execute();
    await expect(sql`SELECT * FROM scratch`.execute(db)).rejects.toBeInstanceOf(UndefinedTableError);
  });
});

describe('queries', () => {
  it('insert … returning, with numAffectedRows as a bigint', async () => {
    const people = await db
      .insertInto('person')
      .values([
        { first_name: 'Ada', last_name: 'Lovelace', born: new Date(1815, 11, 10), tags: ['math', 'poetry'] },
        { first_name: 'Alan', last_name: 'Turing', born: new Date(1912, 5, 23), tags: null },
        { first_name: 'Grace', last_name: null, born: null, tags: [] },
      ])
      .returning(['id', 'first_name', 'born', 'tags'])
      .execute();
    expect(people.map((p) => p.first_name)).toEqual(['Ada', 'Alan', 'Grace']);
    // A date comes back as pg gives it: a Date at local midnight.
    expect(people[0]).toMatchObject({ born: new Date(1815, 11, 10), tags: ['math', 'poetry'] });
    const result = await db
      .insertInto('pet')
      .values([
        { name: 'Babbage', owner_id: people[0].id, species: 'cat' },
        { name: 'Enigma', owner_id: people[1].id, species: 'dog' },
        { name: 'Bletchley', owner_id: people[1].id, species: 'cat' },
      ])
      .executeTakeFirstOrThrow();
    expect(result.numInsertedOrUpdatedRows).toBe(3n);
  });

  it('selectFrom with where, orderBy and limit', async () => {
    const rows = await db
      .selectFrom('person')
      .select(['first_name', 'last_name'])
      .where('first_name', 'like', 'A%')
      .orderBy('first_name', 'desc')
      .limit(1)
      .execute();
    expect(rows).toEqual([{ first_name: 'Alan', last_name: 'Turing' }]);
  });

  it('joins, grouping and aggregate values as on pg (count is an int8: a string)', async () => {
    const rows = await db
      .selectFrom('person')
      .innerJoin('pet', 'pet.owner_id', 'person.id')
      .select(['person.first_name', (eb) => eb.fn.countAll().as('pets')])
      .groupBy('person.first_name')
      .orderBy('person.first_name')
      .execute();
    expect(rows).toEqual([
      { first_name: 'Ada', pets: '1' },
      { first_name: 'Alan', pets: '2' },
    ]);
    const left = await db
      .selectFrom('person')
      .leftJoin('pet', 'pet.owner_id', 'person.id')
      .select(['person.first_name', 'pet.name as pet'])
      .where('person.first_name', '=', 'Grace')
      .execute();
    expect(left).toEqual([{ first_name: 'Grace', pet: null }]);
  });

  it('update and delete report numAffectedRows', async () => {
    const updated = await db.updateTable('pet').set({ species: 'dog' }).where('species', '=', 'cat').executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom('pet').where('name', '=', 'Bletchley').executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
  });

  it('arrays bind as PostgreSQL arrays (= ANY)', async () => {
    const rows = await db
      .selectFrom('person')
      .select('first_name')
      .where('id', '=', sql<number>`ANY(${[1, 2]})`)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.first_name)).toEqual(['Ada', 'Alan']);
  });

  it('database errors keep their pgjet classes', async () => {
    const owner = await db.selectFrom('person').select('id').executeTakeFirstOrThrow();
    await expect(db.insertInto('pet').values({ name: 'Enigma', owner_id: owner.id, species: 'cat' }).execute()).rejects.toBeInstanceOf(
      UniqueViolationError,
    );
    await expect(sql`SELECT ${undefined}::int AS x`.execute(db)).rejects.toBeInstanceOf(DataError);
  });

  it('raw SQL with several statements runs through the simple protocol (as with node-postgres)', async () => {
    const result = await sql`CREATE TABLE multi_a (x int); CREATE TABLE multi_b (y int); -- done`.execute(db);
    expect(result.rows).toEqual([]);
    const tables = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'kysely_flows' AND tablename LIKE 'multi_%'`.execute(db);
    expect(tables.rows[0].n).toBe('2');
    // A semicolon inside a literal is not a statement boundary: this stays one extended query with rows.
    const one = await sql<{ s: string }>`SELECT 'a;b' AS s`.execute(db);
    expect(one.rows).toEqual([{ s: 'a;b' }]);
  });

  it('every query returned its connection to the pool', () => {
    expect(pool.stats()).toMatchObject({ borrowed: 0, waiting: 0 });
  });
});

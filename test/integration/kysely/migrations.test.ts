import * as kysely from 'kysely';
import { Kysely, sql, type Generated, type Migration, type MigrationProvider } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { schemaPool } from '../../support/schema-pool.js';

/** Migrations kept in memory (Kysely's `MigrationProvider`); a `FileMigrationProvider` works the same way. */
class InMemoryMigrations implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

// Migrations are written against an untyped Kysely, as Kysely's docs recommend (the schema changes over time).
const migrations: Record<string, Migration> = {
  '2024_01_01_create_author': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('author')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('author').execute();
    },
  },
  '2024_01_02_create_book': {
    async up(db: Kysely<unknown>) {
      // Raw SQL with several statements, as migrations often carry.
      await sql`
        CREATE TABLE book (id bigserial PRIMARY KEY, author_id bigint NOT NULL REFERENCES author(id), title text NOT NULL);
        CREATE INDEX book_author_idx ON book (author_id);
      `.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('book').execute();
    },
  },
};

// Kysely 0.29 serves its Migrator from 'kysely/migration' (the root export is a deprecation stub there).
const { Migrator } = process.env.KYSELY_LINE === '0.29' ? ((await import('kysely-0.29/migration')) as unknown as typeof kysely) : kysely;

let pool: Pool;
let db: Kysely<{ author: { id: Generated<string>; name: string; created_at: Generated<Date> } }>;

beforeAll(async () => {
  pool = await schemaPool('kysely_migrate');
  db = new Kysely({ dialect: new PgjetDialect({ pool }) });
});

afterAll(async () => {
  await db.destroy();
});

const tables = async (): Promise<string[]> =>
  (await db.introspection.getTables())
    .filter((t) => t.schema === 'kysely_migrate')
    .map((t) => t.name)
    .sort();

describe("Kysely's Migrator", () => {
  it('migrates to latest, then reports nothing left to do', async () => {
    const migrator = new Migrator({ db, provider: new InMemoryMigrations(migrations) });
    const first = await migrator.migrateToLatest();
    expect(first.error).toBeUndefined();
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual([
      ['2024_01_01_create_author', 'Success'],
      ['2024_01_02_create_book', 'Success'],
    ]);
    expect(await tables()).toEqual(['author', 'book']);
    const again = await migrator.migrateToLatest();
    expect(again.results).toEqual([]);
    const inserted = await db.insertInto('author').values({ name: 'Ursula' }).returning(['id', 'created_at']).executeTakeFirstOrThrow();
    expect(inserted.id).toMatch(/^\d+$/); // bigserial: a string, as on pg
    expect(inserted.created_at).toBeInstanceOf(Date);
  });

  it('migrates down one step', async () => {
    await db.deleteFrom('author').execute();
    const migrator = new Migrator({ db, provider: new InMemoryMigrations(migrations) });
    const down = await migrator.migrateDown();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([['2024_01_02_create_book', 'Down', 'Success']]);
    expect(await tables()).toEqual(['author']);
  });

  it('a failing migration rolls back entirely (transactional DDL) and is reported', async () => {
    const failing: Record<string, Migration> = {
      ...migrations,
      '2024_01_03_broken': {
        async up(db: Kysely<unknown>) {
          await db.schema.createTable('half_done').addColumn('x', 'integer').execute();
          await sql`SELECT * FROM no_such_table`.execute(db);
        },
      },
    };
    const migrator = new Migrator({ db, provider: new InMemoryMigrations(failing) });
    const result = await migrator.migrateToLatest();
    expect(result.error).toBeInstanceOf(Error);
    expect(result.results?.find((r) => r.migrationName === '2024_01_03_broken')?.status).toBe('Error');
    // Migrator runs the whole batch in one transaction: book (re-applied) and half_done are both gone.
    expect(await tables()).toEqual(['author']);
    expect(pool.stats()).toMatchObject({ borrowed: 0 });
  });
});

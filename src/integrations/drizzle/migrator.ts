/**
 * `migrate(db, { migrationsFolder })`: applies drizzle-kit's generated migrations with Drizzle's own
 * machinery (`readMigrationFiles` and the PostgreSQL dialect's `migrate`), so the bookkeeping table
 * (`drizzle.__drizzle_migrations`) and the all-in-one-transaction behaviour are exactly Drizzle's.
 */
import { readMigrationFiles, type MigrationConfig } from 'drizzle-orm/migrator';
import { InterfaceError } from '../../index.js';
import { databaseInternals, type PgjetDatabase } from './driver.js';

/**
 * Applies the migrations in `config.migrationsFolder` (drizzle-kit's output: `meta/_journal.json` and one SQL
 * file per migration) that are newer than the last one recorded, all in one transaction.
 * @example await migrate(db, { migrationsFolder: './drizzle' });
 */
export async function migrate<TSchema extends Record<string, unknown>>(db: PgjetDatabase<TSchema>, config: MigrationConfig): Promise<void> {
  const parts = databaseInternals(db);
  if (parts === undefined) throw new InterfaceError("migrate() takes a database made by pgjet/drizzle's drizzle()");
  await parts.dialect.migrate(readMigrationFiles(config), parts.session, config);
}

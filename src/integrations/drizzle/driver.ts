/**
 * `drizzle(client, config)`: a Drizzle database over a pgjet pool or connection, built as Drizzle's own
 * `drizzle()` functions build theirs (a PgDialect, a session, the relational schema when one is given).
 */
import {
  createTableRelationsHelpers,
  DefaultLogger,
  entityKind,
  extractTablesRelationalConfig,
  type DrizzleConfig,
  type Logger,
  type RelationalSchemaConfig,
  type TablesRelationalConfig,
} from 'drizzle-orm';
import type { Cache } from 'drizzle-orm/cache/core';
import { PgDatabase, type PgDialect, type PgSession } from 'drizzle-orm/pg-core';
import { PgjetDrizzleDialect } from './params.js';
import type { Connection, Pool } from '../../index.js';
import { PgjetSession, type PgjetQueryResultHKT } from './session.js';

/** A Drizzle database running on pgjet. */
export class PgjetDatabase<TSchema extends Record<string, unknown> = Record<string, never>> extends PgDatabase<PgjetQueryResultHKT, TSchema> {
  static override readonly [entityKind]: string = 'PgjetDatabase';
}

/** The dialect and session behind each database `drizzle()` made, for `migrate()` (Drizzle keeps them internal). */
const internals = new WeakMap<object, { dialect: PgDialect; session: PgSession }>();

/** The dialect and session of a database made by {@link drizzle}, or undefined for anything else. */
export function databaseInternals(db: object): { dialect: PgDialect; session: PgSession } | undefined {
  return internals.get(db);
}

/**
 * `db.$cache` as Drizzle's own drivers set it: the configured cache object itself (its `get`, `put`,
 * `onMutate` and any method of its own stay reachable, and spies on them see the calls the session makes),
 * given an `invalidate` that is its `onMutate`.
 */
function exposeCache(cache: Cache): Cache & { invalidate: Cache['onMutate'] } {
  const exposed = cache as Cache & { invalidate: Cache['onMutate'] };
  exposed.invalidate = cache.onMutate;
  return exposed;
}

function loggerOf(option: DrizzleConfig['logger']): Logger | undefined {
  if (option === true) return new DefaultLogger();
  return option === false ? undefined : option;
}

/**
 * A Drizzle database over a pgjet pool (each query borrows a connection; `db.transaction()` pins one) or a
 * single connection. `config` is Drizzle's: `schema` (for `db.query.…` relational queries), `logger`,
 * `casing`, `cache`.
 * @example
 * const db = drizzle(createPool(dsn), { schema });
 * const users = await db.query.users.findMany({ with: { posts: true } });
 */
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>, TClient extends Pool | Connection = Pool>(
  client: TClient,
  config: DrizzleConfig<TSchema> = {},
): PgjetDatabase<TSchema> & { $client: TClient } {
  const dialect = new PgjetDrizzleDialect({ casing: config.casing });
  let schema: RelationalSchemaConfig<TablesRelationalConfig> | undefined;
  if (config.schema !== undefined) {
    const tables = extractTablesRelationalConfig(config.schema, createTableRelationsHelpers);
    schema = { fullSchema: config.schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap };
  }
  const session = new PgjetSession(client, dialect, schema, { logger: loggerOf(config.logger), cache: config.cache });
  const db = new PgjetDatabase<TSchema>(dialect, session, schema as RelationalSchemaConfig<never> | undefined);
  if (config.cache !== undefined) db.$cache = exposeCache(config.cache);
  // Drizzle's dialect.migrate() is typed for the default session parameters; the session is the same object.
  internals.set(db, { dialect, session: session as unknown as PgSession });
  return Object.assign(db, { $client: client });
}

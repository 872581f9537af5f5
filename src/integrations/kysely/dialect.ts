/**
 * The Kysely dialect: pgjet's driver with Kysely's own PostgreSQL query compiler, adapter and introspector,
 * so the SQL Kysely writes is exactly what its built-in `PostgresDialect` would write.
 */
import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
} from 'kysely';
import { InterfaceError, Pool, type Connection, type PoolConfig, type QueryOptions } from '../../index.js';
import type { PgjetKyselyConnection } from './connection.js';
import { PgjetDriver } from './driver.js';

/** Options of {@link PgjetDialect}. */
export interface PgjetDialectConfig {
  /**
   * A pgjet pool, a function resolving to one (called once, when Kysely first needs a connection), or the
   * settings of a pool for the dialect to create (a DSN or `createPool`'s options); a pool the dialect
   * created is closed by `db.destroy()` like any other unless `closePoolOnDestroy` is false.
   */
  pool: Pool | (() => Promise<Pool>) | string | PoolConfig;
  /**
   * Which values Kysely receives. `'pg'` (default): the values Kysely users get from its PostgresDialect on
   * node-postgres (int8 as a string, date and timestamp as local-time Dates, pg's interval object, the text of
   * types pg does not parse: see the README's table). `'native'`: pgjet's own values (int8 as bigint, dates as
   * `'YYYY-MM-DD'` strings, timestamps read as UTC, ranges and geometric types as objects).
   */
  values?: 'pg' | 'native';
  /**
   * Per-query decoding overrides applied to every query Kysely runs (pgjet's `QueryOptions.types`), taking
   * precedence over the `values` rules for the types they name.
   */
  types?: QueryOptions['types'];
  /**
   * Runs once on each new connection, before its first query: the pool's `init`. Needs pool settings as
   * `pool` (the dialect then creates the pool, running the settings' own `init` first); a pool made elsewhere
   * takes an `init` option of its own instead.
   */
  onCreateConnection?: (connection: PgjetKyselyConnection<Connection>) => Promise<void>;
  /** Runs each time a connection is handed to Kysely, before its first query. */
  onReserveConnection?: (connection: PgjetKyselyConnection) => Promise<void>;
  /** `db.destroy()` closes the pool (default `true`, as Kysely's own dialects do); `false` leaves it open for its other users. */
  closePoolOnDestroy?: boolean;
}

/**
 * A Kysely dialect running on a pgjet pool.
 * @example
 * const db = new Kysely<DB>({ dialect: new PgjetDialect({ pool: createPool(dsn) }) });
 */
export class PgjetDialect implements Dialect {
  readonly #config: PgjetDialectConfig;

  /** `new PgjetDialect({ pool })` or `new PgjetDialect({ pool: async () => createPool(…) })`. */
  constructor(config: PgjetDialectConfig) {
    const { pool, onCreateConnection } = config;
    if (onCreateConnection !== undefined && (pool instanceof Pool || typeof pool === 'function')) {
      throw new InterfaceError('PgjetDialect: onCreateConnection needs pool settings (a DSN or pool options) as `pool`; give a pool made elsewhere its own `init` option instead');
    }
    this.#config = { ...config };
  }

  /** The pgjet driver. */
  createDriver(): Driver {
    return new PgjetDriver(this.#config);
  }

  /** Kysely's PostgreSQL compiler (`$n` placeholders, double-quoted identifiers). */
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  /** Kysely's PostgreSQL adapter (RETURNING, transactional DDL, advisory-lock migrations). */
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  /** Kysely's PostgreSQL introspector. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own Dialect signature takes Kysely<any>
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

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
import type { Pool, QueryOptions } from '../../index.js';
import type { PgjetKyselyConnection } from './connection.js';
import { PgjetDriver } from './driver.js';

/** Options of {@link PgjetDialect}. */
export interface PgjetDialectConfig {
  /** A pgjet pool, or a function resolving to one (called once, when Kysely first needs a connection). */
  pool: Pool | (() => Promise<Pool>);
  /**
   * Per-query decoding overrides applied to every query Kysely runs (pgjet's `QueryOptions.types`), e.g.
   * `{ int8: 'text' }` for the strings node-postgres gives and kysely-codegen types as `string`.
   */
  types?: QueryOptions['types'];
  /** Called each time a connection is handed to Kysely, before its first query. */
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

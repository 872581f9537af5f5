/**
 * Kysely's `Driver` over a pgjet pool. Transactions and savepoints are the statements Kysely's own
 * PostgresDriver sends, run through the connection's `executeQuery` so that Kysely's `log` and plugins see
 * them. Pooling, health checks and session reset are pgjet's (the pool's `reset: 'auto'` cleans whatever a
 * borrower left behind).
 */
import {
  CompiledQuery,
  createQueryId,
  IdentifierNode,
  RawNode,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { createPool, InterfaceError, Pool, type Connection, type PoolConfig, type QueryOptions } from '../../index.js';
import { PgjetKyselyConnection } from './connection.js';
import type { PgjetDialectConfig } from './dialect.js';
import { pgValueTypes } from '../shared/pg-values.js';

/** Narrows what Kysely hands back to a connection this driver made. */
function own(connection: DatabaseConnection): PgjetKyselyConnection {
  if (!(connection instanceof PgjetKyselyConnection)) {
    throw new InterfaceError('the pgjet Kysely driver was given a connection it did not create');
  }
  return connection;
}

/** `SAVEPOINT "name"` and its kin as Kysely builds them, so the query compiler (and its plugins) quote the name. */
function savepointNode(command: string, name: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]);
}

/** The per-query options every Kysely query runs with: pg's values unless the dialect asks for pgjet's. */
function queryOptions(config: PgjetDialectConfig): QueryOptions | undefined {
  const mode = config.values ?? 'pg';
  if (mode !== 'pg' && mode !== 'native') throw new InterfaceError(`PgjetDialect values must be 'pg' or 'native', got ${JSON.stringify(mode)}`);
  if (mode === 'pg') return { types: pgValueTypes(config.types) };
  return config.types === undefined ? undefined : { types: config.types };
}

/** The Kysely driver behind {@link PgjetDialect}. */
export class PgjetDriver implements Driver {
  readonly #config: PgjetDialectConfig;
  readonly #options: QueryOptions | undefined;
  #pool: Pool | undefined;

  /** Use `new PgjetDialect(config)`; Kysely creates the driver. */
  constructor(config: PgjetDialectConfig) {
    this.#config = config;
    this.#options = queryOptions(config);
  }

  /** Resolves the pool: the one given, the factory's, or a new one from pool settings. */
  async init(): Promise<void> {
    const { pool } = this.#config;
    if (pool instanceof Pool) this.#pool = pool;
    else if (typeof pool === 'function') this.#pool = await pool();
    else this.#pool = this.#createPool(pool);
  }

  /** Settings given instead of a pool: the dialect makes it, with `onCreateConnection` as (part of) its `init`. */
  #createPool(settings: string | PoolConfig): Pool {
    const onCreate = this.#config.onCreateConnection;
    if (onCreate === undefined) return createPool(settings);
    const userInit = typeof settings === 'string' ? undefined : settings.init;
    const init = async (conn: Connection): Promise<void> => {
      if (userInit !== undefined) await userInit(conn);
      await onCreate(new PgjetKyselyConnection(conn, this.#options));
    };
    return typeof settings === 'string' ? createPool(settings, { init }) : createPool({ ...settings, init });
  }

  /** Borrows a connection from the pool, then runs `onReserveConnection`. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const pool = this.#pool;
    if (pool === undefined) throw new InterfaceError('the Kysely instance was destroyed (or its driver never initialised)');
    const connection = new PgjetKyselyConnection(await pool.acquire(), this.#options);
    if (this.#config.onReserveConnection !== undefined) {
      try {
        await this.#config.onReserveConnection(connection);
      } catch (err) {
        await connection.connection.release();
        throw err;
      }
    }
    return connection;
  }

  /** `begin`, or `start transaction isolation level … <access mode>`: exactly what Kysely's PostgresDriver sends. */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    own(connection).beginning();
    let sql = 'begin';
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      sql = 'start transaction';
      if (settings.isolationLevel !== undefined) sql += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode !== undefined) sql += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(sql));
  }

  /** `commit`; throws Kysely's `AbortedTransactionError` when the server rolled back instead. */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
    own(connection).committed();
  }

  /** `rollback` (after a failed COMMIT the server only warns that no transaction is open). */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  /** `savepoint "name"`, compiled by Kysely. */
  async savepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointNode('savepoint', savepointName), createQueryId()));
  }

  /** `rollback to "name"`; the savepoint stays, as in SQL. */
  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointNode('rollback to', savepointName), createQueryId()));
  }

  /** `release "name"`. */
  async releaseSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointNode('release', savepointName), createQueryId()));
  }

  /** Gives the connection back to the pool. */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await own(connection).connection.release();
  }

  /** Closes the pool gracefully (`db.destroy()`), unless `closePoolOnDestroy: false`. */
  async destroy(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined && this.#config.closePoolOnDestroy !== false) await pool.close();
  }
}

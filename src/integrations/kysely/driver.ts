/**
 * Kysely's `Driver` over a pgjet pool: each `acquireConnection` borrows a pgjet connection, and transactions,
 * savepoints and release are delegated to {@link PgjetKyselyConnection}. Pooling, health checks and session
 * reset are pgjet's (the pool's `reset: 'auto'` cleans whatever a borrower left behind).
 */
import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely';
import { InterfaceError, type Pool } from '../../index.js';
import { PgjetKyselyConnection } from './connection.js';
import type { PgjetDialectConfig } from './dialect.js';

/** Narrows what Kysely hands back to the connection this driver made. */
function own(connection: DatabaseConnection): PgjetKyselyConnection {
  if (!(connection instanceof PgjetKyselyConnection)) {
    throw new InterfaceError('the pgjet Kysely driver was given a connection it did not create');
  }
  return connection;
}

/** The Kysely driver behind {@link PgjetDialect}. */
export class PgjetDriver implements Driver {
  readonly #config: PgjetDialectConfig;
  #pool: Pool | undefined;

  /** Use `new PgjetDialect(config)`; Kysely creates the driver. */
  constructor(config: PgjetDialectConfig) {
    this.#config = config;
  }

  /** Resolves the pool (calling the factory when one was given). */
  async init(): Promise<void> {
    const { pool } = this.#config;
    this.#pool = typeof pool === 'function' ? await pool() : pool;
  }

  /** Borrows a connection from the pool, then runs `onReserveConnection`. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const pool = this.#pool;
    if (pool === undefined) throw new InterfaceError('the Kysely instance was destroyed (or its driver never initialised)');
    const options = this.#config.types === undefined ? undefined : { types: this.#config.types };
    const connection = new PgjetKyselyConnection(await pool.acquire(), options);
    if (this.#config.onReserveConnection !== undefined) {
      try {
        await this.#config.onReserveConnection(connection);
      } catch (err) {
        await connection.release();
        throw err;
      }
    }
    return connection;
  }

  /** BEGIN with the isolation level and access mode Kysely asks for ('snapshot' is refused: PostgreSQL has none). */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await own(connection).begin(settings);
  }

  /** COMMIT; throws Kysely's `AbortedTransactionError` when the server rolled back instead. */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await own(connection).commit();
  }

  /** ROLLBACK. */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await own(connection).rollback();
  }

  /** SAVEPOINT with Kysely's name (quoted as an identifier). */
  async savepoint(connection: DatabaseConnection, savepointName: string, _compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await own(connection).savepointCommand('SAVEPOINT', savepointName);
  }

  /** ROLLBACK TO SAVEPOINT; the savepoint stays, as in SQL. */
  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string, _compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await own(connection).savepointCommand('ROLLBACK TO SAVEPOINT', savepointName);
  }

  /** RELEASE SAVEPOINT. */
  async releaseSavepoint(connection: DatabaseConnection, savepointName: string, _compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await own(connection).savepointCommand('RELEASE SAVEPOINT', savepointName);
  }

  /** Gives the connection back to the pool. */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await own(connection).release();
  }

  /** Closes the pool gracefully (`db.destroy()`), unless `closePoolOnDestroy: false`. */
  async destroy(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined && this.#config.closePoolOnDestroy !== false) await pool.close();
  }
}

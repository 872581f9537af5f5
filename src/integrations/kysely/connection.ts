/**
 * Kysely's `DatabaseConnection` over one borrowed pgjet connection. While Kysely has a transaction open on it,
 * queries go through pgjet's `Transaction` object, so a COMMIT that the server answers with ROLLBACK is
 * reported (as Kysely's `AbortedTransactionError`) with the error that failed the transaction as its cause.
 */
import type { CompiledQuery, DatabaseConnection, QueryResult, TransactionSettings } from 'kysely';
import { AbortedTransactionError } from 'kysely';
import {
  InFailedSqlTransactionError,
  InterfaceError,
  quoteIdentifier,
  type PooledConnection,
  type QueryOptions,
  type Transaction,
} from '../../index.js';
import { hasSeveralStatements } from '../shared/multi-statement.js';
import { transactionMode } from '../shared/transaction-mode.js';

/** The commands for which Kysely expects `numAffectedRows` (its QueryResult contract). */
const AFFECTS_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * One Kysely connection: a pgjet `PooledConnection` borrowed by the driver, released by it. Exposed to
 * Kysely's `onReserveConnection` hook, which may use {@link PgjetKyselyConnection.connection}.
 */
export class PgjetKyselyConnection implements DatabaseConnection {
  readonly #conn: PooledConnection;
  readonly #options: QueryOptions | undefined;
  /** The transaction Kysely opened on this connection, if any. */
  #tx: Transaction | undefined;

  /** @internal made by the driver on each acquire. */
  constructor(conn: PooledConnection, options: QueryOptions | undefined) {
    this.#conn = conn;
    this.#options = options;
  }

  /** The borrowed pgjet connection (for pgjet calls Kysely does not offer: COPY, LISTEN, …). */
  get connection(): PooledConnection {
    return this.#conn;
  }

  /**
   * Runs one compiled query. Parameterless text holding several statements (raw SQL in a migration) goes
   * through the simple protocol and yields no rows, as with node-postgres; everything else is one extended
   * query, prepared once per connection by pgjet's statement cache.
   */
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const runner = this.#tx ?? this.#conn;
    const { sql, parameters } = compiledQuery;
    if (parameters.length === 0 && hasSeveralStatements(sql)) {
      await runner.execute(sql);
      return { rows: [] };
    }
    const result = await runner.query<R>(sql, parameters, this.#options);
    return {
      rows: result.rows,
      numAffectedRows: AFFECTS_ROWS.has(result.command) ? BigInt(result.rowCount) : undefined,
    };
  }

  /**
   * Streams rows in chunks of `chunkSize` from a pgjet cursor: a portal fetched `chunkSize` rows per round
   * trip, only as Kysely's loop asks for more, so memory stays bounded. Leaving the loop early closes the
   * portal. Inside a transaction the cursor runs on the transaction's connection, so it sees its changes.
   */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new InterfaceError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
    }
    let chunk: R[] = [];
    const rows = this.#conn.cursor<R>(compiledQuery.sql, compiledQuery.parameters, { ...this.#options, prefetch: chunkSize });
    for await (const row of rows) {
      chunk.push(row);
      if (chunk.length === chunkSize) {
        yield { rows: chunk };
        chunk = [];
      }
    }
    if (chunk.length > 0) yield { rows: chunk };
  }

  /** @internal BEGIN with Kysely's isolation level and access mode. */
  async begin(settings: TransactionSettings): Promise<void> {
    if (this.#tx !== undefined) throw new InterfaceError('Kysely began a transaction twice on one connection');
    const { options, setTransaction } = transactionMode(settings);
    const tx = await this.#conn.transaction(options);
    this.#tx = tx;
    if (setTransaction !== null) await tx.execute(setTransaction);
  }

  /** @internal COMMIT; a COMMIT answered with ROLLBACK becomes Kysely's `AbortedTransactionError`. */
  async commit(): Promise<void> {
    const tx = this.#requireTransaction('commit');
    this.#tx = undefined;
    try {
      await tx.commit();
    } catch (err) {
      // From commit() this error only ever means "the server rolled back instead" (see pgjet's Transaction).
      if (err instanceof InFailedSqlTransactionError) throw Object.assign(new AbortedTransactionError(), { cause: err });
      throw err;
    }
  }

  /**
   * @internal ROLLBACK. Kysely also calls this after a failed COMMIT, when the server has already ended the
   * transaction: then there is nothing left to roll back.
   */
  async rollback(): Promise<void> {
    const tx = this.#tx;
    this.#tx = undefined;
    if (tx?.isActive === true) await tx.rollback();
    else if (this.#conn.isInTransaction) await this.#conn.execute('ROLLBACK');
  }

  /** @internal SAVEPOINT, ROLLBACK TO SAVEPOINT or RELEASE SAVEPOINT with Kysely's savepoint name. */
  async savepointCommand(command: 'SAVEPOINT' | 'ROLLBACK TO SAVEPOINT' | 'RELEASE SAVEPOINT', name: string): Promise<void> {
    await this.#requireTransaction(command.toLowerCase()).execute(`${command} ${quoteIdentifier(name)}`);
  }

  /** @internal gives the connection back to the pool (whose reset rolls back anything left open). */
  async release(): Promise<void> {
    this.#tx = undefined;
    await this.#conn.release();
  }

  #requireTransaction(what: string): Transaction {
    if (this.#tx === undefined) throw new InterfaceError(`Kysely asked for ${what} with no transaction open on the connection`);
    return this.#tx;
  }
}

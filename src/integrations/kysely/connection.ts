/**
 * Kysely's `DatabaseConnection` over one pgjet connection. Every statement, BEGIN/COMMIT/SAVEPOINT included,
 * goes through {@link PgjetKyselyConnection.executeQuery}, which Kysely wraps for its `log`; while a transaction
 * is open, pgjet runs every call on the connection inside it.
 */
import * as kysely from 'kysely';
import { CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely';
import { DatabaseError, InFailedSqlTransactionError, InterfaceError, type Connection, type PooledConnection, type QueryOptions } from '../../index.js';
import { hasSeveralStatements } from '../shared/multi-statement.js';

/**
 * Kysely's `AbortedTransactionError`, read from the module namespace because the releases the peer range admits
 * do not all export it (0.28.19 and 0.29.9 do, 0.28.17 and 0.29.5 do not): a named ESM import of a missing
 * export would fail the whole module at load time.
 */
const AbortedTransactionError = (kysely as { AbortedTransactionError?: new () => Error }).AbortedTransactionError;

/** The commands for which Kysely expects `numAffectedRows` (its QueryResult contract). */
const AFFECTS_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** What Kysely 0.29 passes to `executeQuery` when the caller gave an abort signal. */
interface KyselyCallOptions {
  readonly signal?: AbortSignal;
}

/**
 * What Kysely 0.29 hands to `killSession`: it borrows another connection of the same Kysely instance for the
 * length of `consumer`.
 */
export type ControlConnectionProvider = (consumer: (connection: DatabaseConnection) => Promise<void>) => Promise<void>;

/**
 * One Kysely connection over a pgjet connection: a `PooledConnection` borrowed by the driver, or, in
 * `onCreateConnection`, the pool's new connection. Exposed to the dialect's hooks, which may use
 * {@link PgjetKyselyConnection.connection} for what Kysely does not offer (COPY, LISTEN, …).
 */
export class PgjetKyselyConnection<C extends Connection = PooledConnection> implements DatabaseConnection {
  readonly #conn: C;
  readonly #options: QueryOptions | undefined;
  /** The call that `cancelQuery` would stop: only calls made with Kysely's abort signal are cancellable. */
  #cancellable: AbortController | undefined;
  /** The verb of the last command's tag, for COMMIT (answered `ROLLBACK` when the transaction had failed). */
  #lastCommand = '';
  /** The error that failed the open transaction, the cause given with `AbortedTransactionError`. */
  #failure: unknown;

  /** @internal made by the driver. */
  constructor(conn: C, options: QueryOptions | undefined) {
    this.#conn = conn;
    this.#options = options;
  }

  /** The pgjet connection (for pgjet calls Kysely does not offer: COPY, LISTEN, …). */
  get connection(): C {
    return this.#conn;
  }

  /**
   * Runs one compiled query. Parameterless text holding several statements (raw SQL in a migration) goes
   * through the simple protocol and yields no rows, as with node-postgres; everything else is one extended
   * query, prepared once per connection by pgjet's statement cache. Kysely 0.29 passes `options.signal` when
   * its caller can abort: the call is then made cancellable by {@link PgjetKyselyConnection.cancelQuery}
   * (the signal itself is not handed on, because Kysely's default 'ignore query' strategy lets the query run).
   */
  async executeQuery<R>(compiledQuery: CompiledQuery, options?: KyselyCallOptions): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    const cancel = options?.signal === undefined ? undefined : new AbortController();
    if (cancel !== undefined) this.#cancellable = cancel;
    try {
      if (parameters.length === 0 && hasSeveralStatements(sql)) {
        await this.#conn.execute(sql, [], cancel === undefined ? undefined : { signal: cancel.signal });
        this.#lastCommand = '';
        return { rows: [] };
      }
      const callOptions = cancel === undefined ? this.#options : { ...this.#options, signal: cancel.signal };
      const result = await this.#conn.query<R>(sql, parameters, callOptions);
      this.#lastCommand = result.command;
      // ROLLBACK TO SAVEPOINT (tag ROLLBACK, the transaction still open) undoes the failure too.
      if (result.command === 'ROLLBACK' && this.#conn.isInTransaction) this.#failure = undefined;
      return {
        rows: result.rows,
        numAffectedRows: AFFECTS_ROWS.has(result.command) ? BigInt(result.rowCount) : undefined,
      };
    } catch (err) {
      // The first server error fails the transaction; later ones only say that it has failed.
      if (err instanceof DatabaseError && this.#conn.isInTransaction) this.#failure ??= err;
      throw err;
    } finally {
      if (cancel !== undefined && this.#cancellable === cancel) this.#cancellable = undefined;
    }
  }

  /**
   * Streams rows in chunks of `chunkSize` from a pgjet cursor: a portal fetched `chunkSize` rows per round
   * trip, only as Kysely's loop asks for more, so memory stays bounded. Leaving the loop early closes the
   * portal. Inside a transaction the cursor runs in it, so it sees the transaction's changes.
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

  /**
   * Kysely 0.29's 'cancel query' strategy: cancels the running query on the server (pgjet sends the
   * CancelRequest and holds later writes until that query has ended, so nothing else is hit). The query's
   * own promise rejects with pgjet's `AbortError`; the connection stays usable.
   */
  async cancelQuery(): Promise<void> {
    this.#cancellable?.abort(new InterfaceError('the query was cancelled by Kysely (inflightQueryAbortStrategy "cancel query")'));
  }

  /**
   * Kysely 0.29's 'kill session' strategy: `pg_terminate_backend` on this connection's server process, run
   * on another connection as Kysely's PostgresDialect does. The pool discards the killed connection.
   */
  async killSession(controlConnectionProvider: ControlConnectionProvider): Promise<void> {
    if (this.#cancellable === undefined) return;
    const target = this.#cancellable;
    await controlConnectionProvider(async (control) => {
      // The query may have ended while the control connection was being borrowed; then kill nothing.
      if (this.#cancellable === target) await control.executeQuery(CompiledQuery.raw(`select pg_terminate_backend(${this.#conn.processId})`));
    });
  }

  /** @internal called by the driver before BEGIN: a new transaction has no failure yet. */
  beginning(): void {
    this.#failure = undefined;
  }

  /**
   * @internal called by the driver after COMMIT ran through `executeQuery`: a COMMIT that the server
   * answered with ROLLBACK (the transaction had failed, and the failure was caught) becomes Kysely's
   * `AbortedTransactionError`, whose `cause` is the error that failed the transaction.
   */
  committed(): void {
    if (this.#lastCommand !== 'ROLLBACK') return;
    const cause = this.#failure;
    this.#failure = undefined;
    if (AbortedTransactionError !== undefined) throw Object.assign(new AbortedTransactionError(), { cause });
    // Older Kysely has no class for it: pgjet's own error for a COMMIT answered with ROLLBACK.
    throw new InFailedSqlTransactionError(
      {
        severity: 'ERROR',
        code: InFailedSqlTransactionError.code,
        message: 'COMMIT was answered with ROLLBACK: the transaction had failed (an error inside it was caught) and nothing was committed',
      },
      { query: 'COMMIT', cause },
    );
  }
}

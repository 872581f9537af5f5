/**
 * Transactions (README, "Transactions"): `conn.transaction(fn, opts)` runs `fn` between BEGIN and COMMIT
 * (ROLLBACK when it throws); `conn.transaction(opts)` returns a started {@link Transaction} to finish by hand
 * or with `await using`; `tx.transaction()` nests as a SAVEPOINT.
 *
 * The server is the authority: the control statements go through the simple protocol and COMMIT's tag is
 * checked, because PostgreSQL answers COMMIT of a failed transaction with the tag ROLLBACK and no error
 * (src/backend/access/transam/xact.c, EndTransactionBlock). Control statements bypass the query module's
 * tag tracking on purpose: BEGIN/COMMIT leave no session state, so a pooled connection that only ran
 * transactions needs no reset.
 */
import { CommitOutcomeUnknownError, ConnectionError, InFailedSqlTransactionError, InterfaceError, withCallerStack } from '../errors/index.js';
import type { Connection } from './connection.js';
import type { PreparedStatement } from './prepared.js';
import type { QueryText } from './query.js';
import {
  beginSql,
  checkTransactionOptions,
  hasModeOptions,
  nextSavepointName,
  type TransactionOptions,
  type TransactionState,
} from './transaction-options.js';
import type { FetchValOptions, QueryOptions, QueryResult, Row, RowMode, RowOf } from './types.js';

/** The body of a callback-form transaction; its result becomes the call's result. */
export type TransactionBody<T> = (tx: Transaction) => Promise<T> | T;

/**
 * The top-level transaction open on each connection object (a `Connection`, or a pool's proxy of one: each
 * borrowing gets its own proxy, so a transaction abandoned by a previous borrower, which the pool's reset
 * rolled back, does not block the next one). Set before BEGIN is even written, so two overlapping
 * `transaction()` calls on one connection cannot both believe they opened it.
 */
const openTransactions = new WeakMap<object, Transaction>();

/** Friend access for the functions below, which need the class's private members. */
let internals!: {
  create(conn: Connection, root: Transaction | null, savepoint: string | null): Transaction;
  run<T>(tx: Transaction, fn: TransactionBody<T>): Promise<T>;
  finish(tx: Transaction, state: TransactionState): void;
};

/**
 * An open transaction or savepoint. It offers the connection's query methods; every call runs on the
 * connection (and so inside the transaction). Once committed or rolled back it refuses any use with an
 * `InterfaceError`.
 */
export class Transaction {
  readonly #conn: Connection;
  readonly #root: Transaction;
  readonly #savepoint: string | null;
  /** On the root: open savepoints, outermost first (SQL nests each new one inside the previous). */
  readonly #savepoints: Transaction[] = [];
  #state: TransactionState = 'active';
  /** On the root: the last error a call inside the transaction rejected with, cited when COMMIT fails. */
  #lastError: unknown = undefined;

  static {
    internals = {
      create: (conn, root, savepoint) => new Transaction(conn, root, savepoint),
      run: (tx, fn) => tx.#run(fn),
      finish: (tx, state) => tx.#finish(state),
    };
  }

  private constructor(conn: Connection, root: Transaction | null, savepoint: string | null) {
    this.#conn = conn;
    this.#root = root ?? this;
    this.#savepoint = savepoint;
  }

  /** Where the transaction is in its life; only `'active'` accepts queries. */
  get state(): TransactionState {
    return this.#state;
  }

  /** True until the transaction is committed or rolled back (or its commit has started). */
  get isActive(): boolean {
    return this.#state === 'active';
  }

  /** True for a nested transaction, which is a savepoint inside its enclosing one. */
  get isNested(): boolean {
    return this.#savepoint !== null;
  }

  /** The savepoint's name for a nested transaction, else undefined. */
  get savepointName(): string | undefined {
    return this.#savepoint ?? undefined;
  }

  /** The connection the transaction runs on, for operations a transaction does not mirror (cursors, COPY). */
  get connection(): Connection {
    return this.#conn;
  }

  /** All rows of a query, inside the transaction. */
  fetch<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<RowOf<R, M>[]> {
    return this.#call(() => this.#conn.fetch<R, M>(q, args, opts));
  }

  /** The first row, or null. */
  fetchRow<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<RowOf<R, M> | null> {
    return this.#call(() => this.#conn.fetchRow<R, M>(q, args, opts));
  }

  /** The first column (or `opts.column`) of the first row, or null. */
  fetchVal<T = unknown>(q: QueryText, args?: readonly unknown[], opts?: FetchValOptions): Promise<T | null> {
    return this.#call(() => this.#conn.fetchVal<T>(q, args, opts));
  }

  /** Rows with column metadata, the command and the row count. */
  query<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<QueryResult<RowOf<R, M>>> {
    return this.#call(() => this.#conn.query<R, M>(q, args, opts));
  }

  /** Runs a command and resolves with its tag; without arguments, several statements may be given. */
  execute(q: QueryText, args?: readonly unknown[], opts?: QueryOptions): Promise<string> {
    return this.#call(() => this.#conn.execute(q, args, opts));
  }

  /** Runs `sql` once per argument list in one pipeline. */
  executeMany(sql: QueryText, argsList: readonly (readonly unknown[])[], opts?: QueryOptions): Promise<void> {
    return this.#call(() => this.#conn.executeMany(sql, argsList, opts));
  }

  /** Like executeMany, resolving with every execution's rows in order. */
  fetchMany<R = Row, M extends RowMode = RowMode>(sql: QueryText, argsList: readonly (readonly unknown[])[], opts?: QueryOptions<M>): Promise<RowOf<R, M>[]> {
    return this.#call(() => this.#conn.fetchMany<R, M>(sql, argsList, opts));
  }

  /** Prepares a statement on the connection (it outlives the transaction, as a server-side statement does). */
  prepare(sql: QueryText): Promise<PreparedStatement> {
    return this.#call(() => this.#conn.prepare(sql));
  }

  /**
   * A nested transaction: SAVEPOINT, then RELEASE when `fn` resolves or ROLLBACK TO when it throws. The
   * savepoint's own {@link Transaction} is passed to `fn`. Takes no options: a savepoint inherits its
   * transaction's isolation and access mode.
   */
  transaction<T>(fn: TransactionBody<T>, opts?: TransactionOptions): Promise<T>;
  /** A nested transaction to finish by hand (`commit()` releases the savepoint, `rollback()` rolls back to it). */
  transaction(opts?: TransactionOptions): Promise<Transaction>;
  async transaction<T>(fnOrOpts?: TransactionBody<T> | TransactionOptions, opts?: TransactionOptions): Promise<T | Transaction> {
    const fn = typeof fnOrOpts === 'function' ? fnOrOpts : undefined;
    const options = checkTransactionOptions(fn === undefined ? fnOrOpts : opts);
    if (hasModeOptions(options)) {
      throw new InterfaceError('a nested transaction is a savepoint: it takes no isolation, readOnly or deferrable option (it inherits them)');
    }
    const refusal = this.#refusal();
    if (refusal !== null) throw refusal;
    const name = nextSavepointName();
    const sp = new Transaction(this.#conn, this.#root, name);
    this.#root.#savepoints.push(sp);
    try {
      await this.#control(`SAVEPOINT ${name}`);
    } catch (err) {
      this.#root.#dropSavepoint(sp);
      sp.#state = 'failed';
      throw err;
    }
    return fn === undefined ? sp : sp.#run(fn);
  }

  /**
   * Commits (RELEASE SAVEPOINT for a nested transaction). Rejects with `InFailedSqlTransactionError` when the
   * server rolled back instead because the transaction had failed (its `cause` is the last error seen inside
   * it), and with the server's error when COMMIT itself fails (a deferred constraint, a serialization
   * failure); either way the transaction is over.
   */
  async commit(): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== null) throw refusal;
    this.#state = 'committing';
    if (this.#savepoint === null) await this.#commitTop();
    else await this.#releaseSavepoint(this.#savepoint);
  }

  /** Rolls back (to the savepoint, for a nested transaction). */
  async rollback(): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== null) throw refusal;
    this.#state = 'rollingBack';
    const name = this.#savepoint;
    if (name !== null) this.#root.#endSavepointsAfter(this, 'rolledBack');
    try {
      // RELEASE after ROLLBACK TO removes the savepoint itself, which ROLLBACK TO keeps.
      await this.#control(name === null ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
    } catch (err) {
      // A closed (or released) connection rolled back on the server anyway: the session ended.
      if (!this.#connectionGone()) {
        this.#finish('failed');
        throw err;
      }
    }
    this.#finish('rolledBack');
  }

  /** `await using tx = await conn.transaction()`: rolls back if still active; does nothing once finished. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'active') await this.rollback();
  }

  async #run<T>(fn: TransactionBody<T>): Promise<T> {
    let result: T;
    try {
      result = await fn(this);
    } catch (err) {
      // The body's error is what the caller needs; a failing ROLLBACK (dead connection) must not mask it.
      if (this.#state === 'active') await this.rollback().catch(() => undefined);
      throw err;
    }
    // A body that finished the transaction itself (commit() or rollback() inside) is taken at its word.
    if (this.#state === 'active') await this.commit();
    return result;
  }

  async #commitTop(): Promise<void> {
    this.#endSavepointsAfter(null, 'committed');
    let tag: string;
    try {
      tag = (await this.#control('COMMIT')).tag;
    } catch (err) {
      // The server ends the transaction when COMMIT fails (deferred constraint, serialization failure).
      this.#finish('failed');
      throw commitFailure(err);
    }
    if (tag === 'ROLLBACK') {
      this.#finish('failed');
      throw new InFailedSqlTransactionError(
        {
          severity: 'ERROR',
          code: InFailedSqlTransactionError.code,
          message: 'COMMIT was answered with ROLLBACK: the transaction had failed (an error inside it was caught) and nothing was committed',
          hint: 'the cause is the last error a call inside the transaction rejected with',
        },
        { query: 'COMMIT', cause: this.#lastError },
      );
    }
    this.#finish('committed');
  }

  async #releaseSavepoint(name: string): Promise<void> {
    const root = this.#root;
    // RELEASE also releases every savepoint opened after this one (they are nested in it).
    root.#endSavepointsAfter(this, 'committed');
    try {
      await this.#control(`RELEASE SAVEPOINT ${name}`);
    } catch (err) {
      // Typically 25P02: an error inside the savepoint was caught. Rolling back to it keeps the enclosing
      // transaction usable, as if the nested body had thrown; the caller still gets the error.
      await this.#control(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`).catch(() => undefined);
      this.#finish('failed');
      throw err;
    }
    this.#finish('committed');
  }

  /** Runs one control statement through the simple protocol, outside the query module's tag tracking. */
  async #control(sql: string): Promise<{ tag: string }> {
    try {
      return await this.#conn.session.simple(sql).promise;
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /**
   * Every query method: refuse when finished, remember failures for COMMIT's error. An async function rather
   * than a `.then` registered beside the caller's own `await`: a promise with two reactions ends the chain V8
   * follows for async stack traces, and the caller's frames would be lost from the error's stack.
   */
  async #call<T>(run: () => Promise<T>): Promise<T> {
    const refusal = this.#refusal();
    if (refusal !== null) throw refusal;
    try {
      return await run();
    } catch (err) {
      // Recorded before the rejection reaches the caller, so COMMIT can cite it whatever the caller does.
      this.#root.#lastError = err;
      throw withCallerStack(err);
    }
  }

  #refusal(): InterfaceError | null {
    if (this.#state === 'active') return null;
    const what = this.#savepoint === null ? 'transaction' : `nested transaction (savepoint ${this.#savepoint})`;
    const words: Record<TransactionState, string> = {
      active: 'active',
      committing: 'being committed',
      rollingBack: 'being rolled back',
      committed: 'committed',
      rolledBack: 'rolled back',
      failed: 'finished (its commit or rollback failed)',
    };
    return new InterfaceError(`this ${what} is ${words[this.#state]}: it cannot be used any more`);
  }

  #connectionGone(): boolean {
    try {
      return this.#conn.isClosed;
    } catch {
      // A pool proxy refuses every access once released; the pool's reset rolled the transaction back.
      return true;
    }
  }

  #finish(state: TransactionState): void {
    this.#state = state;
    if (this.#savepoint === null) {
      this.#endSavepointsAfter(null, state === 'committed' ? 'committed' : 'rolledBack');
      if (openTransactions.get(this.#conn) === this) openTransactions.delete(this.#conn);
    } else {
      this.#root.#dropSavepoint(this);
    }
  }

  /** On the root: ends the savepoints nested in `sp` (all of them for null), which the server just ended. */
  #endSavepointsAfter(sp: Transaction | null, state: TransactionState): void {
    const from = sp === null ? 0 : this.#savepoints.indexOf(sp) + 1;
    if (from <= 0 && sp !== null) return;
    for (const inner of this.#savepoints.splice(from)) if (inner.#state === 'active') inner.#state = state;
  }

  #dropSavepoint(sp: Transaction): void {
    const i = this.#savepoints.indexOf(sp);
    if (i >= 0) this.#savepoints.splice(i, 1);
  }
}

/**
 * Refuses BEGIN on a connection already in a transaction, as asyncpg does: silently nesting would let the
 * inner COMMIT commit the outer work. Use `tx.transaction()` for a savepoint. The server's status is only
 * trusted when nothing is queued (a queued call may be about to change it, e.g. a pool's reset ROLLBACK).
 */
function assertCanBegin(conn: Connection): void {
  if (openTransactions.has(conn)) {
    throw new InterfaceError('a transaction is already open on this connection: use tx.transaction() for a nested one (a savepoint)');
  }
  const wire = conn.session.wire;
  if (wire.txStatus !== 'I' && wire.pendingCount === 0 && wire.inflightCount === 0) {
    throw new InterfaceError('cannot start a transaction: the connection is already in a transaction opened by a manual BEGIN');
  }
}

async function begin(conn: Connection, options: TransactionOptions): Promise<Transaction> {
  try {
    assertCanBegin(conn);
    const tx = internals.create(conn, null, null);
    openTransactions.set(conn, tx);
    try {
      await conn.session.simple(beginSql(options)).promise;
    } catch (err) {
      internals.finish(tx, 'failed');
      throw err;
    }
    return tx;
  } catch (err) {
    throw withCallerStack(err);
  }
}

/**
 * `conn.transaction(fn, opts)` and `conn.transaction(opts)`: the implementation behind both overloads.
 * BEGIN is awaited before `fn` runs: were it pipelined and to fail (READ WRITE on a standby), `fn`'s
 * statements would run in autocommit.
 */
export async function startTransaction<T>(
  conn: Connection,
  fnOrOpts: TransactionBody<T> | TransactionOptions | undefined,
  opts: TransactionOptions | undefined,
): Promise<T | Transaction> {
  if (typeof fnOrOpts === 'function') {
    const tx = await begin(conn, checkTransactionOptions(opts));
    return internals.run(tx, fnOrOpts);
  }
  if (opts !== undefined) throw new InterfaceError('transaction(opts) takes one argument; for a callback use transaction(fn, opts)');
  return begin(conn, checkTransactionOptions(fnOrOpts));
}

export type { IsolationLevel, TransactionOptions, TransactionState } from './transaction-options.js';

/**
 * COMMIT's failure as the caller should read it. A connection lost after COMMIT went out leaves the outcome
 * unknown (the server may have committed just before the loss): that gets its own error. Lost before it went
 * out (`safeToRetry`), the server rolls the transaction back when the session ends, so nothing was committed.
 */
function commitFailure(err: unknown): unknown {
  if (!(err instanceof ConnectionError) || err instanceof CommitOutcomeUnknownError) return err;
  if (err.safeToRetry) {
    return new ConnectionError(`COMMIT was not sent (${err.message}); the server rolls the transaction back, so nothing was committed`, {
      cause: err, host: err.host, port: err.port,
    });
  }
  return new CommitOutcomeUnknownError(
    `the connection was lost while COMMIT was in flight (${err.message}): the transaction may or may not have been committed`,
    { cause: err, host: err.host, port: err.port },
  );
}

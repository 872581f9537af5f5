/**
 * The public pool (README, "Pool and transactions"): a thin facade over the connection set. It captures the caller's stack
 * where leak detection wants it, turns the set's reports into events or process warnings, and offers the
 * query shortcuts, each on a connection borrowed for the one call.
 */
import { EventEmitter } from 'node:events';
import type { Connection, CopyFormatOptions, CopyFromQueryOptions, CopyFromTableOptions, CopyRecordsOptions, CopyToTableOptions, CursorOptions, FetchValOptions, NotificationCallback, QueryOptions, QueryResult, QueryText, Row, RowMode, RowOf, TransactionBody, TransactionOptions } from '../client/index.js';
import { ConnectionError, InterfaceError, withCallerStack } from '../errors/index.js';
import { ConnectionSet, type PoolStats } from './connection-set.js';
import { warnLeak, type LeakInfo } from './leak.js';
import { PoolListener, type PoolListenOptions } from './listener.js';
import { splitPoolConfig, type ConnectArgs, type PoolConfig, type ResolvedPoolOptions } from './options.js';
import { CapturedStack, leaseOf, type Lease, type PooledConnection } from './pooled-connection.js';

/** Events a pool emits. Neither is required: without a listener each becomes a process warning. */
export interface PoolEvents {
  /** A connection was held longer than `leakTimeout`; carries the stack of the call that borrowed it. */
  leak: [info: LeakInfo];
  /**
   * A failure nobody was waiting for: a background open while filling up to `minSize` (reported once per
   * outage), or a failed reset. Emitted only when listened to, so it can never crash the process.
   */
  error: [err: Error];
}

/** Options of `pool.acquire()`. */
export interface AcquireOptions {
  /** Milliseconds to wait for a connection before a `PoolTimeoutError` (default: the pool's `acquireTimeout`). */
  timeout?: number;
  /** Aborts the wait with an `AbortError` (its `cause` is `signal.reason`). */
  signal?: AbortSignal;
}

/**
 * A pool of connections. Borrow with `acquire()` (and release, or `await using`), `withConnection(fn)`, or
 * the shortcuts (`pool.fetch(…)`, `pool.transaction(fn)`), each on a connection borrowed for the one call.
 */
export class Pool extends EventEmitter<PoolEvents> {
  readonly #set: ConnectionSet;
  readonly #options: ResolvedPoolOptions;
  readonly #listener: PoolListener;

  /** @internal use {@link createPool}. */
  constructor(options: ResolvedPoolOptions, connectArgs: ConnectArgs) {
    super();
    this.#options = options;
    this.#listener = new PoolListener(connectArgs, (err) => this.#reportBackground(err));
    this.#set = new ConnectionSet(options, connectArgs, {
      leak: (info) => {
        if (this.listenerCount('leak') > 0) this.emit('leak', info);
        else warnLeak(info, options.leakTimeout ?? 0);
      },
      backgroundError: (err) => this.#reportBackground(err),
    });
  }

  /** True once `close()` or `terminate()` was called. */
  get isClosed(): boolean {
    return this.#set.isClosed;
  }

  /** Resolves once `minSize` connections are open; rejects with the error if opening one fails (call again to retry). */
  async ready(): Promise<void> {
    try {
      await this.#set.ready();
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /**
   * Borrows a connection. Release it with `conn.release()` / `pool.release(conn)`, or let `await using` do
   * it. Rejects with `PoolTimeoutError` after `timeout`, `AbortError` on `signal`, `InterfaceError` once the
   * pool is closed.
   */
  async acquire(opts: AcquireOptions = {}): Promise<PooledConnection> {
    const lease = await this.#set.acquire(opts.timeout ?? this.#options.acquireTimeout, opts.signal, this.#stack());
    return lease.proxy;
  }

  /** Gives a borrowed connection back. Releasing one twice, or one from another pool, is an `InterfaceError`. */
  async release(conn: PooledConnection): Promise<void> {
    const lease = leaseOf(conn);
    if (lease === undefined || lease.owner !== this.#set) {
      throw new InterfaceError('pool.release() takes a connection acquired from this pool');
    }
    await lease.release();
  }

  /** Runs `fn` with a borrowed connection and releases it afterwards, whatever happens; resolves with `fn`'s result. */
  async withConnection<T>(fn: (conn: PooledConnection) => Promise<T> | T, opts: AcquireOptions = {}): Promise<T> {
    if (typeof fn !== 'function') throw new InterfaceError('withConnection() takes a function');
    const lease = await this.#set.acquire(opts.timeout ?? this.#options.acquireTimeout, opts.signal, this.#stack());
    try {
      return await fn(lease.proxy);
    } finally {
      // fn may have released it already; that is allowed, as with `await using`.
      await lease.dispose();
    }
  }

  /** `conn.fetch` on a connection borrowed for the call. */
  fetch<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<RowOf<R, M>[]> {
    return this.#borrowFor(opts?.signal, (c) => c.fetch<R, M>(q, args, opts));
  }

  /** `conn.fetchRow` on a connection borrowed for the call. */
  fetchRow<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<RowOf<R, M> | null> {
    return this.#borrowFor(opts?.signal, (c) => c.fetchRow<R, M>(q, args, opts));
  }

  /** `conn.fetchVal` on a connection borrowed for the call. */
  fetchVal<T = unknown>(q: QueryText, args?: readonly unknown[], opts?: FetchValOptions): Promise<T | null> {
    return this.#borrowFor(opts?.signal, (c) => c.fetchVal<T>(q, args, opts));
  }

  /** `conn.query` on a connection borrowed for the call. */
  query<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<QueryResult<RowOf<R, M>>> {
    return this.#borrowFor(opts?.signal, (c) => c.query<R, M>(q, args, opts));
  }

  /** `conn.execute` on a connection borrowed for the call. */
  execute(q: QueryText, args?: readonly unknown[], opts?: QueryOptions): Promise<string> {
    return this.#borrowFor(opts?.signal, (c) => c.execute(q, args, opts));
  }

  /** `conn.executeMany` on a connection borrowed for the call. */
  executeMany(sql: QueryText, argsList: readonly (readonly unknown[])[], opts?: QueryOptions): Promise<void> {
    return this.#borrowFor(opts?.signal, (c) => c.executeMany(sql, argsList, opts));
  }

  /** `conn.fetchMany` on a connection borrowed for the call. */
  fetchMany<R = Row, M extends RowMode = RowMode>(sql: QueryText, argsList: readonly (readonly unknown[])[], opts?: QueryOptions<M>): Promise<RowOf<R, M>[]> {
    return this.#borrowFor(opts?.signal, (c) => c.fetchMany<R, M>(sql, argsList, opts));
  }

  /** `conn.copyRecordsToTable` (binary COPY) on a connection borrowed for the call. */
  copyRecordsToTable(table: string, opts: CopyRecordsOptions): Promise<string> {
    return this.#borrowFor(opts.signal, (c) => c.copyRecordsToTable(table, opts));
  }

  /** `conn.copyToTable` on a connection borrowed for the call. */
  copyToTable(table: string, opts: CopyToTableOptions): Promise<string> {
    return this.#borrowFor(opts.signal, (c) => c.copyToTable(table, opts));
  }

  /** `conn.copyFromTable` on a connection borrowed for the call. */
  copyFromTable(table: string, opts: CopyFromTableOptions): Promise<string> {
    return this.#borrowFor(opts.signal, (c) => c.copyFromTable(table, opts));
  }

  /** `conn.copyFromQuery` on a connection borrowed for the call. */
  copyFromQuery(q: QueryText, args: readonly unknown[] | undefined, opts: CopyFromQueryOptions): Promise<string> {
    return this.#borrowFor(opts.signal, (c) => c.copyFromQuery(q, args, opts));
  }

  /** `conn.copyOut` on a connection borrowed until the iteration ends (however it ends). */
  async *copyOut(q: QueryText, args?: readonly unknown[], opts?: CopyFormatOptions): AsyncGenerator<Buffer, void, undefined> {
    const lease: Lease = await this.#set.acquire(this.#options.acquireTimeout, undefined, this.#stack());
    lease.slot.queries++;
    try {
      yield* lease.conn.copyOut(q, args, opts);
    } finally {
      await lease.dispose();
    }
  }

  /** `conn.cursor` on a connection borrowed until the loop ends (however it ends). */
  async *cursor<R = Row, M extends RowMode = RowMode>(
    q: QueryText,
    args?: readonly unknown[],
    opts?: CursorOptions<M>,
  ): AsyncGenerator<RowOf<R, M>, void, undefined> {
    const lease: Lease = await this.#set.acquire(this.#options.acquireTimeout, opts?.signal, this.#stack());
    lease.slot.queries++;
    try {
      yield* lease.conn.cursor<R, M>(q, args, opts);
    } finally {
      await lease.dispose();
    }
  }

  /**
   * Runs `fn` in a transaction on a connection borrowed for it (COMMIT when `fn` resolves, ROLLBACK when it
   * throws), then releases the connection. Only the callback form: a manual transaction needs
   * `pool.acquire()` and `conn.transaction()`, so the connection's release stays visible in the code.
   */
  async transaction<T>(fn: TransactionBody<T>, opts?: TransactionOptions): Promise<T> {
    if (typeof fn !== 'function') {
      throw new InterfaceError('pool.transaction() takes a function; for a manual transaction use (await pool.acquire()).transaction()');
    }
    const lease = await this.#set.acquire(this.#options.acquireTimeout, undefined, this.#stack());
    try {
      // Through the proxy, so the transaction object is cut off at release like the connection.
      return await lease.proxy.transaction(fn, opts);
    } finally {
      await lease.dispose();
    }
  }

  /** Counts of open, idle, borrowed, opening connections and waiting callers. */
  stats(): PoolStats {
    return this.#set.stats();
  }

  /**
   * Makes every connection of the pool, borrowed ones included, drop its cached statements and introspected
   * types before its next statement: call it after the schema was changed by another process (a migration
   * tool, another service). DDL run through the pool's own connections is noticed without it.
   */
  async reloadSchemaState(): Promise<void> {
    this.#set.markSchemaStale();
  }

  /** Replaces every connection: idle ones now, borrowed ones when they are released (new settings, rotated credentials). */
  expireConnections(): void {
    this.#set.expire();
  }

  /**
   * Closes gracefully: no more lending, waiters reject with `InterfaceError`, idle connections close, borrowed
   * ones close when released. After `timeout` ms (if given) whatever is still borrowed is terminated.
   */
  async close(timeout?: number): Promise<void> {
    await Promise.all([this.#set.close(timeout), this.#listener.close()]);
  }

  /** Closes every connection at once, borrowed ones included. */
  terminate(): void {
    this.#set.terminate();
    void this.#listener.close();
  }

  /**
   * LISTENs on a dedicated connection kept by the pool (not one of its `maxSize`), re-LISTENing after it is
   * lost, then calling `onReconnect` so the caller can catch up on notifications sent meanwhile.
   * Resolves with the function that stops listening.
   */
  listen(channel: string, callback: NotificationCallback, opts?: PoolListenOptions): Promise<() => Promise<void>> {
    return this.#listener.listen(channel, callback, opts);
  }

  #reportBackground(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else process.emitWarning(`pgjet pool: ${err.message}`, { type: 'PgjetPoolWarning', code: 'PGJET_POOL_BACKGROUND_ERROR' });
  }

  /** `await using pool = createPool(…)` closes the pool gracefully at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The shortcuts borrow the connection itself (no proxy: the caller never sees it) for one call. */
  async #borrowFor<T>(signal: AbortSignal | undefined, run: (conn: Connection) => Promise<T>): Promise<T> {
    // An idle connection whose socket died unnoticed (closed by the server or a middlebox, or while the process
    // was frozen) fails the call as never sent: the call moves to another connection, a new one when every idle
    // one is dead, so a pool never hands such a failure to its user. Bounded by the pool's size.
    for (let attempt = 0; ; attempt++) {
      const lease: Lease = await this.#set.acquire(this.#options.acquireTimeout, signal, this.#stack());
      lease.slot.queries++;
      try {
        return await run(lease.conn);
      } catch (err) {
        const unsentOnDeadSocket = err instanceof ConnectionError && err.safeToRetry && lease.conn.isClosed;
        if (!unsentOnDeadSocket || attempt >= this.#options.maxSize) throw err;
      } finally {
        await lease.dispose();
      }
    }
  }

  /** The caller's stack, only when leak detection will need it (capturing costs a little on every borrow). */
  #stack(): CapturedStack | undefined {
    return this.#options.leakTimeout === undefined ? undefined : new CapturedStack('acquired at:');
  }
}

/**
 * Creates a pool and starts opening `minSize` connections in the background; returns at once. Connection
 * failures surface through `ready()` and the next `acquire()`, never as unhandled rejections. Invalid pool
 * options throw an `InterfaceError` here.
 * @example const pool = createPool('postgres://app@db/app', { minSize: 5, maxSize: 20 }); await pool.ready();
 */
export function createPool(dsnOrOptions?: string | PoolConfig, options?: PoolConfig): Pool {
  const { connectArgs, pool } = splitPoolConfig(dsnOrOptions, options);
  return new Pool(pool, connectArgs);
}

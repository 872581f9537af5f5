/**
 * The public connection: a thin facade over a session, delegating each operation to its module.
 */
import { EventEmitter } from 'node:events';
import { openSession, resolveConfig, type ConnectOptions, type Session, type WireEvents } from '../connection/index.js';
import { InterfaceError, noticeFromFields, withCallerStack, type NoticeMessage } from '../errors/index.js';
import * as ops from './query.js';
import type { QueryText } from './query.js';
import { PreparedStatement, prepare } from './prepared.js';
import { applyTypesOption, reloadSchemaState, setTypeCodec, type TypeCodecDefinition } from './type-codecs.js';
import type { FetchValOptions, QueryOptions, QueryResult, Row, RowMode, RowOf } from './types.js';
import { startTransaction, type Transaction, type TransactionBody, type TransactionOptions } from './transaction.js';
import type { CopyFormatOptions, CopyFromQueryOptions, CopyFromTableOptions, CopyRecordsOptions, CopyToTableOptions } from './copy.js';
import { copyRecordsToTable, copyToTable } from './copy-in.js';
import { copyFromQuery, copyFromTable, copyOut } from './copy-out.js';
import { cursor, openCursor, type Cursor, type CursorOptions } from './cursor.js';
import { dispatchNotification, listen, notify, type NotificationCallback } from './notifications.js';
import { queryObserver, traceConnect, type QueryEvent } from './tracing.js';

/** Events a connection emits. */
export interface ConnectionEvents {
  /** A NOTICE, WARNING or other non-error message from the server. */
  notice: [notice: NoticeMessage];
  /** The connection closed; `reason` is set when it was not closed on request. */
  close: [reason: Error | undefined];
  /** A NOTIFY on a channel this connection listens to. */
  notification: [channel: string, payload: string, processId: number];
  /** A server run-time parameter changed (ParameterStatus). */
  parameterStatus: [name: string, value: string];
  /** A query call settled (emitted only while someone listens: off by default, no cost when off). */
  query: [event: QueryEvent];
  /** A callback pgjet called threw (a `listen()` callback, a `'query'` listener); emitted only when listened to. */
  error: [err: Error];
}

/** A single PostgreSQL connection. Calls may overlap: they are pipelined in call order. */
export class Connection extends EventEmitter<ConnectionEvents> {
  /** @internal the session below the facade. */
  readonly session: Session;

  /** @internal use {@link connect}. */
  constructor(session: Session) {
    super();
    this.session = session;
  }

  /** True once the connection is closed (by `close()`, `terminate()`, or a failure). */
  get isClosed(): boolean {
    return this.session.wire.isClosed;
  }

  /** True while a transaction is open on the server (ReadyForQuery status 'T' or 'E'). */
  get isInTransaction(): boolean {
    return this.session.wire.txStatus !== 'I';
  }

  /**
   * The transaction status of the last ReadyForQuery: `'I'` idle, `'T'` in a transaction, `'E'` in a failed
   * transaction (only ROLLBACK is accepted).
   */
  get transactionStatus(): 'I' | 'T' | 'E' {
    return this.session.wire.txStatus;
  }

  /** The server version as 'major.minor' (e.g. '18.4'), distribution suffixes removed. */
  get serverVersion(): string {
    const raw = this.session.wire.parameters.get('server_version') ?? '';
    const m = /^(\d+)(?:\.(\d+))?/.exec(raw);
    return m === null ? raw : `${m[1]}.${m[2] ?? '0'}`;
  }

  /** The backend's process id (as in `pg_stat_activity.pid`). */
  get processId(): number {
    return this.session.wire.processId;
  }

  /** A run-time parameter the server reported (ParameterStatus), e.g. 'TimeZone', or undefined. */
  getSetting(name: string): string | undefined {
    return this.session.wire.parameters.get(name);
  }

  /** All rows of a query. */
  fetch<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<RowOf<R, M>[]> {
    return ops.fetch<RowOf<R, M>>(this.session, q, args, opts);
  }

  /** The first row, or null. */
  fetchRow<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<RowOf<R, M> | null> {
    return ops.fetchRow<RowOf<R, M>>(this.session, q, args, opts);
  }

  /** The first column (or `opts.column`) of the first row, or null. */
  fetchVal<T = unknown>(q: QueryText, args?: readonly unknown[], opts?: FetchValOptions): Promise<T | null> {
    return ops.fetchVal<T>(this.session, q, args, opts);
  }

  /** Rows with column metadata, the command and the row count. */
  query<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<QueryResult<RowOf<R, M>>> {
    return ops.query<RowOf<R, M>>(this.session, q, args, opts);
  }

  /** Runs a command and resolves with its tag ('INSERT 0 1'); without arguments, several statements may be given. */
  execute(q: QueryText, args?: readonly unknown[], opts?: QueryOptions): Promise<string> {
    return ops.execute(this.session, q, args, opts);
  }

  /**
   * Runs SQL text through the simple protocol (several statements, no parameters) and resolves with each
   * statement's result, in order. Values are decoded from text.
   * @example const [a, b] = await conn.simpleQuery('SELECT 1 AS x; SELECT 2 AS y');
   */
  simpleQuery<R = Row>(sql: string, opts?: QueryOptions): Promise<QueryResult<R>[]> {
    return ops.simpleQuery<R>(this.session, sql, opts);
  }

  /** Runs `sql` for each argument list in one pipeline with one Sync: atomic. */
  executeMany(sql: QueryText, argsList: readonly (readonly unknown[])[], opts?: QueryOptions): Promise<void> {
    return ops.executeMany(this.session, sql, argsList, opts);
  }

  /** Like executeMany, resolving with every execution's rows in order. */
  fetchMany<R = Row, M extends RowMode = RowMode>(sql: QueryText, argsList: readonly (readonly unknown[])[], opts?: QueryOptions<M>): Promise<RowOf<R, M>[]> {
    return ops.fetchMany<RowOf<R, M>>(this.session, sql, argsList, opts);
  }

  /** Prepares a statement explicitly (kept until `close()`, outside the LRU cache). */
  prepare(sql: QueryText): Promise<PreparedStatement> {
    return prepare(this.session, ops.statementText(sql, 'prepare'));
  }

  /**
   * Runs `fn` in a transaction: BEGIN (with `opts`), then COMMIT when `fn` resolves, or ROLLBACK when it
   * throws (and the error is rethrown). Resolves with `fn`'s result. Rejects with `InterfaceError` when a
   * transaction is already open on this connection (nest with `tx.transaction()` instead), and with
   * `InFailedSqlTransactionError` when the server rolled back at COMMIT because an error inside was caught.
   * @example await conn.transaction(async (tx) => { await tx.execute('INSERT …'); }, { isolation: 'serializable' });
   */
  transaction<T>(fn: TransactionBody<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Starts a transaction to finish by hand with `commit()` / `rollback()`; disposing it (`await using`) while
   * still active rolls it back.
   * @example await using tx = await conn.transaction(); await tx.execute('…'); await tx.commit();
   */
  transaction(opts?: TransactionOptions): Promise<Transaction>;
  transaction<T>(fnOrOpts?: TransactionBody<T> | TransactionOptions, opts?: TransactionOptions): Promise<T | Transaction> {
    return startTransaction(this, fnOrOpts, opts);
  }

  /**
   * Registers a custom codec for a type by name: `{ format: 'text', encode, decode }` or `format: 'binary'`
   * with Uint8Array in and out; `schema` defaults to 'public' (pg_catalog for built-in names).
   */
  setTypeCodec<T>(typeName: string, definition: TypeCodecDefinition<T>): Promise<void> {
    return setTypeCodec(this.session, typeName, definition);
  }

  /** Drops introspected types and cached statements (after schema changes made elsewhere). */
  async reloadSchemaState(): Promise<void> {
    reloadSchemaState(this.session);
  }

  /**
   * Binary COPY of records (arrays in column order, or objects keyed by column name) from an array, iterable
   * or async iterable into `table`; resolves with the tag ('COPY 3'). A bad record is a `DataError` naming the
   * record and column, and none of the COPY's rows are kept.
   * @example await conn.copyRecordsToTable('users', { records: [[1, 'Alice']], columns: ['id', 'name'] });
   */
  copyRecordsToTable(table: string, opts: CopyRecordsOptions): Promise<string> {
    return copyRecordsToTable(this.session, table, opts);
  }

  /**
   * COPY data (text, CSV or binary) into `table` from a Readable, an async iterable of chunks or a file path.
   * @example await conn.copyToTable('users', { source: fs.createReadStream('users.csv'), format: 'csv', header: true });
   */
  copyToTable(table: string, opts: CopyToTableOptions): Promise<string> {
    return copyToTable(this.session, table, opts);
  }

  /**
   * COPY `table` out to a Writable, a file path or an async function; the output is ended before the call
   * resolves with the tag ('COPY 42').
   */
  copyFromTable(table: string, opts: CopyFromTableOptions): Promise<string> {
    return copyFromTable(this.session, table, opts);
  }

  /** COPY a query's result out (arguments rendered by the server: COPY takes no bind parameters). */
  copyFromQuery(q: QueryText, args: readonly unknown[] | undefined, opts: CopyFromQueryOptions): Promise<string> {
    return copyFromQuery(this.session, q, args, opts);
  }

  /**
   * A query's COPY output as an async iterable of Buffer chunks; leaving the loop early cancels the COPY.
   * @example for await (const chunk of conn.copyOut('SELECT * FROM users', [], { format: 'csv' })) out.write(chunk);
   */
  copyOut(q: QueryText, args?: readonly unknown[], opts?: CopyFormatOptions): AsyncGenerator<Buffer, void, undefined> {
    return copyOut(this.session, q, args, opts);
  }

  /**
   * Streams rows with bounded memory (`prefetch` rows per round trip, fetched only as the loop asks), in or
   * out of a transaction. Holds the connection until the loop ends; leaving it closes the portal.
   * @example for await (const row of conn.cursor('SELECT * FROM big', [], { prefetch: 500 })) { … }
   */
  cursor<R = Row, M extends RowMode = RowMode>(
    q: QueryText,
    args?: readonly unknown[],
    opts?: CursorOptions<M>,
  ): AsyncGenerator<RowOf<R, M>, void, undefined> {
    return cursor<RowOf<R, M>>(this.session, q, args, opts);
  }

  /** A forward-only cursor object (`fetch(n)`, `fetchRow()`, `forward(n)`, `close()`); needs a transaction. */
  openCursor<R = Row, M extends RowMode = RowMode>(q: QueryText, args?: readonly unknown[], opts?: QueryOptions<M>): Promise<Cursor<RowOf<R, M>>> {
    return openCursor<RowOf<R, M>>(this.session, q, args, opts);
  }

  /**
   * LISTENs on `channel` and calls `callback(payload, channel, pid)` for each notification; resolves with the
   * function that stops it (UNLISTEN once the channel's last callback is gone).
   * @example const stop = await conn.listen('events', (payload) => console.log(payload)); await stop();
   */
  listen(channel: string, callback: NotificationCallback): Promise<() => Promise<void>> {
    return listen(this, channel, callback);
  }

  /** Sends a notification (`pg_notify`: channel and payload travel as parameters). */
  notify(channel: string, payload?: string): Promise<void> {
    return notify(this.session, channel, payload);
  }

  /** Closes gracefully: queued calls still run, then Terminate. */
  async close(): Promise<void> {
    await this.session.wire.close();
  }

  /** Closes at once; queued and running calls reject with a ConnectionError. */
  terminate(): void {
    this.session.wire.destroy();
  }

  /** `await using conn = await connect(…)` closes the connection at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.isClosed) await this.close();
  }
}

/** Builds the wire events that feed a connection's emitter (never an unobserved 'error'). */
function eventsFor(get: () => Connection | undefined): WireEvents {
  return {
    notice: (fields) => {
      const conn = get();
      if (conn !== undefined && conn.listenerCount('notice') > 0) conn.emit('notice', noticeFromFields(fields));
    },
    notification: (channel, payload, pid) => {
      const conn = get();
      if (conn === undefined) return;
      dispatchNotification(conn, channel, payload, pid);
      conn.emit('notification', channel, payload, pid);
    },
    parameterStatus: (name, value) => get()?.emit('parameterStatus', name, value),
    closed: (reason) => get()?.emit('close', reason),
  };
}

/**
 * Opens a connection from a DSN and/or options (options override the DSN).
 * @example const conn = await connect('postgres://user:pw@127.0.0.1:5432/db');
 */
export async function connect(dsnOrOptions?: string | ConnectOptions, options?: ConnectOptions): Promise<Connection> {
  try {
    if (dsnOrOptions !== undefined && typeof dsnOrOptions !== 'string' && typeof dsnOrOptions !== 'object') {
      throw new InterfaceError('connect() takes a DSN string and/or an options object');
    }
    const config = await resolveConfig(dsnOrOptions, options);
    // Events may arrive before the facade exists (a notice during startup): they read it through this holder.
    const holder: { conn?: Connection } = {};
    const session = await traceConnect(config, () => openSession(config, eventsFor(() => holder.conn)));
    holder.conn = new Connection(session);
    session.observer = queryObserver(holder.conn);
    if (Object.keys(config.types).length > 0) {
      try {
        await applyTypesOption(session, config.types as Record<string, TypeCodecDefinition>);
      } catch (err) {
        session.wire.destroy();
        throw err;
      }
    }
    return holder.conn;
  } catch (err) {
    throw withCallerStack(err);
  }
}

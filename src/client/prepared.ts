/**
 * Explicit prepared statements (`conn.prepare(sql)`): a named server-side statement outside the LRU cache,
 * kept until `close()`.
 */
import type { ColumnInfo, Session, Statement } from '../connection/index.js';
import { InterfaceError, withCallerStack } from '../errors/index.js';
import { deferred } from '../internal/index.js';
import type { Request, Wire } from '../connection/index.js';
import { BackendCode, writeClose, writeSync } from '../protocol/index.js';
import { runLimited } from './run.js';
import type { FetchValOptions, QueryOptions, Row, RowMode, RowOf } from './types.js';

let counter = 0;

/** A statement prepared once and executed many times. */
export class PreparedStatement {
  readonly #session: Session;
  readonly #stmt: Statement;

  /** @internal use `conn.prepare()`. */
  constructor(session: Session, stmt: Statement) {
    this.#session = session;
    this.#stmt = stmt;
  }

  /** The SQL text. */
  get sql(): string {
    return this.#stmt.sql;
  }

  /** Parameter type names, in order. */
  get parameterTypes(): string[] {
    return this.#stmt.paramOids.map((oid) => this.#session.codecs.typeName(oid) ?? String(oid));
  }

  /** Result columns (empty for statements that return no rows). */
  get columns(): ColumnInfo[] {
    return this.#stmt.result?.columns ?? [];
  }

  #run(argsList: readonly (readonly unknown[])[], opts: QueryOptions, collectRows: boolean) {
    const session = this.#session;
    const timeout = opts.timeout ?? session.config.commandTimeout;
    return runLimited(session, { timeout, signal: opts.signal }, () => {
      const req = session.extended({
        sql: this.#stmt.sql, argsList, rowMode: opts.rowMode ?? 'object', collectRows, types: opts.types, statement: this.#stmt,
      });
      return { request: req, promise: req.promise };
    });
  }

  /** All rows. */
  async fetch<R = Row, M extends RowMode = RowMode>(args: readonly unknown[] = [], opts: QueryOptions<M> = {}): Promise<RowOf<R, M>[]> {
    try {
      return (await this.#run([args], opts, true)).rows as RowOf<R, M>[];
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** The first row or null. */
  async fetchRow<R = Row, M extends RowMode = RowMode>(args: readonly unknown[] = [], opts: QueryOptions<M> = {}): Promise<RowOf<R, M> | null> {
    try {
      const rows = (await this.#run([args], opts, true)).rows;
      return rows.length === 0 ? null : (rows[0] as RowOf<R, M>);
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** One value of the first row. */
  async fetchVal<T = unknown>(args: readonly unknown[] = [], opts: FetchValOptions = {}): Promise<T | null> {
    try {
      const res = await this.#run([args], { ...opts, rowMode: 'array' }, true);
      const col = opts.column ?? 0;
      const index = typeof col === 'number' ? col : res.columns.findIndex((c) => c.name === col);
      if (index < 0) throw new InterfaceError(`fetchVal: the result has no column named "${String(col)}"`);
      const row = res.rows[0] as unknown[] | undefined;
      return row === undefined ? null : ((row[index] ?? null) as T);
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** Executes once per argument list in one pipeline, atomically. */
  async executeMany(argsList: readonly (readonly unknown[])[], opts: QueryOptions = {}): Promise<void> {
    try {
      if (argsList.length > 0) await this.#run(argsList, opts, false);
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** The plan PostgreSQL chooses, as EXPLAIN's text lines (runs EXPLAIN on the same SQL). */
  async explain(args: readonly unknown[] = []): Promise<string[]> {
    try {
      const res = await this.#session.extended({
        sql: `EXPLAIN ${this.#stmt.sql}`, argsList: [args], rowMode: 'array', collectRows: true,
      }).promise;
      return res.rows.map((r) => String((r as unknown[])[0]));
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** Deallocates the statement on the server; later use throws InterfaceError. */
  async close(): Promise<void> {
    try {
      if (this.#stmt.isClosed) return;
      this.#stmt.isClosed = true;
      const req = new CloseStatement(this.#stmt.name);
      this.#session.wire.enqueue(req);
      await req.done.promise;
    } catch (err) {
      throw withCallerStack(err);
    }
  }
}

/** Close('S') + Sync for an explicit statement. */
class CloseStatement implements Request {
  readonly done = deferred<void>();
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  write(wire: Wire): boolean {
    writeClose(wire.writer, 'S', this.#name);
    writeSync(wire.writer);
    wire.flushSoon();
    return true;
  }
  handleMessage(code: number): void {
    if (code !== BackendCode.CloseComplete && code !== BackendCode.ErrorResponse) return;
  }
  handleReadyForQuery(): boolean {
    this.done.resolve();
    return true;
  }
  fail(err: Error): void {
    this.done.reject(err);
  }
}

/** Prepares `sql` under a fresh name and describes it. */
export async function prepare(session: Session, sql: string): Promise<PreparedStatement> {
  try {
    if (typeof sql !== 'string') throw new InterfaceError('prepare() takes SQL text');
    if (session.config.pgbouncer) {
      // A named statement outlives the transaction on a server connection that a transaction-mode pooler then
      // lends to other clients (name clashes for them, "does not exist" for us on the next transaction).
      throw new InterfaceError(
        'prepare() is refused with pgbouncer: true: a named server-side statement cannot survive transaction pooling; ' +
          'call fetch/execute directly (pgjet sends them as unnamed statements), or connect to PostgreSQL itself',
        { safeToRetry: true },
      );
    }
    const req = session.extended({
      sql, argsList: [], rowMode: 'object', collectRows: false, prepareOnly: true, name: `pgjet_p${(++counter).toString(36)}`,
    });
    const res = await req.promise;
    return new PreparedStatement(session, res.statement);
  } catch (err) {
    throw withCallerStack(err);
  }
}

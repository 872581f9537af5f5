/**
 * Cursors. `cursor()` streams a query's rows as an async iterable, in or out of a transaction, fetching
 * `prefetch` rows per round trip and only when the loop asks for more (portal.ts holds the connection
 * meanwhile; leaving the loop closes the portal). `openCursor()` is asyncpg's forward-only cursor object on a
 * named portal inside a transaction: `fetch(n)`, `fetchRow()`, `forward(n)`, `close()`, each an ordinary call.
 */
import { ClosePortal, PortalFetch, PortalStream, type ResultPlan, type Session } from '../connection/index.js';
import { InterfaceError, withCallerStack } from '../errors/index.js';
import { normalize, type QueryText } from './query.js';
import { quoteIdentifier } from './sql.js';
import { interruption, limitRequest } from './stream-limits.js';
import type { QueryOptions, Row, RowMode } from './types.js';

/** Options of `cursor()`. `timeout` applies to each batch's round trip, `signal` to the whole iteration. */
export interface CursorOptions<M extends RowMode = RowMode> extends QueryOptions<M> {
  /** Rows fetched per round trip (default 100): the most a cursor holds in memory at once. */
  prefetch?: number;
}

/** Options of a cursor object's calls. */
export interface CursorCallOptions {
  /** Milliseconds before the call is cancelled. */
  timeout?: number;
  /** Aborts the call. */
  signal?: AbortSignal;
}

function checkCount(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 0x7fffffff) {
    throw new InterfaceError(`${what} must be a positive integer, not ${String(n)}`);
  }
  return n;
}

/**
 * Rows of `q` as an async iterable with bounded memory. Nothing is sent until iteration starts; the
 * connection is held until the loop ends (abandoning the iterator without ending it keeps it held).
 */
export async function* cursor<R = Row>(
  session: Session,
  q: QueryText,
  args: readonly unknown[] | undefined,
  opts: CursorOptions = {},
): AsyncGenerator<R, void, undefined> {
  try {
    const [sql, values] = normalize(q, args);
    const prefetch = checkCount(opts.prefetch ?? 100, 'prefetch');
    const limits = { timeout: opts.timeout ?? session.config.commandTimeout, signal: opts.signal };
    if (limits.signal?.aborted === true) throw interruption('abort', limits, false, limits.signal.reason);
    const req = new PortalStream(session, {
      sql, args: values, portal: '', mode: 'stream', prefetch, rowMode: opts.rowMode ?? 'object', types: opts.types,
    });
    session.wire.enqueue(req);
    let isDone = false;
    try {
      for (;;) {
        // An abort noticed between batches stops here: nothing runs on the server to cancel.
        checkStillRunning(limits.signal, limits);
        const batch = await limitRequest(session, limits, req, req.nextBatch(), (cancel) => req.interrupt(cancel));
        if (batch === null) {
          isDone = true;
          return;
        }
        for (const row of batch) yield row as R;
      }
    } finally {
      if (!isDone) await req.close();
    }
  } catch (err) {
    throw withCallerStack(err);
  }
}

/** Throws the abort error when `signal` fired while the loop body ran (rows were already sent: not retryable). */
function checkStillRunning(signal: AbortSignal | undefined, limits: { timeout?: number; signal?: AbortSignal }): void {
  if (signal?.aborted === true) throw interruption('abort', limits, true, signal.reason);
}

let portalCounter = 0;

/**
 * A forward-only cursor on a named portal inside a transaction (asyncpg's Cursor). It lives until `close()`
 * or the end of the transaction; every call is an ordinary, pipelined call on the connection.
 */
export class Cursor<R = Row> {
  readonly #session: Session;
  readonly #portal: string;
  readonly #plan: ResultPlan | null;
  readonly #rowMode: 'object' | 'array';
  #isClosed = false;

  /** @internal use `conn.openCursor()`. */
  constructor(session: Session, portal: string, plan: ResultPlan | null, rowMode: 'object' | 'array') {
    this.#session = session;
    this.#portal = portal;
    this.#plan = plan;
    this.#rowMode = rowMode;
  }

  /** The portal's name on the server (usable in SQL `FETCH`/`MOVE`). */
  get name(): string {
    return this.#portal;
  }

  /** Result columns. */
  get columns(): ResultPlan['columns'] {
    return this.#plan?.columns ?? [];
  }

  #check(): void {
    if (this.#isClosed) throw new InterfaceError('the cursor is closed');
  }

  #limits(opts: CursorCallOptions): { timeout?: number; signal?: AbortSignal } {
    return { timeout: opts.timeout ?? this.#session.config.commandTimeout, signal: opts.signal };
  }

  /** The next `n` rows (fewer at the end, none once exhausted). */
  async fetch(n: number, opts: CursorCallOptions = {}): Promise<R[]> {
    try {
      this.#check();
      const count = checkCount(n, 'fetch(n)');
      const limits = this.#limits(opts);
      if (limits.signal?.aborted === true) throw interruption('abort', limits, false, limits.signal.reason);
      const session = this.#session;
      const req = new PortalFetch(session, this.#portal, count, this.#plan, this.#rowMode);
      session.wire.enqueue(req);
      const res = await limitRequest(session, limits, req, req.promise);
      return res.rows as R[];
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** The next row, or null once exhausted. */
  async fetchRow(opts: CursorCallOptions = {}): Promise<R | null> {
    const rows = await this.fetch(1, opts);
    return rows.length === 0 ? null : rows[0];
  }

  /** Skips `n` rows (SQL MOVE FORWARD); resolves with the number actually skipped. */
  async forward(n: number, opts: CursorCallOptions = {}): Promise<number> {
    try {
      this.#check();
      const count = checkCount(n, 'forward(n)');
      const session = this.#session;
      const req = session.simple(`MOVE FORWARD ${count} FROM ${quoteIdentifier(this.#portal)}`);
      const limits = this.#limits(opts);
      const res = await limitRequest(session, limits, req, req.promise);
      const moved = Number(res.tag.slice(res.tag.lastIndexOf(' ') + 1));
      return Number.isInteger(moved) ? moved : 0;
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** Closes the portal; later calls throw `InterfaceError`. Closing twice does nothing. */
  async close(): Promise<void> {
    try {
      if (this.#isClosed) return;
      this.#isClosed = true;
      const req = new ClosePortal(this.#session, this.#portal);
      this.#session.wire.enqueue(req);
      await req.promise;
    } catch (err) {
      throw withCallerStack(err);
    }
  }

  /** `await using cur = await conn.openCursor(…)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#isClosed && !this.#session.wire.isClosed && this.#session.wire.txStatus === 'T') await this.close();
    this.#isClosed = true;
  }
}

/** Binds `q` to a new named portal; needs an open transaction (a portal dies with it). */
export async function openCursor<R = Row>(session: Session, q: QueryText, args: readonly unknown[] | undefined, opts: QueryOptions = {}): Promise<Cursor<R>> {
  try {
    const [sql, values] = normalize(q, args);
    if (session.wire.txStatus === 'I') {
      throw new InterfaceError('openCursor() needs a transaction (a cursor lives until the transaction ends); use conn.transaction(), or cursor() to iterate without one');
    }
    const limits = { timeout: opts.timeout ?? session.config.commandTimeout, signal: opts.signal };
    if (limits.signal?.aborted === true) throw interruption('abort', limits, false, limits.signal.reason);
    const portal = `pgjet_cursor_${(++portalCounter).toString(36)}`;
    const rowMode = opts.rowMode ?? 'object';
    const req = new PortalStream(session, { sql, args: values, portal, mode: 'open', prefetch: 0, rowMode, types: opts.types });
    session.wire.enqueue(req);
    const bound = req.finished.then((err) => {
      if (err !== null) throw err;
    });
    await limitRequest(session, limits, req, bound, (cancel) => req.interrupt(cancel));
    return new Cursor<R>(session, portal, req.plan, rowMode);
  } catch (err) {
    throw withCallerStack(err);
  }
}

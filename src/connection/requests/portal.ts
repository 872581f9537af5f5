/**
 * A portal bound from a (cached) statement. Two modes:
 *
 * - `stream` (conn.cursor): Bind, then Execute(portal, prefetch) + Flush per batch, with no Sync until the end,
 *   because outside a transaction block a Sync ends the implicit transaction and destroys the portal (protocol
 *   docs, "Extended Query"). The request therefore holds the wire for the whole iteration (docs/ARCHITECTURE.md,
 *   "Rules the connection keeps"). The next batch is only requested when the consumer asks for it, so at most one batch is held
 *   in memory and a slow consumer just leaves the server waiting. The end is Close(portal) + Sync.
 * - `open` (conn.openCursor, inside a transaction): Bind then Sync; the named portal lives on until the
 *   transaction ends, and later fetches are separate requests (portal-fetch.ts).
 *
 * A statement missing from the cache is prepared first by a nested prepare-only extended query, under the
 * same hold.
 */
import { DatabaseError, InterfaceError, InvalidCachedStatementError, ProtocolError, databaseErrorFromFields } from '../../errors/index.js';
import { deferred, type Deferred } from '../../internal/index.js';
import {
  BackendCode,
  backendCodeName,
  beginBind,
  endBind,
  parseErrorFields,
  writeClose,
  writeExecute,
  writeFlush,
  writeParse,
  writeSync,
} from '../../protocol/index.js';
import type { QueryContext } from '../context.js';
import { checkParameterCount, paramFormatsFor, writeParamValues } from '../params.js';
import type { Request } from '../request.js';
import type { ResultPlan, Statement } from '../statement.js';
import type { Wire } from '../wire.js';
import type { ExtendedQuery } from './extended-query.js';
import { isStaleStatementError } from './outcome.js';
import { cachedStatement, nestedPrepare } from './nested-prepare.js';
import { applyTypeOverrides, type TypeOverrides } from './overrides.js';
import { decodeArrayRow, decodeObjectRow } from './rows.js';

/** What to bind. */
export interface PortalSpec {
  /** SQL with $n placeholders. */
  sql: string;
  /** The arguments. */
  args: readonly unknown[];
  /** Portal name: '' (unnamed) for a streaming cursor, a unique name for an open cursor. */
  portal: string;
  /** See the module comment. */
  mode: 'stream' | 'open';
  /** Rows per Execute in `stream` mode. */
  prefetch: number;
  /** Row shape. */
  rowMode: 'object' | 'array';
  /** Per-query decoding overrides. */
  types?: TypeOverrides;
}

type Phase = 'queued' | 'preparing' | 'fetching' | 'suspended' | 'syncing' | 'done';

/** One portal's life on the wire: see the module comment. */
export class PortalStream implements Request {
  readonly #ctx: QueryContext;
  readonly #spec: PortalSpec;
  readonly #finished = deferred<Error | null>();
  #phase: Phase = 'queued';
  #prep: ExtendedQuery | null = null;
  #stmt: Statement | null = null;
  #plan: ResultPlan | null = null;
  #rows: unknown[] = [];
  #ready: unknown[] | null = null;
  #waiter: Deferred<unknown[] | null> | null = null;
  #closeWanted = false;
  #error: Error | null = null;
  /** Bound from a cached statement (which a schema change may have made stale). */
  #fromCache = false;
  #retried = false;
  /** Some row arrived: a retry would deliver rows twice. */
  #hasRows = false;

  /** @param spec what to bind and how. */
  constructor(ctx: QueryContext, spec: PortalSpec) {
    this.#ctx = ctx;
    this.#spec = spec;
  }

  /** Settles (never rejects) once the request left the wire: with its error, or null. */
  get finished(): Promise<Error | null> {
    return this.#finished.promise;
  }

  /** The statement the portal was bound from (set once bound). */
  get statement(): Statement | null {
    return this.#stmt;
  }

  /** How rows of this portal decode (set once bound; null for a statement that returns no rows). */
  get plan(): ResultPlan | null {
    return this.#plan;
  }

  write(wire: Wire): boolean {
    const ctx = this.#ctx;
    const tooMany = checkParameterCount([this.#spec.args]);
    if (tooMany !== null) {
      this.#error = tooMany;
      this.#phase = 'done';
      this.#settle();
      return false;
    }
    ctx.writeDeferredCloses();
    const stmt = cachedStatement(ctx, this.#spec.sql);
    if (stmt !== undefined) {
      this.#fromCache = true;
      if (!this.#writeBind(wire, stmt)) {
        this.#phase = 'done';
        this.#settle();
        return false;
      }
      wire.hold(this);
      return true;
    }
    wire.hold(this);
    this.#startPrepare();
    return true;
  }

  /** Prepares the statement with a nested prepare-only query (see nested-prepare.ts). */
  #startPrepare(): void {
    this.#phase = 'preparing';
    const nested = nestedPrepare(this.#ctx, this.#spec.sql, this.#spec.args);
    this.#prep = nested.query;
    // Its outcome is read at its ReadyForQuery; if the connection fails first, nobody else will look at it.
    nested.query.promise.catch(() => undefined);
    nested.query.write(nested.wire);
  }

  /** Writes Bind and the first Execute (stream) or Sync (open); false when the arguments do not encode. */
  #writeBind(wire: Wire, stmt: Statement): boolean {
    const { args, portal, types } = this.#spec;
    const expected = stmt.paramOids.length;
    if (args.length !== expected) {
      this.#error = new InterfaceError(`the query expects ${expected} argument${expected === 1 ? '' : 's'}, ${args.length} given`, { safeToRetry: true });
      return false;
    }
    const plan = stmt.result === null ? null : types === undefined ? stmt.result : applyTypeOverrides(stmt.result, types);
    const w = wire.writer;
    const mark = w.position;
    try {
      // An unnamed statement was prepared in a batch that ended with Sync; a transaction-mode pooler
      // (pgbouncer: true) may run this batch on another server connection, so parse it again in this batch.
      if (stmt.name === '') writeParse(w, '', stmt.sql, stmt.paramOids);
      const paramFormats = paramFormatsFor(stmt, args, this.#ctx.codecs);
      const at = beginBind(w, portal, stmt.name, paramFormats, expected);
      writeParamValues(w, stmt, args, this.#ctx.codecs, paramFormats);
      endBind(w, at, plan === null ? [] : plan.bindFormats);
    } catch (err) {
      w.truncate(mark);
      this.#error = err as Error;
      return false;
    }
    this.#stmt = stmt;
    this.#plan = plan;
    if (this.#spec.mode === 'stream') {
      writeExecute(w, portal, this.#spec.prefetch);
      writeFlush(w);
      this.#phase = 'fetching';
    } else {
      writeSync(w);
      this.#phase = 'syncing';
    }
    wire.flushSoon();
    return true;
  }

  /** Ends the batch sequence with Sync (after an error, or when nothing was bound). */
  #writeSync(): void {
    const wire = this.#ctx.wire;
    writeSync(wire.writer);
    this.#phase = 'syncing';
    wire.flushSoon();
  }

  #writeClose(): void {
    const wire = this.#ctx.wire;
    writeClose(wire.writer, 'P', this.#spec.portal);
    this.#writeSync();
  }

  #afterPrepare(stmt: Statement | null, err: unknown): void {
    if (this.#phase !== 'preparing') return;
    if (stmt === null) this.#error = err as Error;
    // A failed prepare or bind still needs a Sync of ours: the request completes at its ReadyForQuery.
    if (stmt === null || this.#closeWanted || !this.#writeBind(this.#ctx.wire, stmt)) this.#writeSync();
  }

  /**
   * The next batch of rows (stream mode), or null once the portal is exhausted or closed. Asks the server
   * for it only now: this is the backpressure.
   */
  nextBatch(): Promise<unknown[] | null> {
    if (this.#ready !== null) {
      const batch = this.#ready;
      this.#ready = null;
      return Promise.resolve(batch);
    }
    if (this.#phase === 'done') return this.#error !== null ? Promise.reject(this.#error) : Promise.resolve(null);
    if (this.#waiter !== null) return this.#waiter.promise;
    this.#waiter = deferred();
    if (this.#phase === 'suspended') {
      const wire = this.#ctx.wire;
      writeExecute(wire.writer, this.#spec.portal, this.#spec.prefetch);
      writeFlush(wire.writer);
      this.#phase = 'fetching';
      wire.flushSoon();
    }
    return this.#waiter.promise;
  }

  /**
   * A timeout or abort. Returns true when the server is working for us (then `cancelOnServer` was called and
   * the pending batch rejects with the server's 57014), false when it is idle between batches (the caller
   * rejects on its own and closes).
   */
  interrupt(cancelOnServer: () => void): boolean {
    if (this.#phase !== 'fetching' && this.#phase !== 'preparing') return false;
    cancelOnServer();
    return true;
  }

  /** Closes the portal early (leaving a loop); resolves once the wire is free again. */
  async close(): Promise<void> {
    this.#closeWanted = true;
    this.#ready = null;
    if (this.#phase === 'queued') {
      // Not written yet (or already withdrawn by a timeout): nothing to close on the server.
      this.#ctx.wire.withdraw(this);
      this.#phase = 'done';
      this.#settle();
    } else if (this.#phase === 'suspended') {
      this.#writeClose();
    }
    await this.#finished.promise;
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.#prep !== null) {
      this.#prep.handleMessage(code, buf, start, end);
      return;
    }
    switch (code) {
      case BackendCode.ParseComplete:
      case BackendCode.BindComplete:
      case BackendCode.CloseComplete:
        return;
      case BackendCode.DataRow: {
        const plan = this.#plan;
        if (this.#error !== null) return;
        if (plan === null) throw new ProtocolError('DataRow for a statement that returns no rows');
        this.#hasRows = true;
        try {
          this.#rows.push(this.#spec.rowMode === 'array' ? decodeArrayRow(plan, buf, start) : decodeObjectRow(plan, buf, start));
        } catch (err) {
          // A DataRow of the wrong shape means the stream cannot be trusted: let the wire close the connection.
          if (err instanceof ProtocolError) throw err;
          this.#error = err as Error;
        }
        return;
      }
      case BackendCode.PortalSuspended:
        this.#batchDone(false);
        return;
      case BackendCode.CommandComplete:
      case BackendCode.EmptyQueryResponse:
        this.#batchDone(true);
        return;
      case BackendCode.ErrorResponse:
        // The server now skips everything up to a Sync.
        this.#error ??= databaseErrorFromFields(parseErrorFields(buf, start, end), this.#spec.sql);
        if (this.#phase !== 'syncing') this.#writeSync();
        return;
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} in a cursor`);
    }
  }

  #batchDone(exhausted: boolean): void {
    const batch = this.#rows;
    this.#rows = [];
    if (this.#error !== null || exhausted || this.#closeWanted) this.#writeClose();
    else this.#phase = 'suspended';
    if (this.#error !== null || this.#closeWanted) return;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter.resolve(batch);
    } else {
      this.#ready = batch;
    }
  }

  handleReadyForQuery(status: 'I' | 'T' | 'E'): boolean {
    const prep = this.#prep;
    if (prep !== null) {
      if (!prep.handleReadyForQuery(status)) return false;
      this.#prep = null;
      // The statement arrives through a promise; the wire stays held meanwhile, so nothing can slip in.
      prep.promise.then((res) => this.#afterPrepare(res.statement, null), (err: unknown) => this.#afterPrepare(null, err));
      return false;
    }
    if (this.#retryStale(status)) return false;
    this.#phase = 'done';
    this.#ctx.wire.release(this);
    this.#settle();
    return true;
  }

  /**
   * A cached statement made stale by a schema change (as in the extended query): dropped from the cache, and
   * prepared again under the same hold when that is safe (outside a transaction, no row delivered yet).
   */
  #retryStale(status: 'I' | 'T' | 'E'): boolean {
    const err = this.#error;
    if (!(err instanceof DatabaseError) || !this.#fromCache || !isStaleStatementError(err)) return false;
    this.#ctx.onStaleStatement();
    this.#fromCache = false;
    if (status === 'I' && !this.#retried && !this.#hasRows && !this.#closeWanted) {
      this.#retried = true;
      this.#error = null;
      this.#rows = [];
      this.#startPrepare();
      this.#ctx.wire.flushSoon();
      return true;
    }
    const advice = status === 'I' ? '' : ' inside a transaction; retry the transaction';
    this.#error = new InvalidCachedStatementError(`the cached statement became invalid (${err.message})${advice}`, { cause: err });
    return false;
  }

  #settle(): void {
    const err = this.#error;
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter !== null) {
      if (err !== null) waiter.reject(err);
      else waiter.resolve(null);
    }
    this.#finished.resolve(err);
  }

  fail(err: Error): void {
    this.#prep?.fail(err);
    this.#prep = null;
    this.#phase = 'done';
    this.#error ??= err;
    this.#settle();
  }
}

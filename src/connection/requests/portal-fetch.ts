/**
 * Requests on a named portal that lives inside a transaction (conn.openCursor): Execute(portal, n) + Sync to
 * fetch up to n rows, and Close(portal) + Sync. A named portal survives Sync within a transaction block, so
 * each call is an ordinary request and the connection is not held between calls.
 */
import { ProtocolError, databaseErrorFromFields } from '../../errors/index.js';
import { deferred } from '../../internal/index.js';
import {
  BackendCode,
  backendCodeName,
  parseErrorFields,
  writeClose,
  writeExecute,
  writeSync,
} from '../../protocol/index.js';
import type { QueryContext } from '../context.js';
import type { Request } from '../request.js';
import type { ResultPlan } from '../statement.js';
import type { Wire } from '../wire.js';
import { decodeArrayRow, decodeObjectRow } from './rows.js';

/** What a fetch resolves with. */
export interface PortalFetchResult {
  /** The rows (at most the count asked for). */
  rows: unknown[];
  /** True when the portal ran to completion (CommandComplete rather than PortalSuspended). */
  isExhausted: boolean;
}

/** Execute(portal, count) + Sync. */
export class PortalFetch implements Request {
  readonly #ctx: QueryContext;
  readonly #portal: string;
  readonly #count: number;
  readonly #plan: ResultPlan | null;
  readonly #rowMode: 'object' | 'array';
  readonly #done = deferred<PortalFetchResult>();
  readonly #rows: unknown[] = [];
  #isExhausted = false;
  #error: Error | null = null;

  /** @param plan how the portal's rows decode (from the bind). */
  constructor(ctx: QueryContext, portal: string, count: number, plan: ResultPlan | null, rowMode: 'object' | 'array') {
    this.#ctx = ctx;
    this.#portal = portal;
    this.#count = count;
    this.#plan = plan;
    this.#rowMode = rowMode;
  }

  /** Settles with the rows or the error. */
  get promise(): Promise<PortalFetchResult> {
    return this.#done.promise;
  }

  write(wire: Wire): boolean {
    this.#ctx.writeDeferredCloses();
    writeExecute(wire.writer, this.#portal, this.#count);
    writeSync(wire.writer);
    wire.flushSoon();
    return true;
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    switch (code) {
      case BackendCode.DataRow: {
        const plan = this.#plan;
        if (this.#error !== null) return;
        if (plan === null) throw new ProtocolError('DataRow for a cursor that returns no rows');
        try {
          this.#rows.push(this.#rowMode === 'array' ? decodeArrayRow(plan, buf, start) : decodeObjectRow(plan, buf, start));
        } catch (err) {
          // A DataRow of the wrong shape means the stream cannot be trusted: let the wire close the connection.
          if (err instanceof ProtocolError) throw err;
          this.#error = err as Error;
        }
        return;
      }
      case BackendCode.PortalSuspended:
        return;
      case BackendCode.CommandComplete:
      case BackendCode.EmptyQueryResponse:
        this.#isExhausted = true;
        return;
      case BackendCode.ErrorResponse:
        this.#error ??= databaseErrorFromFields(parseErrorFields(buf, start, end));
        return;
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} while fetching from a cursor`);
    }
  }

  handleReadyForQuery(): boolean {
    if (this.#error !== null) this.#done.reject(this.#error);
    else this.#done.resolve({ rows: this.#rows, isExhausted: this.#isExhausted });
    return true;
  }

  fail(err: Error): void {
    this.#done.reject(err);
  }
}

/** Close(portal) + Sync. */
export class ClosePortal implements Request {
  readonly #ctx: QueryContext;
  readonly #portal: string;
  readonly #done = deferred<void>();
  #error: Error | null = null;

  /** @param portal the portal's name. */
  constructor(ctx: QueryContext, portal: string) {
    this.#ctx = ctx;
    this.#portal = portal;
  }

  /** Settles when the server confirmed. */
  get promise(): Promise<void> {
    return this.#done.promise;
  }

  write(wire: Wire): boolean {
    this.#ctx.writeDeferredCloses();
    writeClose(wire.writer, 'P', this.#portal);
    writeSync(wire.writer);
    wire.flushSoon();
    return true;
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (code === BackendCode.CloseComplete) return;
    if (code === BackendCode.ErrorResponse) {
      this.#error ??= databaseErrorFromFields(parseErrorFields(buf, start, end));
      return;
    }
    throw new ProtocolError(`unexpected ${backendCodeName(code)} while closing a cursor`);
  }

  handleReadyForQuery(): boolean {
    if (this.#error !== null) this.#done.reject(this.#error);
    else this.#done.resolve();
    return true;
  }

  fail(err: Error): void {
    this.#done.reject(err);
  }
}

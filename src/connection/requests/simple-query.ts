/**
 * The simple-query protocol ('Q'): one string that may hold several statements, results in text. Used by
 * `execute(sql)` without arguments (multi-statement scripts, DDL) and for session commands the driver sends.
 */
import { InterfaceError, ProtocolError, databaseErrorFromFields } from '../../errors/index.js';
import { deferred } from '../../internal/index.js';
import {
  BackendCode,
  backendCodeName,
  parseCommandComplete,
  parseErrorFields,
  parseRowDescription,
  writeCopyFail,
  writeQuery,
} from '../../protocol/index.js';
import type { QueryContext } from '../context.js';
import type { Request } from '../request.js';
import { buildResultPlan, textResultPlan, type ColumnInfo, type ResultPlan } from '../statement.js';
import type { Wire } from '../wire.js';
import { isSchemaChangeTag, mayChangeSchema, tagRowCount } from './outcome.js';
import { applyTypeOverrides, type TypeOverrides } from './overrides.js';
import { decodeArrayRow, decodeObjectRow } from './rows.js';

/** One statement's outcome within a simple query. */
export interface StatementResult {
  /** Its rows (empty for a statement that returns none). */
  rows: unknown[];
  /** Its command tag. */
  tag: string;
  /** Rows counted from the tag. */
  rowCount: number;
  /** Its columns (empty for a statement that returns none). */
  columns: ColumnInfo[];
}

/** What a simple query resolves with: the last statement's rows and tag. */
export interface SimpleResult {
  /** Rows of the last statement that returned rows. */
  rows: unknown[];
  /** The last command tag. */
  tag: string;
  /** Rows counted from the last tag. */
  rowCount: number;
  /** Columns of the last row-returning statement. */
  columns: ColumnInfo[];
  /** Every statement's outcome, in order (an empty statement has none). */
  results: StatementResult[];
}

/** One simple-protocol call. */
export class SimpleQuery implements Request {
  readonly #ctx: QueryContext;
  readonly #sql: string;
  readonly #rowMode: 'object' | 'array';
  readonly #done = deferred<SimpleResult>();
  #plan: ResultPlan | null = null;
  #rows: unknown[] = [];
  #tag = '';
  #error: Error | null = null;
  /** Holding the wire until answered: the script may change the schema (see `mayChangeSchema`). */
  #isHolding = false;
  readonly #types: TypeOverrides | undefined;
  readonly #results: StatementResult[] = [];
  /** Rows and columns of the statement running now (reset after each CommandComplete). */
  #current: { rows: unknown[]; columns: ColumnInfo[] } | null = null;

  /**
   * @param sql one or more statements.
   * @param types per-query decoding overrides (applied to every statement's columns).
   */
  constructor(ctx: QueryContext, sql: string, rowMode: 'object' | 'array' = 'object', types?: TypeOverrides) {
    this.#ctx = ctx;
    this.#sql = sql;
    this.#rowMode = rowMode;
    this.#types = types;
  }

  /** Settles with the result or the first error. */
  get promise(): Promise<SimpleResult> {
    return this.#done.promise;
  }

  write(wire: Wire): boolean {
    this.#ctx.writeDeferredCloses();
    writeQuery(wire.writer, this.#sql);
    if (mayChangeSchema(this.#sql)) {
      this.#isHolding = true;
      wire.hold(this);
    }
    wire.flushSoon();
    return true;
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    switch (code) {
      case BackendCode.RowDescription: {
        // Simple-query results are always text: decode with each codec's text decoder.
        this.#plan = textResultPlan(buildResultPlan(parseRowDescription(buf, start, end), this.#ctx.codecs), this.#ctx.codecs);
        if (this.#types !== undefined) this.#plan = applyTypeOverrides(this.#plan, this.#types);
        this.#rows = [];
        this.#current = { rows: this.#rows, columns: this.#plan.columns };
        return;
      }
      case BackendCode.DataRow:
        if (this.#error !== null || this.#plan === null) return;
        try {
          this.#rows.push(this.#rowMode === 'array' ? decodeArrayRow(this.#plan, buf, start) : decodeObjectRow(this.#plan, buf, start));
        } catch (err) {
          // A DataRow of the wrong shape means the stream cannot be trusted: let the wire close the connection.
          if (err instanceof ProtocolError) throw err;
          this.#error = err as Error;
        }
        return;
      case BackendCode.CommandComplete: {
        this.#tag = parseCommandComplete(buf, start, end);
        this.#results.push({ rows: this.#current?.rows ?? [], tag: this.#tag, rowCount: tagRowCount(this.#tag), columns: this.#current?.columns ?? [] });
        this.#current = null;
        if (this.#tag === 'DISCARD ALL' || this.#tag === 'DEALLOCATE ALL') this.#ctx.onStatementsDiscarded();
        else if (isSchemaChangeTag(this.#tag)) this.#ctx.onSchemaTag(this.#tag);
        return;
      }
      case BackendCode.EmptyQueryResponse:
        return;
      case BackendCode.ErrorResponse:
        this.#error ??= databaseErrorFromFields(parseErrorFields(buf, start, end), this.#sql);
        return;
      case BackendCode.CopyInResponse:
        // The server now waits for data: refuse politely with CopyFail so the connection stays usable.
        writeCopyFail(this.#ctx.wire.writer, 'COPY FROM STDIN is not supported by execute(); use copyToTable()');
        this.#ctx.wire.flushSoon();
        this.#error ??= new InterfaceError('COPY FROM STDIN is not supported by execute(); use copyToTable() or copyRecordsToTable()');
        return;
      case BackendCode.CopyOutResponse:
        this.#error ??= new InterfaceError('COPY TO STDOUT is not supported by execute(); use copyOut() or copyFromQuery()');
        return;
      case BackendCode.CopyData:
      case BackendCode.CopyDone:
        return;
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} during a simple query`);
    }
  }

  handleReadyForQuery(status: 'I' | 'T' | 'E'): boolean {
    if (status === 'I' && this.#ctx.hasUnsettledSchemaChange) this.#ctx.schemaSettled();
    if (this.#isHolding) this.#ctx.wire.release(this);
    if (this.#error !== null) this.#done.reject(this.#error);
    else this.#done.resolve({ rows: this.#rows, tag: this.#tag, rowCount: tagRowCount(this.#tag), columns: this.#plan?.columns ?? [], results: this.#results });
    return true;
  }

  fail(err: Error): void {
    this.#done.reject(err);
  }
}

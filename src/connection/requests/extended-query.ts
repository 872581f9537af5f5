/**
 * The extended-protocol query: Parse/Describe on a statement-cache miss (one extra round trip, holding later
 * calls so they cannot overtake), then Bind/Execute for each argument list and one Sync. Serves fetch,
 * query, execute with arguments, executeMany, fetchMany and prepared statements.
 */
import { DatabaseError, InterfaceError, InvalidCachedStatementError, ProtocolError, databaseErrorFromFields } from '../../errors/index.js';
import { deferred } from '../../internal/index.js';
import {
  BackendCode,
  backendCodeName,
  parseCommandComplete,
  parseErrorFields,
  parseParameterDescription,
  parseRowDescription,
  writeDescribe,
  writeFlush,
  writeClose,
  writeParse,
  writeSync,
  type FieldDescription,
} from '../../protocol/index.js';
import type { QueryContext } from '../context.js';
import { checkParameterCount } from '../params.js';
import type { Request } from '../request.js';
import { buildStatement, textResultPlan, type ResultPlan, type Statement } from '../statement.js';
import type { Wire } from '../wire.js';
import { firstChunkEnd, streamBinds, writeBinds, type BindSource } from './binds.js';
import { applyTypeOverrides } from './overrides.js';
import { decodeArrayRow, decodeObjectRow } from './rows.js';
import type { ExtendedQuerySpec, ExtendedResult } from './extended-spec.js';
import { isSchemaChangeTag, isStaleStatementError, mayChangeSchema, tagRowCount } from './outcome.js';

export type { ExtendedQuerySpec, ExtendedResult };

/** One extended-protocol call. See the module comment. */
export class ExtendedQuery implements Request {
  readonly #ctx: QueryContext;
  readonly #spec: ExtendedQuerySpec;
  readonly #done = deferred<ExtendedResult>();
  #phase: 'new' | 'describe' | 'execute' = 'new';
  #name = '';
  #paramOids: number[] = [];
  #stmt: Statement | null = null;
  #plan: ResultPlan | null = null;
  #fromCache = false;
  /** An explicit prepared statement prepared before a schema change, being prepared again under its name. */
  #renewing: Statement | null = null;
  /**
   * The statement may change the schema (see `mayChangeSchema`): it holds the wire until its ReadyForQuery
   * (for a first execution, the hold taken for its Describe lasts that long). Decided when it is prepared and
   * kept on the statement.
   */
  #holdsUntilReady = false;
  /** Parameter types of the last Parse after a 42P18 (see QueryContext.inferParamTypes); null before. */
  #inferredTypes: number[] | null = null;
  #retried = false;
  #ignoreSyncs = 0;
  /** What to write once our own Syncs are answered (see #syncThen). */
  #continuation: (() => void) | null = null;
  #error: Error | null = null;
  #rows: unknown[] = [];
  #tag = '';
  #rowCount = 0;
  #executions = 0;
  #nested: (Request & { readonly done: Promise<void> }) | null = null;
  #pendingFields: FieldDescription[] | null = null;

  readonly #collectRows: boolean;
  readonly #arrayRows: boolean;

  /** @param ctx the connection. @param spec what to run. */
  constructor(ctx: QueryContext, spec: ExtendedQuerySpec) {
    this.#ctx = ctx;
    this.#spec = spec;
    this.#collectRows = spec.collectRows;
    this.#arrayRows = spec.rowMode === 'array';
  }

  /** Settles with the result or the first error. */
  get promise(): Promise<ExtendedResult> {
    return this.#done.promise;
  }

  write(wire: Wire): boolean {
    this.#ctx.writeDeferredCloses();
    const { sql } = this.#spec;
    let stmt = this.#spec.statement;
    if (stmt !== undefined && stmt.isClosed) {
      this.#done.reject(new InterfaceError('the prepared statement is closed', { safeToRetry: true }));
      return false;
    }
    const tooMany = checkParameterCount(this.#spec.argsList);
    if (tooMany !== null) {
      this.#done.reject(tooMany);
      return false;
    }
    if (stmt !== undefined && stmt.schemaEpoch !== this.#ctx.schemaEpoch) {
      // An explicit statement prepared before a schema change may carry stale parameter types (a timestamp
      // parameter for what is now a timestamptz column would silently lose its offset): prepare it again under
      // its own name. Close first, as Parse refuses a name in use; closing a name the server no longer has is
      // not an error.
      writeClose(wire.writer, 'S', stmt.name);
      this.#renewing = stmt;
      this.#name = stmt.name;
      this.#writePrepare(wire, []);
      return true;
    }
    if (stmt === undefined && this.#spec.name === undefined && this.#ctx.cache.isCacheable(sql)) stmt = this.#ctx.cache.get(sql);
    if (stmt !== undefined && !this.#spec.prepareOnly) {
      this.#fromCache = this.#spec.statement === undefined;
      const written = this.#writeExecutions(wire, stmt, false);
      if (written && stmt.mayChangeSchema) {
        this.#holdsUntilReady = true;
        wire.hold(this);
      }
      return written;
    }
    this.#name = this.#spec.name ?? (this.#ctx.cache.isCacheable(sql) ? this.#ctx.cache.nextName() : '');
    this.#writePrepare(wire, []);
    return true;
  }

  #writePrepare(wire: Wire, paramTypes: number[]): void {
    this.#holdsUntilReady = mayChangeSchema(this.#spec.sql);
    const w = wire.writer;
    writeParse(w, this.#name, this.#spec.sql, paramTypes);
    writeDescribe(w, 'S', this.#name);
    writeFlush(w);
    this.#phase = 'describe';
    wire.hold(this);
    wire.flushSoon();
  }

  /**
   * Writes Bind/Execute per argument list and the Sync. `afterDescribe` means a Parse/Describe batch is open,
   * so a failure must still end it with Sync (and the request waits for that ReadyForQuery).
   */
  #writeExecutions(wire: Wire, stmt: Statement, afterDescribe: boolean): boolean {
    const { argsList } = this.#spec;
    const expected = stmt.paramOids.length;
    for (let k = 0; k < argsList.length; k++) {
      if (argsList[k].length !== expected) {
        const where = argsList.length > 1 ? ` in argument list ${k}` : '';
        return this.#rejectBeforeExecute(wire, afterDescribe, new InterfaceError(
          `the query expects ${expected} argument${expected === 1 ? '' : 's'}, ${argsList[k].length} given${where}`,
          { safeToRetry: true },
        ));
      }
    }
    this.#stmt = stmt;
    let plan = stmt.result;
    if (plan !== null && this.#spec.format === 'text') plan = textResultPlan(plan, this.#ctx.codecs);
    if (plan !== null && this.#spec.types !== undefined) plan = applyTypeOverrides(plan, this.#spec.types);
    this.#plan = plan;
    this.#phase = 'execute';
    const end = firstChunkEnd(argsList.length, wire.txStatus === 'I' && wire.inflightCount === 1);
    const w = wire.writer;
    const mark = w.position;
    const src: BindSource = {
      stmt,
      argsList,
      text: this.#spec.format === 'text',
      resultFormats: plan === null ? [] : plan.bindFormats,
      codecs: this.#ctx.codecs,
    };
    try {
      writeBinds(wire, src, 0, end);
    } catch (err) {
      w.truncate(mark);
      return this.#rejectBeforeExecute(wire, afterDescribe, err as Error);
    }
    if (end < argsList.length) {
      // A big batch: stream the rest in chunks under a hold, so memory stays bounded.
      wire.hold(this);
      void streamBinds(wire, src, end, this, {
        stopped: () => this.#error !== null,
        failed: (err) => void (this.#error ??= err),
      });
      return true;
    }
    writeSync(w);
    wire.flushSoon();
    return true;
  }

  #rejectBeforeExecute(wire: Wire, afterDescribe: boolean, err: Error): boolean {
    if (!afterDescribe) {
      this.#done.reject(err);
      return false;
    }
    this.#error = err;
    this.#phase = 'execute';
    writeSync(wire.writer);
    wire.flushSoon();
    return true;
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.#nested !== null) {
      this.#nested.handleMessage(code, buf, start, end);
      return;
    }
    switch (code) {
      case BackendCode.DataRow:
        this.#dataRow(buf, start, end);
        return;
      case BackendCode.BindComplete:
      case BackendCode.ParseComplete:
      case BackendCode.CloseComplete:
        return;
      case BackendCode.CommandComplete:
        this.#tag = parseCommandComplete(buf, start, end);
        this.#rowCount += tagRowCount(this.#tag);
        this.#executions++;
        if (isSchemaChangeTag(this.#tag)) this.#ctx.onSchemaTag(this.#tag);
        return;
      case BackendCode.EmptyQueryResponse:
        this.#executions++;
        return;
      case BackendCode.ParameterDescription:
        this.#paramOids = parseParameterDescription(buf, start, end);
        return;
      case BackendCode.RowDescription:
        if (this.#phase === 'describe') this.#described(parseRowDescription(buf, start, end));
        return;
      case BackendCode.NoData:
        if (this.#phase === 'describe') this.#described(null);
        return;
      case BackendCode.ErrorResponse: {
        const err = databaseErrorFromFields(parseErrorFields(buf, start, end), this.#spec.sql);
        if (this.#phase === 'describe') this.#describeFailed(err);
        else this.#recordError(err);
        return;
      }
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} during an extended query`);
    }
  }

  /** Decodes and keeps one row (the innermost per-row step; the spec's flags are read once, in the constructor). */
  #dataRow(buf: Buffer, start: number, end: number): void {
    const plan = this.#plan;
    if (this.#error !== null || !this.#collectRows) return;
    if (plan === null) throw new ProtocolError('DataRow for a statement that returns no rows');
    try {
      this.#rows.push(this.#arrayRows ? decodeArrayRow(plan, buf, start, end) : decodeObjectRow(plan, buf, start, end));
    } catch (err) {
      // A DataRow of the wrong shape means the server cannot be trusted: close (the wire turns a throw into
      // a ProtocolError for every request). A value its codec rejects fails this call only.
      if (err instanceof ProtocolError) throw err;
      this.#error = err as Error;
    }
  }

  #recordError(err: DatabaseError): void {
    if (this.#error !== null) return;
    if (this.#spec.argsList.length > 1) {
      // Name the failing argument list: every execution before it completed.
      (err as DatabaseError & { batchIndex?: number }).batchIndex = this.#executions;
      err.message = `${err.message} (argument list ${this.#executions})`;
    }
    this.#error = err;
  }

  #wire(): Wire {
    return this.#ctx.wire;
  }

  #described(fields: FieldDescription[] | null): void {
    const ctx = this.#ctx;
    const unknown = this.#unknownOids(fields);
    if (unknown.length > 0) {
      const loader = ctx.typeLoader(unknown);
      if (loader !== null) {
        // End the open Parse/Describe batch, load the types, then continue (re-parsing an unnamed statement).
        this.#pendingFields = fields;
        this.#syncThen(() => {
          this.#nested = loader;
          loader.write(this.#wire());
          this.#wire().flushSoon();
        });
        return;
      }
    }
    this.#finishDescribe(fields, false);
  }

  #unknownOids(fields: FieldDescription[] | null): number[] {
    const codecs = this.#ctx.codecs;
    const out = new Set<number>();
    for (const oid of this.#paramOids) if (codecs.get(oid) === undefined) out.add(oid);
    if (fields !== null) for (const f of fields) if (codecs.get(f.typeOid) === undefined) out.add(f.typeOid);
    return [...out];
  }

  #finishDescribe(fields: FieldDescription[] | null, reparse: boolean): void {
    const wire = this.#wire();
    let stmt = buildStatement(this.#name, this.#spec.sql, this.#paramOids, fields, this.#ctx.codecs, this.#ctx.schemaEpoch);
    stmt.mayChangeSchema = this.#holdsUntilReady;
    if (reparse && this.#name === '') writeParse(wire.writer, '', this.#spec.sql, this.#paramOids);
    if (this.#renewing !== null) {
      // The explicit statement object is the user's handle (PreparedStatement): renew it in place.
      stmt = Object.assign(this.#renewing, stmt);
      this.#renewing = null;
    } else if (this.#name !== '' && this.#spec.name === undefined) {
      this.#ctx.cache.add(stmt);
    }
    if (this.#spec.prepareOnly === true) {
      this.#stmt = stmt;
      this.#phase = 'execute';
      writeSync(wire.writer);
      wire.flushSoon();
    } else {
      this.#writeExecutions(wire, stmt, true);
    }
    if (!this.#holdsUntilReady) wire.release(this);
  }

  #describeFailed(err: DatabaseError): void {
    const wire = this.#wire();
    const args = this.#spec.argsList[0];
    // 42P18: a parameter got no type ($1 IS NULL); 42P08: it got different ones in different places ($1 IS NULL
    // OR $1::text leaves the first reference untyped). Both say "could not determine data type of parameter $n".
    const isUntyped = err.code === '42P18' || err.code === '42P08';
    const types = isUntyped && args !== undefined && args.length > 0 ? this.#ctx.inferParamTypes(args, this.#inferredTypes, err.message) : null;
    if (types !== null) {
      // The server could not type a parameter ($1 IS NULL): type that one from its JS value and prepare again
      // (once per such parameter at most).
      this.#inferredTypes = types;
      // Types guessed from this call's values must not stick to the SQL for later calls with other values: the
      // statement is prepared unnamed and left out of the cache (an explicit prepare() keeps its name).
      if (this.#spec.name === undefined && this.#renewing === null) this.#name = '';
      this.#syncThen(() => this.#writePrepare(wire, types));
      return;
    }
    this.#error = err;
    this.#phase = 'execute';
    writeSync(wire.writer);
    wire.flushSoon();
    if (!this.#holdsUntilReady) wire.release(this);
  }

  /**
   * Ends the open Parse/Describe batch with a Sync and writes `next` only once that Sync's ReadyForQuery has
   * arrived. The extra wait is on rare paths (type loading, 42P18) and keeps a transaction-mode pooler from
   * losing the answers: PgBouncer before 1.21 hands the server connection back to its pool at every
   * ReadyForQuery 'I', so whatever was written after that Sync would be answered to nobody.
   */
  #syncThen(next: () => void): void {
    const wire = this.#wire();
    writeSync(wire.writer);
    this.#ignoreSyncs++;
    this.#continuation = next;
    wire.flushSoon();
  }

  handleReadyForQuery(status: 'I' | 'T' | 'E'): boolean {
    if (status === 'I' && this.#ctx.hasUnsettledSchemaChange) this.#ctx.schemaSettled();
    // Our own Syncs (ending a Describe batch) were written before anything nested, so they answer first.
    if (this.#ignoreSyncs > 0) {
      this.#ignoreSyncs--;
      const next = this.#ignoreSyncs === 0 ? this.#continuation : null;
      if (next !== null) {
        this.#continuation = null;
        next();
      }
      return false;
    }
    if (this.#nested !== null) {
      if (this.#nested.handleReadyForQuery(status)) {
        this.#nested = null;
        this.#finishDescribe(this.#pendingFields, true);
      }
      return false;
    }
    if (this.#holdsUntilReady) {
      // Answered: the cache has been dropped if the schema changed, so the calls behind may be written now.
      this.#holdsUntilReady = false;
      this.#wire().release(this);
    }
    const err = this.#error;
    if (err === null) {
      const stmt = this.#stmt as Statement;
      this.#done.resolve({
        rows: this.#rows,
        tag: this.#tag,
        rowCount: this.#rowCount,
        columns: this.#plan?.columns ?? stmt.result?.columns ?? [],
        statement: stmt,
      });
      return true;
    }
    if (err instanceof DatabaseError && (this.#fromCache || this.#spec.statement !== undefined) && isStaleStatementError(err)) {
      // Another session changed the schema: every cached statement and type is suspect, not only this one.
      // An explicit statement is prepared again by the retry (or its next use), as the epoch moved on.
      this.#ctx.onStaleStatement();
      if (status === 'I' && !this.#retried && this.#wire().inflightCount === 1) {
        this.#reset();
        this.#wire().requeueFirst(this);
        return true;
      }
      this.#done.reject(new InvalidCachedStatementError(
        `the cached statement became invalid (${err.message}) inside a transaction; retry the transaction`,
        { cause: err },
      ));
      return true;
    }
    this.#done.reject(err);
    return true;
  }

  #reset(): void {
    this.#retried = true;
    this.#phase = 'new';
    this.#error = null;
    this.#rows = [];
    this.#tag = '';
    this.#rowCount = 0;
    this.#executions = 0;
    this.#fromCache = false;
  }

  fail(err: Error): void {
    this.#nested?.fail(err, true);
    this.#done.reject(err);
  }
}

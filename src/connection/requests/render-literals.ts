/**
 * Server-side rendering of arguments as SQL literals, for statements that cannot take bind parameters (COPY).
 * The values are bound as ordinary parameters typed like the original statement's, and the server writes each
 * as `(<quoted literal>::<type>)` with `format('%L', …)` (quote_nullable) and `pg_typeof`, so pgjet never
 * splices a value into SQL text itself and every type's quoting is the server's own.
 */
import { ProtocolError, databaseErrorFromFields } from '../../errors/index.js';
import { deferred } from '../../internal/index.js';
import {
  BackendCode,
  backendCodeName,
  beginBind,
  endBind,
  parseErrorFields,
  writeExecute,
  writeParse,
  writeSync,
} from '../../protocol/index.js';
import type { QueryContext } from '../context.js';
import { paramFormatsFor, writeParamValues } from '../params.js';
import type { Request } from '../request.js';
import type { Statement } from '../statement.js';
import type { Wire } from '../wire.js';

/** The rendering query for `n` parameters: one text column per parameter. */
function renderSql(n: number): string {
  const cols: string[] = [];
  for (let i = 1; i <= n; i++) cols.push(`format('(%L::%s)', $${i}, pg_typeof($${i}))`);
  return `SELECT ${cols.join(', ')}`;
}

/** Parse/Bind/Execute/Sync of the rendering query; resolves with one literal per argument. */
export class RenderLiterals implements Request {
  readonly #ctx: QueryContext;
  readonly #stmt: Statement;
  readonly #args: readonly unknown[];
  readonly #sql: string;
  readonly #done = deferred<string[]>();
  #literals: string[] | null = null;
  #error: Error | null = null;

  /** @param stmt the original statement, prepared: its parameter types and codecs type the arguments. */
  constructor(ctx: QueryContext, stmt: Statement, args: readonly unknown[]) {
    this.#ctx = ctx;
    this.#stmt = stmt;
    this.#args = args;
    this.#sql = renderSql(stmt.paramOids.length);
  }

  /** Settles with the literals or the first error. */
  get promise(): Promise<string[]> {
    return this.#done.promise;
  }

  write(wire: Wire): boolean {
    const w = wire.writer;
    const stmt = this.#stmt;
    this.#ctx.writeDeferredCloses();
    const mark = w.position;
    try {
      writeParse(w, '', this.#sql, stmt.paramOids);
      const paramFormats = paramFormatsFor(stmt, this.#args, this.#ctx.codecs);
      const at = beginBind(w, '', '', paramFormats, stmt.paramOids.length);
      writeParamValues(w, stmt, this.#args, this.#ctx.codecs, paramFormats);
      endBind(w, at, 0);
    } catch (err) {
      // A value its codec rejects: nothing of this request reaches the server.
      w.truncate(mark);
      this.#done.reject(err);
      return false;
    }
    writeExecute(w, '', 0);
    writeSync(w);
    wire.flushSoon();
    return true;
  }

  handleMessage(code: number, buf: Buffer, start: number, end: number): void {
    switch (code) {
      case BackendCode.ParseComplete:
      case BackendCode.BindComplete:
      case BackendCode.CommandComplete:
        return;
      case BackendCode.DataRow: {
        const n = buf.readInt16BE(start);
        const out = new Array<string>(n);
        let pos = start + 2;
        for (let i = 0; i < n; i++) {
          const length = buf.readInt32BE(pos);
          pos += 4;
          // format() never returns NULL: a NULL argument renders as the word NULL.
          out[i] = length < 0 ? 'NULL' : buf.toString('utf8', pos, pos + length);
          if (length > 0) pos += length;
        }
        this.#literals = out;
        return;
      }
      case BackendCode.ErrorResponse:
        this.#error ??= databaseErrorFromFields(parseErrorFields(buf, start, end), this.#sql);
        return;
      default:
        throw new ProtocolError(`unexpected ${backendCodeName(code)} while rendering COPY arguments`);
    }
  }

  handleReadyForQuery(): boolean {
    if (this.#error !== null) this.#done.reject(this.#error);
    else if (this.#literals === null) this.#done.reject(new ProtocolError('no row while rendering COPY arguments'));
    else this.#done.resolve(this.#literals);
    return true;
  }

  fail(err: Error): void {
    this.#done.reject(err);
  }
}

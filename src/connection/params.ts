/**
 * Writes Bind parameter values straight into the outgoing buffer with the statement's codecs, and turns a
 * codec's complaint into a `DataError` naming the parameter and its type.
 */
import { CodecError, FormatCode } from '../codecs/index.js';
import { DataError } from '../errors/index.js';
import type { ByteWriter } from '../internal/index.js';
import type { CodecLookup, Statement } from './statement.js';

/** OIDs of the types whose parameters take any value's text form: text, varchar, bpchar, name, unknown. */
const TEXT_LIKE = new Set([25, 1043, 1042, 19, 705]);

/** The text form of a JS value for a text-typed parameter (`String(5)`, a Date's ISO form, JSON for objects). */
export function toParamText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      if (value instanceof Date) return value.toISOString();
      if (Buffer.isBuffer(value)) return value.toString('utf8');
      return JSON.stringify(value);
    default:
      throw new CodecError(`cannot send a ${typeof value} as text`);
  }
}

/** Names a parameter's type for messages. */
function typeLabel(stmt: Statement, i: number, codecs: CodecLookup): string {
  const oid = stmt.paramOids[i];
  return codecs.typeName(oid) ?? `type ${oid}`;
}

/**
 * Appends the statement's parameter values (Int32 length then bytes, -1 for NULL). Throws `DataError` for
 * `undefined` or a value its codec rejects; the caller truncates the half-written message.
 */
export function writeParamValues(w: ByteWriter, stmt: Statement, args: readonly unknown[], codecs: CodecLookup, text = false): void {
  const n = stmt.paramOids.length;
  for (let i = 0; i < n; i++) {
    const value = args[i];
    if (value === null) {
      w.i32(-1);
      continue;
    }
    if (value === undefined) {
      throw new DataError(
        `parameter $${i + 1} (${typeLabel(stmt, i, codecs)}) is undefined; pass null for SQL NULL`,
        { safeToRetry: true },
      );
    }
    const codec = stmt.paramCodecs[i];
    const slot = w.reserve32();
    try {
      if (!text && stmt.paramFormats[i] === FormatCode.binary && codec?.encodeBinary !== undefined) {
        if (typeof value !== 'string' && TEXT_LIKE.has(stmt.paramOids[i])) w.utf8(toParamText(value));
        else codec.encodeBinary(value, w);
      } else if (codec?.encodeText !== undefined) {
        w.utf8(codec.encodeText(value));
      } else {
        w.utf8(toParamText(value));
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new DataError(`invalid value for parameter $${i + 1} (${typeLabel(stmt, i, codecs)}): ${reason}`, {
        cause: err,
        safeToRetry: true,
      });
    }
    w.endValue(slot);
  }
}

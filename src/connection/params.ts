/**
 * Writes Bind parameter values straight into the outgoing buffer with the statement's codecs, and turns a
 * codec's complaint into a `DataError` naming the parameter and its type.
 */
import { builtinCodecTable, CodecError, FormatCode, Oid, wellFormed } from '../codecs/index.js';
import { DataError, InterfaceError } from '../errors/index.js';
import type { ByteWriter } from '../internal/index.js';
import type { CodecLookup, Statement } from './statement.js';

/** The most parameters one statement can take: Parse, ParameterDescription and Bind count them in an Int16. */
export const MAX_PARAMETERS = 65_535;

/**
 * An `InterfaceError` when an argument list has more values than the protocol can carry, else null. Checked
 * before anything is written: the server would read the count modulo 2^16 and answer about a different query.
 */
export function checkParameterCount(argsList: readonly (readonly unknown[])[]): InterfaceError | null {
  for (let k = 0; k < argsList.length; k++) {
    const n = argsList[k].length;
    if (n > MAX_PARAMETERS) {
      const where = argsList.length > 1 ? ` (argument list ${k})` : '';
      return new InterfaceError(
        `${n} arguments given${where}, but a statement takes at most ${MAX_PARAMETERS} parameters (the protocol counts them in 16 bits)`,
        { safeToRetry: true },
      );
    }
  }
  return null;
}

/** OIDs of the types whose parameters take any value's text form: text, varchar, bpchar, name, unknown. */
const TEXT_LIKE = new Set<number>([Oid.text, Oid.varchar, Oid.bpchar, Oid.name, Oid.unknown]);

/**
 * Types whose binary codec takes strings itself: text-like types (the bytes are the same), bool (boolin's
 * spellings), numbers (parsed exactly, so '12.5' for int4 is a DataError rather than a server-side rounding),
 * uuid (validated), json/jsonb/jsonpath (a string is JSON text) and "char". A string for any other type (a date, an array literal '{1,2}',
 * a range '[1,5)', a point '(1,2)', bytea's '\x…') is sent in text format for the server's input function to
 * parse, as node-postgres users expect.
 */
const STRINGS_IN_BINARY = new Set<number>([
  Oid.text, Oid.varchar, Oid.bpchar, Oid.name, Oid.unknown, Oid.bool, Oid.int2, Oid.int4, Oid.int8, Oid.float4,
  Oid.float8, Oid.numeric, Oid.oid, Oid.xid, Oid.cid, Oid.xid8, Oid.uuid, Oid.json, Oid.jsonb, Oid.jsonpath, Oid.char,
]);

/** A text-like parameter type with pgjet's own codec: a non-string value is sent as its text form. */
const ANY_AS_TEXT = 1;
/** A parameter whose codec takes strings itself in binary (see {@link STRINGS_IN_BINARY}, or a user codec). */
const STRING_VIA_CODEC = 2;

/**
 * Per-parameter flags of a statement, worked out on its first execution and kept on it, so the per-value path
 * is a bit test instead of set and map lookups. Registering a codec clears the statement cache, so the flags
 * never outlive the codecs they were computed from (an explicitly prepared statement keeps its codecs too).
 */
function paramTraits(stmt: Statement, codecs: CodecLookup): Uint8Array {
  if (stmt.paramTraits !== undefined) return stmt.paramTraits;
  const traits = new Uint8Array(stmt.paramOids.length);
  stmt.paramOids.forEach((oid, i) => {
    const codec = stmt.paramCodecs[i];
    const custom = codecs.isCustom(oid);
    if (TEXT_LIKE.has(oid) && (codec === undefined || builtinCodecTable.get(codec.oid) === codec)) traits[i] |= ANY_AS_TEXT;
    if (STRINGS_IN_BINARY.has(oid) || custom) traits[i] |= STRING_VIA_CODEC;
  });
  stmt.paramTraits = traits;
  return traits;
}

/**
 * The Bind parameter formats for one execution: the statement's own, except that a string for a type outside
 * {@link STRINGS_IN_BINARY} (and without a user codec) goes as text.
 */
export function paramFormatsFor(stmt: Statement, args: readonly unknown[], codecs: CodecLookup): number | number[] {
  let formats: number[] | undefined;
  const n = stmt.paramOids.length;
  const traits = paramTraits(stmt, codecs);
  for (let i = 0; i < n; i++) {
    if (typeof args[i] !== 'string' || (traits[i] & STRING_VIA_CODEC) !== 0 || stmt.paramFormats[i] === FormatCode.text) continue;
    formats ??= stmt.paramFormats.slice();
    formats[i] = FormatCode.text;
  }
  return formats ?? stmt.bindParamFormats;
}

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
export function writeParamValues(
  w: ByteWriter,
  stmt: Statement,
  args: readonly unknown[],
  codecs: CodecLookup,
  formats: number | readonly number[],
): void {
  const text = formats === FormatCode.text;
  const n = stmt.paramOids.length;
  const traits = paramTraits(stmt, codecs);
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
      if (typeof value === 'string') wellFormed(value);
      // A text-typed parameter's bytes are the same in both formats: the value's text form, whichever format
      // the Bind asks for (unless the user registered a codec of their own for the type).
      if (typeof value !== 'string' && (traits[i] & ANY_AS_TEXT) !== 0) {
        w.utf8(toParamText(value));
      } else if (!text && (typeof formats === 'number' ? formats : formats[i]) === FormatCode.binary && codec?.encodeBinary !== undefined) {
        codec.encodeBinary(value, w);
      } else if (typeof value === 'string' && !STRINGS_IN_BINARY.has(stmt.paramOids[i])) {
        // A string in text format is the literal for the server's input function, as given. Strings for the
        // types above still go through their codec, so text and binary formats refuse the same strings
        // ('12.5' for int4, 'maybe' for bool) with a DataError before anything is sent.
        w.utf8(value);
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

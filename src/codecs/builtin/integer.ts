/**
 * Integer types: int2, int4, int8, oid, xid, cid, xid8. Binary formats are plain big-endian integers
 * (`int2send`/`int4send`/`int8send` in utils/adt/int.c and int8.c; oid, xid and cid are unsigned 32-bit,
 * `oidsend`/`xidsend`/`cidsend`; xid8 is an unsigned 64-bit FullTransactionId, `xid8send` in xid.c).
 */
import type { ByteWriter } from '../../internal/index.js';
import { badLength, badText, describeValue, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { int32At, readInt64Number, uint16At, writeInt64Number } from '../wire.js';

/** How int8 (and xid8) values decode: the connection's `int8` option. */
export type Int8Mode = 'bigint' | 'number' | 'string';

// Integer literals as PostgreSQL 16+ reads them (`pg_strtoint32_safe` in utils/adt/numutils.c): optional
// surrounding whitespace and sign, decimal digits or a 0x/0o/0b prefix, `_` only between digits.
const integerLiteral =
  /^\s*([+-]?)(?:(\d+(?:_\d+)*)|0[xX]([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[oO]([0-7]+(?:_[0-7]+)*)|0[bB]([01]+(?:_[01]+)*))\s*$/;

/** Parses an integer literal exactly, or returns `undefined`. */
export function parseIntegerLiteral(text: string): bigint | undefined {
  const m = integerLiteral.exec(text);
  if (m === null) return undefined;
  let magnitude: bigint;
  if (m[2] !== undefined) magnitude = BigInt(m[2].replaceAll('_', ''));
  else if (m[3] !== undefined) magnitude = BigInt('0x' + m[3].replaceAll('_', ''));
  else if (m[4] !== undefined) magnitude = BigInt('0o' + m[4].replaceAll('_', ''));
  else magnitude = BigInt('0b' + m[5].replaceAll('_', ''));
  return m[1] === '-' ? -magnitude : magnitude;
}

/**
 * Converts a parameter to an integer within [min, max]: integral numbers, bigints, and strings that parse
 * exactly as integer literals (README, "Types": `'123'` is accepted for int4). Anything else is a CodecError naming why.
 */
export function toInteger(value: unknown, type: string, min: number, max: number): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw expected('an integer', value);
    if (value < min || value > max) throw new CodecError(`${value} is out of range for ${type}`);
    return value;
  }
  if (typeof value === 'bigint' || typeof value === 'string') {
    const big = typeof value === 'bigint' ? value : parseIntegerLiteral(value);
    if (big === undefined) throw expected('an integer', value);
    if (big < BigInt(min) || big > BigInt(max)) throw new CodecError(`${big} is out of range for ${type}`);
    return Number(big);
  }
  throw expected('an integer', value);
}

/** Like {@link toInteger} for 64-bit ranges, as a bigint; numbers must be safe integers (never guess rounding). */
export function toBigInteger(value: unknown, type: string, min: bigint, max: bigint): bigint {
  let big: bigint | undefined;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw expected('an integer', value);
    if (!Number.isSafeInteger(value)) {
      throw new CodecError(`${value} is beyond Number.MAX_SAFE_INTEGER and may have been rounded; pass a bigint or a string`);
    }
    big = BigInt(value);
  } else if (typeof value === 'string') big = parseIntegerLiteral(value);
  if (big === undefined) throw expected('an integer', value);
  if (big < min || big > max) throw new CodecError(`${big} is out of range for ${type}`);
  return big;
}

function decodeIntegerText(text: string, type: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || text.length === 0) throw badText(type, text);
  return n;
}

/** int2 ↔ number. */
export const int2Codec: Codec<number> = {
  name: 'int2',
  oid: Oid.int2,
  decodeBinary(buf, offset, length) {
    if (length !== 2) throw badLength('int2', length, 2);
    return (uint16At(buf, offset) << 16) >> 16;
  },
  encodeBinary(value, w) {
    w.i16(toInteger(value, 'int2', -32768, 32767));
  },
  decodeText: (text) => decodeIntegerText(text, 'int2'),
  encodeText: (value) => String(toInteger(value, 'int2', -32768, 32767)),
};

/** int4 ↔ number. */
export const int4Codec: Codec<number> = {
  name: 'int4',
  oid: Oid.int4,
  decodeBinary(buf, offset, length) {
    if (length !== 4) throw badLength('int4', length, 4);
    return int32At(buf, offset);
  },
  encodeBinary(value, w) {
    w.i32(toInteger(value, 'int4', -2147483648, 2147483647));
  },
  decodeText: (text) => decodeIntegerText(text, 'int4'),
  encodeText: (value) => String(toInteger(value, 'int4', -2147483648, 2147483647)),
};

function unsigned32Codec(name: string, oid: number): Codec<number> {
  return {
    name,
    oid,
    decodeBinary(buf, offset, length) {
      if (length !== 4) throw badLength(name, length, 4);
      return int32At(buf, offset) >>> 0;
    },
    encodeBinary(value, w) {
      w.u32(toInteger(value, name, 0, 4294967295));
    },
    decodeText: (text) => decodeIntegerText(text, name),
    encodeText: (value) => String(toInteger(value, name, 0, 4294967295)),
  };
}

/** oid ↔ number (unsigned 32-bit). */
export const oidCodec = unsigned32Codec('oid', Oid.oid);
/** xid ↔ number (unsigned 32-bit transaction id). */
export const xidCodec = unsigned32Codec('xid', Oid.xid);
/** cid ↔ number (unsigned 32-bit command id). */
export const cidCodec = unsigned32Codec('cid', Oid.cid);

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const UINT8_MAX = 2n ** 64n - 1n;

function encodeInt8Binary(value: unknown, w: ByteWriter): void {
  // Safe integers, the common case, skip the bigint round trip.
  if (typeof value === 'number' && Number.isSafeInteger(value)) writeInt64Number(w, value);
  else w.i64(toBigInteger(value, 'int8', INT8_MIN, INT8_MAX));
}

function encodeInt8Text(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return String(toBigInteger(value, 'int8', INT8_MIN, INT8_MAX));
}

function encodeXid8Binary(value: unknown, w: ByteWriter): void {
  const big = toBigInteger(value, 'xid8', 0n, UINT8_MAX);
  w.u32(Number(big >> 32n));
  w.u32(Number(big & 0xffffffffn));
}

function bigintText(text: string, type: string): bigint {
  const big = /^-?\d+$/.test(text) ? BigInt(text) : undefined;
  if (big === undefined) throw badText(type, text);
  return big;
}

function safeNumber(n: number, type: string): number {
  if (!Number.isSafeInteger(n)) {
    throw new CodecError(`${type} value ${describeValue(n)} is beyond Number.MAX_SAFE_INTEGER (int8: 'number' never rounds)`);
  }
  return n;
}

function decodeUint64(buf: Buffer, offset: number): bigint {
  return buf.readBigUInt64BE(offset);
}

/**
 * Builds the int8 or xid8 codec for one `int8` mode. `'number'` decodes to a number and refuses (CodecError)
 * anything beyond ±Number.MAX_SAFE_INTEGER rather than round; `'string'` gives the decimal text.
 */
export function int64Codec(type: 'int8' | 'xid8', mode: Int8Mode): Codec<bigint | number | string> {
  const isSigned = type === 'int8';
  const encodeBinary = isSigned ? encodeInt8Binary : encodeXid8Binary;
  const encodeText = isSigned
    ? encodeInt8Text
    : (value: unknown) => String(toBigInteger(value, 'xid8', 0n, UINT8_MAX));
  const base = { name: type, oid: isSigned ? Oid.int8 : Oid.xid8, encodeBinary, encodeText };
  const check = (length: number): void => {
    if (length !== 8) throw badLength(type, length, 8);
  };
  if (mode === 'bigint') {
    return {
      ...base,
      decodeBinary(buf, offset, length) {
        check(length);
        return isSigned ? buf.readBigInt64BE(offset) : decodeUint64(buf, offset);
      },
      decodeText: (text) => bigintText(text, type),
    };
  }
  if (mode === 'number') {
    return {
      ...base,
      decodeBinary(buf, offset, length) {
        check(length);
        if (isSigned) return safeNumber(readInt64Number(buf, offset), type);
        return safeNumber(buf.readUInt32BE(offset) * 4294967296 + buf.readUInt32BE(offset + 4), type);
      },
      decodeText(text) {
        const n = Number(text);
        if (!Number.isInteger(n) || text.length === 0) throw badText(type, text);
        return safeNumber(n, type);
      },
    };
  }
  return {
    ...base,
    decodeBinary(buf, offset, length) {
      check(length);
      if (isSigned) {
        const n = readInt64Number(buf, offset);
        return Number.isSafeInteger(n) ? String(n) : String(buf.readBigInt64BE(offset));
      }
      return String(decodeUint64(buf, offset));
    },
    decodeText(text) {
      bigintText(text, type);
      return text;
    },
  };
}

/**
 * float4 and float8: IEEE-754 big-endian (`float4send`/`float8send` in utils/adt/float.c).
 */
import { badLength, badText, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';

// float8in accepts these spellings of the specials, case-insensitively (utils/adt/float.c).
const specials: Record<string, number> = {
  nan: NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
};

const floatLiteral = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a float literal as float8in would (decimal or exponent form, or NaN/Infinity), else `undefined`. */
export function parseFloatLiteral(text: string): number | undefined {
  const t = text.trim();
  if (floatLiteral.test(t)) return Number(t);
  return specials[t.toLowerCase()];
}

/** Converts a parameter to a float: numbers, bigints, and strings that parse as float literals. */
export function toFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const n = parseFloatLiteral(value);
    if (n !== undefined) return n;
  }
  throw expected('a number', value);
}

/** Number's own text form except that -0 keeps its sign, which `String(-0)` drops. */
export function formatFloat(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

function decodeFloatText(text: string, type: string): number {
  // float8out prints NaN/Infinity/-Infinity, which Number() reads; anything else non-numeric is corrupt.
  const n = Number(text);
  if (Number.isNaN(n) && text !== 'NaN') throw badText(type, text);
  return n;
}

/**
 * The shortest decimal that reads back as the same float4, as `float4out` prints it (Ryu's shortest form,
 * utils/adt/float.c). The binary value widened to a double would show float noise (`1.100000023841858`), so
 * binary and text results would disagree; this gives `1.1` in both.
 */
export function shortestFloat4(f: number): number {
  // Integers up to 2^24 are exact in float4 and already shortest; larger ones print in exponent form
  // (3.4028235e+38), so they go through the search like fractions.
  if ((Number.isInteger(f) && Math.abs(f) <= 16777216) || !Number.isFinite(f)) return f;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return Number(f.toPrecision(9));
}

/**
 * A float4 parameter: refuses finite values that float4 cannot hold (they would become ±Infinity or 0), as
 * float4in refuses them ("value out of range: overflow/underflow", utils/adt/float.c).
 */
function toFloat4(value: unknown): number {
  const n = toFloat(value);
  const f = Math.fround(n);
  if ((Number.isFinite(n) && !Number.isFinite(f)) || (n !== 0 && f === 0)) {
    throw new CodecError(`${n} is out of range for float4`);
  }
  return n;
}

/** float4 ↔ number (decoded to the shortest decimal that is the same float4). */
export const float4Codec: Codec<number> = {
  name: 'float4',
  oid: Oid.float4,
  decodeBinary(buf, offset, length) {
    if (length !== 4) throw badLength('float4', length, 4);
    return shortestFloat4(buf.readFloatBE(offset));
  },
  encodeBinary(value, w) {
    w.f32(toFloat4(value));
  },
  decodeText: (text) => decodeFloatText(text, 'float4'),
  encodeText: (value) => formatFloat(toFloat4(value)),
};

/** float8 ↔ number. */
export const float8Codec: Codec<number> = {
  name: 'float8',
  oid: Oid.float8,
  decodeBinary(buf, offset, length) {
    if (length !== 8) throw badLength('float8', length, 8);
    return buf.readDoubleBE(offset);
  },
  encodeBinary(value, w) {
    w.f64(toFloat(value));
  },
  decodeText: (text) => decodeFloatText(text, 'float8'),
  encodeText: (value) => formatFloat(toFloat(value)),
};

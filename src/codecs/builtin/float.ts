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

/** 10^q and 5^i as bigints, built on first use (f2s needs q ≤ 31 and i ≤ 47 for float4). */
const powersOf10: bigint[] = [];
const powersOf5: bigint[] = [];
function pow10(q: number): bigint {
  return (powersOf10[q] ??= 10n ** BigInt(q));
}
function pow5(i: number): bigint {
  return (powersOf5[i] ??= 5n ** BigInt(i));
}

/** Whether `value` is divisible by 5^p (`multipleOfPowerOf5` in src/common/f2s.c). */
function isMultipleOfPowerOf5(value: number, p: number): boolean {
  let count = 0;
  while (value !== 0 && value % 5 === 0 && count < p) {
    value /= 5;
    count++;
  }
  return count >= p;
}

/**
 * The decimal digits and exponent that PostgreSQL's `float4out` prints for a float4 (Ryu's `f2d` as modified in
 * src/common/f2s.c). PostgreSQL builds it without STRICTLY_SHORTEST, so `acceptBounds` is false: a decimal lying
 * exactly halfway to the next float4 is never chosen, and the result is then one digit longer than the shortest
 * round-tripping decimal (3e10 prints as `3.0000001e+10`). Ryu's 64-bit multiply-shift steps compute exact
 * floors of m·2^e2 / 10^e10; here they are computed exactly with bigints.
 */
function float4Decimal(bits: number): { mantissa: number; exponent: number } {
  const ieeeMantissa = bits & 0x7fffff;
  const ieeeExponent = (bits >>> 23) & 0xff;
  // f2d_small_int: integers in [1, 2^24) print exactly.
  const smallE2 = ieeeExponent - 127 - 23;
  if (smallE2 >= -23 && smallE2 <= 0) {
    const mask = 2 ** -smallE2 - 1;
    if ((ieeeMantissa & mask) === 0) return { mantissa: (0x800000 | ieeeMantissa) / 2 ** -smallE2, exponent: 0 };
  }
  // Two extra bits for the bounds computation.
  const e2 = (ieeeExponent === 0 ? 1 : ieeeExponent) - 127 - 23 - 2;
  const m2 = ieeeExponent === 0 ? ieeeMantissa : 0x800000 | ieeeMantissa;
  const mv = 4 * m2;
  const mp = 4 * m2 + 2;
  const mmShift = ieeeMantissa !== 0 || ieeeExponent <= 1 ? 1 : 0;
  const mm = 4 * m2 - 1 - mmShift;
  let vr: number;
  let vp: number;
  let vm: number;
  let e10: number;
  let vrIsTrailingZeros = false;
  let lastRemovedDigit = 0;
  if (e2 >= 0) {
    const q = (e2 * 78913) >>> 18; // log10Pow2
    e10 = q;
    const scaled = (m: number, d: number): number => Number((BigInt(m) << BigInt(e2)) / pow10(d));
    vr = scaled(mv, q);
    vp = scaled(mp, q);
    vm = scaled(mm, q);
    if (q !== 0 && Math.floor((vp - 1) / 10) <= Math.floor(vm / 10)) lastRemovedDigit = scaled(mv, q - 1) % 10;
    if (q <= 9) {
      if (mv % 5 === 0) vrIsTrailingZeros = isMultipleOfPowerOf5(mv, q);
      else if (isMultipleOfPowerOf5(mp, q)) vp -= 1;
    }
  } else {
    const q = (-e2 * 732923) >>> 20; // log10Pow5
    e10 = q + e2;
    const i = -e2 - q;
    const scaled = (m: number, k: number, d: number): number => Number((BigInt(m) * pow5(k)) >> BigInt(d));
    vr = scaled(mv, i, q);
    vp = scaled(mp, i, q);
    vm = scaled(mm, i, q);
    if (q !== 0 && Math.floor((vp - 1) / 10) <= Math.floor(vm / 10)) lastRemovedDigit = scaled(mv, i + 1, q - 1) % 10;
    if (q <= 1) {
      vrIsTrailingZeros = true;
      vp -= 1;
    } else if (q < 31) {
      vrIsTrailingZeros = mv % 2 ** (q - 1) === 0;
    }
  }
  let removed = 0;
  let output: number;
  if (vrIsTrailingZeros) {
    while (Math.floor(vp / 10) > Math.floor(vm / 10)) {
      vrIsTrailingZeros &&= lastRemovedDigit === 0;
      lastRemovedDigit = vr % 10;
      vr = Math.floor(vr / 10);
      vp = Math.floor(vp / 10);
      vm = Math.floor(vm / 10);
      removed++;
    }
    // Round half to even when the removed digits are exactly 50…0.
    if (vrIsTrailingZeros && lastRemovedDigit === 5 && vr % 2 === 0) lastRemovedDigit = 4;
    output = vr + (vr === vm || lastRemovedDigit >= 5 ? 1 : 0);
  } else {
    while (Math.floor(vp / 10) > Math.floor(vm / 10)) {
      lastRemovedDigit = vr % 10;
      vr = Math.floor(vr / 10);
      vp = Math.floor(vp / 10);
      vm = Math.floor(vm / 10);
      removed++;
    }
    output = vr + (vr === vm || lastRemovedDigit >= 5 ? 1 : 0);
  }
  return { mantissa: output, exponent: e10 + removed };
}

/**
 * The JS number of the decimal `float4out` prints for the float4 with these IEEE bits (with the default
 * `extra_float_digits` = 1, its shortest form). The binary value widened to a double would show float noise
 * (`1.100000023841858`), so binary and text results would disagree; this gives `1.1` in both, exactly as the
 * server's text reads back.
 */
export function float4FromBits(bits: number): number {
  const magnitude = bits & 0x7fffffff;
  const isNegative = bits >>> 31 === 1;
  if (magnitude === 0) return isNegative ? -0 : 0;
  if (magnitude >= 0x7f800000) return magnitude > 0x7f800000 ? NaN : isNegative ? -Infinity : Infinity;
  const { mantissa, exponent } = float4Decimal(magnitude);
  const n = exponent === 0 ? mantissa : Number(`${mantissa}e${exponent}`);
  return isNegative ? -n : n;
}

/** {@link float4FromBits} of a float4 held in a JS number (exactly representable as a float4). */
export function shortestFloat4(f: number): number {
  const buf = Buffer.allocUnsafe(4);
  buf.writeFloatBE(f);
  return float4FromBits(buf.readUInt32BE(0));
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
    return float4FromBits(buf.readUInt32BE(offset));
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

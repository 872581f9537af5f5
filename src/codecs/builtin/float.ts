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

/** The JS number of {@link float4Decimal}: the decimal parsed back as a double, as a text-format client would. */
function float4Exact(magnitude: number): number {
  const { mantissa, exponent } = float4Decimal(magnitude);
  return exponent === 0 ? mantissa : Number(`${mantissa}e${exponent}`);
}

// The fast path (float4Fast) gets the same number as float4Exact with double arithmetic. float4Decimal's digits are,
// among the decimals with the fewest significant digits strictly inside the float4's rounding interval, the one
// nearest the float4, ties to even (an equivalence checked against float4Exact for every float4 the fast path
// handles).
//
// Scaled by 10^j to s = f·10^j in [1e8, 1e9), the decimals with 9 − r digits are the multiples of 10^r, so the
// answer is the multiple of the largest 10^r inside (s − below, s + above) nearest s. For 0 ≤ j ≤ 12 every quantity
// involved is exact (f's 24-bit mantissa times 5^j stays below 2^53), so ties and interval bounds are decided
// exactly as Ryu decides them. For other j, s is one rounding off (at most 2^-24, as s < 2^30 and 10^|j| ≤ 10^22 is
// an exact double), so a decision closer than inexactMargin is left to the exact path, as are subnormals and values
// outside about [1.4e-14, 1.3e30), where 10^|j| would not be an exact double.

/** 10^0 … 10^22: the powers of ten a double holds exactly, so one multiply or divide by them rounds only once. */
const exactPowersOf10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** 10^0 … 10^9 as int32s, for testing candidates (integers up to 1e9) for trailing zeros with integer `%`. */
const int32PowersOf10 = Int32Array.from({ length: 10 }, (_, i) => 10 ** i);

/** Marks the biased exponents (subnormals, very small or large values) that float4Fast leaves to float4Exact. */
const noFastPath = 127;

/**
 * For each biased float4 exponent e, the scale j = 8 − ⌊log10 2^(e−127)⌋ that brings the binade's smallest value
 * into [1e8, 1e9) (larger values of the binade may need j − 1), or noFastPath when j or j − 1 would leave
 * −22…22 or the exponent is that of the subnormals.
 */
const scaleForExponent = new Int8Array(256);
/** For each biased float4 exponent e, half the gap to the next float4 above: 2^(e − 127 − 23 − 1). */
const halfGapForExponent = new Float64Array(256);
for (let e = 0; e < 256; e++) {
  const j = 8 - Math.floor((e - 127) * Math.log10(2));
  scaleForExponent[e] = e === 0 || j - 1 < -22 || j > 22 ? noFastPath : j;
  halfGapForExponent[e] = 2 ** (e - 151);
}

/**
 * When s is inexact, comparisons whose sides differ by less than this (in units of s) are not trusted: s is off by
 * at most 2^-24 and the interval half-widths by far less, so 2^-20 leaves ample room.
 */
const inexactMargin = 2 ** -20;

/** nearestInside's answer when a comparison was too close to trust. */
const tooClose = -1;
/** nearestInside's answer when no multiple of the unit lies inside the interval. */
const noneInside = 0;

/**
 * The multiple of `unit` (a power of ten up to 1e8) nearest `s` among those strictly inside
 * (s − below, s + above), ties to the even multiple, or noneInside, or tooClose when a comparison falls within
 * `margin` (0 when s is exact). A plain function rather than a closure: it runs a few times per decode.
 */
function nearestInside(s: number, unit: number, below: number, above: number, margin: number): number {
  // s − q·unit is exact (an integer multiple subtracted from a double below 2^30). The quotient may round up to
  // the next integer when s is just below a multiple, which the sign of the remainder reveals. (This is cheaper
  // than `s % unit`, which V8 compiles to a call to fmod.)
  let down = Math.floor(s / unit) * unit;
  let rem = s - down;
  if (rem < 0) {
    down -= unit;
    rem += unit;
  }
  const distUp = unit - rem; // exact: both are below 2^27 and have no bits below 2^-26 (s ≥ 1e8 > 2^26)
  if (margin !== 0 && (Math.abs(rem - below) < margin || Math.abs(distUp - above) < margin)) return tooClose;
  // Strictly inside: PostgreSQL builds Ryu without STRICTLY_SHORTEST, so a decimal on a bound is rejected.
  const downInside = rem < below;
  const upInside = distUp < above;
  if (downInside && upInside) {
    const diff = rem - distUp;
    if (diff < -margin) return down;
    if (diff > margin) return down + unit;
    if (margin !== 0) return tooClose;
    return ((down / unit) & 1) === 0 ? down : down + unit; // an exact tie: Ryu rounds half to even
  }
  return downInside ? down : upInside ? down + unit : noneInside;
}

/** Scratch views that reinterpret float4 bits as a number without allocating. */
const scratchBits = new Uint32Array(1);
const scratchFloat = new Float32Array(scratchBits.buffer);

/**
 * {@link float4Exact} computed with doubles for the common case, or NaN when the fast path cannot decide (the
 * caller then takes the exact path). `magnitude` is a finite nonzero float4's bits without the sign.
 */
function float4Fast(magnitude: number): number {
  const biased = magnitude >>> 23;
  let j = scaleForExponent[biased];
  if (j === noFastPath) return NaN;
  scratchBits[0] = magnitude;
  const f = scratchFloat[0];
  let s = j >= 0 ? f * exactPowersOf10[j] : f / exactPowersOf10[-j];
  if (s >= 1e9) {
    j--;
    s = j >= 0 ? f * exactPowersOf10[j] : f / exactPowersOf10[-j];
  }
  if (!(s >= 1e8 && s < 1e9)) return NaN;
  const margin = j >= 0 && j <= 12 ? 0 : inexactMargin;
  const halfGap = halfGapForExponent[biased];
  const above = j >= 0 ? halfGap * exactPowersOf10[j] : halfGap / exactPowersOf10[-j];
  // At a power of two (mantissa bits 0) the float4 below is half as far as the one above (Ryu's mmShift), except
  // at the smallest normal exponent, below which the subnormals keep the same spacing.
  const below = (magnitude & 0x7fffff) === 0 && biased > 1 ? above / 2 : above;
  // An open interval wider than the unit holds one of its multiples, so start at the largest such unit (the
  // width is between 4.4 and 120 here); the check below still confirms it.
  const width = above + below;
  let r = width > 100 ? 2 : width > 10 ? 1 : 0;
  let candidate = nearestInside(s, exactPowersOf10[r], below, above, margin);
  if (candidate <= 0) return NaN;
  let evaluated = r;
  // Find the largest r with a multiple of 10^r inside: once 10^(r+1) has none, no larger power has any (their
  // multiples are multiples of 10^(r+1)). A candidate's trailing zeros prove the levels they span, so short
  // decimals such as 1.5 need few probes.
  for (;;) {
    while (r < 8 && (candidate | 0) % int32PowersOf10[r + 1] === 0) r++;
    if (r === 8) break;
    const next = nearestInside(s, exactPowersOf10[r + 1], below, above, margin);
    if (next === tooClose) return NaN;
    if (next === noneInside) break;
    candidate = next;
    evaluated = ++r;
  }
  // A level reached through trailing zeros has a multiple inside, but it is only sure to be the nearest one when
  // the unit is at least the interval's width (then no other multiple fits inside).
  if (evaluated !== r && exactPowersOf10[r] < width) {
    candidate = nearestInside(s, exactPowersOf10[r], below, above, margin);
    if (candidate <= 0) return NaN;
  }
  // candidate·10^-j correctly rounded, as Number() reads the decimal: one rounding of exact operands.
  return j >= 0 ? candidate / exactPowersOf10[j] : candidate * exactPowersOf10[-j];
}

/**
 * The JS number of the decimal `float4out` prints for the float4 with these IEEE bits (with the default
 * `extra_float_digits` = 1, its shortest form). The binary value widened to a double would show float noise
 * (`1.100000023841858`), so binary and text results would disagree; this gives `1.1` in both, exactly as the
 * server's text reads back.
 */
export function float4FromBits(bits: number): number {
  return float4Value(bits, true);
}

/**
 * @internal {@link float4FromBits} computed by the exact (slow) bigint port of Ryu's f2s alone, never the fast
 * path: the reference that tests compare float4FromBits against. Not part of the public API.
 */
export function float4FromBitsExactForTests(bits: number): number {
  return float4Value(bits, false);
}

/** Zero, the specials and the sign around the decimal of the magnitude: fast path first when `fast`, else exact. */
function float4Value(bits: number, fast: boolean): number {
  const magnitude = bits & 0x7fffffff;
  const isNegative = bits >>> 31 === 1;
  if (magnitude === 0) return isNegative ? -0 : 0;
  if (magnitude >= 0x7f800000) return magnitude > 0x7f800000 ? NaN : isNegative ? -Infinity : Infinity;
  let n = fast ? float4Fast(magnitude) : NaN;
  if (n !== n) n = float4Exact(magnitude); // NaN: the fast path could not decide (or was not asked)
  return isNegative ? -n : n;
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

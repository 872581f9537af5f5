import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { float4Codec, float4FromBits, float4FromBitsExactForTests } from '../../../src/codecs/builtin/float.js';
import { decodeHex, expectCodecError } from './helpers.js';

// float4 binary decoding takes a double-arithmetic fast path and falls back to the exact bigint port of Ryu's f2s
// when it cannot decide; the two must agree on every bit pattern (an exhaustive sweep backs this up outside the
// test suite). Here: random patterns against the exact path, and the values whose text PostgreSQL's float4out
// prints are known.

const hex = (bits: number): string => bits.toString(16).padStart(8, '0');
const decode = (bits: number): number => decodeHex(float4Codec, hex(bits));

/** Asserts the codec decodes `bits` to exactly what the exact path gives (`toBe` is Object.is: -0 and NaN count). */
function expectMatchesExact(bits: number): void {
  expect(decode(bits), hex(bits)).toBe(float4FromBitsExactForTests(bits));
}

/** IEEE bits of a float4 from its parts. */
const bitsOf = (sign: boolean, biasedExponent: number, mantissa: number): number =>
  ((sign ? 0x80000000 : 0) | (biasedExponent << 23) | mantissa) >>> 0;

/** The float4 bits of a number (rounded to float4 as PostgreSQL's float4in would). */
function float4Bits(value: number): number {
  const buf = Buffer.alloc(4);
  buf.writeFloatBE(value);
  return buf.readUInt32BE(0);
}

describe('float4 binary decoding: fast path against the exact path', () => {
  it('agrees on random bit patterns', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), expectMatchesExact), { numRuns: 20_000 });
  });

  it('agrees on random patterns in the fast path’s exponent range (about 1e-14 to 1e30)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 81, max: 226 }), fc.integer({ min: 0, max: 0x7fffff }), (s, e, m) =>
        expectMatchesExact(bitsOf(s, e, m)),
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees on short decimals stored as float4 and their neighbours (ties and bounds live there)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -99_999, max: 99_999 }),
        fc.integer({ min: -50, max: 38 }),
        fc.integer({ min: -2, max: 2 }),
        (digits, exponent, step) => {
          const bits = float4Bits(Number(`${digits}e${exponent}`));
          const neighbour = (bits & 0x7fffffff) + step;
          if (neighbour >= 0 && neighbour <= 0x7fffffff) expectMatchesExact(((bits & 0x80000000) | neighbour) >>> 0);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees on mantissas with long runs of trailing zero bits, powers of two among them', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xff }), (s, e, m) =>
        expectMatchesExact(bitsOf(s, e, m << 15)),
      ),
      { numRuns: 5_000 },
    );
    for (let e = 0; e < 256; e++) {
      expectMatchesExact(bitsOf(false, e, 0));
      expectMatchesExact(bitsOf(true, e, 0));
    }
  });

  it('agrees at the edges of the fast path’s range and of the subnormals', () => {
    for (const e of [0, 1, 2, 79, 80, 81, 82, 225, 226, 227, 228, 253, 254]) {
      for (const m of [0, 1, 2, 0x400000, 0x7ffffe, 0x7fffff]) {
        expectMatchesExact(bitsOf(false, e, m));
        expectMatchesExact(bitsOf(true, e, m));
      }
    }
  });
});

describe('float4 binary decoding: values as float4out prints them', () => {
  it('gives the short decimal, not the widened float4', () => {
    expect(decode(0x3f8ccccd)).toBe(1.1); // 1.100000023841858 as a double
    expect(decode(0xbf8ccccd)).toBe(-1.1);
    expect(decode(0x3dcccccd)).toBe(0.1);
    expect(decode(0x3fc00000)).toBe(1.5);
    expect(decode(0x3e800000)).toBe(0.25);
    expect(decode(0x414570a4)).toBe(12.34);
    expect(decode(0x3f800001)).toBe(1.0000001);
    expect(decode(0x3f7fffff)).toBe(0.99999994);
    expect(decode(0x2edbe6ff)).toBe(1e-10);
    expect(decode(0x0da24260)).toBe(1e-30);
  });

  it('rejects a decimal exactly on the rounding interval’s bound (Ryu without STRICTLY_SHORTEST)', () => {
    // 3e10 is exactly halfway between these two float4s, so neither prints as 3e+10.
    expect(decode(0x50df8476)).toBe(3.0000001e10);
    expect(decode(0x50df8475)).toBe(2.9999999e10);
    expect(decode(float4Bits(3e10))).toBe(3.0000001e10);
    expect(decode(0x4f002666)).toBe(2.1500001e9); // 2150000128; 2.15e9 is the midpoint below
  });

  it('rounds an exact tie between two shortest candidates to even', () => {
    // 3000000.25: 3000000.2 and 3000000.3 are equally near and both inside; float4out prints 3000000.2.
    expect(decode(0x4a371b01)).toBe(3000000.2);
  });

  it('handles the extremes, powers of two and subnormals', () => {
    expect(decode(0x7f7fffff)).toBe(3.4028235e38); // max float4
    expect(decode(0x00000001)).toBe(1e-45); // min subnormal
    expect(decode(0x807fffff)).toBe(-1.1754942e-38); // max subnormal, negative
    expect(decode(0x00800000)).toBe(1.1754944e-38); // min normal
    expect(decode(0x3f000000)).toBe(0.5);
    expect(decode(0x3a800000)).toBe(0.0009765625); // 2^-10
    expect(decode(0x44800000)).toBe(1024);
    expect(decode(0x4b800000)).toBe(16777216); // 2^24
    expect(decode(0x4e800000)).toBe(1.0737418e9); // 2^30
    expect(decode(0x4d000000)).toBe(1.3421773e8); // 2^27
    expect(decode(0x71800000)).toBe(1.2676506e30); // 2^100
    expect(decode(0x7f000000)).toBe(1.7014118e38); // 2^127
  });

  it('keeps zeros, infinities and NaN', () => {
    expect(decode(0x00000000)).toBe(0);
    expect(decode(0x80000000)).toBe(-0);
    expect(decode(0x7f800000)).toBe(Infinity);
    expect(decode(0xff800000)).toBe(-Infinity);
    for (const nan of [0x7fc00000, 0xffc00000, 0x7f800001, 0xffffffff]) expect(decode(nan)).toBe(NaN);
  });

  it('float4FromBits is what the codec uses, and bad lengths still fail the same way', () => {
    expect(float4FromBits(0x3f8ccccd)).toBe(1.1);
    expectCodecError(() => decodeHex(float4Codec, '3f8ccc'), 'binary float4 value has 3 bytes, expected 4');
    expectCodecError(() => decodeHex(float4Codec, '3f8ccccd00'), 'binary float4 value has 5 bytes, expected 4');
  });
});

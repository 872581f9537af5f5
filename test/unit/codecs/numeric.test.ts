import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moneyCodec, numericCodec, parseNumericLiteral } from '../../../src/codecs/builtin/numeric.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

// Vectors from PostgreSQL 18: `SELECT numeric_send(x)`. Layout: ndigits, weight, sign, dscale, base-10000 digits.
const vectors: [string, string][] = [
  ['12345.678', '0003000100000003000109291a7c'], // digits 1, 2345, 6780; weight 1; dscale 3
  ['NaN', '00000000c0000000'],
  ['0.000', '0000000000000003'],
  ['-0.001', '0001ffff40000003000a'],
  ['0.00001', '0001fffe0000000503e8'],
  ['100000000000000000000', '00010005000000000001'],
  ['1.50', '000200000000000200011388'],
  ['10000', '00010001000000000001'],
  ['123456789.000001', '0005000200000006000109291a8500000064'],
];

describe('numeric', () => {
  it.each(vectors)('%s matches numeric_send', (text, hex) => {
    expect(decodeHex(numericCodec, hex)).toBe(text);
    expect(encodeHex(numericCodec, text)).toBe(hex);
  });
  it('decodes the specials whatever their dscale bits, and encodes them with dscale 0', () => {
    expect(decodeHex(numericCodec, '00000000d0000020')).toBe('Infinity');
    expect(decodeHex(numericCodec, '00000000f0000020')).toBe('-Infinity');
    expect(encodeHex(numericCodec, '-inf')).toBe('00000000f0000000');
    expect(encodeHex(numericCodec, 'infinity')).toBe('00000000d0000000');
  });
  it('encodes numbers by their shortest decimal, bigints exactly, exponents as numeric_in does', () => {
    expect(decodeHex(numericCodec, encodeHex(numericCodec, 0.1))).toBe('0.1');
    expect(decodeHex(numericCodec, encodeHex(numericCodec, 1e21))).toBe('1000000000000000000000');
    expect(decodeHex(numericCodec, encodeHex(numericCodec, 2n ** 70n))).toBe(String(2n ** 70n));
    expect(decodeHex(numericCodec, encodeHex(numericCodec, '1.5e3'))).toBe('1500');
    expect(decodeHex(numericCodec, encodeHex(numericCodec, '1.50e-3'))).toBe('0.00150');
    expect(decodeHex(numericCodec, encodeHex(numericCodec, ' -1_000.5 '))).toBe('-1000.5');
    expect(decodeHex(numericCodec, encodeHex(numericCodec, '-0.00'))).toBe('0.00');
    expect(numericCodec.encodeText!(12.5)).toBe('12.5');
    expect(numericCodec.encodeText!('nan')).toBe('NaN');
    expect(decodeHex(numericCodec, encodeHex(numericCodec, '-0x1F'))).toBe('-31');
  });
  it('refuses non-finite numbers and malformed literals', () => {
    expectCodecError(() => encodeHex(numericCodec, NaN), "pass the string 'NaN'");
    expectCodecError(() => encodeHex(numericCodec, Infinity), 'not a finite number');
    for (const bad of ['', '1.2.3', 'abc', '1e', '--1', '1_', '0x1G', '.']) {
      expectCodecError(() => encodeHex(numericCodec, bad), 'numeric literal');
    }
    expectCodecError(() => encodeHex(numericCodec, true), 'expected a numeric string');
    expectCodecError(() => encodeHex(numericCodec, '1e-20000'), 'overflows');
  });
  it('handles 1000-digit values', () => {
    const big = '9'.repeat(1000) + '.' + '1'.repeat(500);
    expect(decodeHex(numericCodec, encodeHex(numericCodec, big))).toBe(big);
    const small = '-0.' + '0'.repeat(900) + '123';
    expect(decodeHex(numericCodec, encodeHex(numericCodec, small))).toBe(small);
  });
  it('rejects truncated and corrupt binary', () => {
    expectTruncationsRejected(numericCodec, vectors[0][1]);
    expectCodecError(() => decodeHex(numericCodec, '0001000000000000270f00'), 'truncated');
    expectCodecError(() => decodeHex(numericCodec, '000100000000000027100'.padEnd(20, '0')), 'invalid digit');
    expectCodecError(() => decodeHex(numericCodec, '0000000012340000'), 'invalid sign');
  });
  it('round-trips canonical numeric strings exactly', () => {
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const canonical = fc
      .tuple(fc.boolean(), digits(1, 40), fc.option(digits(1, 40)))
      .map(([isNegative, intPart, frac]) => {
        const int = intPart.replace(/^0+(?=\d)/, '');
        const text = frac === null ? int : `${int}.${frac}`;
        return isNegative && /[1-9]/.test(text) ? '-' + text : text;
      });
    fc.assert(
      fc.property(canonical, (text) => {
        expect(decodeHex(numericCodec, encodeHex(numericCodec, text))).toBe(text);
      }),
    );
  });
  it('round-trips finite doubles to the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(Number(decodeHex(numericCodec, encodeHex(numericCodec, n)))).toBe(n === 0 ? 0 : n);
      }),
    );
  });
  it('parses literal parts', () => {
    expect(parseNumericLiteral('012.340')).toMatchObject({ digits: '1234', point: 2, dscale: 3, negative: false });
    expect(parseNumericLiteral('5.')).toMatchObject({ digits: '5', point: 1, dscale: 0 });
    expect(parseNumericLiteral('.5')).toMatchObject({ digits: '5', point: 0, dscale: 1 });
  });
});

describe('money', () => {
  it('is text only and passes the server text through', () => {
    expect(moneyCodec.decodeBinary).toBeUndefined();
    expect(moneyCodec.encodeBinary).toBeUndefined();
    expect(moneyCodec.decodeText('$1,234.56')).toBe('$1,234.56');
    expect(moneyCodec.encodeText!(12.5)).toBe('12.5');
    expectCodecError(() => moneyCodec.encodeText!(NaN));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecRegistry, Oid } from '../../../src/codecs/index.js';
import { float4Codec, float8Codec } from '../../../src/codecs/builtin/float.js';
import { int2Codec, int4Codec, int64Codec, oidCodec, parseIntegerLiteral } from '../../../src/codecs/builtin/integer.js';
import { boolCodec, charCodec, textCodec, voidCodec } from '../../../src/codecs/builtin/text.js';
import { binaryRoundTrip, decodeHex, encodeHex, expectCodecError, expectTruncationsRejected, textRoundTrip } from './helpers.js';

describe('bool', () => {
  it('is one byte both ways and t/f in text', () => {
    expect(encodeHex(boolCodec, true)).toBe('01');
    expect(decodeHex(boolCodec, '00')).toBe(false);
    expect(boolCodec.decodeText('t')).toBe(true);
    expect(boolCodec.encodeText!(false)).toBe('f');
    expect(encodeHex(boolCodec, 'yes')).toBe('01');
  });
  it('refuses non-booleans and bad lengths', () => {
    expectCodecError(() => encodeHex(boolCodec, 1), 'expected a boolean, got 1');
    expectCodecError(() => decodeHex(boolCodec, '0101'), 'has 2 bytes');
    expectCodecError(() => boolCodec.decodeText('x'));
  });
});

describe('integers', () => {
  it('encodes big-endian two-complement', () => {
    expect(encodeHex(int2Codec, -2)).toBe('fffe');
    expect(encodeHex(int4Codec, 2147483647)).toBe('7fffffff');
    expect(encodeHex(oidCodec, 4294967295)).toBe('ffffffff');
    expect(decodeHex(oidCodec, 'ffffffff')).toBe(4294967295);
  });
  it('range-checks with a clear reason', () => {
    expectCodecError(() => encodeHex(int2Codec, 40000), '40000 is out of range for int2');
    expectCodecError(() => encodeHex(int4Codec, 2147483648), '2147483648 is out of range for int4');
    expectCodecError(() => encodeHex(int4Codec, 1.5), 'expected an integer, got 1.5');
    expectCodecError(() => encodeHex(int4Codec, '1.5'), "expected an integer, got '1.5'");
    expectCodecError(() => encodeHex(oidCodec, -1), 'out of range for oid');
    expectCodecError(() => int4Codec.encodeText!(NaN));
  });
  it('accepts strings that parse exactly as integer literals (PostgreSQL 16 syntax)', () => {
    expect(encodeHex(int4Codec, '123')).toBe('0000007b');
    expect(encodeHex(int4Codec, ' -0x1F ')).toBe('ffffffe1');
    expect(parseIntegerLiteral('1_000')).toBe(1000n);
    expect(parseIntegerLiteral('0b101')).toBe(5n);
    expect(parseIntegerLiteral('0o17')).toBe(15n);
    expect(parseIntegerLiteral('1__0')).toBeUndefined();
    expect(parseIntegerLiteral('12a')).toBeUndefined();
  });
  it('rejects truncated input', () => {
    expectTruncationsRejected(int4Codec, '00000001');
    expectTruncationsRejected(int64Codec('int8', 'bigint'), '0000000000000001');
  });
  it('round-trips every int2 and int4 value in both formats', () => {
    fc.assert(
      fc.property(fc.integer({ min: -32768, max: 32767 }), (n) => {
        expect(binaryRoundTrip(int2Codec, n)).toBe(n);
        expect(textRoundTrip(int2Codec, n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(binaryRoundTrip(int4Codec, n)).toBe(n);
        expect(textRoundTrip(int4Codec, String(n))).toBe(n);
      }),
    );
  });
});

describe('int8 modes', () => {
  const big = int64Codec('int8', 'bigint');
  const num = int64Codec('int8', 'number');
  const str = int64Codec('int8', 'string');
  it('decodes to bigint, number or string', () => {
    expect(decodeHex(big, '7fffffffffffffff')).toBe(9223372036854775807n);
    expect(decodeHex(num, 'ffffffffffffffff')).toBe(-1);
    expect(decodeHex(str, '8000000000000000')).toBe('-9223372036854775808');
    expect(decodeHex(str, '0000000000000005')).toBe('5');
    expect(big.decodeText('-42')).toBe(-42n);
    expect(str.decodeText('9223372036854775807')).toBe('9223372036854775807');
  });
  it("'number' refuses what would round, in both formats", () => {
    expect(decodeHex(num, '001fffffffffffff')).toBe(Number.MAX_SAFE_INTEGER);
    expectCodecError(() => decodeHex(num, '0020000000000000'), 'MAX_SAFE_INTEGER');
    expectCodecError(() => decodeHex(num, 'ffe0000000000000'), 'MAX_SAFE_INTEGER');
    expectCodecError(() => num.decodeText('9007199254740993'), 'MAX_SAFE_INTEGER');
  });
  it('encodes numbers, bigints and exact strings', () => {
    expect(encodeHex(big, -1)).toBe('ffffffffffffffff');
    expect(encodeHex(big, '9007199254740993')).toBe('0020000000000001');
    expect(encodeHex(big, -(2n ** 63n))).toBe('8000000000000000');
    expectCodecError(() => encodeHex(big, 2n ** 63n), 'out of range for int8');
    expectCodecError(() => encodeHex(big, 2 ** 60), 'MAX_SAFE_INTEGER');
    expect(big.encodeText!(12n)).toBe('12');
  });
  it('xid8 is unsigned', () => {
    const xid8 = int64Codec('xid8', 'bigint');
    expect(decodeHex(xid8, 'ffffffffffffffff')).toBe(2n ** 64n - 1n);
    expect(encodeHex(xid8, 2n ** 64n - 1n)).toBe('ffffffffffffffff');
    expectCodecError(() => encodeHex(xid8, -1), 'out of range for xid8');
    expect(decodeHex(int64Codec('xid8', 'string'), 'ffffffffffffffff')).toBe('18446744073709551615');
  });
  it('round-trips any int8', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(binaryRoundTrip(big, n)).toBe(n);
        expect(binaryRoundTrip(str, n)).toBe(String(n));
        expect(textRoundTrip(big, n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(binaryRoundTrip(num, n)).toBe(n);
      }),
    );
  });
  it('follows the registry option, arrays and ranges included', () => {
    const reg = new CodecRegistry({ int8: 'string' });
    expect(decodeHex(reg.get(Oid.int8)!, '0000000000000007')).toBe('7');
    expect(reg.get(Oid._int8)!.decodeText('{1,2}')).toEqual(['1', '2']);
    expect(new CodecRegistry().get(Oid.int8)!.decodeText('1')).toBe(1n);
  });
});

describe('floats', () => {
  it('float4 decodes to the shortest decimal of the float4', () => {
    expect(decodeHex(float4Codec, '3f8ccccd')).toBe(1.1);
    expect(decodeHex(float4Codec, '7f7fffff')).toBe(3.4028235e38);
    expect(decodeHex(float4Codec, '80000000')).toBe(-0);
    expect(float4Codec.decodeText('1.1')).toBe(1.1);
    expectCodecError(() => encodeHex(float4Codec, 1e39), 'out of range for float4');
    expectCodecError(() => encodeHex(float4Codec, 1e-50), 'out of range for float4');
  });
  it('keeps -0, NaN and infinities in both formats', () => {
    for (const v of [-0, NaN, Infinity, -Infinity]) {
      expect(binaryRoundTrip(float8Codec, v)).toBe(v);
      expect(textRoundTrip(float8Codec, v)).toBe(v);
      expect(binaryRoundTrip(float4Codec, v)).toBe(v);
    }
    expect(float8Codec.encodeText!(-0)).toBe('-0');
    expect(float8Codec.decodeText('1e+20')).toBe(1e20);
    expectCodecError(() => float8Codec.decodeText('abc'));
    expect(encodeHex(float8Codec, '-Infinity')).toBe('fff0000000000000');
    expectCodecError(() => encodeHex(float8Codec, '1,5'), 'expected a number');
  });
  it('round-trips doubles exactly and float4 values as float4', () => {
    fc.assert(
      fc.property(fc.double(), (d) => {
        expect(binaryRoundTrip(float8Codec, d)).toBe(d);
        expect(textRoundTrip(float8Codec, d)).toBe(d);
      }),
    );
    fc.assert(
      fc.property(fc.float(), (f) => {
        const decoded = binaryRoundTrip(float4Codec, f);
        expect(Object.is(Math.fround(decoded), f) || (Number.isNaN(f) && Number.isNaN(decoded))).toBe(true);
      }),
    );
  });
});

describe('"char", text, void', () => {
  it('"char" is one byte, high bytes written as octal text', () => {
    expect(decodeHex(charCodec, '61')).toBe('a');
    expect(decodeHex(charCodec, '00')).toBe('');
    expect(decodeHex(charCodec, 'c3')).toBe('Ã');
    expect(charCodec.decodeText('\\303')).toBe('Ã');
    expect(charCodec.encodeText!('Ã')).toBe('\\303');
    expectCodecError(() => encodeHex(charCodec, 'ab'), 'at most one character');
    expectCodecError(() => encodeHex(charCodec, '✓'), 'one-byte');
  });
  it('text decodes UTF-8 (short ASCII fast path and long/multibyte path)', () => {
    expect(decodeHex(textCodec, Buffer.from('abc').toString('hex'))).toBe('abc');
    const s = 'héllo wörld ✓ 😀';
    expect(decodeHex(textCodec, Buffer.from(s).toString('hex'))).toBe(s);
    expect(decodeHex(textCodec, Buffer.from('é').toString('hex'))).toBe('é');
    expect(encodeHex(textCodec, 42)).toBe(Buffer.from('42').toString('hex'));
    expect(textCodec.encodeText!(new Date(Date.UTC(2024, 1, 29, 13, 45)))).toBe('2024-02-29 13:45:00+00');
    expectCodecError(() => textCodec.encodeText!({}), 'expected a string');
  });
  it('round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(binaryRoundTrip(textCodec, s)).toBe(s);
      }),
    );
  });
  it('void is null', () => {
    expect(decodeHex(voidCodec, '')).toBeNull();
    expect(voidCodec.decodeText('')).toBeNull();
  });
});

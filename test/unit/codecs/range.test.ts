import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecRegistry, multirangeCodec, Oid, Range, rangeCodec } from '../../../src/codecs/index.js';
import { int4Codec } from '../../../src/codecs/builtin/integer.js';
import { textCodec } from '../../../src/codecs/builtin/text.js';
import { timestamptzCodec } from '../../../src/codecs/builtin/timestamp.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

const int4range = rangeCodec({ oid: Oid.int4range, name: 'int4range', subtype: int4Codec });
const textrange = rangeCodec({ oid: 1, name: 'textrange', subtype: textCodec });
const int4multirange = multirangeCodec({ oid: Oid.int4multirange, name: 'int4multirange', range: int4range });

describe('Range', () => {
  it('normalises unbounded ends and empty ranges', () => {
    expect(new Range(null, 5, true, true)).toEqual({ lower: null, upper: 5, lowerInc: false, upperInc: true, isEmpty: false });
    expect(new Range(1, 5)).toMatchObject({ lowerInc: true, upperInc: false });
    expect(Range.empty()).toEqual({ lower: null, upper: null, lowerInc: false, upperInc: false, isEmpty: true });
  });
});

describe('range codec', () => {
  // `SELECT range_send(x)`: flags byte, then each finite bound as int32 length + bytes.
  it.each([
    ['[1,5)', '0200000004000000010000000400000005', new Range(1, 5)],
    ['empty', '01', Range.empty()],
    ['(,6)', '080000000400000006', new Range(null, 6, false, false)],
    ['[1,)', '120000000400000001', new Range(1, null)],
    ['(,)', '18', new Range(null, null)],
  ])('%s matches range_send', (text, hex, range) => {
    expect(decodeHex(int4range, hex)).toEqual(range);
    expect(encodeHex(int4range, range)).toBe(hex);
    expect(int4range.decodeText(text)).toEqual(range);
    expect(int4range.encodeText!(range)).toBe(text);
  });
  it('accepts plain objects with the Range fields', () => {
    expect(encodeHex(int4range, { lower: 1, upper: 5 })).toBe('0200000004000000010000000400000005');
    expect(int4range.encodeText!({ lower: null, upper: 5, upperInc: true })).toBe('(,5]');
    expectCodecError(() => encodeHex(int4range, [1, 5]), 'expected a Range');
    expectCodecError(() => encodeHex(int4range, { lower: 1, lowerInc: 'yes' }), 'lowerInc');
  });
  it('quotes bounds as range_out does', () => {
    const r = new Range('a b', 'c"d', true, true);
    expect(textrange.encodeText!(r)).toBe('["a b","c""d"]');
    expect(textrange.decodeText('["a b","c""d"]')).toEqual(r);
    expect(textrange.decodeText('(,"")')).toEqual(new Range(null, '', false, false));
    expect(textrange.decodeText('[a\\,b,"x\\"y")')).toEqual(new Range('a,b', 'x"y'));
  });
  it('decodes timestamp bounds, infinity bounds included', () => {
    const tstz = rangeCodec({ oid: Oid.tstzrange, name: 'tstzrange', subtype: timestamptzCodec });
    expect(tstz.decodeText('["2024-01-01 10:00:00+00",infinity]')).toEqual(new Range<Date | number>(new Date('2024-01-01T10:00:00Z'), Infinity, true, true));
  });
  it('refuses malformed and truncated input', () => {
    expectTruncationsRejected(int4range, '0200000004000000010000000400000005');
    expectCodecError(() => decodeHex(int4range, '1800'), 'bytes after');
    for (const bad of ['', '[1,5', '1,5)', '[1,5)x', '[1']) expectCodecError(() => int4range.decodeText(bad));
  });
  it('round-trips in both formats', () => {
    const bound = fc.option(fc.integer(), { nil: null });
    const arb = fc.oneof(
      fc.tuple(bound, bound, fc.boolean(), fc.boolean()).map(([l, u, li, ui]) => new Range(l, u, li, ui)),
      fc.constant(Range.empty()),
    );
    fc.assert(
      fc.property(arb, (r) => {
        expect(decodeHex(int4range, encodeHex(int4range, r))).toEqual(r);
        expect(int4range.decodeText(int4range.encodeText!(r))).toEqual(r);
      }),
    );
    const textBound = fc.option(fc.string({ unit: 'grapheme' }), { nil: null });
    fc.assert(
      fc.property(textBound, textBound, (l, u) => {
        const r = new Range(l, u, true, false);
        expect(textrange.decodeText(textrange.encodeText!(r))).toEqual(r);
      }),
    );
  });
});

describe('multirange codec', () => {
  const hex = '00000002000000110200000004000000010000000400000003000000110200000004000000050000000400000007';
  it('matches multirange_send', () => {
    const value = [new Range(1, 3), new Range(5, 7)];
    expect(decodeHex(int4multirange, hex)).toEqual(value);
    expect(encodeHex(int4multirange, value)).toBe(hex);
    expect(int4multirange.decodeText('{[1,3), [5,7)}')).toEqual(value);
    expect(int4multirange.encodeText!(value)).toBe('{[1,3),[5,7)}');
    expect(int4multirange.decodeText('{}')).toEqual([]);
    expect(decodeHex(int4multirange, '00000000')).toEqual([]);
  });
  it('finds range ends past quoted brackets', () => {
    const texts = multirangeCodec({ oid: 2, name: 'textmultirange', range: textrange });
    expect(texts.decodeText('{["a)",b), empty}')).toEqual([new Range('a)', 'b'), Range.empty()]);
  });
  it('refuses truncation and malformed text', () => {
    expectTruncationsRejected(int4multirange, hex);
    for (const bad of ['', '{', '{[1,3)', '{[1,3);[4,5)}', '[1,3)']) expectCodecError(() => int4multirange.decodeText(bad));
  });
  it('comes built in for the built-in ranges, in every int8 mode', () => {
    const reg = new CodecRegistry({ int8: 'number' });
    expect(reg.get(Oid.int8multirange)!.decodeText('{[1,3)}')).toEqual([new Range(1, 3)]);
    expect(reg.get(Oid.daterange)!.decodeText('[2024-01-01,2024-02-01)')).toEqual(new Range('2024-01-01', '2024-02-01'));
    expect(reg.get(Oid._int4range)!.decodeText('{"[1,5)",empty}')).toEqual([new Range(1, 5), Range.empty()]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayCodec, CodecRegistry, formatArrayText, Oid, parseArrayText } from '../../../src/codecs/index.js';
import { boxCodec } from '../../../src/codecs/builtin/geometry.js';
import { int4Codec } from '../../../src/codecs/builtin/integer.js';
import { int2vectorCodec } from '../../../src/codecs/builtin/system.js';
import { textCodec } from '../../../src/codecs/builtin/text.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

const int4Array = arrayCodec({ oid: Oid._int4, name: '_int4', element: int4Codec });
const textArray = arrayCodec({ oid: Oid._text, name: '_text', element: textCodec });

describe('array binary format', () => {
  // `SELECT array_send('{{1,2},{3,NULL}}'::int4[])`: ndim 2, has-null 1, elem 23, dims (2,1) (2,1), elements.
  const hex2d = '00000002000000010000001700000002000000010000000200000001000000040000000100000004000000020000000400000003ffffffff';
  it('matches array_send for a 2-D array with NULL', () => {
    expect(decodeHex(int4Array, hex2d)).toEqual([[1, 2], [3, null]]);
    expect(encodeHex(int4Array, [[1, 2], [3, null]])).toBe(hex2d);
  });
  it('drops non-default lower bounds on decode', () => {
    const lbound0 = hex2d.replace('0000000200000001000000020000000100000004', '0000000200000000000000020000000100000004');
    expect(decodeHex(int4Array, lbound0)).toEqual([[1, 2], [3, null]]);
  });
  it('writes empty arrays, however nested, as ndim 0', () => {
    expect(encodeHex(int4Array, [])).toBe('000000000000000000000017');
    expect(encodeHex(int4Array, [[], []])).toBe('000000000000000000000017');
    expect(decodeHex(int4Array, '000000000000000000000017')).toEqual([]);
  });
  it('names the problem with ragged arrays', () => {
    expectCodecError(() => encodeHex(int4Array, [[1, 2], [3]]), 'sub-array at [1] has 1 elements, expected 2');
    expectCodecError(() => encodeHex(int4Array, [[1], 2]), 'expected a sub-array of 1 elements at [1], got 2');
    expectCodecError(() => encodeHex(int4Array, [1, [2]]), 'expected an element at [1], got a sub-array');
    expectCodecError(() => encodeHex(int4Array, [[1], null]), 'ragged');
    expectCodecError(() => encodeHex(int4Array, [[], [1]]), 'ragged');
    expectCodecError(() => encodeHex(int4Array, [1, undefined]), 'undefined');
    expectCodecError(() => encodeHex(int4Array, [[[[[[[1]]]]]]]), 'more than 6 dimensions');
    expectCodecError(() => encodeHex(int4Array, 5), 'expected an array');
    expectCodecError(() => encodeHex(int4Array, [1, 2.5]), 'expected an integer, got 2.5');
  });
  it('rejects truncated and hostile headers without looping or allocating', () => {
    expectTruncationsRejected(int4Array, hex2d);
    expectCodecError(() => decodeHex(int4Array, '000000010000000000000017' + '7fffffff00000001'), 'truncated');
    expectCodecError(() => decodeHex(int4Array, '00000007000000000000001700'), 'dimensions');
    expectCodecError(() => decodeHex(int4Array, '0000000100000000000000170000000100000001000000040000000100'), 'bytes after');
  });
  it('treats arrays of array-valued types (box, int2vector) as elements', () => {
    const boxes = arrayCodec({ oid: Oid._box, name: '_box', element: boxCodec, delimiter: ';' });
    const value = [[{ x: 3, y: 4 }, { x: 1, y: 2 }], [{ x: 7, y: 8 }, { x: 5, y: 6 }]];
    expect(decodeHex(boxes, encodeHex(boxes, value))).toEqual(value);
    expect(boxes.decodeText('{(3,4),(1,2);(7,8),(5,6)}')).toEqual(value);
    expect(boxes.encodeText!(value)).toBe('{(3,4),(1,2);(7,8),(5,6)}');
    const vectors = arrayCodec({ oid: Oid._int2vector, name: '_int2vector', element: int2vectorCodec });
    expect(vectors.decodeText('{"1 2",3}')).toEqual([[1, 2], [3]]);
    expect(vectors.encodeText!([[1, 2], [], [3]])).toBe('{"1 2","",3}');
    expect(vectors.encodeText!([[[1, 2]], [[3]]])).toBe('{{"1 2"},{3}}');
  });
  it('round-trips nested arrays with NULLs', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([a, b, c]) =>
        fc.array(fc.array(fc.array(fc.option(fc.integer(), { nil: null }), { minLength: c, maxLength: c }), { minLength: b, maxLength: b }), {
          minLength: a,
          maxLength: a,
        }),
      );
    fc.assert(
      fc.property(arb, (value) => {
        expect(decodeHex(int4Array, encodeHex(int4Array, value))).toEqual(value);
        expect(int4Array.decodeText(int4Array.encodeText!(value))).toEqual(value);
      }),
    );
  });
});

describe('array text format', () => {
  it('parses quoting, escapes, NULL and whitespace as array_in does', () => {
    expect(parseArrayText('{"a b",NULL,"NULL","",x\\,y, spaced ,"q\\"q"}', ',', (s) => s)).toEqual([
      'a b',
      null,
      'NULL',
      '',
      'x,y',
      'spaced',
      'q"q',
    ]);
    expect(parseArrayText('[0:1][1:2]={{1,2},{3,NULL}}', ',', Number)).toEqual([[1, 2], [3, null]]);
    expect(parseArrayText(' { { 1 } , { 2 } } ', ',', Number)).toEqual([[1], [2]]);
    expect(parseArrayText('{}', ',', Number)).toEqual([]);
    expect(parseArrayText('{null,Null,\\NULL}', ',', (s) => s)).toEqual([null, null, 'NULL']);
  });
  it('quotes what array_out quotes', () => {
    expect(textArray.encodeText!(['a b', '"q"', '', 'NULL', 'null', 'x', 'a,b', '{', '\\', '\t', 'é', null])).toBe(
      '{"a b","\\"q\\"","","NULL","null",x,"a,b","{","\\\\","\t",é,NULL}',
    );
    expect(formatArrayText([[1, 2], [3, 4]], ',', false, String)).toBe('{{1,2},{3,4}}');
  });
  it('refuses malformed text, always terminating', () => {
    for (const bad of ['', '{', '{1', '{1,', '{"a}', '{1}}', '1,2', '{a{b}', '{,}', '[1:2={1}', '{1\\']) {
      expectCodecError(() => parseArrayText(bad, ',', (s) => s), 'malformed array');
    }
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', ',', '"', '\\', 'a', ' ', 'N') }), (text) => {
        try {
          parseArrayText(text, ',', (s) => s);
        } catch (err) {
          expect((err as Error).name).toBe('CodecError');
        }
      }),
    );
  });
  it('formats and parses back any text array', () => {
    const arb = fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }));
    fc.assert(
      fc.property(arb, (value) => {
        expect(textArray.decodeText(textArray.encodeText!(value))).toEqual(value);
        expect(decodeHex(textArray, encodeHex(textArray, value))).toEqual(value);
      }),
    );
  });
  it('builds built-in arrays lazily, text-only when the element is (money[], aclitem[])', () => {
    const reg = new CodecRegistry();
    expect(reg.get(Oid._money)!.decodeBinary).toBeUndefined();
    expect(reg.get(Oid._money)!.decodeText('{$1.00,NULL}')).toEqual(['$1.00', null]);
    expect(reg.resultFormat(Oid._aclitem)).toBe(0);
    expect(reg.get(Oid._box)!.decodeText('{(3,4),(1,2)}')).toEqual([[{ x: 3, y: 4 }, { x: 1, y: 2 }]]);
    expect(reg.get(Oid._int4)).toBe(reg.get(Oid._int4));
  });
});

describe('int4[] fast path', () => {
  // The same int4 functions under another codec object take the generic per-element loop.
  const genericInt4 = { ...int4Codec };
  const genericArray = arrayCodec({ oid: Oid._int4, name: '_int4', element: genericInt4 });
  const cell = fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null });

  it('decodes exactly what the generic loop decodes, NULLs and two dimensions included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(cell, { maxLength: 50 }), fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 })), (value) => {
        const hex = encodeHex(int4Array, value);
        expect(decodeHex(int4Array, hex)).toEqual(decodeHex(genericArray, hex));
        expect(decodeHex(int4Array, hex)).toEqual(value);
      }),
    );
  });

  it('rejects a wrong element length and truncation with the generic messages', () => {
    // One element of 3 bytes instead of 4.
    const bad = '00000001' + '00000000' + '00000017' + '00000001' + '00000001' + '00000003' + '000001';
    expect(() => decodeHex(int4Array, bad)).toThrow(/int4/);
    expect(() => decodeHex(int4Array, bad)).toThrow((() => { try { decodeHex(genericArray, bad); } catch (e) { return (e as Error).message; } return 'no error'; })());
    expectTruncationsRejected(int4Array, encodeHex(int4Array, [1, null, -3]));
  });
});

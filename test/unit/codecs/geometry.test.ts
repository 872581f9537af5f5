import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boxCodec,
  circleCodec,
  lineCodec,
  lsegCodec,
  pathCodec,
  pointCodec,
  polygonCodec,
} from '../../../src/codecs/builtin/geometry.js';
import type { Codec } from '../../../src/codecs/index.js';
import { binaryRoundTrip, decodeHex, encodeHex, expectCodecError, expectTruncationsRejected, textRoundTrip } from './helpers.js';

describe('geometric types', () => {
  it('box is sent upper-right corner first (box_send) and normalised on encode', () => {
    const hex = '400800000000000040100000000000003ff00000000000004000000000000000';
    expect(decodeHex(boxCodec, hex)).toEqual([{ x: 3, y: 4 }, { x: 1, y: 2 }]);
    expect(encodeHex(boxCodec, [{ x: 1, y: 2 }, { x: 3, y: 4 }])).toBe(hex);
    expect(boxCodec.decodeText('(3,4),(1,2)')).toEqual([{ x: 3, y: 4 }, { x: 1, y: 2 }]);
    expect(boxCodec.encodeText!([{ x: 1, y: 4 }, { x: 3, y: 2 }])).toBe('(3,4),(1,2)');
  });
  it('path carries its closed flag and point count (path_send)', () => {
    const hex = '00000000023ff0000000000000400000000000000040080000000000004010000000000000';
    const open = { closed: false, points: [{ x: 1, y: 2 }, { x: 3, y: 4 }] };
    expect(decodeHex(pathCodec, hex)).toEqual(open);
    expect(encodeHex(pathCodec, open)).toBe(hex);
    expect(pathCodec.decodeText('[(1,2),(3,4)]')).toEqual(open);
    expect(pathCodec.decodeText('((1,2),(3,4))')).toEqual({ ...open, closed: true });
    expect(pathCodec.encodeText!({ ...open, closed: true })).toBe('((1,2),(3,4))');
  });
  it('reads float8out numbers, exponents and specials included', () => {
    expect(pointCodec.decodeText('(1e+20,-Infinity)')).toEqual({ x: 1e20, y: -Infinity });
    expect(pointCodec.decodeText('(NaN,-0)')).toEqual({ x: NaN, y: -0 });
    expect(circleCodec.decodeText('<(1.5,-2),3>')).toEqual({ x: 1.5, y: -2, radius: 3 });
    expect(lineCodec.decodeText('{1,-2,3.25}')).toEqual({ a: 1, b: -2, c: 3.25 });
    expect(lsegCodec.decodeText('[(1,2),(3,4)]')).toEqual([{ x: 1, y: 2 }, { x: 3, y: 4 }]);
    expect(polygonCodec.decodeText('((0,0),(1,1),(1,0))')).toHaveLength(3);
  });
  it('refuses wrong shapes, counts and truncation', () => {
    expectCodecError(() => encodeHex(pointCodec, [1, 2]), 'x');
    expectCodecError(() => encodeHex(pointCodec, { x: '1', y: 2 }), 'a number for x');
    expectCodecError(() => encodeHex(lsegCodec, [{ x: 1, y: 2 }]), '2 points');
    expectCodecError(() => encodeHex(pathCodec, [{ x: 1, y: 2 }]), 'path');
    expectCodecError(() => pointCodec.decodeText('(1,2,3)'), 'invalid point');
    expectCodecError(() => polygonCodec.decodeText('((1,2),(3))'), 'invalid polygon');
    expectTruncationsRejected(pathCodec, '00000000023ff0000000000000400000000000000040080000000000004010000000000000');
    expectTruncationsRejected(circleCodec, '3ff000000000000040000000000000004008000000000000');
    expectCodecError(() => decodeHex(polygonCodec, '7fffffff'), 'truncated');
  });
  it('round-trips in both formats', () => {
    const num = fc.double({ noNaN: true });
    const point = fc.record({ x: num, y: num });
    const cases: [Codec, fc.Arbitrary<unknown>][] = [
      [pointCodec, point],
      [lineCodec, fc.record({ a: num, b: num, c: num })],
      [lsegCodec, fc.tuple(point, point)],
      [pathCodec, fc.record({ closed: fc.boolean(), points: fc.array(point) })],
      [polygonCodec, fc.array(point)],
      [circleCodec, fc.record({ x: num, y: num, radius: num })],
    ];
    for (const [codec, arb] of cases) {
      fc.assert(
        fc.property(arb, (value) => {
          expect(binaryRoundTrip(codec, value)).toEqual(value);
          expect(textRoundTrip(codec, value)).toEqual(value);
        }),
      );
    }
  });
});

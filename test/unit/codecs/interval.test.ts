import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Interval, intervalCodec } from '../../../src/codecs/builtin/interval.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

const fields = (iv: Interval) => ({ months: iv.months, days: iv.days, microseconds: iv.microseconds });

describe('interval', () => {
  it('matches interval_send: time µs, days, months', () => {
    const hex = '000000036c9361a0000000030000000e';
    expect(fields(decodeHex(intervalCodec, hex))).toEqual({ months: 14, days: 3, microseconds: 14706500000 });
    expect(encodeHex(intervalCodec, new Interval(14, 3, 14706500000))).toBe(hex);
    expect(encodeHex(intervalCodec, { days: 3, months: 14, microseconds: 14706500000n })).toBe(hex);
  });
  it('maps PostgreSQL 17 infinite intervals to ±Infinity in every field, both ways', () => {
    const minus = decodeHex(intervalCodec, '80000000000000008000000080000000');
    expect(fields(minus)).toEqual({ months: -Infinity, days: -Infinity, microseconds: -Infinity });
    expect(minus.toString()).toBe('-infinity');
    expect(encodeHex(intervalCodec, { months: Infinity, days: Infinity, microseconds: Infinity })).toBe(
      '7fffffffffffffff7fffffff7fffffff',
    );
    expect(intervalCodec.decodeText('infinity').isFinite).toBe(false);
  });
  it('formats ISO 8601 like IntervalStyle iso_8601', () => {
    expect(new Interval(14, 3, 14706500000).toString()).toBe('P1Y2M3DT4H5M6.5S');
    expect(new Interval(-14, 3, -14706250000).toString()).toBe('P-1Y-2M3DT-4H-5M-6.25S');
    expect(new Interval(0, 0, 0).toString()).toBe('PT0S');
    expect(new Interval(0, 0, -500000).toString()).toBe('PT-0.5S');
    expect(new Interval(1200, 0, 1).toString()).toBe('P100YT0.000001S');
    expect(new Interval(0, -1, 3600000000).toString()).toBe('P-1DT1H');
  });
  it.each([
    // IntervalStyle postgres (the default)
    ['1 year 2 mons 3 days 04:05:06.5', 14, 3, 14706500000],
    ['-1 years -2 mons +3 days -04:05:06.25', -14, 3, -14706250000],
    ['-00:00:01.5', 0, 0, -1500000],
    ['100 years 00:00:00.000001', 1200, 0, 1],
    ['-1 days +01:00:00', 0, -1, 3600000000],
    ['00:00:00', 0, 0, 0],
    ['123:00:00', 0, 0, 442800000000],
    // postgres_verbose
    ['@ 1 year 2 mons -3 days 4 hours 5 mins 6.25 secs ago', -14, 3, -14706250000],
    ['@ 0', 0, 0, 0],
    ['@ 0.5 secs ago', 0, 0, -500000],
    // sql_standard
    ['+1-2 +3 +4:05:06.5', 14, 3, 14706500000],
    ['-1-2 +3 -4:05:06.25', -14, 3, -14706250000],
    ['-1-2', -14, 0, 0],
    ['3 4:05:06', 0, 3, 14706000000],
    ['-3 4:05:06', 0, -3, -14706000000],
    ['0', 0, 0, 0],
    ['-0:00:00.5', 0, 0, -500000],
    // iso_8601
    ['P1Y2M3DT4H5M6.5S', 14, 3, 14706500000],
    ['P-1Y-2M3DT-4H-5M-6.25S', -14, 3, -14706250000],
    ['PT0S', 0, 0, 0],
    ['P2W', 0, 14, 0],
    // unit words as users write them
    ['1 hour 30 minutes', 0, 0, 5400000000],
    ['1.5 seconds', 0, 0, 1500000],
    ['2 weeks 1 day', 0, 15, 0],
    ['250 ms', 0, 0, 250000],
  ])('reads %s', (text, months, days, microseconds) => {
    expect(fields(intervalCodec.decodeText(text))).toEqual({ months, days, microseconds });
  });
  it('refuses what it cannot read exactly', () => {
    expectCodecError(() => intervalCodec.decodeText('1.5 days'), 'invalid interval');
    expectCodecError(() => intervalCodec.decodeText('soon'), 'invalid interval');
    expectCodecError(() => intervalCodec.decodeText('P'), 'invalid interval');
    expectCodecError(() => encodeHex(intervalCodec, { months: 1.5 }), 'integer months');
    expectCodecError(() => encodeHex(intervalCodec, 5), 'interval object');
    expectCodecError(() => encodeHex(intervalCodec, { microseconds: 2 ** 60 }), 'out of range');
    expectCodecError(() => decodeHex(intervalCodec, '7fffffffffffffff0000000000000000'), 'MAX_SAFE_INTEGER');
    expectTruncationsRejected(intervalCodec, '000000036c9361a0000000030000000e');
  });
  it('round-trips in binary and through its ISO text', () => {
    const arb = fc.record({
      months: fc.integer({ min: -2147483647, max: 2147483647 }),
      days: fc.integer({ min: -2147483647, max: 2147483647 }),
      microseconds: fc.maxSafeInteger(),
    });
    fc.assert(
      fc.property(arb, (v) => {
        expect(fields(decodeHex(intervalCodec, encodeHex(intervalCodec, v)))).toEqual(v);
        expect(fields(intervalCodec.decodeText(intervalCodec.encodeText!(v)))).toEqual(v);
      }),
    );
  });
});

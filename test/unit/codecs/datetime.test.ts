import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, formatCivil, PG_EPOCH_DAYS } from '../../../src/codecs/builtin/calendar.js';
import { dateCodec, timeCodec, timetzCodec } from '../../../src/codecs/builtin/date-time.js';
import { timestampCodec, timestamptzCodec } from '../../../src/codecs/builtin/timestamp.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

const DATE_MIN = daysFromCivil(-4713, 11, 24);
const DATE_MAX = daysFromCivil(5874897, 12, 31);

function int32Hex(n: number): string {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b.toString('hex');
}

function int64Hex(n: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b.toString('hex');
}

describe('date', () => {
  // `SELECT date_send(x)` on PostgreSQL 18: int32 days since 2000-01-01.
  it.each([
    ['2024-02-29', '00002279'],
    ['0044-03-15 BC', 'fff49d7b'],
    ['infinity', '7fffffff'],
    ['-infinity', '80000000'],
    ['2000-01-01', '00000000'],
  ])('%s ↔ %s', (text, hex) => {
    expect(decodeHex(dateCodec, hex)).toBe(text);
    expect(encodeHex(dateCodec, text)).toBe(hex);
  });
  it('prints years as ISO DateStyle does', () => {
    expect(decodeHex(dateCodec, int32Hex(daysFromCivil(10000, 1, 1)))).toBe('10000-01-01');
    expect(decodeHex(dateCodec, int32Hex(DATE_MIN))).toBe('4714-11-24 BC'); // ffda97a7, the first valid date
    expect(decodeHex(dateCodec, int32Hex(DATE_MAX))).toBe('5874897-12-31');
    expect(decodeHex(dateCodec, int32Hex(daysFromCivil(0, 12, 31)))).toBe('0001-12-31 BC');
  });
  it('encodes a Date as its UTC calendar day, and ±Infinity', () => {
    expect(dateCodec.encodeText!(new Date(Date.UTC(2024, 1, 29, 23, 59, 59)))).toBe('2024-02-29');
    expect(dateCodec.encodeText!(new Date(Date.UTC(1969, 11, 31, 0, 0, 1)))).toBe('1969-12-31');
    expect(encodeHex(dateCodec, -Infinity)).toBe('80000000');
  });
  it('refuses impossible and out-of-range dates', () => {
    expectCodecError(() => encodeHex(dateCodec, '2023-02-29'), 'day 29 is out of range');
    expectCodecError(() => encodeHex(dateCodec, '2024-13-01'), 'month 13');
    expectCodecError(() => encodeHex(dateCodec, '0000-01-01'), 'year 0');
    expectCodecError(() => encodeHex(dateCodec, '4714-11-23 BC'), 'out of range');
    expect(encodeHex(dateCodec, '4714-11-24 BC')).toBe('ffda97a7');
    expectCodecError(() => encodeHex(dateCodec, new Date(NaN)), 'valid Date');
    expectCodecError(() => encodeHex(dateCodec, 'yesterday'), 'date string');
    expectTruncationsRejected(dateCodec, '00002279');
  });
  it('agrees with JS Date on the proleptic Gregorian calendar', () => {
    fc.assert(
      fc.property(fc.integer({ min: -700000, max: 2900000 }), (days) => {
        const iso = new Date((days + PG_EPOCH_DAYS) * 86400000).toISOString().slice(0, 10);
        expect(formatCivil(civilFromDays(days))).toBe(iso);
      }),
    );
  });
  it('round-trips every date, BC included, in both formats', () => {
    fc.assert(
      fc.property(fc.integer({ min: DATE_MIN, max: DATE_MAX }), (days) => {
        const text = decodeHex(dateCodec, int32Hex(days));
        expect(encodeHex(dateCodec, text)).toBe(int32Hex(days));
        const { year, month, day } = civilFromDays(days);
        expect(daysFromCivil(year, month, day)).toBe(days);
      }),
    );
  });
});

describe('time and timetz', () => {
  it('matches time_send / timetz_send', () => {
    expect(decodeHex(timeCodec, '0000000b866ff108')).toBe('13:45:00.1234');
    expect(encodeHex(timeCodec, '13:45:00.1234')).toBe('0000000b866ff108');
    // timetz stores the zone in seconds WEST of UTC: +05:45 is -20700 (ffffaf24).
    expect(decodeHex(timetzCodec, '0000000b866e0f00ffffaf24')).toBe('13:45:00+05:45');
    expect(encodeHex(timetzCodec, '13:45:00+05:45')).toBe('0000000b866e0f00ffffaf24');
  });
  it('prints fractions and offsets as PostgreSQL does', () => {
    expect(timeCodec.encodeText!('24:00')).toBe('24:00:00');
    expect(timeCodec.encodeText!('01:02:03.500000')).toBe('01:02:03.5');
    expect(timetzCodec.encodeText!('01:02:03.5Z')).toBe('01:02:03.5+00');
    expect(timetzCodec.encodeText!('13:45:00-03:30:15')).toBe('13:45:00-03:30:15');
    expect(timetzCodec.encodeText!('13:45-0330')).toBe('13:45:00-03:30');
  });
  it('refuses bad input', () => {
    expectCodecError(() => encodeHex(timeCodec, '25:00'), 'out of range');
    expectCodecError(() => encodeHex(timeCodec, 3600), 'time string');
    expectCodecError(() => encodeHex(timetzCodec, '13:45'), 'offset');
    expectCodecError(() => decodeHex(timeCodec, 'ffffffffffffffff'), 'out of range');
    expectTruncationsRejected(timetzCodec, '0000000b866e0f00ffffaf24');
  });
});

describe('timestamp and timestamptz', () => {
  it('matches timestamp_send, flooring microseconds to milliseconds', () => {
    expect(decodeHex(timestampCodec, '0002b5843bfc5140')).toEqual(new Date('2024-02-29T13:45:00.123Z'));
    // 1969-12-31 23:59:59.9995: flooring (not truncating toward zero) gives .999, also before 1970.
    expect(decodeHex(timestampCodec, 'fffca2fec4c81e0c')).toEqual(new Date('1969-12-31T23:59:59.999Z'));
    expect(decodeHex(timestamptzCodec, 'ff1af9e8fb46d000')).toEqual(new Date(Date.UTC(-43, 2, 15, 12)));
    expect(decodeHex(timestampCodec, '7fffffffffffffff')).toBe(Infinity);
    expect(decodeHex(timestamptzCodec, '8000000000000000')).toBe(-Infinity);
  });
  it('encodes Dates, ±Infinity and ISO strings (keeping their microseconds)', () => {
    expect(encodeHex(timestampCodec, new Date('2024-02-29T13:45:00.123Z'))).toBe('0002b5843bfc4f78');
    expect(encodeHex(timestampCodec, '2024-02-29 13:45:00.123456')).toBe('0002b5843bfc5140');
    expect(encodeHex(timestamptzCodec, '2024-02-29T19:30:00.123456+05:45')).toBe('0002b5843bfc5140');
    expect(encodeHex(timestamptzCodec, Infinity)).toBe('7fffffffffffffff');
    expect(encodeHex(timestamptzCodec, '-infinity')).toBe('8000000000000000');
    expect(encodeHex(timestamptzCodec, '0044-03-15 12:00:00+00 BC')).toBe('ff1af9e8fb46d000');
    // A timestamp ignores an offset, as timestamp_in does.
    expect(encodeHex(timestampCodec, '2024-02-29 13:45:00.123456+05')).toBe('0002b5843bfc5140');
  });
  it('decodes ISO text, offsets with seconds and BC included', () => {
    expect(timestamptzCodec.decodeText('1900-01-01 00:00:00+05:41:16')).toEqual(new Date('1899-12-31T18:18:44Z'));
    expect(timestamptzCodec.decodeText('0044-03-15 12:00:00+00 BC')).toEqual(new Date(Date.UTC(-43, 2, 15, 12)));
    expect(timestampCodec.decodeText('1969-12-31 23:59:59.9995')).toEqual(new Date('1969-12-31T23:59:59.999Z'));
    expect(timestampCodec.decodeText('infinity')).toBe(Infinity);
    expect(timestampCodec.encodeText!(new Date(Date.UTC(-43, 2, 15, 12, 0, 0, 5)))).toBe('0044-03-15 12:00:00.005 BC');
    expect(timestamptzCodec.encodeText!('2024-01-01T10:00:00.1234567Z')).toBe('2024-01-01 10:00:00.123457+00');
  });
  it('refuses values a Date cannot hold and invalid input', () => {
    expectCodecError(() => decodeHex(timestampCodec, '7ffffffffffffffe'), 'range of a JS Date');
    expectCodecError(() => timestampCodec.decodeText('294276-12-31 23:59:59'), 'range of a JS Date');
    expectCodecError(() => encodeHex(timestamptzCodec, new Date(NaN)), 'valid Date');
    expectCodecError(() => encodeHex(timestamptzCodec, 0), 'expected a Date');
    expectCodecError(() => encodeHex(timestamptzCodec, 'soon'), 'expected a Date');
    expectCodecError(() => timestampCodec.decodeText('garbage'), 'invalid timestamp');
    expectTruncationsRejected(timestampCodec, '0002b5843bfc5140');
  });
  it('floors any microsecond value to the millisecond', () => {
    const epochUsecs = 946684800000000n;
    fc.assert(
      fc.property(fc.bigInt({ min: -8640000000000000000n - epochUsecs + 1000n, max: 8640000000000000000n - epochUsecs }), (usecs) => {
        const total = usecs + epochUsecs;
        const floored = total >= 0n || total % 1000n === 0n ? total / 1000n : total / 1000n - 1n;
        expect((decodeHex(timestampCodec, int64Hex(usecs)) as Date).getTime()).toBe(Number(floored));
      }),
    );
  });
  it('round-trips Dates in both formats', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true, min: new Date(-210866803200000) }), (date) => {
        expect(decodeHex(timestamptzCodec, encodeHex(timestamptzCodec, date))).toEqual(date);
        expect(timestamptzCodec.decodeText(timestamptzCodec.encodeText!(date))).toEqual(date);
        expect(timestampCodec.decodeText(timestampCodec.encodeText!(date))).toEqual(date);
      }),
    );
  });
});

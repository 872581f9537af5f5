/**
 * Date/time family against a real server whose session TimeZone is Asia/Kathmandu (+05:45, and +05:41:16 LMT
 * before 1920): date, time, timetz, timestamp, timestamptz and interval, with their edge values in every
 * mode, the IntervalStyles, and fast-check properties (dates incl. BC, timestamps generated as literal text
 * with microseconds, Dates, intervals).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DataError } from '../../../src/index.js';
import { serverOlderThan, testDsn } from '../../support/env.js';
import { FORMAT_MODES, literalTrip, MODES, openRoundTripConns, roundTrip, sqlTrip, type OpenRoundTripConns } from '../../support/round-trip.js';

let conns: OpenRoundTripConns;

beforeAll(async () => {
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu' } });
});

afterAll(async () => {
  await conns.close();
});

/** A UTC Date from an astronomical year (0 = 1 BC) and wall-clock fields, without Date.UTC's 1900 shift. */
function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, ms);
  return d;
}

/** `YYYY-MM-DD` as ISO DateStyle prints it, ' BC' for years ≤ 0. */
function isoDay(year: number, month: number, day: number): string {
  const shown = year <= 0 ? 1 - year : year;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${String(shown).padStart(4, '0')}-${p2(month)}-${p2(day)}`;
}

describe('the session', () => {
  it('runs in Asia/Kathmandu', async () => {
    expect(conns.cached.getSetting('TimeZone')).toBe('Asia/Kathmandu');
    expect(conns.unnamed.getSetting('TimeZone')).toBe('Asia/Kathmandu');
  });
});

describe('date', () => {
  it('minimum, maximum, epoch, BC, leap day, ±infinity and NULL decode to what the server prints', async () => {
    await roundTrip(conns, 'date', '4714-11-24 BC', { literal: '4714-11-24 BC' });
    await roundTrip(conns, 'date', '5874897-12-31', { literal: '5874897-12-31' });
    await roundTrip(conns, 'date', '2000-01-01', { literal: '2000-01-01' });
    await roundTrip(conns, 'date', '1970-01-01');
    await roundTrip(conns, 'date', '0044-03-15 BC', { literal: '0044-3-15 BC' });
    await roundTrip(conns, 'date', '0001-01-01', { literal: '0001-01-01 AD' });
    await roundTrip(conns, 'date', '0001-12-31 BC', { literal: '0001-12-31 BC' });
    await roundTrip(conns, 'date', '2024-02-29', { literal: '2024-02-29' });
    await roundTrip(conns, 'date', '0005-02-29 BC', { literal: '0005-02-29 BC' }); // 5 BC is leap: astronomical −4
    await roundTrip(conns, 'date', '0001-02-29 BC', { literal: '0001-02-29 BC' }); // 1 BC is astronomical year 0
    await roundTrip(conns, 'date', 'infinity', { literal: 'infinity' });
    await roundTrip(conns, 'date', '-infinity', { literal: '-infinity' });
    await roundTrip(conns, 'date', null);
  });

  it('a Date parameter means its UTC calendar day; ±Infinity numbers mean ±infinity', async () => {
    await roundTrip(conns, 'date', new Date('2024-02-29T23:59:59.999Z'), { expected: '2024-02-29' });
    await roundTrip(conns, 'date', new Date('1969-12-31T00:00:00.001Z'), { expected: '1969-12-31' });
    await roundTrip(conns, 'date', utc(-43, 3, 15, 12), { expected: '0044-03-15 BC' });
    await roundTrip(conns, 'date', Infinity, { expected: 'infinity' });
    await roundTrip(conns, 'date', -Infinity, { expected: '-infinity' });
  });
});

describe('time and timetz', () => {
  it('time: midnight, 24:00, microseconds, typmod rounding, NULL', async () => {
    await roundTrip(conns, 'time', '00:00:00', { literal: '00:00' });
    await roundTrip(conns, 'time', '24:00:00', { literal: '24:00:00' });
    await roundTrip(conns, 'time', '23:59:59.999999', { literal: '23:59:59.999999' });
    await roundTrip(conns, 'time', '13:45:00.123456', { literal: '13:45:00.123456' });
    await roundTrip(conns, 'time', '13:45:00.1', { literal: '13:45:00.100' });
    await roundTrip(conns, 'time(3)', '13:45:00.123456', { expected: '13:45:00.123' });
    await roundTrip(conns, 'time', null);
  });

  it('timetz: odd offsets (+05:45, -09:30, seconds), the extremes, and the session zone for literals without one', async () => {
    await roundTrip(conns, 'timetz', '13:45:00+05:45', { literal: '13:45:00+05:45' });
    await roundTrip(conns, 'timetz', '13:45:00-09:30', { literal: '13:45-09:30' });
    await roundTrip(conns, 'timetz', '00:00:00+00', { literal: '00:00:00Z' });
    await roundTrip(conns, 'timetz', '23:59:59.999999-15:59', { literal: '23:59:59.999999-15:59' });
    await roundTrip(conns, 'timetz', '24:00:00+15:59', { literal: '24:00:00+15:59' });
    await roundTrip(conns, 'timetz', '12:00:00.5+05:45:30', { literal: '12:00:00.5+05:45:30' });
    // No offset in the literal: the session's TimeZone (Kathmandu, +05:45 today).
    await literalTrip(conns, 'timetz', '13:45:00', '13:45:00+05:45');
    await roundTrip(conns, 'timetz', null);
  });
});

describe('timestamp (read as UTC)', () => {
  it('minimum, JS maximum, epoch, BC, microseconds floored to the millisecond, ±infinity, NULL', async () => {
    const text = (s: string) => s;
    await roundTrip(conns, 'timestamp', utc(-4713, 11, 24), { literal: '4714-11-24 00:00:00 BC', text: '4714-11-24 00:00:00 BC' });
    await roundTrip(conns, 'timestamp', new Date(8.64e15), { literal: '275760-09-13 00:00:00', text: '275760-09-13 00:00:00' });
    await roundTrip(conns, 'timestamp', new Date(0), { text: '1970-01-01 00:00:00' });
    await roundTrip(conns, 'timestamp', utc(2000, 1, 1), { literal: '2000-01-01', text: '2000-01-01 00:00:00' });
    await roundTrip(conns, 'timestamp', utc(-43, 3, 15, 12, 30, 0, 5), { literal: '0044-03-15 12:30:00.005 BC', text: '0044-03-15 12:30:00.005 BC' });
    await literalTrip(conns, 'timestamp', '2024-01-01 00:00:00.999999', utc(2024, 1, 1, 0, 0, 0, 999), { text: '2024-01-01 00:00:00.999999' });
    await literalTrip(conns, 'timestamp', '1969-12-31 23:59:59.9995', utc(1969, 12, 31, 23, 59, 59, 999), { text: '1969-12-31 23:59:59.9995' });
    await literalTrip(conns, 'timestamp', '1999-12-31 23:59:59.999999', utc(1999, 12, 31, 23, 59, 59, 999));
    await literalTrip(conns, 'timestamp', '0044-03-15 12:30:00.0009 BC', utc(-43, 3, 15, 12, 30, 0, 0), { text: '0044-03-15 12:30:00.0009 BC' });
    await roundTrip(conns, 'timestamp', Infinity, { literal: 'infinity', text: 'infinity' });
    await roundTrip(conns, 'timestamp', -Infinity, { literal: '-infinity', text: '-infinity' });
    await roundTrip(conns, 'timestamp', '2024-02-29 13:45:00.123', { expected: utc(2024, 2, 29, 13, 45, 0, 123), text: text('2024-02-29 13:45:00.123') });
    await roundTrip(conns, 'timestamp', null);
  });

  it("the server's maximum (294276 AD) is beyond a JS Date: a DataError naming the column", async () => {
    for (const mode of MODES) {
      const err = await conns[mode.statement]
        .fetchVal("SELECT '294276-12-31 23:59:59.999999'::timestamp AS far", [], { format: mode.format })
        .catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/column 0 "far" \(timestamp\)/);
    }
  });
});

describe('timestamptz in a +05:45 session', () => {
  it('Date values never shift, whatever the session zone', async () => {
    await roundTrip(conns, 'timestamptz', new Date('2024-01-01T00:00:00Z'), { text: '2024-01-01 05:45:00+05:45' });
    await roundTrip(conns, 'timestamptz', new Date('2024-06-30T18:14:59.999Z'), { text: '2024-06-30 23:59:59.999+05:45' });
    await roundTrip(conns, 'timestamptz', new Date(0), { text: '1970-01-01 05:30:00+05:30' });
    await roundTrip(conns, 'timestamptz', new Date(-1), { text: '1970-01-01 05:29:59.999+05:30' });
    await roundTrip(conns, 'timestamptz', new Date(8.64e15), { text: '275760-09-13 05:45:00+05:45' });
    await roundTrip(conns, 'timestamptz', utc(-4713, 11, 24), { text: '4714-11-24 05:41:16+05:41:16 BC' });
    await roundTrip(conns, 'timestamptz', Infinity, { literal: 'infinity', text: 'infinity' });
    await roundTrip(conns, 'timestamptz', -Infinity, { literal: '-infinity', text: '-infinity' });
    await roundTrip(conns, 'timestamptz', null);
  });

  it('literals with odd offsets, seconds offsets (LMT) and none (the session zone) decode to the right instant', async () => {
    await literalTrip(conns, 'timestamptz', '2024-01-01 00:00:00+05:45', new Date('2023-12-31T18:15:00Z'), { text: '2024-01-01 00:00:00+05:45' });
    await literalTrip(conns, 'timestamptz', '2024-01-01 00:00:00-09:30', new Date('2024-01-01T09:30:00Z'), { text: '2024-01-01 15:15:00+05:45' });
    await literalTrip(conns, 'timestamptz', '2024-01-01 00:00:00', new Date('2023-12-31T18:15:00Z'));
    await literalTrip(conns, 'timestamptz', '1980-01-01 00:00:00', new Date('1979-12-31T18:30:00Z'), { text: '1980-01-01 00:00:00+05:30' });
    await literalTrip(conns, 'timestamptz', '1900-01-01 00:00:00', new Date('1899-12-31T18:18:44Z'), { text: '1900-01-01 00:00:00+05:41:16' });
    await literalTrip(conns, 'timestamptz', '0044-03-15 12:00:00+00 BC', utc(-43, 3, 15, 12), { text: '0044-03-15 17:41:16+05:41:16 BC' });
    await literalTrip(conns, 'timestamptz', '2024-03-10 12:00:00.123456+05:45', new Date('2024-03-10T06:15:00.123Z'));
  });

  it("strings as parameters are the server's input: offsets kept, none means the session TimeZone", async () => {
    await roundTrip(conns, 'timestamptz', '2024-01-01 00:00:00+05:45', { expected: new Date('2023-12-31T18:15:00Z') });
    await roundTrip(conns, 'timestamptz', '2024-01-01T00:00:00-09:30', { expected: new Date('2024-01-01T09:30:00Z') });
    await roundTrip(conns, 'timestamptz', '2024-01-01T00:00:00Z', { expected: new Date('2024-01-01T00:00:00Z') });
    await roundTrip(conns, 'timestamptz', '2024-01-01 00:00:00', { expected: new Date('2023-12-31T18:15:00Z') });
    await roundTrip(conns, 'timestamptz', 'epoch', { expected: new Date(0) });
    await roundTrip(conns, 'timestamp', '2024-01-01 00:00:00+05:45', { expected: new Date('2024-01-01T00:00:00Z') });
  });

  it('TimeZone changed with SET mid-session does not shift values', async () => {
    const c = await connect(testDsn(), { statementCacheSize: 0 });
    try {
      const instant = new Date('2024-05-05T05:05:05.005Z');
      for (const zone of ['Pacific/Chatham', 'America/St_Johns', 'Asia/Kathmandu', 'UTC']) {
        await c.execute(`SET TimeZone = '${zone}'`);
        for (const format of ['binary', 'text'] as const) {
          expect(await c.fetchVal('SELECT $1::timestamptz', [instant], { format }), `${zone} ${format}`).toEqual(instant);
        }
      }
    } finally {
      await c.close();
    }
  });
});

describe('interval', () => {
  it('zero, mixed signs, extremes within the safe range, NULL', async () => {
    const iv = (months: number, days: number, microseconds: number) => ({ months, days, microseconds });
    await roundTrip(conns, 'interval', iv(0, 0, 0), { literal: '0', text: '00:00:00' });
    await roundTrip(conns, 'interval', iv(14, 3, 14706789012), { literal: '1 year 2 mons 3 days 04:05:06.789012', text: '1 year 2 mons 3 days 04:05:06.789012' });
    await roundTrip(conns, 'interval', iv(-10, -3, 14706000000), { literal: '-1 years +2 mons -3 days +04:05:06', text: '-10 mons -3 days +04:05:06' });
    await roundTrip(conns, 'interval', iv(0, 0, -1500000), { literal: '-1.5 seconds', text: '-00:00:01.5' });
    await roundTrip(conns, 'interval', iv(2147483647, 2147483647, Number.MAX_SAFE_INTEGER), { text: '178956970 years 7 mons 2147483647 days 2501999:47:34.740991' });
    await roundTrip(conns, 'interval', iv(-2147483647, -2147483648, -Number.MAX_SAFE_INTEGER), { text: '-178956970 years -7 mons -2147483648 days -2501999:47:34.740991' });
    await roundTrip(conns, 'interval', iv(-2147483648, 0, 0), { literal: '-178956970 years -8 mons', text: '-178956970 years -8 mons' });
    await roundTrip(conns, 'interval', 'P1Y2M3DT4H5M6.5S', { expected: iv(14, 3, 14706500000), text: '1 year 2 mons 3 days 04:05:06.5' });
    await roundTrip(conns, 'interval', null);
  });

  it.skipIf(serverOlderThan(17))('±infinity (PostgreSQL 17+)', async () => {
    const iv = (months: number, days: number, microseconds: number) => ({ months, days, microseconds });
    await roundTrip(conns, 'interval', iv(Infinity, Infinity, Infinity), { literal: 'infinity', text: 'infinity' });
    await roundTrip(conns, 'interval', iv(-Infinity, -Infinity, -Infinity), { literal: '-infinity', text: '-infinity' });
  });

  // Before PostgreSQL 15, interval_in refuses an hours field beyond int32 (interval field value out of range).
  it.skipIf(serverOlderThan(15))("a time part beyond ±Number.MAX_SAFE_INTEGER µs is a DataError, not a rounded number (PostgreSQL 15+)", async () => {
    for (const mode of MODES) {
      const err = await conns[mode.statement]
        .fetchVal("SELECT '2562047788:00:54.775807'::interval AS long", [], { format: mode.format })
        .catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/column 0 "long" \(interval\)/);
    }
  });

  // The same value built by arithmetic, which every version accepts; before PostgreSQL 15 interval_out cannot
  // print it either (interval out of range), so there only the binary format can carry it.
  it('a time part beyond ±Number.MAX_SAFE_INTEGER µs built by interval arithmetic is a DataError (text format: PostgreSQL 15+)', async () => {
    for (const mode of serverOlderThan(15) ? MODES.filter((m) => m.format === 'binary') : MODES) {
      const err = await conns[mode.statement]
        .fetchVal("SELECT '2147483647:00:00'::interval + '414564141:00:54.775807'::interval AS long", [], { format: mode.format })
        .catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/column 0 "long" \(interval\)/);
    }
  });

  it('toString() is ISO 8601 and interval_in reads it back', async () => {
    const value = await conns.cached.fetchVal<{ toString(): string }>("SELECT '-1 years +2 mons -3 days +04:05:06.25'::interval");
    expect(String(value)).toBe('P-10M-3DT4H5M6.25S');
    expect(await conns.cached.fetchVal('SELECT $1::text::interval = $2::interval', [String(value), value])).toBe(true);
  });

  it('text results decode in every IntervalStyle', async () => {
    const cases: [string, { months: number; days: number; microseconds: number }][] = [
      ['1 year 2 mons 3 days 04:05:06.789', { months: 14, days: 3, microseconds: 14706789000 }],
      ['-1 years -2 mons +3 days -04:05:06.25', { months: -14, days: 3, microseconds: -14706250000 }],
      ['-3 days', { months: 0, days: -3, microseconds: 0 }],
      ['00:00:00.000001', { months: 0, days: 0, microseconds: 1 }],
      ['0', { months: 0, days: 0, microseconds: 0 }],
      ['-0.5 seconds', { months: 0, days: 0, microseconds: -500000 }],
    ];
    for (const style of ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) {
      const c = await connect(testDsn(), { serverSettings: { IntervalStyle: style } });
      try {
        for (const [literal, expected] of cases) {
          for (const format of ['binary', 'text'] as const) {
            const got = await c.fetchVal(`SELECT '${literal}'::interval`, [], { format });
            expect(got, `${style} ${format} ${literal}`).toEqual(expected);
          }
          // The simple protocol always returns text.
          const r = await c.query(`SELECT '${literal}'::interval AS v`);
          expect(r.rows[0].v, `${style} simple ${literal}`).toEqual(expected);
        }
      } finally {
        await c.close();
      }
    }
  });
});

describe('properties through the server (fast-check)', () => {
  const DATE_MIN = -2451545; // 4714-11-24 BC, in days from 2000-01-01
  const DATE_MAX = 2145031948; // 5874897-12-31

  it('dates anywhere in the range, BC included, decode to what the server prints and round-trip', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: DATE_MIN, max: DATE_MAX }), fc.integer({ min: DATE_MIN, max: 0 })), async (days) => {
        const text = await conns.cached.fetchVal<string>("SELECT ('2000-01-01'::date + $1::int4)::text", [days]);
        await sqlTrip(conns, `date 2000-01-01 + ${days}`, "SELECT '2000-01-01'::date + $1::int4", [days], text, { modes: FORMAT_MODES, text: false });
        await roundTrip(conns, 'date', text as string, { modes: FORMAT_MODES });
      }),
      { numRuns: 200 },
    );
  });

  it('timestamps written as literal text with microseconds decode to the instant, floored to the millisecond', async () => {
    const stamp = fc.record({
      year: fc.integer({ min: -4712, max: 275759 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      micros: fc.integer({ min: 0, max: 999999 }),
      offset: fc.constantFrom('+00', '+05:45', '-09:30', '+14', '-12', '+05:30', '-03:30', '+12:45'),
    });
    await fc.assert(
      fc.asyncProperty(stamp, async (t) => {
        const p2 = (n: number) => String(n).padStart(2, '0');
        const body = `${isoDay(t.year, t.month, t.day)} ${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}.${String(t.micros).padStart(6, '0')}`;
        const bc = t.year <= 0 ? ' BC' : '';
        const wall = utc(t.year, t.month, t.day, t.hour, t.minute, t.second, Math.floor(t.micros / 1000));
        await literalTrip(conns, 'timestamp', body + bc, wall, { modes: FORMAT_MODES, text: false });
        const sign = t.offset[0] === '-' ? -1 : 1;
        const [oh, om = '0'] = t.offset.slice(1).split(':');
        const offsetMs = sign * (Number(oh) * 60 + Number(om)) * 60000;
        const instant = new Date(wall.getTime() - offsetMs);
        if (instant.getTime() <= 8.64e15) await literalTrip(conns, 'timestamptz', body + t.offset + bc, instant, { modes: FORMAT_MODES, text: false });
      }),
      { numRuns: 250 },
    );
  });

  it('Dates round-trip through timestamp and timestamptz unchanged', async () => {
    const pgMin = utc(-4713, 11, 24).getTime();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: pgMin, max: 8.64e15 }), async (ms) => {
        await roundTrip(conns, 'timestamptz', new Date(ms), { modes: FORMAT_MODES, text: false });
        await roundTrip(conns, 'timestamp', new Date(ms), { modes: FORMAT_MODES, text: false });
      }),
      { numRuns: 250 },
    );
  });

  it('intervals of any months, days and safe microseconds round-trip', async () => {
    const int32 = fc.oneof(fc.integer({ min: -2147483648, max: 2147483647 }), fc.constantFrom(-2147483648, 2147483647, 0));
    const micros = fc.oneof(fc.integer({ min: -86400000000, max: 86400000000 }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }));
    await fc.assert(
      fc.asyncProperty(int32, int32, micros, async (months, days, microseconds) => {
        await roundTrip(conns, 'interval', { months, days, microseconds }, { modes: FORMAT_MODES, text: false });
      }),
      { numRuns: 300 },
    );
  });
});

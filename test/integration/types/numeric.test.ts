/**
 * Numeric family against a real server: bool, int2/int4/int8, oid/xid/cid/xid8, float4/float8, numeric and
 * money, with their edge values in every mode (cached/unnamed × binary/text), the `int8` option's modes,
 * exact-parse numeric strings, and fast-check properties through the server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DataError, type Connection } from '../../../src/index.js';
import { serverOlderThan, testDsn } from '../../support/env.js';
import { FORMAT_MODES, literalTrip, MODES, openRoundTripConns, roundTrip, type OpenRoundTripConns } from '../../support/round-trip.js';

let conns: OpenRoundTripConns;

beforeAll(async () => {
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu' } });
});

afterAll(async () => {
  await conns.close();
});

/** Exact decimal text as numeric_out prints a literal: the oracle for the numeric properties. */
function canonicalNumeric(sign: '' | '-', intDigits: string, fracDigits: string, exponent: number): string {
  const mantissa = BigInt((intDigits + fracDigits) || '0');
  // value = mantissa × 10^-scale; the display scale is max(0, scale) digits after the point.
  const scale = fracDigits.length - exponent;
  const isNegative = sign === '-' && mantissa !== 0n;
  let body: string;
  if (scale <= 0) body = (mantissa * 10n ** BigInt(-scale)).toString();
  else {
    const digits = mantissa.toString().padStart(scale + 1, '0');
    body = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return (isNegative ? '-' : '') + body;
}

describe('bool', () => {
  it('true, false and NULL, from values and literals', async () => {
    await roundTrip(conns, 'bool', true, { literal: 'true', text: 't' });
    await roundTrip(conns, 'bool', false, { literal: 'off', text: 'f' });
    await roundTrip(conns, 'bool', null);
    await literalTrip(conns, 'bool', 'yes', true, { text: 't' });
    // boolin's spellings are accepted for parameters too
    await roundTrip(conns, 'bool', 'on', { expected: true, text: 't' });
  });
});

describe('integers', () => {
  it('int2: minimum, maximum, zero, negative zero, NULL', async () => {
    await roundTrip(conns, 'int2', -32768, { literal: '-32768', text: '-32768' });
    await roundTrip(conns, 'int2', 32767, { literal: '32767', text: '32767' });
    await roundTrip(conns, 'int2', 0, { literal: '0', text: '0' });
    await roundTrip(conns, 'int2', -0, { expected: 0, literal: '-0', text: '0' });
    await roundTrip(conns, 'int2', null);
  });

  it('int4: minimum, maximum, zero, negative zero, NULL', async () => {
    await roundTrip(conns, 'int4', -2147483648, { literal: '-2147483648', text: '-2147483648' });
    await roundTrip(conns, 'int4', 2147483647, { literal: '2147483647', text: '2147483647' });
    await roundTrip(conns, 'int4', 0, { text: '0' });
    await roundTrip(conns, 'int4', -0, { expected: 0, text: '0' });
    await roundTrip(conns, 'int4', null);
  });

  it('int8 as bigint: minimum, maximum, beyond 2^53, numbers and strings as parameters', async () => {
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    await roundTrip(conns, 'int8', min, { literal: String(min), text: String(min) });
    await roundTrip(conns, 'int8', max, { literal: String(max), text: String(max) });
    await roundTrip(conns, 'int8', 0n, { text: '0' });
    await roundTrip(conns, 'int8', 9007199254740993n, { text: '9007199254740993' });
    await roundTrip(conns, 'int8', 42, { expected: 42n, text: '42' });
    await roundTrip(conns, 'int8', -0, { expected: 0n, text: '0' });
    await roundTrip(conns, 'int8', '9007199254740993', { expected: 9007199254740993n, text: '9007199254740993' });
    await roundTrip(conns, 'int8', null);
  });

  it('oid, xid and cid are unsigned 32-bit', async () => {
    for (const type of ['oid', 'xid', 'cid']) {
      await roundTrip(conns, type, 0, { literal: '0', text: '0' });
      await roundTrip(conns, type, 4294967295, { literal: '4294967295', text: '4294967295' });
      await roundTrip(conns, type, null);
    }
  });

  it('xid8 is an unsigned 64-bit bigint', async () => {
    const max = 2n ** 64n - 1n;
    await roundTrip(conns, 'xid8', 0n, { literal: '0', text: '0' });
    await roundTrip(conns, 'xid8', max, { literal: String(max), text: String(max) });
    await roundTrip(conns, 'xid8', null);
  });

  it('exact-parse numeric strings: accepted when exact, refused otherwise', async () => {
    await roundTrip(conns, 'int4', '123', { expected: 123, text: '123' });
    await roundTrip(conns, 'int2', ' -7 ', { expected: -7, text: '-7' });
    for (const mode of MODES) {
      const conn = conns[mode.statement];
      for (const [type, bad] of [['int4', '12.5'], ['int4', '1e3'], ['int8', '12.5'], ['int2', 'abc'], ['int4', '']] as const) {
        const err = await conn.fetchVal(`SELECT $1::${type}`, [bad], { format: mode.format }).catch((e: unknown) => e);
        expect(err, `${mode.name} ${type} ${bad}`).toBeInstanceOf(DataError);
        expect((err as Error).message).toMatch(new RegExp(`\\$1 \\(${type}\\)`));
      }
      expect(await conn.fetchVal('SELECT 1::int4', [], { format: mode.format })).toBe(1);
    }
  });
});

describe('float4 and float8', () => {
  it('float4: extremes, subnormals, zero, negative zero, NaN, ±Infinity, NULL', async () => {
    await roundTrip(conns, 'float4', 3.4028235e38, { literal: '3.4028235e+38', text: '3.4028235e+38' });
    await roundTrip(conns, 'float4', -3.4028235e38, { text: '-3.4028235e+38' });
    await roundTrip(conns, 'float4', 1e-45, { expected: 1e-45, text: '1e-45' });
    await roundTrip(conns, 'float4', 1.1, { literal: '1.1', text: '1.1' });
    await roundTrip(conns, 'float4', 0, { text: '0' });
    await roundTrip(conns, 'float4', -0, { literal: '-0', text: '-0' });
    await roundTrip(conns, 'float4', NaN, { literal: 'NaN', text: 'NaN' });
    await roundTrip(conns, 'float4', Infinity, { literal: 'infinity', text: 'Infinity' });
    await roundTrip(conns, 'float4', -Infinity, { literal: '-inf', text: '-Infinity' });
    await roundTrip(conns, 'float4', null);
  });

  it('float8: extremes, subnormals, zero, negative zero, NaN, ±Infinity, NULL', async () => {
    await roundTrip(conns, 'float8', Number.MAX_VALUE, { literal: '1.7976931348623157e+308', text: '1.7976931348623157e+308' });
    await roundTrip(conns, 'float8', -Number.MAX_VALUE, { text: '-1.7976931348623157e+308' });
    await roundTrip(conns, 'float8', Number.MIN_VALUE, { literal: '5e-324', text: '5e-324' });
    await roundTrip(conns, 'float8', 0.1, { literal: '0.1', text: '0.1' });
    await roundTrip(conns, 'float8', 0, { text: '0' });
    await roundTrip(conns, 'float8', -0, { literal: '-0', text: '-0' });
    await roundTrip(conns, 'float8', NaN, { literal: 'nan', text: 'NaN' });
    await roundTrip(conns, 'float8', Infinity, { literal: 'Infinity', text: 'Infinity' });
    await roundTrip(conns, 'float8', -Infinity, { literal: '-Infinity', text: '-Infinity' });
    await roundTrip(conns, 'float8', 9007199254740993n, { expected: 9007199254740992, text: '9.007199254740992e+15' });
    await roundTrip(conns, 'float8', null);
  });
});

describe('numeric', () => {
  it('zero, negative zero, NaN and NULL', async () => {
    await roundTrip(conns, 'numeric', '0', { literal: '0' });
    await roundTrip(conns, 'numeric', '-0', { expected: '0', literal: '-0' });
    await roundTrip(conns, 'numeric', '-0.000', { expected: '0.000', literal: '-0.000' });
    await roundTrip(conns, 'numeric', 'NaN', { literal: 'nan' });
    await roundTrip(conns, 'numeric', null);
  });

  it.skipIf(serverOlderThan(14))('±Infinity (PostgreSQL 14+)', async () => {
    await roundTrip(conns, 'numeric', 'Infinity', { literal: 'inf' });
    await roundTrip(conns, 'numeric', '-Infinity', { literal: '-infinity' });
  });

  it('1000-digit integers and fractions, and tiny scales, exactly', async () => {
    const big = '9'.repeat(1000);
    await roundTrip(conns, 'numeric', big, { literal: big });
    await roundTrip(conns, 'numeric', `-${big}`, { literal: `-${big}` });
    const frac = `0.${'0'.repeat(999)}1`;
    await roundTrip(conns, 'numeric', frac, { literal: frac });
    const mixed = `${'1234567890'.repeat(50)}.${'0987654321'.repeat(50)}`;
    await roundTrip(conns, 'numeric', mixed, { literal: mixed });
    await roundTrip(conns, 'numeric', '1e1000', { expected: `1${'0'.repeat(1000)}`, literal: '1e1000' });
    await roundTrip(conns, 'numeric', '1e-1000', { expected: `0.${'0'.repeat(999)}1`, literal: '1e-1000' });
    await roundTrip(conns, 'numeric', '10000', { literal: '10000' });
    await roundTrip(conns, 'numeric', '0.00010000', { literal: '0.00010000' });
  });

  it('typmods: scale rounding', async () => {
    await roundTrip(conns, 'numeric(10,2)', '12.5', { expected: '12.50' });
    await roundTrip(conns, 'numeric(10,2)', '-12.345', { expected: '-12.35' });
  });

  it.skipIf(serverOlderThan(15))('typmods: negative scale (PostgreSQL 15+)', async () => {
    await roundTrip(conns, 'numeric(5,-2)', '12345', { expected: '12300' });
  });

  it('numbers and bigints as parameters go through their exact decimal forms', async () => {
    await roundTrip(conns, 'numeric', 0.1, { expected: '0.1' });
    await roundTrip(conns, 'numeric', -0, { expected: '0' });
    await roundTrip(conns, 'numeric', 1e21, { expected: '1000000000000000000000' });
    await roundTrip(conns, 'numeric', 5e-324, { expected: `0.${'0'.repeat(323)}5` });
    await roundTrip(conns, 'numeric', 2n ** 100n, { expected: String(2n ** 100n) });
  });
});

describe('money', () => {
  it("is the server's text output, minimum to maximum", async () => {
    await roundTrip(conns, 'money', '1234.56', { expected: '$1,234.56' });
    await roundTrip(conns, 'money', '-92233720368547758.08', { expected: '-$92,233,720,368,547,758.08' });
    await roundTrip(conns, 'money', '92233720368547758.07', { expected: '$92,233,720,368,547,758.07' });
    await roundTrip(conns, 'money', 0, { expected: '$0.00' });
    await roundTrip(conns, 'money', 12n, { expected: '$12.00' });
    await literalTrip(conns, 'money', '$1,000.5', '$1,000.50');
    await roundTrip(conns, 'money', null);
  });
});

describe('the int8 option', () => {
  let asNumber: Connection;
  let asString: Connection;
  beforeAll(async () => {
    asNumber = await connect(testDsn(), { int8: 'number' });
    asString = await connect(testDsn(), { int8: 'string' });
  });
  afterAll(async () => {
    await Promise.all([asNumber.close(), asString.close()]);
  });

  it("'number' decodes safe integers and refuses (DataError) anything beyond, never rounding", async () => {
    for (const format of ['binary', 'text'] as const) {
      expect(await asNumber.fetchVal('SELECT $1::int8', [Number.MAX_SAFE_INTEGER], { format })).toBe(Number.MAX_SAFE_INTEGER);
      expect(await asNumber.fetchVal('SELECT $1::int8', [-Number.MAX_SAFE_INTEGER], { format })).toBe(-Number.MAX_SAFE_INTEGER);
      for (const sql of ['SELECT 9007199254740992::int8 AS big', 'SELECT (-9007199254740992)::int8 AS big', "SELECT '9223372036854775807'::int8 AS big"]) {
        const err = await asNumber.fetchVal(sql, [], { format }).catch((e: unknown) => e);
        expect(err, `${format} ${sql}`).toBeInstanceOf(DataError);
        expect((err as Error).message).toMatch(/column 0 "big" \(int8\).*MAX_SAFE_INTEGER/);
      }
      expect(await asNumber.fetchVal('SELECT 1::int8', [], { format })).toBe(1);
      expect(await asNumber.fetchVal("SELECT '18446744073709551615'::xid8 AS x", [], { format }).catch((e: unknown) => e)).toBeInstanceOf(DataError);
    }
    // The simple protocol reads text.
    expect(await asNumber.fetchVal('SELECT count(*) FROM generate_series(1, 3)')).toBe(3);
  });

  it("'string' gives the exact decimal text", async () => {
    for (const format of ['binary', 'text'] as const) {
      expect(await asString.fetchVal('SELECT $1::int8', ['-9223372036854775808'], { format })).toBe('-9223372036854775808');
      expect(await asString.fetchVal('SELECT $1::int8', [9007199254740993n], { format })).toBe('9007199254740993');
      expect(await asString.fetchVal('SELECT 42::int8', [], { format })).toBe('42');
      expect(await asString.fetchVal("SELECT '18446744073709551615'::xid8", [], { format })).toBe('18446744073709551615');
    }
  });
});

describe('properties through the server (fast-check)', () => {
  it('int2, int4 and int8 round-trip in every mode', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -32768, max: 32767 }), fc.integer(), fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), async (a, b, c) => {
        await roundTrip(conns, 'int2', a, { text: String(a), modes: FORMAT_MODES });
        await roundTrip(conns, 'int4', b, { text: String(b), modes: FORMAT_MODES });
        await roundTrip(conns, 'int8', c, { text: String(c), modes: FORMAT_MODES });
      }),
      { numRuns: 200 },
    );
  });

  it('float4 and float8 round-trip, agreeing with the text the server prints', async () => {
    await fc.assert(
      fc.asyncProperty(fc.float(), fc.double(), async (f4, f8) => {
        // The decoded float4 is the shortest decimal naming the same float4, which is what float4out prints.
        const expected4 = Number.isNaN(f4) ? NaN : await conns.cached.fetchVal<number>('SELECT $1::float4::text::float8', [f4]);
        await roundTrip(conns, 'float4', f4, { expected: expected4, text: Number, modes: FORMAT_MODES });
        await roundTrip(conns, 'float8', f8, { text: Number, modes: FORMAT_MODES });
      }),
      { numRuns: 200 },
    );
  });

  it('binary float4 decodes to the number float4out prints, for random bit patterns (incl. halfway cases)', async () => {
    const bits = fc.sample(fc.integer({ min: 0, max: 0xffffffff }), 3000);
    // Floats whose shortest decimal lies exactly halfway to a neighbour: float4out prints one digit more.
    const halfway = [3e10, -744703232, 1981417.25, 7.038531e-26];
    const values = [...bits.map((b) => { const buf = Buffer.alloc(4); buf.writeUInt32BE(b >>> 0); return buf.readFloatBE(0); }), ...halfway];
    const rows = await conns.cached.fetch<{ v: number; t: string }>('SELECT v, v::text AS t FROM unnest($1::float4[]) AS v', [values]);
    expect(rows.length).toBe(values.length);
    for (const row of rows) expect(row.v, `float4 printed ${row.t}`).toBe(Number(row.t));
  });

  it('numeric strings of any precision and scale, with exponents, round-trip exactly', async () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: max });
    const literal = fc
      .record({
        sign: fc.constantFrom('' as const, '-' as const),
        int: digits(40),
        frac: digits(40),
        exponent: fc.oneof(fc.constant(0), fc.integer({ min: -300, max: 300 })),
      })
      .filter((r) => r.int.length + r.frac.length > 0);
    await fc.assert(
      fc.asyncProperty(literal, async ({ sign, int, frac, exponent }) => {
        const text = `${sign}${int}${frac === '' ? '' : `.${frac}`}${exponent === 0 ? '' : `e${exponent}`}`;
        const expected = canonicalNumeric(sign, int, frac, exponent);
        await roundTrip(conns, 'numeric', text, { expected, literal: text, modes: FORMAT_MODES });
      }),
      { numRuns: 300 },
    );
  });
});

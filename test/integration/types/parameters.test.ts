/**
 * Parameter rules of README, "Queries" against a real server, in every mode: types inferred from the JS
 * values when the server cannot type a parameter (42P18), without disturbing the parameters it can type;
 * `undefined` refused; numeric strings accepted only when they parse exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, IndeterminateDatatypeError } from '../../../src/index.js';
import { MODES, openRoundTripConns, type OpenRoundTripConns } from '../../support/round-trip.js';
import { serverOlderThan } from '../../support/env.js';

let conns: OpenRoundTripConns;

beforeAll(async () => {
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu' } });
});

afterAll(async () => {
  await conns.close();
});

describe('inference when the server cannot type a parameter (42P18)', () => {
  const date = new Date('2024-01-01T00:00:00.5Z');
  const cases: [string, unknown, string][] = [
    ['bigint', 9007199254740993n, 'bigint'],
    ['Date', date, 'timestamp with time zone'],
    ['Buffer', Buffer.from([1, 2]), 'bytea'],
    ['Uint8Array', new Uint8Array([3]), 'bytea'],
    ['boolean', true, 'boolean'],
    ['int4-sized number', -5, 'integer'],
    ['safe integer beyond int4', 2 ** 40, 'bigint'],
    ['fraction', 1.5, 'double precision'],
    ['negative zero', -0, 'double precision'],
    ['string', 'text', 'text'],
    ['int array', [1, null, 2], 'integer[]'],
    ['mixed number array', [1, 2.5], 'double precision[]'],
    ['nested bigint array', [[1n], [2n]], 'bigint[]'],
    ['string array', ['a', null], 'text[]'],
    ['Date array', [date], 'timestamp with time zone[]'],
    ['plain object', { a: [1, 'b'] }, 'jsonb'],
    ['object array', [{ a: 1 }], 'jsonb[]'],
    ['null', null, 'text'],
    ['empty array', [], 'text'],
  ];

  it.each(cases)('%s', async (_label, value, typeName) => {
    for (const mode of MODES) {
      const row = await conns[mode.statement].fetchRow<{ t: string; n: boolean }>('SELECT pg_typeof($1)::text AS t, $1 IS NULL AS n', [value], { format: mode.format });
      expect(row, `${mode.name}`).toEqual({ t: typeName, n: value === null });
    }
  });

  it('the inferred value reaches the server intact', async () => {
    const values: [unknown, unknown][] = [
      [9007199254740993n, 9007199254740993n],
      [date, date],
      [Buffer.from([0xca, 0xfe]), Buffer.from([0xca, 0xfe])],
      [{ a: [1, 'b'] }, { a: [1, 'b'] }],
      [[[1, null], [2, 3]], [[1, null], [2, 3]]],
      [2.5, 2.5],
      [-0, -0],
      [false, false],
      ['héllo', 'héllo'],
    ];
    for (const mode of MODES) {
      for (const [value, expected] of values) {
        const got = await conns[mode.statement].fetchVal('SELECT CASE WHEN $1 IS NULL THEN NULL ELSE $1 END', [value], { format: mode.format });
        expect(got, mode.name).toEqual(expected);
      }
      // $1 untyped in one place and cast in another (42P08) is inferred too. extract() returns numeric from
      // PostgreSQL 14 on (six fraction digits), float8 before (shortest form): the same instant either way.
      const epoch = serverOlderThan(14) ? '1704067200.5' : '1704067200.500000';
      expect(await conns[mode.statement].fetchVal('SELECT CASE WHEN $1 IS NULL THEN NULL ELSE extract(epoch FROM $1::timestamptz)::text END', [date], { format: mode.format })).toBe(epoch);
    }
  });

  it('parameters the server can type keep their type', async () => {
    for (const mode of MODES) {
      const conn = conns[mode.statement];
      const opts = { format: mode.format };
      // $1 compares with an integer: '5' is an exact int4, not text.
      expect(await conn.fetchVal('SELECT 1 AS one WHERE 5 = $1 OR $2 IS NULL', ['5', null], opts), mode.name).toBe(1);
      // $1 compares with text: the number's text form, not an int4.
      expect(await conn.fetchVal("SELECT 1 AS one WHERE '5' = $1 OR $2 IS NULL", [5, null], opts), mode.name).toBe(1);
      // Several untypable parameters.
      expect(await conn.fetchRow('SELECT $1 IS NULL AS a, $2 IS NULL AS b, $3::int4 AS c', [null, 1n, '7'], opts), mode.name).toEqual({ a: true, b: false, c: 7 });
    }
  });

  it('a parameter nothing can type stays an error', async () => {
    for (const mode of MODES) {
      // The server still cannot type `$1` of a polymorphic function from the text guess.
      const err = await conns[mode.statement].fetchVal('SELECT array_length($1, 1)', [null], { format: mode.format }).catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(Error);
      expect(await conns[mode.statement].fetchVal('SELECT 1::int4', [], { format: mode.format })).toBe(1);
    }
  });

  it('without arguments the server error stands', async () => {
    await expect(conns.cached.fetch('SELECT $1 IS NULL')).rejects.toBeInstanceOf(Error);
    await expect(conns.cached.fetch('SELECT $1 IS NULL', [])).rejects.toBeInstanceOf(Error);
    const err = await conns.cached.prepare('SELECT $1 IS NULL').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IndeterminateDatatypeError);
  });
});

describe('undefined and exact-parse strings', () => {
  it('undefined is a DataError naming the parameter, never NULL', async () => {
    for (const mode of MODES) {
      const err = await conns[mode.statement].fetchVal('SELECT $1::int4, $2::text', [1, undefined], { format: mode.format }).catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/parameter \$2 \(text\) is undefined; pass null for SQL NULL/);
    }
  });

  it("numeric strings: '123' for int4, '9007199254740993' for int8, '12.5' rejected for int4", async () => {
    for (const mode of MODES) {
      const conn = conns[mode.statement];
      const opts = { format: mode.format };
      expect(await conn.fetchVal('SELECT $1::int4', ['123'], opts)).toBe(123);
      expect(await conn.fetchVal('SELECT $1::int8', ['9007199254740993'], opts)).toBe(9007199254740993n);
      expect(await conn.fetchVal('SELECT $1::int8', ['-9223372036854775808'], opts)).toBe(-(2n ** 63n));
      expect(await conn.fetchVal('SELECT $1::numeric', ['-12.50e-3'], opts)).toBe('-0.01250');
      expect(await conn.fetchVal('SELECT $1::float8', ['1e-5'], opts)).toBe(0.00001);
      await expect(conn.fetchVal('SELECT $1::int4', ['12.5'], opts)).rejects.toBeInstanceOf(DataError);
      await expect(conn.fetchVal('SELECT $1::int8', ['9223372036854775808'], opts)).rejects.toBeInstanceOf(DataError);
      await expect(conn.fetchVal('SELECT $1::float8', ['one'], opts)).rejects.toBeInstanceOf(DataError);
    }
  });
});

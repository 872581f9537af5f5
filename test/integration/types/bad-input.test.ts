/**
 * Bad parameter values against a real server (issue 3, "Bad input"): a JS value of the wrong kind or out of
 * range is a `DataError` naming the parameter index, its type and why, raised before anything of that
 * execution is sent (`safeToRetry`), in every mode; no value wraps around silently; the connection stays
 * usable, and an open transaction is not aborted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseError, DataError } from '../../../src/index.js';
import { MODES, openRoundTripConns, type OpenRoundTripConns } from '../../support/round-trip.js';

let conns: OpenRoundTripConns;

beforeAll(async () => {
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu' } });
});

afterAll(async () => {
  await conns.close();
});

/**
 * Sends `value` as parameter $2 of type `type` (after a valid $1) in every mode and expects a DataError whose
 * message names `$2`, the type and matches `reason`; then checks the connection still answers.
 */
async function expectRejected(type: string, value: unknown, reason: RegExp): Promise<void> {
  for (const mode of MODES) {
    const conn = conns[mode.statement];
    const err = await conn.fetchRow(`SELECT $1::int4 AS a, $2::${type} AS b`, [1, value], { format: mode.format }).catch((e: unknown) => e);
    const where = `${mode.name} ${type}`;
    expect(err, where).toBeInstanceOf(DataError);
    const message = (err as DataError).message;
    const typeName = type.replace(/\[\]$/, '').replace(/\(.*\)$/, '');
    expect(message, where).toContain('parameter $2 (');
    expect(message, where).toContain(typeName);
    expect(message, where).toMatch(reason);
    expect((err as DataError).safeToRetry, where).toBe(true);
    expect(await conn.fetchVal('SELECT $1::int4 + 1', [41], { format: mode.format }), where).toBe(42);
  }
}

describe('a JS value of the wrong kind', () => {
  it('a string that is no boolean, for bool', async () => {
    await expectRejected('bool', 'maybe', /expected a boolean, got 'maybe'/);
    await expectRejected('bool', 1, /expected a boolean, got 1/);
  });

  it('a fraction for an integer type', async () => {
    await expectRejected('int2', 1.5, /expected an integer, got 1.5/);
    await expectRejected('int4', 1.5, /expected an integer, got 1.5/);
    await expectRejected('int8', 1.5, /expected an integer, got 1.5/);
    await expectRejected('int4', '12.5', /expected an integer, got '12.5'/);
    await expectRejected('int4', NaN, /expected an integer, got NaN/);
  });

  it('invalid UUID text', async () => {
    await expectRejected('uuid', 'not-a-uuid', /expected a UUID string, got 'not-a-uuid'/);
    await expectRejected('uuid', '123e4567-e89b-12d3-a456-42661417400', /expected a UUID string/);
    await expectRejected('uuid', '{123e4567-e89b-12d3-a456-426614174000', /expected a UUID string/);
  });

  it('a Date with NaN time, for timestamp, timestamptz and date', async () => {
    for (const type of ['timestamptz', 'timestamp', 'date']) await expectRejected(type, new Date(NaN), /expected a valid Date, got an invalid Date/);
  });

  it('a ragged nested array', async () => {
    await expectRejected('int4[]', [[1, 2], [3]], /ragged array: sub-array at \[1\] has 1 elements, expected 2/);
    await expectRejected('int4[]', [[1, 2], 3], /ragged array/);
    await expectRejected('text[]', [['a'], [['b']]], /ragged array/);
    await expectRejected('int4[]', [1, undefined], /undefined/);
  });

  it('a non-finite number for numeric', async () => {
    await expectRejected('numeric', NaN, /NaN is not a finite number; pass the string 'NaN'/);
    await expectRejected('numeric', Infinity, /Infinity is not a finite number/);
    await expectRejected('numeric', -Infinity, /-Infinity is not a finite number/);
    await expectRejected('numeric', '12,5', /expected a numeric literal/);
  });

  it('other kinds: objects for scalars, strings for bytea, bad JSON values, bad network and geometric values', async () => {
    await expectRejected('text', Symbol('s'), /cannot send a symbol as text/);
    await expectRejected('int4', { a: 1 }, /expected an integer, got an object/);
    await expectRejected('bytea', 123, /expected a Buffer or Uint8Array, got 123/);
    await expectRejected('jsonb', 10n, /not JSON-serialisable/);
    await expectRejected('jsonb', undefined, /undefined; pass null/);
    await expectRejected('inet', 10, /expected an inet string, got 10/);
    await expectRejected('point', { x: 1 }, /expected a number for y/);
    await expectRejected('interval', { months: 1.5 }, /expected an integer months/);
    await expectRejected('date', 20240229, /expected a date string/);
  });

  it("strings for types pgjet does not parse are the server's input: its error, the connection usable", async () => {
    for (const mode of MODES) {
      const conn = conns[mode.statement];
      for (const [type, text] of [['inet', '300.1.1.1'], ['date', '2024-02-30'], ['int4[]', '{1,x}'], ['point', '(1,'], ['timestamptz', 'yesterday-ish']]) {
        const err = await conn.fetchVal(`SELECT $1::${type}`, [text], { format: mode.format }).catch((e: unknown) => e);
        expect(err, `${mode.name} ${type} ${text}`).toBeInstanceOf(DatabaseError);
      }
      expect(await conn.fetchVal('SELECT 1::int4', [], { format: mode.format })).toBe(1);
    }
  });
});

describe('a value out of range, never wrapped', () => {
  it('integers beyond their type', async () => {
    await expectRejected('int2', 40000, /40000 is out of range for int2/);
    await expectRejected('int2', -32769, /-32769 is out of range for int2/);
    await expectRejected('int4', 2147483648, /out of range for int4/);
    await expectRejected('int4', '2147483648', /out of range for int4/);
    await expectRejected('int8', 2n ** 63n, /out of range for int8/);
    await expectRejected('int8', 2 ** 63, /beyond Number.MAX_SAFE_INTEGER/);
    await expectRejected('oid', -1, /out of range for oid/);
    await expectRejected('xid8', -1n, /out of range for xid8/);
  });

  it('floats beyond float4', async () => {
    await expectRejected('float4', 1e39, /out of range for float4/);
    await expectRejected('float4', 1e-50, /out of range for float4/);
  });

  it("timestamps and dates beyond PostgreSQL's range", async () => {
    const beforeJulian = new Date(-8.64e15); // 271822 BC: a valid Date, but before 4714-11-24 BC
    await expectRejected('timestamptz', beforeJulian, /out of range for timestamptz/);
    await expectRejected('timestamp', beforeJulian, /out of range for timestamp/);
    await expectRejected('date', beforeJulian, /out of range for date/);
    await expectRejected('timestamptz', -8.64e15, /expected a Date, ±Infinity or an ISO 8601 timestamp string/);
    // Strings are the server's to parse (and refuse): a DatabaseError, never a wrapped value.
    for (const mode of MODES) {
      for (const [type, text] of [['timestamptz', '294277-01-01 00:00:00+00'], ['timestamp', '4714-11-23 23:59:59 BC'], ['date', '5874898-01-01']]) {
        const err = await conns[mode.statement].fetchVal(`SELECT $1::${type}`, [text], { format: mode.format }).catch((e: unknown) => e);
        expect(err, `${mode.name} ${type} ${text}`).toBeInstanceOf(DatabaseError);
        expect((err as DatabaseError).code, `${mode.name} ${type} ${text}`).toBe('22008');
      }
    }
  });

  it('intervals beyond int32 months or days', async () => {
    await expectRejected('interval', { months: 2 ** 31 }, /interval months 2147483648 is out of range/);
    await expectRejected('interval', { days: -(2 ** 31) - 1 }, /out of range/);
  });
});

describe('where it happens', () => {
  it('names the argument list in executeMany and rolls nothing half-way', async () => {
    for (const conn of [conns.cached, conns.unnamed]) {
      await conn.execute('CREATE TEMP TABLE IF NOT EXISTS bad_batch (n int2)');
      await conn.execute('TRUNCATE bad_batch');
      const err = await conn.executeMany('INSERT INTO bad_batch VALUES ($1)', [[1], [2], [40000], [4]]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/argument list 2: invalid value for parameter \$1 \(int2\): 40000 is out of range/);
      expect(await conn.fetchVal('SELECT count(*)::int4 FROM bad_batch')).toBe(0);
    }
  });

  it('does not abort an open transaction: nothing of the bad execution reached the server', async () => {
    for (const conn of [conns.cached, conns.unnamed]) {
      await conn.transaction(async (tx) => {
        await expect(tx.fetchVal('SELECT $1::int2', [40000])).rejects.toBeInstanceOf(DataError);
        await expect(tx.fetchVal('SELECT $1::bool', ['maybe'], { format: 'text' })).rejects.toBeInstanceOf(DataError);
        expect(conn.isInTransaction).toBe(true);
        expect(await tx.fetchVal('SELECT 1::int4')).toBe(1);
      });
    }
  });
});

/**
 * Differential: every value node-postgres parses, read through pgjet/pg and through the real `pg` package on
 * the same server, must be equal. The process runs in a zone with a non-hour offset and daylight saving, so a
 * local-time Date built from the wrong fields cannot pass by accident.
 */
process.env.TZ = 'America/St_Johns';

import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as face from '../../../src/faces/pg/index.js';
import { testConfig } from '../../support/env.js';

let mine: face.Client;
let theirs: pg.Client;

beforeAll(async () => {
  mine = new face.Client(testConfig());
  theirs = new pg.Client(testConfig());
  await Promise.all([mine.connect(), theirs.connect()]);
});

afterAll(async () => {
  await Promise.all([mine.end(), theirs.end()]);
});

/** Runs one query through both drivers and expects the same rows (interval objects compared by their methods too). */
async function same(sql: string, values?: unknown[]): Promise<unknown[]> {
  const [a, b] = await Promise.all([mine.query(sql, values), theirs.query(sql, values)]);
  expect(a.rows).toEqual(b.rows);
  expect(JSON.stringify(a.rows)).toBe(JSON.stringify(b.rows));
  expect(a.fields.map((f) => [f.name, f.dataTypeID, f.tableID, f.columnID, f.dataTypeSize, f.dataTypeModifier, f.format])).toEqual(
    b.fields.map((f) => [f.name, f.dataTypeID, f.tableID, f.columnID, f.dataTypeSize, f.dataTypeModifier, f.format]),
  );
  return a.rows;
}

const CASES: Record<string, string> = {
  int2: "SELECT 1::int2 AS v, (-32768)::int2 AS w, NULL::int2 AS n",
  int4: 'SELECT 2147483647::int4 AS v, (-5)::int4 AS w',
  int8: "SELECT 9223372036854775807::int8 AS v, (-9223372036854775808)::int8 AS w, 0::int8 AS z",
  numeric: "SELECT 1.50::numeric AS a, 'NaN'::numeric AS b, 0.000001::numeric AS c, (-123456789012345678901234567890.12)::numeric AS d, 1e-20::numeric AS e, 100::numeric(10,3) AS f",
  float4: "SELECT 1.1::float4 AS a, 'NaN'::float4 AS b, '-Infinity'::float4 AS c, 3.4028235e38::float4 AS d",
  float8: "SELECT 1.1::float8 AS a, 'Infinity'::float8 AS b, '-0'::float8 AS c, 5e-324::float8 AS d, 0.1::float8 + 0.2::float8 AS e",
  bool: 'SELECT true AS t, false AS f',
  oid: "SELECT 4294967295::oid AS a, 'pg_class'::regclass AS b, 'int4'::regtype AS c",
  text: "SELECT 'héllo'::text AS a, 'x'::varchar(5) AS b, 'y'::char(3) AS c, 'abc'::name AS d, 'q'::\"char\" AS e, ''::text AS f",
  bytea: "SELECT '\\x00ff10'::bytea AS a, ''::bytea AS b",
  json: `SELECT '{"a": [1, 2.50, null], "b": {"c": "d"}, "a": 3}'::json AS a, '[1,"x"]'::jsonb AS b, 'null'::json AS c, '"s"'::jsonb AS d, '1.0'::jsonb AS e`,
  date: "SELECT '2024-02-29'::date AS a, '0044-03-15 BC'::date AS b, 'infinity'::date AS c, '-infinity'::date AS d, '0099-01-01'::date AS e, '1970-01-01'::date AS f",
  timestamp: "SELECT '2024-03-10 02:30:00'::timestamp AS a, '1900-01-01 00:00:00.123456'::timestamp AS b, 'infinity'::timestamp AS c, '0044-03-15 12:00:00 BC'::timestamp AS d, '2024-11-03 01:30:00.5'::timestamp AS e",
  timestamptz: "SELECT '2024-02-29 13:45:00.123456+05:45'::timestamptz AS a, '1969-12-31 23:59:59.999999+00'::timestamptz AS b, '-infinity'::timestamptz AS c, '0001-01-01 00:00:00+00'::timestamptz AS d, '1883-11-18 12:00:00 America/New_York'::timestamptz AS e",
  interval: "SELECT '1 year 2 mons 3 days 04:05:06.789'::interval AS a, '-1 day -00:00:01.5'::interval AS b, '0'::interval AS c, '-2 years'::interval AS d, '00:00:00.000001'::interval AS e",
  time: "SELECT '13:45:00.5'::time AS a, '13:45:00+05:45'::timetz AS b",
  geometry: "SELECT point(1.5, -2) AS a, circle(point(1, 2), 3.25) AS b, box(point(0,0), point(1,1)) AS c, lseg(point(0,0), point(1,1)) AS d, '((0,0),(1,1))'::path AS e, '((0,0),(1,0),(1,1))'::polygon AS f, '{1,2,3}'::line AS g",
  network: "SELECT '10.0.0.1/8'::inet AS a, '10.0.0.0/8'::cidr AS b, '08:00:2b:01:02:03'::macaddr AS c, '08:00:2b:01:02:03:04:05'::macaddr8 AS d",
  misc: "SELECT '550e8400-e29b-41d4-a716-446655440000'::uuid AS a, '$1.50'::money AS b, B'101'::bit(3) AS c, 'a fat cat'::tsvector AS d, '0/16B3748'::pg_lsn AS e, '1 2'::int2vector AS f, ROW(1, 'a', NULL) AS g, int4range(1, 5) AS h, '[2024-01-01,2024-02-01)'::daterange AS i, '<a/>'::xml AS j, '42'::xid AS k, NULL::void AS l",
  arrays: "SELECT ARRAY[1,NULL,3]::int4[] AS a, ARRAY[1,2]::int2[] AS b, ARRAY[1,2]::int8[] AS c, ARRAY[1.5,NULL]::numeric[] AS d, ARRAY[1.1]::float4[] AS e, ARRAY[1.1]::float8[] AS f, ARRAY[true,false,NULL] AS g, ARRAY['a b','NULL',NULL,'\"q\"','{x}','back\\\\slash',''] AS h, ARRAY['x']::varchar[] AS i, ARRAY['x']::char(2)[] AS j, '{{1,2},{3,4}}'::int4[] AS k, '[0:1]={7,8}'::int4[] AS l, '{}'::int4[] AS m, ARRAY[1]::oid[] AS n",
  'arrays of parsed types': "SELECT ARRAY['\\x01'::bytea, NULL] AS a, ARRAY['{\"a\":1}'::json] AS b, ARRAY['[1]'::jsonb, NULL] AS c, ARRAY['2024-02-29'::date, 'infinity'] AS d, ARRAY['2024-02-29 01:02:03'::timestamp] AS e, ARRAY['2024-02-29 01:02:03+01'::timestamptz, NULL] AS f, ARRAY['1 day'::interval, '-01:00'] AS g, ARRAY[point(1,2)] AS h, ARRAY['550e8400-e29b-41d4-a716-446655440000'::uuid] AS i, ARRAY['10.0.0.1'::inet] AS j, ARRAY['10.0.0.0/8'::cidr] AS k, ARRAY['08:00:2b:01:02:03'::macaddr] AS l, ARRAY['13:00'::time] AS m, ARRAY['13:00+01'::timetz] AS n, ARRAY['1'::money] AS o, ARRAY[numrange(1,2)] AS p, ARRAY['abc'::name] AS q, ARRAY[int4range(1,2)] AS r, ARRAY['1'::xid] AS s",
};

describe('pgjet/pg values equal pg 8.x values', () => {
  for (const [name, sql] of Object.entries(CASES)) {
    it(name, async () => {
      await same(sql);
    });
  }

  it('interval objects have pg interval methods with the same output', async () => {
    const sql = "SELECT '1 year 2 mons 3 days 04:05:06.789'::interval AS a, '-00:00:01.5'::interval AS b, '0'::interval AS c";
    const [a, b] = await Promise.all([mine.query(sql), theirs.query(sql)]);
    for (const key of ['a', 'b', 'c']) {
      const x = a.rows[0][key] as face.PostgresInterval;
      const y = b.rows[0][key] as { toPostgres(): string; toISO(): string; toISOString(): string };
      expect(Object.keys(x)).toEqual(Object.keys(y));
      expect([x.toPostgres(), x.toISO(), x.toISOString()]).toEqual([y.toPostgres(), y.toISO(), y.toISOString()]);
    }
  });

  it('a user enum, domain and composite arrive as pg gives them (text)', async () => {
    await mine.query("DROP TYPE IF EXISTS pgf_mood CASCADE; CREATE TYPE pgf_mood AS ENUM ('sad', 'happy'); DROP DOMAIN IF EXISTS pgf_pos; CREATE DOMAIN pgf_pos AS int4 CHECK (VALUE > 0); DROP TYPE IF EXISTS pgf_pair; CREATE TYPE pgf_pair AS (a int4, b text)");
    await same("SELECT 'happy'::pgf_mood AS a, ARRAY['sad'::pgf_mood] AS b, 5::pgf_pos AS c, ROW(1, 'x y')::pgf_pair AS d, ARRAY[ROW(2, NULL)::pgf_pair] AS e");
  });

  it('values in rowMode array, and several statements, match too', async () => {
    const sql = "SELECT 1::int8 AS a, '2024-02-29'::date AS a; SELECT '1 day'::interval AS i";
    const [a, b] = await Promise.all([mine.query({ text: sql, rowMode: 'array' }), theirs.query({ text: sql, rowMode: 'array' })]);
    const shape = (r: unknown): string => JSON.stringify((r as face.Result[]).map(({ command, rowCount, oid, rows, fields, rowAsArray }) => ({ command, rowCount, oid, rows, fields, rowAsArray })));
    expect(Array.isArray(a)).toBe(true);
    expect(shape(a)).toBe(shape(b));
  });

  it('property: int8, numeric, text arrays, timestamps and dates read back as pg reads them', async () => {
    const day = fc.integer({ min: -700_000, max: 2_900_000 });
    const micros = fc.bigInt({ min: -62_000_000_000_000_000n, max: 250_000_000_000_000_000n });
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 })),
        fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { maxLength: 5 }),
        micros,
        day,
        fc.integer({ min: -100_000_000, max: 100_000_000 }),
        async (i8, [unscaled, scale], strings, us, d, ivSeconds) => {
          const numeric = (Number(unscaled) / 10 ** scale).toString();
          await same(
            'SELECT $1::int8 AS a, $2::numeric AS b, $3::text[] AS c, to_timestamp($4::float8 / 1e6) AS d, to_timestamp($4::float8 / 1e6)::timestamp AS e, (DATE \'2000-01-01\' + $5::int4) AS f, make_interval(secs => $6::float8 / 1000) AS g',
            [i8.toString(), numeric, strings, us.toString(), d, ivSeconds],
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('parameters are stored as pg stores them (Dates, arrays, objects, Buffers, toPostgres)', async () => {
    const when = new Date(2024, 1, 29, 13, 45, 6, 789);
    const values = [when, [1, null, [2]], { a: 'b', n: 1 }, Buffer.from([0, 255]), { toPostgres: () => '(1,2)' }, undefined, 12.5, true, [when], ['a"b', 'c\\d'], new Uint8Array([7])];
    const sql = 'SELECT $1::timestamptz::text AS a, $2::text AS b, $3::jsonb::text AS c, $4::bytea::text AS d, $5::point::text AS e, $6::text AS f, $7::numeric::text AS g, $8::bool::text AS h, $9::timestamp[]::text AS i, $10::text[]::text AS j, $11::bytea::text AS k';
    await same(sql, values);
    const literal = (await mine.query('SELECT $1::date::text AS d', [when])).rows[0];
    expect(literal).toEqual((await theirs.query('SELECT $1::date::text AS d', [when])).rows[0]);
  });
});

/**
 * Containers against a real server: arrays of every type (any dimension, NULLs, non-default lower bounds,
 * quoting), composites (nested, arrays of them, dropped columns), anonymous records, enums, domains (the server
 * enforcing their constraints on encode) and ranges and multiranges of every built-in range type plus a user
 * one, in every mode; fast-check properties for arrays, ranges and composites.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckViolationError, connect, DatabaseError, DataError, NotNullViolationError } from '../../../src/index.js';
import { Range } from '../../../src/codecs/index.js';
import { serverOlderThan, testDsn } from '../../support/env.js';
import { FORMAT_MODES, literalTrip, MODES, openRoundTripConns, roundTrip, sqlTrip, type OpenRoundTripConns } from '../../support/round-trip.js';

const SCHEMA = 'pgjet_types_containers';
let conns: OpenRoundTripConns;

beforeAll(async () => {
  const setup = await connect(testDsn());
  await setup.execute(`
    DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE;
    CREATE SCHEMA ${SCHEMA};
    SET search_path = ${SCHEMA};
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'with space', 'quo"te,comma', 'éléphant');
    CREATE TYPE inner_t AS (x int4, y text);
    CREATE TYPE outer_t AS (id int8, inner_v inner_t, inners inner_t[], tags text[], at timestamptz, amount numeric, m mood, r int4range);
    CREATE TABLE with_drop (a int4, b text, c numeric);
    ALTER TABLE with_drop DROP COLUMN b;
    CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
    CREATE DOMAIN small_posint AS posint CHECK (VALUE < 100);
    CREATE DOMAIN nonempty AS text NOT NULL CHECK (VALUE <> '');
    CREATE DOMAIN inner_d AS inner_t CHECK ((VALUE).x IS NOT NULL);
    CREATE DOMAIN int_pair AS int4[] CHECK (array_length(VALUE, 1) = 2);
    CREATE DOMAIN ts_d AS timestamptz;
    CREATE TYPE floatrange AS RANGE (subtype = float8);
  `);
  await setup.close();
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu', search_path: `${SCHEMA},public` } });
});

afterAll(async () => {
  await conns.close();
  const teardown = await connect(testDsn());
  await teardown.execute(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await teardown.close();
});

const p = (x: number, y: number) => ({ x, y });
/** A range as pgjet decodes it. */
const rg = (lower: unknown, upper: unknown, lowerInc: boolean, upperInc: boolean) => new Range(lower, upper, lowerInc, upperInc);
const empty = Range.empty();

describe('arrays of every type', () => {
  // One or two non-NULL sample values per type: arrays of them must round-trip in 1, 2 and 3 dimensions with NULLs.
  const samples: [string, unknown, unknown][] = [
    ['bool', true, false],
    ['int2', -32768, 32767],
    ['int4', 1, -2147483648],
    ['int8', 9007199254740993n, -1n],
    ['float4', 1.1, -Infinity],
    ['float8', 0.1, NaN],
    ['numeric', '1234.5678', 'NaN'],
    ['money', '$1.50', '-$0.01'],
    ['oid', 4294967295, 0],
    ['xid', 7, 8],
    ['cid', 1, 2],
    ['xid8', 18446744073709551615n, 0n],
    ['"char"', 'a', ''],
    ['name', 'pg_class', 'x y'],
    ['text', 'NULL', ''],
    ['varchar', 'a,b', 'c"d'],
    ['bpchar', 'ab', 'c'],
    ['bytea', Buffer.from([0, 255]), Buffer.alloc(0)],
    ['uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000'],
    ['json', { a: [1, 'x'] }, true],
    ['jsonb', { b: null }, 12.5],
    ['jsonpath', '$."a"[*]', '$'],
    ['date', '2024-02-29', '0044-03-15 BC'],
    ['time', '13:45:00.123456', '24:00:00'],
    ['timetz', '13:45:00+05:45', '00:00:00-09:30'],
    ['timestamp', new Date('2024-01-01T00:00:00.123Z'), Infinity],
    ['timestamptz', new Date('1900-01-01T00:00:00Z'), -Infinity],
    ['interval', { months: 1, days: -2, microseconds: 3 }, { months: 0, days: 0, microseconds: 0 }],
    ['inet', '192.168.0.1/24', '::1'],
    ['cidr', '10.0.0.0/8', '2001:db8::/32'],
    ['macaddr', '08:00:2b:01:02:03', 'ff:ff:ff:ff:ff:ff'],
    ['macaddr8', '08:00:2b:01:02:03:04:05', '00:00:00:00:00:00:00:00'],
    ['point', p(1, 2), p(-0.5, 0)],
    ['line', { a: 1, b: -1, c: 0 }, { a: 0, b: 1, c: 2 }],
    ['lseg', [p(0, 0), p(1, 1)], [p(2, 2), p(3, 3)]],
    ['box', [p(1, 1), p(0, 0)], [p(3, 3), p(2, 2)]],
    ['path', { closed: true, points: [p(0, 0), p(1, 1)] }, { closed: false, points: [p(2, 2)] }],
    ['polygon', [p(0, 0), p(1, 0), p(1, 1)], [p(5, 5)]],
    ['circle', { x: 1, y: 2, radius: 3 }, { x: 0, y: 0, radius: 0 }],
    ['bit(3)', '101', '000'],
    ['varbit', '1', ''],
    ['tsvector', "'a':1 'b'", ''],
    ['tsquery', "'a' & 'b'", "'c'"],
    ['pg_lsn', '16/B374D848', '0/0'],
    ['pg_snapshot', '10:20:10,14', '1:1:'],
    ['txid_snapshot', '10:20:10,14', '1:1:'],
    ['int2vector', [1, 2], [3]],
    ['oidvector', [23], [25, 26]],
    ['tid', '(0,1)', '(1,2)'],
    ['refcursor', 'c1', 'c 2'],
    ['regclass', 'pg_class', 'pg_type'],
    ['regtype', 'integer', 'text'],
    ['int4range', rg(1, 5, true, false), empty],
    ['int8range', rg(null, 5n, false, false), rg(1n, null, true, false)],
    ['numrange', rg('1.5', '2.50', true, true), empty],
    ['daterange', rg('2024-01-01', '2024-02-01', true, false), rg(null, null, false, false)],
    ['tsrange', rg(new Date(0), Infinity, true, true), empty],
    ['tstzrange', rg(new Date(0), new Date(1), false, false), empty],
    ['mood', 'happy', 'quo"te,comma'],
    ['inner_t', { x: 1, y: 'a,b' }, { x: null, y: '' }],
    ['posint', 1, 99],
    ['floatrange', rg(1.5, 2.5, true, false), empty],
  ];

  // Multiranges exist from PostgreSQL 14 on.
  const multirangeSamples: [string, unknown, unknown][] = [
    ['int4multirange', [rg(1, 3, true, false), rg(5, 7, true, false)], []],
    ['datemultirange', [rg('2024-01-01', '2024-01-02', true, false)], []],
  ];
  const arrayCase = async (type: string, a: unknown, b: unknown) => {
    await roundTrip(conns, `${type}[]`, []);
    await roundTrip(conns, `${type}[]`, [a, null, b]);
    await roundTrip(conns, `${type}[]`, [null]);
    await roundTrip(conns, `${type}[]`, [[a, b], [null, a]]);
    await roundTrip(conns, `${type}[]`, [[[a], [b]], [[null], [a]]]);
  };

  it.each(samples)('%s[]: empty, 1-D with NULLs, 2-D and 3-D', arrayCase);
  it.skipIf(serverOlderThan(14)).each(multirangeSamples)('%s[]: empty, 1-D with NULLs, 2-D and 3-D (PostgreSQL 14+)', arrayCase);

  it('NULL arrays and arrays of NULLs differ', async () => {
    await roundTrip(conns, 'int4[]', null);
    await roundTrip(conns, 'int4[]', [null, null], { text: '{NULL,NULL}' });
  });

  it('non-default lower bounds are dropped', async () => {
    await literalTrip(conns, 'int4[]', '[0:2]={1,2,3}', [1, 2, 3], { text: '[0:2]={1,2,3}' });
    await literalTrip(conns, 'int4[]', '[-2:-1][5:6]={{1,NULL},{3,4}}', [[1, null], [3, 4]], { text: '[-2:-1][5:6]={{1,NULL},{3,4}}' });
    await literalTrip(conns, 'text[]', '[2:3]={"a b",NULL}', ['a b', null]);
    await sqlTrip(conns, 'array_fill with lower bound', "SELECT array_fill(7, ARRAY[2,2], ARRAY[-3,10])", [], [[7, 7], [7, 7]], { text: '[-3:-2][10:11]={{7,7},{7,7}}' });
  });

  it('six dimensions, the maximum; a seventh is a DataError', async () => {
    await roundTrip(conns, 'int4[]', [[[[[[1, 2]]]]]], { text: '{{{{{{1,2}}}}}}' });
    for (const mode of MODES) {
      const err = await conns[mode.statement].fetchVal('SELECT $1::int4[]', [[[[[[[[1]]]]]]]], { format: mode.format }).catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/more than 6 dimensions/);
    }
  });

  it('text elements that need quoting survive the text format', async () => {
    const awkward = ['NULL', 'null', '', ' ', ' lead', 'trail ', 'a,b', 'a;b', 'a"b', 'a\\b', '{x}', '(y)', 'é 🐘', 'tab\there', 'nl\nhere'];
    await roundTrip(conns, 'text[]', awkward);
    await roundTrip(conns, 'text[]', [awkward.slice(0, 5), awkward.slice(5, 10)]);
  });

  it('box[] uses ; between elements', async () => {
    await roundTrip(conns, 'box[]', [[p(1, 1), p(0, 0)], [p(3, 3), p(2, 2)]], { text: '{(1,1),(0,0);(3,3),(2,2)}' });
  });

  it('arrays of arrays-valued types (polygon) nest by element', async () => {
    await roundTrip(conns, 'polygon[]', [[[p(0, 0)], [p(1, 1), p(2, 2)]]], { expected: [[[p(0, 0)], [p(1, 1), p(2, 2)]]] });
  });

  it.skipIf(serverOlderThan(14))('arrays of arrays-valued types (multirange) nest by element (PostgreSQL 14+)', async () => {
    await roundTrip(conns, 'int4multirange[]', [[rg(1, 2, true, false)], []], { text: '{"{[1,2)}","{}"}' });
  });
});

describe('composite types', () => {
  it('flat: NULL fields, missing keys, quoting', async () => {
    await roundTrip(conns, 'inner_t', { x: 1, y: 'a' }, { literal: '(1,a)', text: '(1,a)' });
    await roundTrip(conns, 'inner_t', { x: null, y: null }, { literal: '(,)', text: '(,)' });
    await roundTrip(conns, 'inner_t', { x: 2 }, { expected: { x: 2, y: null }, text: '(2,)' });
    await roundTrip(conns, 'inner_t', { x: 3, y: '' }, { literal: '(3,"")', text: '(3,"")' });
    for (const y of ['a,b', '(x)', 'q"uote', 'back\\slash', ' ', 'NULL', 'é🐘', 'line\nbreak']) {
      await roundTrip(conns, 'inner_t', { x: 4, y });
    }
    await roundTrip(conns, 'inner_t', null);
  });

  it('nested, with arrays of composites, ranges, enums and timestamps', async () => {
    const value = {
      id: 9007199254740993n,
      inner_v: { x: 1, y: 'in "side"' },
      inners: [{ x: 2, y: null }, null, { x: null, y: 'z' }],
      tags: ['a', 'b c', '', 'NULL'],
      at: new Date('2024-01-01T00:00:00Z'),
      amount: '-12.500',
      m: 'with space',
      r: rg(1, 10, true, false),
    };
    await roundTrip(conns, 'outer_t', value);
    await roundTrip(conns, 'outer_t[]', [value, null, { ...value, inners: [], tags: null }], { expected: [value, null, { ...value, inners: [], tags: null }] });
    await roundTrip(conns, 'outer_t', { id: 1n }, { expected: { id: 1n, inner_v: null, inners: null, tags: null, at: null, amount: null, m: null, r: null } });
  });

  it('table row types skip dropped columns', async () => {
    await roundTrip(conns, 'with_drop', { a: 1, c: '2.5' }, { literal: '(1,2.5)', text: '(1,2.5)' });
    await sqlTrip(conns, 'row of a table with a dropped column', 'SELECT w FROM (SELECT 5 AS a, 6.0 AS c) AS src, LATERAL (SELECT ROW(src.a, src.c)::with_drop AS w) AS x', [], { a: 5, c: '6.0' });
  });

  it('a value of the wrong kind names the field', async () => {
    for (const mode of MODES) {
      const err = await conns[mode.statement].fetchVal('SELECT $1::inner_t', [{ x: 'one', y: 'a' }], { format: mode.format }).catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/parameter \$1 \(inner_t\): inner_t\.x: expected an integer/);
      const notObject = await conns[mode.statement].fetchVal('SELECT $1::inner_t', [[1, 'a']], { format: mode.format }).catch((e: unknown) => e);
      expect(notObject, mode.name).toBeInstanceOf(DataError);
    }
  });
});

describe('anonymous records', () => {
  it('nested records and arrays of records (binary)', async () => {
    const binary = MODES.filter((m) => m.format === 'binary');
    await sqlTrip(conns, 'ROW(ROW(…), ARRAY[ROW(…)])', "SELECT ROW(ROW(1, 'a'), ARRAY[ROW(2, 'b'), NULL], 'happy'::mood) AS r", [], [[1, 'a'], [[2, 'b'], null], 'happy'], { modes: binary });
    await sqlTrip(conns, 'ARRAY[ROW(…)]', 'SELECT ARRAY[ROW(1, NULL), ROW(NULL, 2)] AS r', [], [[1, null], [null, 2]], { modes: binary, text: '{"(1,)","(,2)"}' });
  });
});

describe('enums', () => {
  it('labels with spaces, quotes and non-ASCII', async () => {
    for (const label of ['sad', 'ok', 'happy', 'with space', 'quo"te,comma', 'éléphant']) await roundTrip(conns, 'mood', label, { literal: label });
    await roundTrip(conns, 'mood', null);
  });

  it('a label the type lacks is refused (by the server), and the connection stays usable', async () => {
    for (const mode of MODES) {
      const err = await conns[mode.statement].fetchVal('SELECT $1::mood', ['angry'], { format: mode.format }).catch((e: unknown) => e);
      expect(err instanceof DataError || err instanceof DatabaseError, mode.name).toBe(true);
      expect((err as Error).message).toMatch(/angry/);
      expect(await conns[mode.statement].fetchVal('SELECT $1::mood', ['ok'], { format: mode.format })).toBe('ok');
    }
  });

  it('a label added by ALTER TYPE elsewhere is accepted without reloading anything', async () => {
    const other = await connect(testDsn(), { serverSettings: { search_path: SCHEMA } });
    try {
      await other.execute("CREATE TYPE late_mood AS ENUM ('a')");
      for (const mode of MODES) expect(await conns[mode.statement].fetchVal('SELECT $1::late_mood', ['a'], { format: mode.format })).toBe('a');
      await other.execute("ALTER TYPE late_mood ADD VALUE 'b'");
      for (const mode of MODES) {
        expect(await conns[mode.statement].fetchVal('SELECT $1::late_mood', ['b'], { format: mode.format }), mode.name).toBe('b');
        expect(await conns[mode.statement].fetchVal("SELECT 'b'::late_mood", [], { format: mode.format }), mode.name).toBe('b');
      }
    } finally {
      await other.execute('DROP TYPE late_mood');
      await other.close();
    }
  });
});

describe('domains', () => {
  it('decode as their base type, arrays of them too', async () => {
    await roundTrip(conns, 'posint', 5, { literal: '5', text: '5' });
    await roundTrip(conns, 'small_posint', 99);
    await roundTrip(conns, 'nonempty', 'x', { literal: 'x' });
    await roundTrip(conns, 'inner_d', { x: 1, y: 'q' }, { text: '(1,q)' });
    await roundTrip(conns, 'int_pair', [1, 2], { text: '{1,2}' });
    await roundTrip(conns, 'ts_d', new Date('2024-01-01T00:00:00Z'), { text: '2024-01-01 05:45:00+05:45' });
    await roundTrip(conns, 'posint[]', [1, null, 3]);
    await roundTrip(conns, 'inner_d[]', [{ x: 1, y: null }]);
    // An array of a domain over an array: its elements are arrays.
    await roundTrip(conns, 'int_pair[]', [[1, 2], null, [3, null]], { text: '{"{1,2}",NULL,"{3,NULL}"}' });
    await roundTrip(conns, 'posint', null);
  });

  it('the server enforces their constraints on encode, in every mode', async () => {
    const cases: [string, unknown, new (...args: never[]) => DatabaseError][] = [
      ['posint', -1, CheckViolationError],
      ['small_posint', 100, CheckViolationError],
      ['small_posint', 0, CheckViolationError],
      ['nonempty', '', CheckViolationError],
      ['nonempty', null, NotNullViolationError],
      ['inner_d', { y: 'no x' }, CheckViolationError],
      ['int_pair', [1, 2, 3], CheckViolationError],
      ['posint[]', [1, -1], CheckViolationError],
    ];
    for (const mode of MODES) {
      for (const [type, value, errorClass] of cases) {
        const err = await conns[mode.statement].fetchVal(`SELECT $1::${type}`, [value], { format: mode.format }).catch((e: unknown) => e);
        expect(err, `${mode.name} ${type}`).toBeInstanceOf(errorClass);
      }
      expect(await conns[mode.statement].fetchVal('SELECT $1::posint', [7], { format: mode.format })).toBe(7);
    }
  });
});

describe('ranges of every built-in range type', () => {
  it('int4range and int8range: canonical form, empty, unbounded ends', async () => {
    await roundTrip(conns, 'int4range', rg(1, 5, true, true), { expected: rg(1, 6, true, false), literal: '[1,5]', text: '[1,6)' });
    await roundTrip(conns, 'int4range', rg(1, 5, false, false), { expected: rg(2, 5, true, false), text: '[2,5)' });
    await roundTrip(conns, 'int4range', rg(null, 5, false, true), { expected: rg(null, 6, false, false), literal: '(,5]', text: '(,6)' });
    await roundTrip(conns, 'int4range', rg(3, null, true, false), { literal: '[3,)', text: '[3,)' });
    await roundTrip(conns, 'int4range', rg(null, null, false, false), { literal: '(,)', text: '(,)' });
    await roundTrip(conns, 'int4range', rg(5, 5, true, false), { expected: empty, text: 'empty' });
    await roundTrip(conns, 'int4range', empty, { literal: 'empty', text: 'empty' });
    await roundTrip(conns, 'int4range', rg(-2147483648, 2147483646, true, true), { expected: rg(-2147483648, 2147483647, true, false) });
    await roundTrip(conns, 'int4range', { lower: 1, upper: 2 }, { expected: rg(1, 2, true, false), text: '[1,2)' });
    await roundTrip(conns, 'int8range', rg(-(2n ** 63n), 2n ** 63n - 2n, true, true), { expected: rg(-(2n ** 63n), 2n ** 63n - 1n, true, false) });
    await roundTrip(conns, 'int8range', null);
  });

  it('numrange keeps the bounds exactly', async () => {
    await roundTrip(conns, 'numrange', rg('1.5', '2.50', true, true), { literal: '[1.5,2.50]', text: '[1.5,2.50]' });
    await roundTrip(conns, 'numrange', rg(`0.${'0'.repeat(100)}1`, null, false, false));
    await roundTrip(conns, 'numrange', empty);
  });

  it.skipIf(serverOlderThan(14))('numrange with numeric ±Infinity bounds (PostgreSQL 14+)', async () => {
    await roundTrip(conns, 'numrange', rg('-Infinity', 'Infinity', false, false), { literal: '(-Infinity,Infinity)', text: '(-Infinity,Infinity)' });
  });

  it('daterange: canonical, BC, infinity bounds (values, not unbounded)', async () => {
    await roundTrip(conns, 'daterange', rg('2024-01-01', '2024-01-31', true, true), { expected: rg('2024-01-01', '2024-02-01', true, false), literal: '[2024-01-01,2024-01-31]', text: '[2024-01-01,2024-02-01)' });
    await roundTrip(conns, 'daterange', rg('0044-03-15 BC', '0044-03-16 BC', true, false), { text: '["0044-03-15 BC","0044-03-16 BC")' });
    await roundTrip(conns, 'daterange', rg('2024-01-01', 'infinity', true, true), { literal: '[2024-01-01,infinity]', text: '[2024-01-01,infinity]' });
    await roundTrip(conns, 'daterange', rg('-infinity', '2024-01-01', false, false), { expected: rg('-infinity', '2024-01-01', false, false), text: '(-infinity,2024-01-01)' });
    await roundTrip(conns, 'daterange', empty);
  });

  it('tsrange and tstzrange: Dates, ±Infinity bounds, odd offsets', async () => {
    const a = new Date('2024-01-01T00:00:00Z');
    const b = new Date('2024-01-02T00:00:00.5Z');
    await roundTrip(conns, 'tsrange', rg(a, b, true, false), { text: '["2024-01-01 00:00:00","2024-01-02 00:00:00.5")' });
    await roundTrip(conns, 'tsrange', rg(-Infinity, Infinity, true, true), { literal: '[-infinity,infinity]', text: '[-infinity,infinity]' });
    await roundTrip(conns, 'tstzrange', rg(a, b, false, true), { text: '("2024-01-01 05:45:00+05:45","2024-01-02 05:45:00.5+05:45"]' });
    await literalTrip(conns, 'tstzrange', '[2024-01-01 00:00-09:30,)', rg(new Date('2024-01-01T09:30:00Z'), null, true, false));
    await roundTrip(conns, 'tstzrange', empty);
    await roundTrip(conns, 'tstzrange', null);
  });

  it('a user range over float8', async () => {
    await roundTrip(conns, 'floatrange', rg(1.5, 2.5, true, false), { literal: '[1.5,2.5)', text: '[1.5,2.5)' });
    await roundTrip(conns, 'floatrange', rg(-Infinity, 0, false, true), { text: '(-Infinity,0]' });
    await roundTrip(conns, 'floatrange', empty);
  });
});

describe('multiranges of every built-in range type', () => {
  it.skipIf(serverOlderThan(14))('int4, int8, num, date, ts and tstz multiranges, a user multirange, empty and merged (PostgreSQL 14+)', async () => {
    await roundTrip(conns, 'int4multirange', [rg(1, 3, true, false), rg(5, 7, true, false)], { literal: '{[1,3),[5,7)}', text: '{[1,3),[5,7)}' });
    await roundTrip(conns, 'int4multirange', [rg(1, 4, true, false), rg(2, 6, true, true)], { expected: [rg(1, 7, true, false)], text: '{[1,7)}' });
    await roundTrip(conns, 'int4multirange', [], { literal: '{}', text: '{}' });
    await roundTrip(conns, 'int4multirange', [empty], { expected: [], text: '{}' });
    await roundTrip(conns, 'int8multirange', [rg(null, 0n, false, false), rg(10n, null, true, false)], { text: '{(,0),[10,)}' });
    await roundTrip(conns, 'nummultirange', [rg('1.0', '2.0', true, true)], { text: '{[1.0,2.0]}' });
    await roundTrip(conns, 'datemultirange', [rg('2024-01-01', '2024-01-05', true, false), rg('2024-02-01', 'infinity', true, false)], { text: '{[2024-01-01,2024-01-05),[2024-02-01,infinity)}' });
    const a = new Date('2024-01-01T00:00:00Z');
    await roundTrip(conns, 'tsmultirange', [rg(a, Infinity, true, false)], { text: '{["2024-01-01 00:00:00",infinity)}' });
    await roundTrip(conns, 'tstzmultirange', [rg(-Infinity, a, false, false)], { text: '{(-infinity,"2024-01-01 05:45:00+05:45")}' });
    await roundTrip(conns, 'floatmultirange', [rg(0.5, 1, true, false)], { text: '{[0.5,1)}' });
    await roundTrip(conns, 'int4multirange', null);
  });
});

describe('properties through the server (fast-check)', () => {
  /** A rectangular nested array of `dims` filled from `items`. */
  function shape<T>(dims: number[], items: T[]): unknown[] {
    let pos = 0;
    const build = (depth: number): unknown[] => Array.from({ length: dims[depth] }, () => (depth + 1 < dims.length ? build(depth + 1) : items[pos++]));
    return build(0);
  }
  const nested = <T>(item: fc.Arbitrary<T>) =>
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).chain((dims) =>
      fc.array(fc.option(item, { nil: null }), { minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) }).map((items) => shape(dims, items)),
    );
  const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0'));

  it('nested int4[] and text[] with NULLs round-trip', async () => {
    await fc.assert(
      fc.asyncProperty(nested(fc.integer()), nested(text), async (ints, texts) => {
        await roundTrip(conns, 'int4[]', ints, { modes: FORMAT_MODES, text: false });
        await roundTrip(conns, 'text[]', texts, { modes: FORMAT_MODES, text: false });
      }),
      { numRuns: 200 },
    );
  });

  it('int4 ranges come back canonical', async () => {
    const bound = fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null });
    await fc.assert(
      fc.asyncProperty(bound, bound, fc.boolean(), fc.boolean(), async (lower, upper, lowerInc, upperInc) => {
        if (lower !== null && upper !== null && lower > upper) [lower, upper] = [upper, lower];
        // int4range_canonical: [lower, upper) with inclusive-lower and exclusive-upper integers.
        const lo = lower === null ? null : lowerInc ? lower : lower + 1;
        const hi = upper === null ? null : upperInc ? upper + 1 : upper;
        const expected = lo !== null && hi !== null && lo >= hi ? empty : rg(lo, hi, lo !== null, false);
        await roundTrip(conns, 'int4range', rg(lower, upper, lowerInc, upperInc), { expected, modes: FORMAT_MODES, text: false });
      }),
      { numRuns: 300 },
    );
  });

  it('tstzranges of Dates round-trip', async () => {
    const date = fc.integer({ min: -62135596800000, max: 8.64e15 }).map((ms) => new Date(ms));
    await fc.assert(
      fc.asyncProperty(date, date, fc.boolean(), fc.boolean(), async (a, b, lowerInc, upperInc) => {
        const [lower, upper] = a <= b ? [a, b] : [b, a];
        const isEmpty = lower.getTime() === upper.getTime() && !(lowerInc && upperInc);
        await roundTrip(conns, 'tstzrange', rg(lower, upper, lowerInc, upperInc), { expected: isEmpty ? empty : rg(lower, upper, lowerInc, upperInc), modes: FORMAT_MODES, text: false });
      }),
      { numRuns: 200 },
    );
  });

  it('composites with random fields round-trip, nested', async () => {
    const inner = fc.record({ x: fc.option(fc.integer(), { nil: null }), y: fc.option(text, { nil: null }) });
    const outer = fc.record({
      id: fc.option(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), { nil: null }),
      inner_v: fc.option(inner, { nil: null }),
      inners: fc.option(fc.array(fc.option(inner, { nil: null }), { maxLength: 3 }), { nil: null }),
      tags: fc.option(fc.array(fc.option(text, { nil: null }), { maxLength: 3 }), { nil: null }),
      at: fc.constant(null),
      amount: fc.option(fc.integer().map(String), { nil: null }),
      m: fc.option(fc.constantFrom('sad', 'with space', 'quo"te,comma', 'éléphant'), { nil: null }),
      r: fc.constant(null),
    });
    await fc.assert(
      fc.asyncProperty(outer, async (value) => {
        await roundTrip(conns, 'outer_t', value, { modes: FORMAT_MODES, text: false });
      }),
      { numRuns: 200 },
    );
  });
});

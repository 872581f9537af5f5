/**
 * Network, geometric, bit-string, text-search and system types against a real server, plus anonymous records:
 * inet, cidr, macaddr, macaddr8, point, line, lseg, box, path, polygon, circle, bit, varbit, tsvector,
 * tsquery, pg_lsn, pg_snapshot, txid_snapshot, int2vector, oidvector, tid and record, in every mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODES, literalTrip, openRoundTripConns, roundTrip, sqlTrip, type OpenRoundTripConns } from '../../support/round-trip.js';

let conns: OpenRoundTripConns;

beforeAll(async () => {
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu' } });
});

afterAll(async () => {
  await conns.close();
});

describe('inet and cidr', () => {
  it('inet: IPv4, IPv6, masks, mapped addresses and zero runs print as the server prints them', async () => {
    const same = [
      '192.168.0.1',
      '192.168.0.1/24',
      '0.0.0.0/0',
      '255.255.255.255',
      '10.0.0.0/8',
      '::1',
      '::',
      '::/0',
      '1::',
      '2001:db8::1/64',
      '1:0:0:1::1',
      '1::1:0:0:1',
      '2001:db8:85a3::8a2e:370:7334',
      '::ffff:1.2.3.4',
      '::1.2.3.4',
      'fe80::1:2:3:4/10',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ];
    for (const v of same) await roundTrip(conns, 'inet', v, { literal: v });
    await roundTrip(conns, 'inet', '192.168.0.1/32', { expected: '192.168.0.1' });
    await roundTrip(conns, 'inet', '1:0:0:0:0:0:0:1/128', { expected: '1::1' });
    await roundTrip(conns, 'inet', '2001:DB8::ABCD', { expected: '2001:db8::abcd' });
    await roundTrip(conns, 'inet', '1:2:3:4:5:6:7:0', { expected: '1:2:3:4:5:6:7:0' });
    await roundTrip(conns, 'inet', '0:0:1:0:0:0:2:0', { expected: '0:0:1::2:0' });
    await roundTrip(conns, 'inet', null);
  });

  it('cidr always carries its mask; abbreviated input is widened', async () => {
    await roundTrip(conns, 'cidr', '10.0.0.0/8', { literal: '10/8' });
    await roundTrip(conns, 'cidr', '192.168.1.0/24', { literal: '192.168.1' });
    await roundTrip(conns, 'cidr', '10.1.2.3/32', { literal: '10.1.2.3' });
    await roundTrip(conns, 'cidr', '0.0.0.0/0', { literal: '0.0.0.0/0' });
    await roundTrip(conns, 'cidr', '2001:db8::/32', { literal: '2001:db8::/32' });
    await roundTrip(conns, 'cidr', '::/0');
    await roundTrip(conns, 'cidr', '::1/128', { literal: '::1' });
    await roundTrip(conns, 'cidr', null);
  });
});

describe('macaddr and macaddr8', () => {
  it('print lowercase with colons whatever the input form', async () => {
    await roundTrip(conns, 'macaddr', '08:00:2b:01:02:03', { literal: '08-00-2B-01-02-03' });
    for (const input of ['08-00-2B-01-02-03', '08002b:010203', '0800.2b01.0203', '08002b010203', '0800-2b01-0203']) {
      await roundTrip(conns, 'macaddr', input, { expected: '08:00:2b:01:02:03', literal: input });
    }
    await roundTrip(conns, 'macaddr', '00:00:00:00:00:00');
    await roundTrip(conns, 'macaddr', 'ff:ff:ff:ff:ff:ff');
    await roundTrip(conns, 'macaddr8', '08:00:2b:01:02:03:04:05', { literal: '0800.2b01.0203.0405' });
    await roundTrip(conns, 'macaddr8', '08:00:2b:01:02:03', { expected: '08:00:2b:ff:fe:01:02:03', literal: '08:00:2b:01:02:03' });
    await roundTrip(conns, 'macaddr', null);
    await roundTrip(conns, 'macaddr8', null);
  });
});

describe('geometric types', () => {
  const p = (x: number, y: number) => ({ x, y });

  it('point: zero, negative zero, extremes, NaN and infinities', async () => {
    await roundTrip(conns, 'point', p(1.5, -2), { literal: '(1.5,-2)', text: '(1.5,-2)' });
    await roundTrip(conns, 'point', p(0, -0), { text: '(0,-0)' });
    await roundTrip(conns, 'point', p(Number.MAX_VALUE, Number.MIN_VALUE), { text: '(1.7976931348623157e+308,5e-324)' });
    await roundTrip(conns, 'point', p(NaN, Infinity), { literal: '(NaN,Infinity)', text: '(NaN,Infinity)' });
    await roundTrip(conns, 'point', p(-Infinity, 0.1), { text: '(-Infinity,0.1)' });
    await roundTrip(conns, 'point', null);
  });

  it('line, lseg, box, path, polygon, circle', async () => {
    await roundTrip(conns, 'line', { a: 1, b: -1, c: 0 }, { literal: '{1,-1,0}', text: '{1,-1,0}' });
    await literalTrip(conns, 'line', '[(0,0),(1,1)]', { a: 1, b: -1, c: 0 }, { text: '{1,-1,0}' });
    await roundTrip(conns, 'lseg', [p(0, 0), p(1.5, -2)], { literal: '[(0,0),(1.5,-2)]', text: '[(0,0),(1.5,-2)]' });
    // Boxes are stored upper-right corner first, whatever order the corners come in.
    await roundTrip(conns, 'box', [p(0, 0), p(2, 3)], { expected: [p(2, 3), p(0, 0)], literal: '(0,0),(2,3)', text: '(2,3),(0,0)' });
    await roundTrip(conns, 'box', [p(-1, 5), p(4, -2)], { expected: [p(4, 5), p(-1, -2)], text: '(4,5),(-1,-2)' });
    await roundTrip(conns, 'path', { closed: false, points: [p(0, 0), p(1, 1), p(2, 0)] }, { literal: '[(0,0),(1,1),(2,0)]', text: '[(0,0),(1,1),(2,0)]' });
    await roundTrip(conns, 'path', { closed: true, points: [p(0, 0), p(1, 1)] }, { literal: '((0,0),(1,1))', text: '((0,0),(1,1))' });
    await roundTrip(conns, 'path', { closed: true, points: [p(-0.5, 1e-10)] }, { text: '((-0.5,1e-10))' });
    await roundTrip(conns, 'polygon', [p(0, 0), p(1, 0), p(1, 1)], { literal: '((0,0),(1,0),(1,1))', text: '((0,0),(1,0),(1,1))' });
    await roundTrip(conns, 'polygon', [p(3, 4)], { text: '((3,4))' });
    await roundTrip(conns, 'circle', { x: 1, y: -1, radius: 2.5 }, { literal: '<(1,-1),2.5>', text: '<(1,-1),2.5>' });
    await roundTrip(conns, 'circle', { x: 0, y: 0, radius: 0 }, { text: '<(0,0),0>' });
    for (const type of ['line', 'lseg', 'box', 'path', 'polygon', 'circle']) await roundTrip(conns, type, null);
  });
});

describe('bit and varbit', () => {
  it('bit strings of any length, padded as the type says', async () => {
    await roundTrip(conns, 'bit(3)', '101', { literal: '101' });
    await roundTrip(conns, 'bit(8)', '10000001');
    await roundTrip(conns, 'bit(1)', '0');
    await roundTrip(conns, 'bit(5)', '101', { expected: '10100' }); // an explicit cast pads with zeros
    await roundTrip(conns, 'varbit', '', { literal: '' });
    await roundTrip(conns, 'varbit', '1', { literal: 'B1' });
    await roundTrip(conns, 'varbit', '0101010101010', { literal: '0101010101010' });
    await roundTrip(conns, 'varbit', 'X1F', { expected: '00011111', literal: 'X1F' });
    const long = Array.from({ length: 1001 }, (_, i) => (i * 7) % 3 === 0 ? '1' : '0').join('');
    await roundTrip(conns, 'varbit', long, { literal: long });
    await roundTrip(conns, 'varbit(4)', '110011', { expected: '1100' });
    await roundTrip(conns, 'varbit', null);
  });
});

describe('tsvector and tsquery', () => {
  it('tsvector: positions, weights, quoting, unicode, empty', async () => {
    await roundTrip(conns, 'tsvector', "'a':1A 'b':2,3", { literal: "a:1A b:2,3" });
    await roundTrip(conns, 'tsvector', "'fat':2 'rat':3", { literal: 'fat:2 rat:3' });
    await roundTrip(conns, 'tsvector', "'it''s' 'w:z' 'x\\\\y'", { literal: "'it''s' x\\\\y 'w:z'" }); // lexemes sorted
    await roundTrip(conns, 'tsvector', "'a':1A,2B,3C,4 'éléphant':16383", { literal: "a:1A,2B,3C,4D éléphant:16383" });
    await roundTrip(conns, 'tsvector', '', { literal: '' });
    await sqlTrip(conns, 'to_tsvector', "SELECT to_tsvector('english', 'The quick brown foxes jumped')", [], "'brown':3 'fox':4 'jump':5 'quick':2");
    await roundTrip(conns, 'tsvector', null);
  });

  it('tsquery: operators, phrases, prefixes, weights', async () => {
    await roundTrip(conns, 'tsquery', "'a' & !'b'", { literal: 'a & !b' });
    await roundTrip(conns, 'tsquery', "'a' <-> 'b' | 'c':*AB", { literal: 'a <-> b | c:*AB' });
    await roundTrip(conns, 'tsquery', "( 'a' | 'b' ) & 'c'", { literal: '(a|b)&c' });
    await roundTrip(conns, 'tsquery', "'a' <2> 'b'");
    await roundTrip(conns, 'tsquery', '', { literal: '' });
    await roundTrip(conns, 'tsquery', null);
  });
});

describe('system types', () => {
  it('pg_lsn', async () => {
    await roundTrip(conns, 'pg_lsn', '0/0', { literal: '0/0' });
    await roundTrip(conns, 'pg_lsn', '16/B374D848', { literal: '16/b374d848' });
    await roundTrip(conns, 'pg_lsn', 'FFFFFFFF/FFFFFFFF');
    await roundTrip(conns, 'pg_lsn', null);
  });

  it('pg_snapshot and txid_snapshot', async () => {
    for (const type of ['pg_snapshot', 'txid_snapshot']) {
      await roundTrip(conns, type, '10:20:10,14,15', { literal: '10:20:10,14,15' });
      await roundTrip(conns, type, '10:10:', { literal: '10:10:' });
      await roundTrip(conns, type, '9223372036854775807:9223372036854775807:');
      await roundTrip(conns, type, null);
    }
    const current = await conns.cached.fetchVal<string>('SELECT pg_current_snapshot()');
    expect(current).toMatch(/^\d+:\d+:(\d+(,\d+)*)?$/);
  });

  it('int2vector and oidvector', async () => {
    await roundTrip(conns, 'int2vector', [1, -2, 32767], { literal: '1 -2 32767', text: '1 -2 32767' });
    await roundTrip(conns, 'int2vector', [], { literal: '', text: '' });
    await roundTrip(conns, 'oidvector', [23, 25, 4294967295], { literal: '23 25 4294967295', text: '23 25 4294967295' });
    await roundTrip(conns, 'oidvector', [], { text: '' });
    await sqlTrip(conns, 'pg_proc.proargtypes', "SELECT proargtypes FROM pg_proc WHERE oid = 'pg_catalog.int4pl'::regproc", [], [23, 23]);
    await roundTrip(conns, 'int2vector[]', [[1, 2], [3]], { text: '{"1 2",3}' });
    await roundTrip(conns, 'oidvector', null);
  });

  it('tid', async () => {
    await roundTrip(conns, 'tid', '(0,1)', { literal: '(0,1)' });
    await roundTrip(conns, 'tid', '(4294967295,65535)', { literal: '(4294967295,65535)' });
    await sqlTrip(conns, 'ctid', 'SELECT ctid FROM (VALUES (1)) AS v(x), pg_class WHERE relname = $1', ['pg_class'], expect.stringMatching(/^\(\d+,\d+\)$/), { text: false });
    await roundTrip(conns, 'tid', null);
  });
});

describe('anonymous records (decode only)', () => {
  it('binary results decode each field with its own type; nested records become nested arrays', async () => {
    const sql = "SELECT ROW(1, 'a b', NULL::int4, 2.5::numeric, ROW(true, '2024-02-29'::date), ARRAY[1,2], '\\x01'::bytea, 9007199254740993::int8) AS r";
    const expected = [1, 'a b', null, '2.5', [true, '2024-02-29'], [1, 2], Buffer.from([1]), 9007199254740993n];
    await sqlTrip(conns, 'ROW(…)', sql, [], expected, { modes: MODES.filter((m) => m.format === 'binary'), text: '(1,"a b",,2.5,"(t,2024-02-29)","{1,2}","\\\\x01",9007199254740993)' });
  });

  it('text results carry no types: each field is its text', async () => {
    const sql = "SELECT ROW(1, 'a b', NULL::int4, ROW(true, 'x')) AS r";
    await sqlTrip(conns, 'ROW(…) as text', sql, [], ['1', 'a b', null, '(t,x)'], { modes: MODES.filter((m) => m.format === 'text') });
  });

  it('empty records and functions returning record', async () => {
    await sqlTrip(conns, 'ROW()', 'SELECT ROW() AS r', [], [], { text: '()' });
    await sqlTrip(conns, 'record function', "SELECT r FROM (SELECT 1 AS a, 'x' AS b) AS r", [], expect.anything(), { text: '(1,x)' });
    const rows = await conns.cached.fetch("SELECT (a, b) AS r FROM (VALUES (1, 'x'), (2, NULL)) AS v(a, b)");
    expect(rows).toEqual([{ r: [1, 'x'] }, { r: [2, null] }]);
  });
});

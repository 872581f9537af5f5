/**
 * json, jsonb and jsonpath against a real server, in every mode: parsed values both ways, strings taken as JSON
 * text, json keeping its text while jsonb normalises it, the JSON-null / SQL-NULL distinction, and the
 * precision JSON.parse has.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseError, DataError } from '../../../src/index.js';
import { literalTrip, MODES, openRoundTripConns, roundTrip, type OpenRoundTripConns } from '../../support/round-trip.js';

let conns: OpenRoundTripConns;

beforeAll(async () => {
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu' } });
});

afterAll(async () => {
  await conns.close();
});

const documents: unknown[] = [
  {},
  [],
  { a: 1, b: [true, false, null], c: { d: 'e' } },
  [1, 'two', { three: 3 }, [4]],
  'plain string',
  '',
  0,
  -0.5,
  1e300,
  true,
  false,
  { 'key with "quotes"': 'value with \\ backslash', 'é🐘': 'ünïcödé 日本', nl: 'a\nb\tc' },
  { nested: { deeper: { deepest: [[[]]] } } },
];

describe('json', () => {
  it('values of every JSON kind round-trip; the server keeps the text as sent', async () => {
    for (const doc of documents) {
      // A string parameter is JSON text: a JSON string value is sent as its JSON form.
      const param = typeof doc === 'string' ? JSON.stringify(doc) : doc;
      await roundTrip(conns, 'json', param, { expected: doc, text: JSON.stringify(doc) });
    }
    await roundTrip(conns, 'json', null);
  });

  it('strings are JSON text as they are: whitespace, key order and duplicate keys survive on the server', async () => {
    const text = '{ "b" : 1,\n "a": [1,  2], "a": 3 }';
    await roundTrip(conns, 'json', text, { expected: { b: 1, a: 3 }, text, literal: text });
    await roundTrip(conns, 'json', 'null', { expected: null, text: 'null' });
  });

  it('any document round-trips in every mode; compact text (JSON.stringify\'s) is read from the bytes, other text by JSON.parse', async () => {
    // The same documents as jsonb's property below.
    const doc = fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' }).filter((v) => v !== null && !JSON.stringify(v).includes('\\u0000'));
    await fc.assert(
      fc.asyncProperty(doc, async (value) => {
        const param = typeof value === 'string' ? JSON.stringify(value) : value;
        await roundTrip(conns, 'json', param, { expected: JSON.parse(JSON.stringify(value)), text: JSON.stringify(value) });
      }),
      { numRuns: 100 },
    );
    const pretty = '{\n  "a": [1, 2],\n  "b": {"c": "d"}\n}';
    await roundTrip(conns, 'json', pretty, { expected: { a: [1, 2], b: { c: 'd' } }, text: pretty, literal: pretty });
  });

  it('deep nesting', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 500; i++) deep = { i, deep };
    await roundTrip(conns, 'json', deep, { text: JSON.stringify(deep) });
  });
});

describe('jsonb', () => {
  it('values of every JSON kind round-trip; the server normalises the text', async () => {
    for (const doc of documents) {
      const param = typeof doc === 'string' ? JSON.stringify(doc) : doc;
      await roundTrip(conns, 'jsonb', param, { expected: doc, text: JSON.parse });
    }
    await roundTrip(conns, 'jsonb', null);
  });

  it('any document round-trips in every mode: small ones read from the bytes, others by JSON.parse, alike', async () => {
    // Well-formed strings (the server refuses lone surrogates), without NUL (jsonb cannot hold \u0000), and no
    // top-level null, which as a parameter is SQL NULL (JSON null has its own test).
    const doc = fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' }).filter((v) => v !== null && !JSON.stringify(v).includes('\\u0000'));
    await fc.assert(
      fc.asyncProperty(doc, async (value) => {
        // A string parameter is JSON text, so a JSON string value is sent in its JSON form.
        const param = typeof value === 'string' ? JSON.stringify(value) : value;
        await roundTrip(conns, 'jsonb', param, { expected: JSON.parse(JSON.stringify(value)), text: JSON.parse });
      }),
      { numRuns: 150 },
    );
    // Decimals as people store them (prices, ratios): the server prints their digits, which must round as JSON.parse rounds.
    const decimal = fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.nat(6)).map(([m, k]) => Number((m / 10 ** k).toFixed(k)));
    await fc.assert(
      fc.asyncProperty(fc.array(decimal, { maxLength: 12 }), async (values) => {
        await roundTrip(conns, 'jsonb', { values }, { expected: { values }, text: JSON.parse });
      }),
      { numRuns: 50 },
    );
    // Past the in-place reader's limits: a long document, many members, deep nesting, `__proto__`, escapes.
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = [deep];
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, i]));
    for (const value of [{ long: 'x'.repeat(5000) }, wide, deep, JSON.parse('{"__proto__": {"a": 1}}'), { s: 'tab\t"q" é\u0001🐘' }]) {
      await roundTrip(conns, 'jsonb', value, { expected: value, text: JSON.parse });
    }
    // As array elements, where the reader sees documents packed one after another in the same bytes.
    const elements = [{ id: 1, tags: ['a'] }, { n: -1.25 }, { long: 'y'.repeat(400) }, { s: 'é\n' }, 7, [1, 2]];
    await roundTrip(conns, 'jsonb[]', elements.map((e) => JSON.stringify(e)), { expected: elements, text: false });
  });

  it('keys sorted and deduplicated, whitespace its own', async () => {
    await literalTrip(conns, 'jsonb', '{"b":1,"a":2,"a":3}', { a: 3, b: 1 }, { text: '{"a": 3, "b": 1}' });
    await roundTrip(conns, 'jsonb', { zz: 1, a: { y: 2, x: 1 } }, { text: '{"a": {"x": 1, "y": 2}, "zz": 1}' });
  });

  it('JSON null is not SQL NULL on the server, but both decode to null', async () => {
    for (const mode of MODES) {
      const conn = conns[mode.statement];
      const row = await conn.fetchRow<{ v: unknown; isSqlNull: boolean; kind: string | null }>(
        'SELECT $1::jsonb AS v, $1::jsonb IS NULL AS "isSqlNull", jsonb_typeof($1::jsonb) AS kind',
        ['null'],
        { format: mode.format },
      );
      expect(row, mode.name).toEqual({ v: null, isSqlNull: false, kind: 'null' });
      const sqlNull = await conn.fetchRow('SELECT $1::jsonb IS NULL AS "isSqlNull"', [null], { format: mode.format });
      expect(sqlNull, mode.name).toEqual({ isSqlNull: true });
    }
  });

  it('numbers keep what a double can hold: beyond that use the text override', async () => {
    await literalTrip(conns, 'jsonb', '{"n": 9007199254740993}', { n: 9007199254740992 }, { text: '{"n": 9007199254740993}' });
    await literalTrip(conns, 'jsonb', '{"n": 0.1000000000000000000001}', { n: 0.1 }, { text: '{"n": 0.1000000000000000000001}' });
    const exact = await conns.cached.fetchVal('SELECT \'{"n": 9007199254740993}\'::jsonb', [], { types: { jsonb: 'text' } });
    expect(exact).toBe('{"n": 9007199254740993}');
  });

  it('invalid JSON text is the server’s error; a value JSON cannot carry is a DataError; the connection lives', async () => {
    for (const mode of MODES) {
      const conn = conns[mode.statement];
      await expect(conn.fetchVal('SELECT $1::jsonb', ['not json'], { format: mode.format })).rejects.toBeInstanceOf(DatabaseError);
      await expect(conn.fetchVal('SELECT $1::jsonb', [() => 1], { format: mode.format })).rejects.toBeInstanceOf(DataError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(conn.fetchVal('SELECT $1::jsonb', [cyclic], { format: mode.format })).rejects.toBeInstanceOf(DataError);
      expect(await conn.fetchVal('SELECT $1::jsonb', [{ ok: true }], { format: mode.format })).toEqual({ ok: true });
    }
  });

  it('objects with toJSON (Dates inside documents) serialise as JSON.stringify does', async () => {
    const when = new Date('2024-01-01T00:00:00.123Z');
    await roundTrip(conns, 'jsonb', { when }, { expected: { when: when.toISOString() } });
  });
});

describe('jsonpath', () => {
  it("the server's normalised path text", async () => {
    await roundTrip(conns, 'jsonpath', '$."a"[*]?(@ > 1)', { literal: '$.a[*] ? (@ > 1)' });
    await roundTrip(conns, 'jsonpath', 'strict $."a"."b"', { literal: 'strict $.a.b' });
    await roundTrip(conns, 'jsonpath', '$', { literal: '$' });
    await roundTrip(conns, 'jsonpath', '$."é 🐘"', { literal: '$."é 🐘"' });
    await roundTrip(conns, 'jsonpath', null);
    for (const mode of MODES) {
      expect(await conns[mode.statement].fetchVal('SELECT jsonb_path_query_array($1::jsonb, $2::jsonpath)', [{ a: [1, 2, 3] }, '$.a[*] ? (@ > 1)'], { format: mode.format })).toEqual([2, 3]);
    }
  });
});

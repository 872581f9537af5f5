/**
 * String-like and byte types against a real server: text, varchar, bpchar, name, "char", xml, refcursor,
 * unknown literals, the reg* types, void, bytea and uuid, with their edge values in every mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../../src/index.js';
import { serverOlderThan, testDsn } from '../../support/env.js';
import { literalTrip, MODES, openRoundTripConns, roundTrip, sqlTrip, type OpenRoundTripConns } from '../../support/round-trip.js';

const SCHEMA = 'pgjet_types_text';
let conns: OpenRoundTripConns;

beforeAll(async () => {
  const setup = await connect(testDsn());
  await setup.execute(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}; CREATE TABLE ${SCHEMA}.things (id int)`);
  await setup.close();
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu', search_path: `${SCHEMA},public` } });
});

afterAll(async () => {
  await conns.close();
  const teardown = await connect(testDsn());
  await teardown.execute(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await teardown.close();
});

const awkward = [
  '',
  ' ',
  'NULL',
  'null',
  'a,b',
  'a"b',
  'a\\b',
  "it's",
  '{braces}',
  '(parens)',
  '[brackets]',
  'line\nbreak\ttab',
  'héllo wörld',
  '日本語テキスト',
  '🐘 emoji 👩‍👩‍👧',
  'e\u0301 combining',
  'x'.repeat(100_000),
];

describe('text, varchar, bpchar, name', () => {
  it('text: empty, whitespace, quotes, unicode, 100 kB, NULL', async () => {
    for (const s of awkward) await roundTrip(conns, 'text', s, { literal: s.length > 1000 ? undefined : s });
    await roundTrip(conns, 'text', null);
  });

  it('varchar and varchar(n)', async () => {
    for (const s of awkward.slice(0, 14)) await roundTrip(conns, 'varchar', s, { literal: s });
    await roundTrip(conns, 'varchar(3)', 'abc');
    await roundTrip(conns, 'varchar(3)', 'abcdef', { expected: 'abc' }); // an explicit cast truncates
    await roundTrip(conns, 'varchar', null);
  });

  it('bpchar keeps its padding as the server sends it', async () => {
    await roundTrip(conns, 'char(5)', 'ab', { expected: 'ab   ', literal: 'ab' });
    await roundTrip(conns, 'char(1)', '', { expected: ' ' });
    await roundTrip(conns, 'bpchar', 'a b  '); // bpchar without a length keeps trailing blanks
    await roundTrip(conns, 'char(3)', '日本語');
    await roundTrip(conns, 'char(2)', null);
  });

  it('name: truncated to 63 bytes by the server', async () => {
    await roundTrip(conns, 'name', 'pg_class', { literal: 'pg_class' });
    await roundTrip(conns, 'name', '', { literal: '' });
    await literalTrip(conns, 'name', 'n'.repeat(100), 'n'.repeat(63));
    await roundTrip(conns, 'name', 'n'.repeat(63));
    await roundTrip(conns, 'name', null);
  });
});

describe('"char"', () => {
  it('one byte: empty (byte 0), ASCII, NULL', async () => {
    await roundTrip(conns, '"char"', 'a', { literal: 'a' });
    await roundTrip(conns, '"char"', '', { literal: '' });
    await roundTrip(conns, '"char"', ' ', { literal: ' ' });
    await roundTrip(conns, '"char"', null);
  });

  it.skipIf(serverOlderThan(15))('bytes ≥ 128, which print as octal escapes (PostgreSQL 15+)', async () => {
    await roundTrip(conns, '"char"', '\u00e9', { text: '\\351' });
    await roundTrip(conns, '"char"', '\u00ff', { text: '\\377' });
    await sqlTrip(conns, '"char" of byte 128', "SELECT '\\200'::\"char\"", [], '\u0080', { text: '\\200' });
  });
});

describe('xml, refcursor, unknown, void', () => {
  it('xml documents and content', async () => {
    const probe = await conns.cached.fetchVal("SELECT '<a/>'::xml").catch((e: unknown) => e);
    if (probe instanceof Error) {
      // Built without libxml: the server refuses every xml value. Nothing to check but that it says so.
      expect(probe.message).toMatch(/xml/i);
      return;
    }
    await roundTrip(conns, 'xml', '<a>1</a>', { literal: '<a>1</a>' });
    await roundTrip(conns, 'xml', '<p lang="fr">héllo &amp; 🐘</p>');
    await roundTrip(conns, 'xml', 'text content', { literal: 'text content' });
    await roundTrip(conns, 'xml', null);
  });

  it('refcursor names', async () => {
    await roundTrip(conns, 'refcursor', 'my_cursor', { literal: 'my_cursor' });
    await roundTrip(conns, 'refcursor', 'Weird Name, "quoted"');
  });

  it('untyped literals and parameters are text', async () => {
    await sqlTrip(conns, 'unknown literal', "SELECT 'abc' AS v", [], 'abc');
    await sqlTrip(conns, 'untyped parameter', 'SELECT $1 AS v', ['héllo'], 'héllo');
    await sqlTrip(conns, 'untyped NULL parameter', 'SELECT $1 AS v', [null], null);
  });

  it('void is null', async () => {
    await sqlTrip(conns, 'void', 'SELECT pg_sleep(0) AS v', [], null, { text: false });
    expect(await conns.cached.fetchVal('SELECT pg_sleep(0)', [], { types: { void: 'text' } })).toBe('');
  });
});

describe('reg* types: the server text form', () => {
  it('names resolve through the search path, OIDs are accepted', async () => {
    await roundTrip(conns, 'regclass', 'pg_class', { literal: 'pg_catalog.pg_class' });
    await roundTrip(conns, 'regclass', 1259, { expected: 'pg_class' });
    await roundTrip(conns, 'regclass', 'things', { literal: `${SCHEMA}.things` });
    await roundTrip(conns, 'regtype', 'integer', { literal: 'int4' });
    await roundTrip(conns, 'regtype', 'timestamp with time zone', { literal: 'timestamptz' });
    await roundTrip(conns, 'regtype', 23, { expected: 'integer' });
    await roundTrip(conns, 'regproc', 'now', { literal: 'now' });
    await roundTrip(conns, 'regprocedure', 'abs(integer)', { literal: 'abs(int4)' });
    await roundTrip(conns, 'regoperator', '+(integer,integer)', { literal: '+(int4,int4)' });
    await roundTrip(conns, 'regoper', '||/', { literal: '||/' });
    await roundTrip(conns, 'regnamespace', 'pg_catalog', { literal: 'pg_catalog' });
    await roundTrip(conns, 'regcollation', '"C"', { literal: 'pg_catalog."C"' });
    await roundTrip(conns, 'regconfig', 'english', { literal: 'pg_catalog.english' });
    await roundTrip(conns, 'regdictionary', 'simple', { literal: 'simple' });
    await roundTrip(conns, 'regclass', 0, { expected: '-' });
    await roundTrip(conns, 'regclass', null);
    const user = await conns.cached.fetchVal<string>('SELECT current_user::text');
    await roundTrip(conns, 'regrole', user, { literal: user as string });
  });
});

describe('text-typed parameters get the value’s text form', () => {
  it('numbers, bigints, booleans, Dates, Buffers and objects, in every mode', async () => {
    const date = new Date('2024-01-01T00:00:00.123Z');
    const cases: [unknown, string][] = [
      [5, '5'],
      [-0.5, '-0.5'],
      [2n ** 70n, String(2n ** 70n)],
      [true, 'true'],
      [date, date.toISOString()],
      [Buffer.from('héllo'), 'héllo'],
      [{ a: [1, 'b'] }, '{"a":[1,"b"]}'],
      [[1, 2], '[1,2]'],
    ];
    for (const type of ['text', 'varchar', 'name', 'bpchar']) {
      for (const [value, text] of cases) {
        if (type === 'name' && text.length > 63) continue;
        await roundTrip(conns, type, value, { expected: text });
      }
    }
    // The server types `$1` in `length($1)` as text: the value's text form reaches it.
    for (const mode of MODES) {
      expect(await conns[mode.statement].fetchVal('SELECT length($1)', [12345], { format: mode.format }), mode.name).toBe(5);
    }
  });
});

describe('bytea', () => {
  it('empty, every byte value, 1 MB, NULL; Uint8Array and ArrayBuffer parameters', async () => {
    await roundTrip(conns, 'bytea', Buffer.alloc(0), { literal: '', text: '\\x' });
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await roundTrip(conns, 'bytea', all, { literal: `\\x${all.toString('hex')}`, text: `\\x${all.toString('hex')}` });
    const big = Buffer.alloc(1 << 20, 0xab);
    await roundTrip(conns, 'bytea', big);
    await roundTrip(conns, 'bytea', new Uint8Array([0, 1, 2, 255]), { expected: Buffer.from([0, 1, 2, 255]), text: '\\x000102ff' });
    await roundTrip(conns, 'bytea', new Uint8Array([9, 8, 7]).buffer, { expected: Buffer.from([9, 8, 7]) });
    await literalTrip(conns, 'bytea', 'abc\\000\\\\', Buffer.from([0x61, 0x62, 0x63, 0, 0x5c]));
    await roundTrip(conns, 'bytea', null);
  });

  it("text results in bytea_output = 'escape' decode too", async () => {
    const c = await connect(testDsn(), { serverSettings: { bytea_output: 'escape' } });
    try {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      for (const format of ['binary', 'text'] as const) {
        expect(await c.fetchVal('SELECT $1::bytea', [all], { format }), format).toEqual(all);
        expect(await c.fetchVal("SELECT ''::bytea", [], { format }), format).toEqual(Buffer.alloc(0));
      }
    } finally {
      await c.close();
    }
  });

  it('decoded Buffers are copies: they survive later rows', async () => {
    const rows = await conns.cached.fetch<{ b: Buffer }>("SELECT decode(lpad(to_hex(g), 2, '0'), 'hex') AS b FROM generate_series(0, 255) AS g");
    expect(rows.map((r) => r.b[0])).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});

describe('uuid', () => {
  it('lowercase 8-4-4-4-12 whatever the input form; nil and max; NULL', async () => {
    const u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
    await roundTrip(conns, 'uuid', u, { literal: u.toUpperCase() });
    await roundTrip(conns, 'uuid', u.toUpperCase(), { expected: u });
    await roundTrip(conns, 'uuid', `{${u}}`, { expected: u, literal: `{${u}}` });
    await roundTrip(conns, 'uuid', u.replaceAll('-', ''), { expected: u, literal: u.replaceAll('-', '') });
    await roundTrip(conns, 'uuid', '00000000-0000-0000-0000-000000000000');
    await roundTrip(conns, 'uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff', { literal: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF' });
    await roundTrip(conns, 'uuid', null);
    const random = await conns.cached.fetchVal<string>('SELECT gen_random_uuid()');
    expect(random).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

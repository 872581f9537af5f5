/**
 * User and extension types and custom codecs against a real server: hstore and citext (the embedded server
 * ships both extensions), `conn.setTypeCodec` (text and binary), the `types` option of connect, per-query
 * `types`, and `reloadSchemaState()` after schema changes made elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DataError, InterfaceError, type Connection } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';
import { literalTrip, MODES, openRoundTripConns, roundTrip, type OpenRoundTripConns } from '../../support/round-trip.js';

const SCHEMA = 'pgjet_types_user';
let conns: OpenRoundTripConns;
/** Why an extension could not be created, by name; absent when it exists. */
const unavailable: Record<string, string> = {};

async function admin<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await connect(testDsn(), { serverSettings: { search_path: `${SCHEMA},public` } });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

beforeAll(async () => {
  let path = `${SCHEMA},public`;
  await admin(async (c) => {
    await c.execute(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
    for (const ext of ['hstore', 'citext']) {
      try {
        await c.execute(`CREATE EXTENSION IF NOT EXISTS ${ext} SCHEMA ${SCHEMA}`);
        // It may already exist in another schema: search there too.
        const where = await c.fetchVal<string>('SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = $1', [ext]);
        if (where !== null && !path.split(',').includes(where)) path += `,${where}`;
      } catch (err) {
        unavailable[ext] = `skipped: CREATE EXTENSION ${ext} failed on this server (${(err as Error).message})`;
      }
    }
    await c.execute(`
      CREATE TYPE inner_u AS (x int4, y text);
      CREATE TYPE evolving AS (x int4, y text);
      CREATE DOMAIN amount AS numeric CHECK (VALUE >= 0);
      CREATE TYPE color AS ENUM ('red', 'green');
    `);
  });
  conns = await openRoundTripConns({ serverSettings: { TimeZone: 'Asia/Kathmandu', search_path: path } });
});

afterAll(async () => {
  await conns.close();
  await admin((c) => c.execute(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
});

describe('hstore', () => {
  it('decodes to Record<string, string | null> and encodes from one, in every mode', async (ctx) => {
    if (unavailable.hstore !== undefined) ctx.skip(unavailable.hstore);
    await roundTrip(conns, 'hstore', { a: '1', b: null }, { literal: 'a=>1, b=>NULL', text: '"a"=>"1", "b"=>NULL' });
    await roundTrip(conns, 'hstore', {}, { literal: '', text: '' });
    await roundTrip(conns, 'hstore', { '': '', NULL: 'NULL', 'key "quoted"': 'back\\slash', 'é 🐘': 'a=>b, c' });
    await roundTrip(conns, 'hstore', new Map([['k', 'v']]), { expected: { k: 'v' } });
    await literalTrip(conns, 'hstore', 'k=>v1, k=>v2', { k: 'v1' }); // duplicate keys: the first wins
    await roundTrip(conns, 'hstore[]', [{ a: '1' }, null, {}]);
    await roundTrip(conns, 'hstore', null);
  });

  it('values must be strings or null', async (ctx) => {
    if (unavailable.hstore !== undefined) ctx.skip(unavailable.hstore);
    for (const mode of MODES) {
      const err = await conns[mode.statement].fetchVal('SELECT $1::hstore', [{ a: 1 }], { format: mode.format }).catch((e: unknown) => e);
      expect(err, mode.name).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/parameter \$1 \(hstore\): hstore value of key 'a' must be a string or null, got 1/);
    }
  });
});

describe('citext', () => {
  it('is a string, compared case-insensitively by the server', async (ctx) => {
    if (unavailable.citext !== undefined) ctx.skip(unavailable.citext);
    await roundTrip(conns, 'citext', 'MiXeD Case', { literal: 'MiXeD Case' });
    await roundTrip(conns, 'citext', '', { literal: '' });
    await roundTrip(conns, 'citext[]', ['A', null, 'b']);
    await roundTrip(conns, 'citext', null);
    for (const mode of MODES) {
      expect(await conns[mode.statement].fetchVal('SELECT $1::citext = $2::citext', ['ÉLAN', 'élan'], { format: mode.format })).toBe(true);
    }
  });
});

describe('custom codecs with setTypeCodec', () => {
  let c: Connection;
  beforeAll(async () => {
    c = await connect(testDsn(), { serverSettings: { search_path: `${SCHEMA},public` } });
  });
  afterAll(async () => {
    await c.close();
  });

  it('a text codec replaces a built-in type, for arrays, ranges and domains over it too', async () => {
    await c.setTypeCodec<number>('numeric', { format: 'text', decode: (s) => Number(s), encode: (n) => String(n) });
    for (const format of ['binary', 'text'] as const) {
      expect(await c.fetchVal('SELECT 1.5::numeric', [], { format })).toBe(1.5);
      expect(await c.fetchVal('SELECT $1::numeric * 2', [2.25], { format })).toBe(4.5);
      expect(await c.fetchVal("SELECT '{1.5,NULL,2}'::numeric[]", [], { format })).toEqual([1.5, null, 2]);
      expect(await c.fetchVal('SELECT $1::numeric[]', [[0.5, null]], { format })).toEqual([0.5, null]);
      expect(await c.fetchVal("SELECT '[1.5,2.5)'::numrange", [], { format })).toMatchObject({ lower: 1.5, upper: 2.5 });
      expect(await c.fetchVal('SELECT $1::amount', [3.75], { format })).toBe(3.75);
    }
  });

  it('a binary codec works on the binary form', async () => {
    await c.setTypeCodec<string>('uuid', {
      format: 'binary',
      decode: (bytes) => Buffer.from(bytes).toString('base64url'),
      encode: (s) => Buffer.from(s, 'base64url'),
    });
    const id = Buffer.from('6eefbe999c0b4ef8bb6d6bb9bd380a11', 'hex').toString('base64url');
    expect(await c.fetchVal('SELECT $1::uuid::text', [id])).toBe('6eefbe99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(await c.fetchVal('SELECT $1::uuid', [id])).toBe(id);
    expect(await c.fetchVal("SELECT ARRAY['6eefbe99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]")).toEqual([id]);
    // Text results (format 'text') are the server's text: the binary decoder only understands the binary form.
    expect(await c.fetchVal("SELECT '6eefbe99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", [], { format: 'text' })).toBe('6eefbe99-9c0b-4ef8-bb6d-6bb9bd380a11');
  });

  it('a codec for a user type in another schema', async () => {
    await c.setTypeCodec<[number, string]>('inner_u', {
      schema: SCHEMA,
      format: 'text',
      decode: (s) => {
        const m = /^\((\d+),(.*)\)$/.exec(s) as RegExpExecArray;
        return [Number(m[1]), m[2]];
      },
      encode: ([x, y]) => `(${x},${y})`,
    });
    for (const format of ['binary', 'text'] as const) {
      expect(await c.fetchVal('SELECT $1::inner_u', [[7, 'seven']], { format })).toEqual([7, 'seven']);
      expect(await c.fetchVal("SELECT ARRAY['(1,a)'::inner_u]", [], { format })).toEqual([[1, 'a']]);
    }
  });

  it('an unknown type name is an InterfaceError', async () => {
    await expect(c.setTypeCodec('no_such_type', { format: 'text', decode: (s) => s })).rejects.toBeInstanceOf(InterfaceError);
    await expect(c.setTypeCodec('color', { format: 'text', decode: (s) => s })).rejects.toBeInstanceOf(InterfaceError); // not in public
    expect(await c.fetchVal('SELECT 1::int4')).toBe(1);
  });
});

describe('the types option of connect', () => {
  const pointX = {
    format: 'binary' as const,
    decode: (b: Uint8Array) => Buffer.from(b).readDoubleBE(0),
    encode: (x: unknown) => {
      const b = Buffer.alloc(16);
      b.writeDoubleBE(x as number, 0);
      return b;
    },
  };
  const taggedInt8 = { format: 'text' as const, decode: (s: string) => `int8:${s}`, encode: (v: unknown) => String(v) };

  it('registers codecs before the first query', async () => {
    const c = await connect(testDsn(), { types: { point: pointX, int8: taggedInt8 } });
    try {
      expect(await c.fetchVal('SELECT 42::int8')).toBe('int8:42');
      expect(await c.fetchVal('SELECT count(*) FROM generate_series(1, 3)')).toBe('int8:3');
      expect(await c.fetchVal('SELECT $1::point::text', [1.5])).toBe('(1.5,0)');
      expect(await c.fetchVal("SELECT '(2.5,9)'::point")).toBe(2.5);
    } finally {
      await c.close();
    }
  });

  // BUG, reported, not fixed here (src/client/type-codecs.ts is outside this change): setTypeCodec finds the
  // type's OID with `SELECT t.oid::int8 …` decoded through the connection's own codecs, so once a custom int8
  // codec is registered, every later registration reads its OID through it (here NaN) and silently does nothing.
  // Fix: run that lookup with `types: { int8: 'text' }`. Flip this to a plain `it` then.
  it('a custom int8 codec does not break the registrations after it', async () => {
    const c = await connect(testDsn(), { types: { int8: taggedInt8, point: pointX } });
    try {
      expect(await c.fetchVal('SELECT $1::point::text', [1.5])).toBe('(1.5,0)');
    } finally {
      await c.close();
    }
  });

  it('an unknown type in the option fails the connect', async () => {
    await expect(connect(testDsn(), { types: { nope_type: { format: 'text', decode: (s: string) => s, encode: (v: unknown) => String(v) } } })).rejects.toBeInstanceOf(InterfaceError);
  });
});

describe('per-query types', () => {
  it("'text' returns the server's text; a function decodes it; by name or OID; the connection is unchanged", async () => {
    for (const mode of MODES) {
      const conn = conns[mode.statement];
      const opts = { format: mode.format };
      const when = new Date('2024-01-01T00:00:00Z');
      expect(await conn.fetchVal('SELECT $1::timestamptz', [when], { ...opts, types: { timestamptz: 'text' } })).toBe('2024-01-01 05:45:00+05:45');
      expect(await conn.fetchVal('SELECT 1.50::numeric', [], { ...opts, types: { numeric: (s: string) => Number(s) } })).toBe(1.5);
      expect(await conn.fetchVal("SELECT '2024-01-01'::date", [], { ...opts, types: { 1082: (s: string) => s.replaceAll('-', '/') } })).toBe('2024/01/01');
      expect(await conn.fetchVal('SELECT ARRAY[1,2]', [], { ...opts, types: { _int4: 'text' } })).toBe('{1,2}');
      expect(await conn.fetchVal("SELECT '(1,a)'::inner_u", [], { ...opts, types: { inner_u: 'text' } })).toBe('(1,a)');
      // Only that query.
      expect(await conn.fetchVal('SELECT $1::timestamptz', [when], opts)).toEqual(when);
      expect(await conn.fetchVal('SELECT 1.50::numeric', [], opts)).toBe('1.50');
    }
  });
});

describe('reloadSchemaState', () => {
  it('picks up a composite type altered elsewhere; until then decoding says what to do', async () => {
    const c = await connect(testDsn(), { serverSettings: { search_path: `${SCHEMA},public` } });
    try {
      expect(await c.fetchVal("SELECT '(1,a)'::evolving")).toEqual({ x: 1, y: 'a' });
      await admin((other) => other.execute('ALTER TYPE evolving ADD ATTRIBUTE z int4'));
      const err = await c.fetchVal("SELECT ROW(1, 'a', 2)::evolving").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/evolving has 3 columns but 2 were introspected.*reloadSchemaState/);
      await c.reloadSchemaState();
      expect(await c.fetchVal("SELECT ROW(1, 'a', 2)::evolving")).toEqual({ x: 1, y: 'a', z: 2 });
      expect(await c.fetchVal('SELECT $1::evolving', [{ x: 3, z: 4 }])).toEqual({ x: 3, y: null, z: 4 });
    } finally {
      await c.close();
    }
  });

  it('a type dropped and created again (new OID) needs reloadSchemaState on a caching connection', async () => {
    const c = await connect(testDsn(), { serverSettings: { search_path: `${SCHEMA},public` } });
    const unnamed = await connect(testDsn(), { statementCacheSize: 0, serverSettings: { search_path: `${SCHEMA},public` } });
    try {
      await admin((other) => other.execute("CREATE TYPE phoenix AS ENUM ('ash')"));
      expect(await c.fetchVal('SELECT $1::phoenix', ['ash'])).toBe('ash');
      expect(await unnamed.fetchVal('SELECT $1::phoenix', ['ash'])).toBe('ash');
      await admin((other) => other.execute('DROP TYPE phoenix; CREATE TYPE phoenix AS (reborn bool)'));
      // Unnamed statements are parsed anew each time: the new OID is introspected on first sight.
      expect(await unnamed.fetchVal('SELECT $1::phoenix', [{ reborn: true }])).toEqual({ reborn: true });
      // A cached statement still describes the dropped type until the schema state is reloaded.
      await expect(c.fetchVal('SELECT $1::phoenix', [{ reborn: true }])).rejects.toBeInstanceOf(DataError);
      await c.reloadSchemaState();
      expect(await c.fetchVal('SELECT $1::phoenix', [{ reborn: true }])).toEqual({ reborn: true });
      expect(await c.fetchVal("SELECT '(f)'::phoenix")).toEqual({ reborn: false });
    } finally {
      await c.close();
      await unnamed.close();
      await admin((other) => other.execute('DROP TYPE IF EXISTS phoenix'));
    }
  });
});

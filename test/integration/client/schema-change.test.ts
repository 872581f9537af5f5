/**
 * No statement runs with stale types: DDL run on a connection drops its cached statements and introspected
 * types (through every path: extended, simple, multi-statement scripts, DO blocks, transactions and their
 * rollback); plan-invalidation errors caused by another session are re-prepared and retried outside a
 * transaction; a pool spreads the invalidation to its other connections; `reloadSchemaState()` covers what a
 * connection cannot see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createPool, InvalidCachedStatementError, type Connection, type Pool } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';
import { MODES, openRoundTripConns, type OpenRoundTripConns } from '../../support/round-trip.js';
import { resetSchema } from '../../support/schema-pool.js';

const SCHEMA = 'pgjet_schema_change';
const settings = { serverSettings: { search_path: SCHEMA, TimeZone: 'UTC' } };

/** 00:00 at UTC-2 is 02:00 UTC: a `timestamp` parameter would drop the offset and store 00:00. */
const WITH_OFFSET = '2024-01-01 00:00:00-02';
const UTC_INSTANT = new Date('2024-01-01T02:00:00Z');
/** What a `timestamp` column keeps of WITH_OFFSET: the offset is ignored. */
const LOCAL_TIME = '2024-01-01 00:00:00';

let conns: OpenRoundTripConns;
let other: Connection;
beforeAll(async () => {
  await resetSchema(SCHEMA);
  conns = await openRoundTripConns(settings);
  other = await connect(testDsn(), settings);
});
afterAll(async () => {
  await conns.close();
  await other.close();
});

describe.each(MODES)('DDL on the same connection ($name)', (mode) => {
  const conn = (): Connection => conns[mode.statement];
  const format = mode.format;
  const t = `ts_${mode.name.replace('/', '_')}`;

  it('a table recreated with timestamptz gets the parameter with its offset (simple-protocol script)', async () => {
    await conn().execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (c timestamp)`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    await conn().execute(`DROP TABLE ${t}; CREATE TABLE ${t} (c timestamptz)`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    expect(await conn().fetchVal(`SELECT c FROM ${t}`, [], { format })).toEqual(UTC_INSTANT);
  });

  it('DDL sent through the extended protocol counts too', async () => {
    await conn().query(`DROP TABLE IF EXISTS ${t}`);
    await conn().query(`CREATE TABLE ${t} (c timestamp)`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    await conn().query(`DROP TABLE ${t}`);
    await conn().query(`CREATE TABLE ${t} (c timestamptz)`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    expect(await conn().fetchVal(`SELECT c FROM ${t}`, [], { format })).toEqual(UTC_INSTANT);
  });

  it('a dropped and recreated enum is introspected again (no "cache lookup failed")', async () => {
    const e = `mood_${t}`;
    await conn().execute(`DROP TABLE IF EXISTS ${t}; DROP TYPE IF EXISTS ${e}; CREATE TYPE ${e} AS ENUM ('a', 'b'); CREATE TABLE ${t} (m ${e}, ms ${e}[])`);
    await conn().execute(`INSERT INTO ${t} VALUES ($1, $2)`, ['a', ['a', 'b']], { format });
    expect(await conn().fetch(`SELECT m, ms FROM ${t}`, [], { format })).toEqual([{ m: 'a', ms: ['a', 'b'] }]);
    await conn().execute(`DROP TABLE ${t}; DROP TYPE ${e}; CREATE TYPE ${e} AS ENUM ('c', 'b', 'a'); CREATE TABLE ${t} (m ${e}, ms ${e}[])`);
    await conn().execute(`INSERT INTO ${t} VALUES ($1, $2)`, ['c', ['c', 'a']], { format });
    expect(await conn().fetch(`SELECT m, ms FROM ${t}`, [], { format })).toEqual([{ m: 'c', ms: ['c', 'a'] }]);
  });

  it('a composite type altered in place decodes with its new attributes', async () => {
    const c = `pair_${t}`;
    await conn().execute(`DROP TYPE IF EXISTS ${c}; CREATE TYPE ${c} AS (a int4, b text)`);
    expect(await conn().fetchVal(`SELECT ROW(1, 'x')::${c}`, [], { format })).toEqual({ a: 1, b: 'x' });
    await conn().execute(`ALTER TYPE ${c} ADD ATTRIBUTE d int4`);
    expect(await conn().fetchVal(`SELECT ROW(1, 'x', 7)::${c}`, [], { format })).toEqual({ a: 1, b: 'x', d: 7 });
  });

  it('DDL inside a DO block counts', async () => {
    await conn().execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (c timestamp)`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    await conn().execute(`DO $$ BEGIN DROP TABLE ${t}; CREATE TABLE ${t} (c timestamptz); END $$`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    expect(await conn().fetchVal(`SELECT c FROM ${t}`, [], { format })).toEqual(UTC_INSTANT);
  });

  // Inside the transaction the statement must be prepared for the new table; after the rollback the table is
  // `timestamp` again, and a statement still typed timestamptz would store 02:00 (the instant in UTC).
  it('DDL inside a transaction counts, and so does its rollback', async () => {
    await conn().execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (c timestamp)`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    const tx = await conn().transaction();
    await tx.execute(`DROP TABLE ${t}`);
    await tx.execute(`CREATE TABLE ${t} (c timestamptz)`);
    await tx.execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    expect(await tx.fetchVal(`SELECT c FROM ${t}`, [], { format })).toEqual(UTC_INSTANT);
    await tx.rollback();
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    expect(await conn().fetch(`SELECT c::text AS c FROM ${t}`, [], { format })).toEqual([{ c: LOCAL_TIME }, { c: LOCAL_TIME }]);
  });

  it('a savepoint rolled back after DDL counts', async () => {
    await conn().execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (c timestamp)`);
    await conn().execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    const tx = await conn().transaction();
    const sp = await tx.transaction();
    await sp.execute(`DROP TABLE ${t}; CREATE TABLE ${t} (c timestamptz)`);
    await sp.execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    expect(await sp.fetchVal(`SELECT c FROM ${t}`, [], { format })).toEqual(UTC_INSTANT);
    await sp.rollback();
    await tx.execute(`INSERT INTO ${t} (c) VALUES ($1)`, [WITH_OFFSET], { format });
    await tx.commit();
    expect(await conn().fetch(`SELECT c::text AS c FROM ${t}`, [], { format })).toEqual([{ c: LOCAL_TIME }, { c: LOCAL_TIME }]);
  });

  it('an explicit prepared statement is prepared again after DDL', async () => {
    await conn().execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (c timestamp)`);
    const ps = await conn().prepare(`INSERT INTO ${t} (c) VALUES ($1)`);
    expect(ps.parameterTypes).toEqual(['timestamp']);
    await conn().execute(`DROP TABLE ${t}; CREATE TABLE ${t} (c timestamptz)`);
    await ps.executeMany([[WITH_OFFSET]]);
    expect(ps.parameterTypes).toEqual(['timestamptz']);
    expect(await conn().fetchVal(`SELECT c FROM ${t}`, [], { format })).toEqual(UTC_INSTANT);
    await ps.close();
  });
});

describe('schema changed by another session', () => {
  const conn = (): Connection => conns.cached;

  it('a recreated enum (XX000 cache lookup failed) is prepared again and retried outside a transaction', async () => {
    await other.execute(`DROP TABLE IF EXISTS x_enum; DROP TYPE IF EXISTS x_mood; CREATE TYPE x_mood AS ENUM ('a', 'b'); CREATE TABLE x_enum (m x_mood)`);
    await conn().execute('INSERT INTO x_enum VALUES ($1)', ['a']);
    await other.execute(`DROP TABLE x_enum; DROP TYPE x_mood; CREATE TYPE x_mood AS ENUM ('c', 'a'); CREATE TABLE x_enum (m x_mood)`);
    await conn().execute('INSERT INTO x_enum VALUES ($1)', ['c']);
    expect(await conn().fetch('SELECT m FROM x_enum')).toEqual([{ m: 'c' }]);
  });

  it('inside a transaction it is an InvalidCachedStatementError, and the retried transaction works', async () => {
    await other.execute(`DROP TABLE IF EXISTS x_enum; DROP TYPE IF EXISTS x_mood; CREATE TYPE x_mood AS ENUM ('a', 'b'); CREATE TABLE x_enum (m x_mood)`);
    await conn().execute('INSERT INTO x_enum VALUES ($1)', ['a']);
    await other.execute(`DROP TABLE x_enum; DROP TYPE x_mood; CREATE TYPE x_mood AS ENUM ('c', 'a'); CREATE TABLE x_enum (m x_mood)`);
    const body = (tx: Connection | { execute: Connection['execute'] }): Promise<string> => tx.execute('INSERT INTO x_enum VALUES ($1)', ['c']);
    await expect(conn().transaction(body)).rejects.toBeInstanceOf(InvalidCachedStatementError);
    await conn().transaction(body);
    expect(await conn().fetch('SELECT m FROM x_enum')).toEqual([{ m: 'c' }]);
  });

  it('a cursor over a statement made stale elsewhere is prepared again', async () => {
    await other.execute(`DROP TABLE IF EXISTS x_cur; DROP TYPE IF EXISTS x_kind; CREATE TYPE x_kind AS ENUM ('a'); CREATE TABLE x_cur (k x_kind)`);
    const sql = 'SELECT k FROM x_cur WHERE k = $1';
    expect(await conn().fetch(sql, ['a'])).toEqual([]);
    await other.execute(`DROP TABLE x_cur; DROP TYPE x_kind; CREATE TYPE x_kind AS ENUM ('b', 'a'); CREATE TABLE x_cur (k x_kind); INSERT INTO x_cur VALUES ('a')`);
    const rows: unknown[] = [];
    for await (const row of conn().cursor(sql, ['a'])) rows.push(row);
    expect(rows).toEqual([{ k: 'a' }]);
  });

  it('reloadSchemaState() makes a connection see a change it could not detect', async () => {
    await other.execute('DROP TABLE IF EXISTS x_ts; CREATE TABLE x_ts (c timestamp)');
    await conn().execute('INSERT INTO x_ts (c) VALUES ($1)', [WITH_OFFSET]);
    await other.execute('DROP TABLE x_ts; CREATE TABLE x_ts (c timestamptz)');
    await conn().reloadSchemaState();
    await conn().execute('INSERT INTO x_ts (c) VALUES ($1)', [WITH_OFFSET]);
    expect(await conn().fetchVal('SELECT c FROM x_ts')).toEqual(UTC_INSTANT);
  });
});

describe('a pool', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool(testDsn(), { ...settings, minSize: 0, maxSize: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('spreads DDL run on one connection to the others', async () => {
    const a = await pool.acquire();
    const b = await pool.acquire();
    try {
      await a.execute('DROP TABLE IF EXISTS p_ts; CREATE TABLE p_ts (c timestamp)');
      await b.execute('INSERT INTO p_ts (c) VALUES ($1)', [WITH_OFFSET]);
      await a.execute('DROP TABLE p_ts; CREATE TABLE p_ts (c timestamptz)');
      await b.execute('INSERT INTO p_ts (c) VALUES ($1)', [WITH_OFFSET]);
      expect(await b.fetchVal('SELECT c FROM p_ts')).toEqual(UTC_INSTANT);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('spreads DDL committed in a transaction', async () => {
    const a = await pool.acquire();
    const b = await pool.acquire();
    try {
      await a.execute('DROP TABLE IF EXISTS p_tx; CREATE TABLE p_tx (c timestamp)');
      await b.execute('INSERT INTO p_tx (c) VALUES ($1)', [WITH_OFFSET]);
      await a.transaction(async (tx) => {
        await tx.execute('DROP TABLE p_tx');
        await tx.execute('CREATE TABLE p_tx (c timestamptz)');
      });
      await b.execute('INSERT INTO p_tx (c) VALUES ($1)', [WITH_OFFSET]);
      expect(await b.fetchVal('SELECT c FROM p_tx')).toEqual(UTC_INSTANT);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('spreads a stale statement one connection ran into (the schema changed elsewhere)', async () => {
    const a = await pool.acquire();
    const b = await pool.acquire();
    try {
      await other.execute(`DROP TABLE IF EXISTS p_en, p_ts2; DROP TYPE IF EXISTS p_mood; CREATE TYPE p_mood AS ENUM ('a'); CREATE TABLE p_en (m p_mood); CREATE TABLE p_ts2 (c timestamp)`);
      await a.execute('INSERT INTO p_en VALUES ($1)', ['a']);
      await b.execute('INSERT INTO p_ts2 (c) VALUES ($1)', [WITH_OFFSET]);
      await other.execute(`DROP TABLE p_en, p_ts2; DROP TYPE p_mood; CREATE TYPE p_mood AS ENUM ('b', 'a'); CREATE TABLE p_en (m p_mood); CREATE TABLE p_ts2 (c timestamptz)`);
      // a's cached INSERT names the old enum's OID: "cache lookup failed", re-prepared, and the pool is told.
      await a.execute('INSERT INTO p_en VALUES ($1)', ['b']);
      // b could not have noticed its own stale statement (the server accepts it): it learnt from a.
      await b.execute('INSERT INTO p_ts2 (c) VALUES ($1)', [WITH_OFFSET]);
      expect(await b.fetchVal('SELECT c FROM p_ts2')).toEqual(UTC_INSTANT);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('reloadSchemaState() reaches every connection of the pool', async () => {
    const a = await pool.acquire();
    const b = await pool.acquire();
    try {
      await other.execute('DROP TABLE IF EXISTS p_rl; CREATE TABLE p_rl (c timestamp)');
      await a.execute('INSERT INTO p_rl (c) VALUES ($1)', [WITH_OFFSET]);
      await b.execute('INSERT INTO p_rl (c) VALUES ($1)', [WITH_OFFSET]);
      await other.execute('DROP TABLE p_rl; CREATE TABLE p_rl (c timestamptz)');
      await pool.reloadSchemaState();
      await a.execute('INSERT INTO p_rl (c) VALUES ($1)', [WITH_OFFSET]);
      await b.execute('INSERT INTO p_rl (c) VALUES ($1)', [WITH_OFFSET]);
      expect(await a.fetch('SELECT c FROM p_rl')).toEqual([{ c: UTC_INSTANT }, { c: UTC_INSTANT }]);
    } finally {
      await a.release();
      await b.release();
    }
  });
});

describe('calls pipelined behind DDL', () => {
  it.each(MODES)('are written only once the DDL has been answered, so they see the new schema ($name)', async (mode) => {
    const conn = conns[mode.statement];
    const format = mode.format;
    const t = `pipe_${mode.name.replace('/', '_')}`;
    const insert = `INSERT INTO ${t} (c) VALUES ($1)`;
    await conn.execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (c timestamp)`);
    await conn.execute(insert, [WITH_OFFSET], { format });
    // Not awaited one by one: each INSERT is queued while the DDL before it is still running.
    await Promise.all([conn.execute(`DROP TABLE ${t}; CREATE TABLE ${t} (c timestamptz)`), conn.execute(insert, [WITH_OFFSET], { format })]);
    expect(await conn.fetch(`SELECT c FROM ${t}`, [], { format })).toEqual([{ c: UTC_INSTANT }]);
    await conn.execute(`DROP TABLE ${t}; CREATE TABLE ${t} (c timestamp)`);
    await conn.execute(insert, [WITH_OFFSET], { format });
    await conn.execute(`DROP TABLE ${t}`);
    // Through the extended protocol too.
    await Promise.all([conn.query(`CREATE TABLE ${t} (c timestamptz)`), conn.execute(insert, [WITH_OFFSET], { format })]);
    expect(await conn.fetch(`SELECT c FROM ${t}`, [], { format })).toEqual([{ c: UTC_INSTANT }]);
    // A DDL statement that failed stays cached (no tag dropped the cache): run from there, it still holds. The
    // other DDL goes through another session, so that nothing drops it from this connection's cache.
    const create = `CREATE TABLE ${t} (c timestamptz)`;
    await other.execute(`DROP TABLE ${t}; CREATE TABLE ${t} (c timestamp)`);
    await conn.reloadSchemaState();
    await expect(conn.query(create)).rejects.toThrow(/already exists/);
    await conn.execute(insert, [WITH_OFFSET], { format });
    await other.execute(`DROP TABLE ${t}`);
    await Promise.all([conn.query(create), conn.execute(insert, [WITH_OFFSET], { format })]);
    expect(await conn.fetch(`SELECT c FROM ${t}`, [], { format })).toEqual([{ c: UTC_INSTANT }]);
  });
});

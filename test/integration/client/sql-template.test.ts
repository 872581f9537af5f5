import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createPool, DataError, InterfaceError, sql, type Connection, type Pool } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;
let pool: Pool;

beforeAll(async () => {
  conn = await connect(testDsn());
  pool = createPool(testDsn(), { maxSize: 2 });
  await conn.execute('DROP TABLE IF EXISTS sql_tpl; CREATE TABLE sql_tpl (id int PRIMARY KEY, name text, "Odd ""Name""" text)');
  await conn.executeMany('INSERT INTO sql_tpl (id, name) VALUES ($1, $2)', [[1, 'ann'], [2, 'bob'], [3, "o'hara"]]);
});

afterAll(async () => {
  await conn.execute('DROP TABLE IF EXISTS sql_tpl');
  await conn.close();
  await pool.close();
});

/** What a failed call rejected with, for comparing the template and the core API. */
async function failure(p: Promise<unknown>): Promise<Error> {
  return (await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )) as Error;
}

describe('sql`` with every query method', () => {
  it('fetch, fetchRow, fetchVal, query, execute, cursor accept fragments', async () => {
    const name = "o'hara";
    expect(await conn.fetch(sql`SELECT id FROM sql_tpl WHERE name = ${name}`)).toEqual([{ id: 3 }]);
    expect(await conn.fetchRow(sql`SELECT name FROM sql_tpl WHERE id = ${2}`)).toEqual({ name: 'bob' });
    expect(await conn.fetchVal(sql`SELECT count(*) FROM sql_tpl WHERE id = ANY(${[1, 2]})`)).toBe(2n);
    expect((await conn.query(sql`SELECT id FROM sql_tpl WHERE id > ${1} ORDER BY id`)).rows).toEqual([{ id: 2 }, { id: 3 }]);
    expect(await conn.execute(sql`UPDATE sql_tpl SET name = ${'ann'} WHERE id = ${1}`)).toBe('UPDATE 1');
    const ids: number[] = [];
    for await (const row of conn.cursor<{ id: number }>(sql`SELECT id FROM sql_tpl WHERE id <= ${3} ORDER BY id`, undefined, { prefetch: 1 })) ids.push(row.id);
    expect(ids).toEqual([1, 2, 3]);
  });

  it('pool shortcuts and transactions accept fragments', async () => {
    expect(await pool.fetchVal(sql`SELECT name FROM sql_tpl WHERE id = ${1}`)).toBe('ann');
    const got = await pool.transaction((tx) => tx.fetchVal(sql`SELECT ${'in tx'}::text`));
    expect(got).toBe('in tx');
  });

  it('identifiers, joins and nested fragments compose into one statement', async () => {
    const table = sql.identifier('sql_tpl');
    const cols = sql.join(['id', 'Odd "Name"'].map((c) => sql.identifier(c)));
    const filter = sql.join([sql`id >= ${1}`, sql`name <> ${'nobody'}`], sql` AND `);
    const rows = await conn.fetch(sql`SELECT ${cols} FROM ${table} WHERE ${filter} ORDER BY id LIMIT ${2}`);
    expect(rows).toEqual([
      { id: 1, 'Odd "Name"': null },
      { id: 2, 'Odd "Name"': null },
    ]);
  });

  it('a value that looks like SQL stays a value', async () => {
    const evil = "x'; DROP TABLE sql_tpl; --";
    expect(await conn.fetchVal(sql`SELECT ${evil}::text`)).toBe(evil);
    expect(await conn.fetchVal('SELECT count(*) FROM sql_tpl')).toBe(3n);
  });
});

describe('bad input gives the same errors as the core API', () => {
  it('a value that cannot be encoded: the same DataError as with $1 and an argument array', async () => {
    const viaTemplate = await failure(conn.fetch(sql`SELECT ${'not a number'}::int4`));
    const viaCore = await failure(conn.fetch('SELECT $1::int4', ['not a number']));
    expect(viaTemplate).toBeInstanceOf(DataError);
    expect(viaTemplate.constructor).toBe(viaCore.constructor);
    expect(viaTemplate.message).toBe(viaCore.message);
    expect(viaTemplate.message).toMatch(/parameter \$1 \(int4\)/);
    expect((viaTemplate as DataError).safeToRetry).toBe(true);
  });

  it('a nested fragment: the DataError names the parameter by its final number', async () => {
    const inner = sql`${{ not: 'an int' }}::int8`;
    const viaTemplate = await failure(conn.fetch(sql`SELECT ${1}::int4, ${inner}`));
    const viaCore = await failure(conn.fetch('SELECT $1::int4, $2::int8', [1, { not: 'an int' }]));
    expect(viaTemplate).toBeInstanceOf(DataError);
    expect(viaTemplate.message).toBe(viaCore.message);
    expect(viaTemplate.message).toMatch(/parameter \$2/);
  });

  it('undefined is a DataError, never NULL', async () => {
    const viaTemplate = await failure(conn.fetch(sql`SELECT ${undefined}::text`));
    const viaCore = await failure(conn.fetch('SELECT $1::text', [undefined]));
    expect(viaTemplate).toBeInstanceOf(DataError);
    expect(viaTemplate.message).toBe(viaCore.message);
  });

  it('a fragment with a separate argument array is an InterfaceError; the connection stays usable', async () => {
    await expect(conn.fetch(sql`SELECT ${1}`, [2])).rejects.toBeInstanceOf(InterfaceError);
    expect(await conn.fetchVal(sql`SELECT ${'still fine'}::text`)).toBe('still fine');
  });
});

describe('fragments in batch methods', () => {
  it('executeMany, fetchMany and prepare accept a fragment without values', async () => {
    const c = await connect(testDsn());
    await c.execute('CREATE TEMP TABLE frag_t (id int4)');
    await c.executeMany(sql`INSERT INTO ${sql.identifier('frag_t')} VALUES ($1)`, [[1], [2]]);
    expect(await c.fetchMany(sql`SELECT $1::int4 + 1 AS v`, [[1], [2]])).toEqual([{ v: 2 }, { v: 3 }]);
    const ps = await c.prepare(sql`SELECT count(*) FROM ${sql.identifier('frag_t')}`);
    expect(await ps.fetchVal()).toBe(2n);
    await expect(c.executeMany(sql`INSERT INTO frag_t VALUES (${1})`, [[1]])).rejects.toThrow(/argument lists/);
    await c.close();
  });
});

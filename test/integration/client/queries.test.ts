import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection, DataError, InterfaceError, UniqueViolationError, UndefinedTableError, SyntaxErrorError, DatabaseError } from '../../../src/index.js';
import { testDsn } from '../../support/env.js';

let conn: Connection;

beforeAll(async () => {
  conn = await connect(testDsn());
  await conn.execute(`
    DROP TABLE IF EXISTS q_users;
    CREATE TABLE q_users (id serial PRIMARY KEY, name text NOT NULL UNIQUE, age int4, score float8, balance numeric, created timestamptz DEFAULT now());
  `);
});

afterAll(async () => {
  await conn.execute('DROP TABLE IF EXISTS q_users');
  await conn.close();
});

describe('query methods', () => {
  it('fetch returns typed objects keyed by column name', async () => {
    const rows = await conn.fetch<{ a: number; b: string; c: boolean; d: bigint }>("SELECT 1::int4 AS a, 'x'::text AS b, true AS c, 9007199254740993::int8 AS d");
    expect(rows).toEqual([{ a: 1, b: 'x', c: true, d: 9007199254740993n }]);
  });

  it('fetchRow returns the first row or null', async () => {
    expect(await conn.fetchRow('SELECT $1::int4 AS v', [5])).toEqual({ v: 5 });
    expect(await conn.fetchRow('SELECT 1 AS v WHERE false')).toBeNull();
  });

  it('fetchVal returns the first column, or the named/indexed one', async () => {
    expect(await conn.fetchVal('SELECT count(*) FROM generate_series(1, 10)')).toBe(10n);
    expect(await conn.fetchVal('SELECT 1 AS a, 2 AS b', [], { column: 'b' })).toBe(2);
    expect(await conn.fetchVal('SELECT 1 AS a, 2 AS b', [], { column: 1 })).toBe(2);
    expect(await conn.fetchVal('SELECT 1 WHERE false')).toBeNull();
    await expect(conn.fetchVal('SELECT 1 AS a', [], { column: 'zz' })).rejects.toBeInstanceOf(InterfaceError);
  });

  it('execute returns the command tag; without args runs several statements', async () => {
    expect(await conn.execute('INSERT INTO q_users(name, age) VALUES ($1, $2)', ['Alice', 30])).toBe('INSERT 0 1');
    expect(await conn.execute("CREATE TEMP TABLE t1(x int); INSERT INTO t1 VALUES (1), (2)")).toBe('INSERT 0 2');
  });

  it('query returns rows, columns with PostgreSQL type names, command and rowCount', async () => {
    const r = await conn.query('SELECT id, name, age FROM q_users WHERE name = $1', ['Alice']);
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
    expect(r.columns.map((c) => [c.name, c.typeName])).toEqual([['id', 'int4'], ['name', 'text'], ['age', 'int4']]);
    const u = await conn.query("UPDATE q_users SET age = age + 1 WHERE name = 'Alice'", []);
    expect(u.command).toBe('UPDATE');
    expect(u.rowCount).toBe(1);
  });

  it("rowMode 'array' gives arrays and keeps duplicate names", async () => {
    const r = await conn.query('SELECT 1 AS x, 2 AS x', [], { rowMode: 'array' });
    expect(r.rows).toEqual([[1, 2]]);
  });

  it('executeMany runs in one pipeline and is atomic', async () => {
    await conn.executeMany('INSERT INTO q_users(name) VALUES ($1)', [['Bob'], ['Carol']]);
    expect(await conn.fetchVal("SELECT count(*) FROM q_users WHERE name IN ('Bob', 'Carol')")).toBe(2n);
    const err = await conn.executeMany('INSERT INTO q_users(name) VALUES ($1)', [['Dave'], ['Bob'], ['Erin']]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect((err as { batchIndex?: number }).batchIndex).toBe(1);
    expect(await conn.fetchVal("SELECT count(*) FROM q_users WHERE name IN ('Dave', 'Erin')")).toBe(0n);
  });

  it('fetchMany returns every execution\'s rows in order', async () => {
    const rows = await conn.fetchMany<{ name: string }>('INSERT INTO q_users(name) VALUES ($1) RETURNING name', [['Dan'], ['Eve']]);
    expect(rows.map((r) => r.name)).toEqual(['Dan', 'Eve']);
  });

  it('arrays bind as PostgreSQL arrays (id = ANY($1))', async () => {
    const ids = (await conn.fetch<{ id: number }>('SELECT id FROM q_users ORDER BY id LIMIT 3')).map((r) => r.id);
    const rows = await conn.fetch<{ id: number }>('SELECT id FROM q_users WHERE id = ANY($1) ORDER BY id', [ids]);
    expect(rows.map((r) => r.id)).toEqual(ids);
  });

  it('prepared statements run many times and expose metadata', async () => {
    const ps = await conn.prepare('SELECT $1::int4 + $2::int4 AS sum');
    expect(ps.parameterTypes).toEqual(['int4', 'int4']);
    expect(ps.columns.map((c) => c.name)).toEqual(['sum']);
    expect(await ps.fetchVal([1, 2])).toBe(3);
    expect(await ps.fetchRow([3, 4])).toEqual({ sum: 7 });
    await ps.close();
    await expect(ps.fetch([1, 2])).rejects.toBeInstanceOf(InterfaceError);
  });
});

describe('bad input', () => {
  it('wrong argument count is an InterfaceError before execution', async () => {
    const err = await conn.fetch('SELECT $1::int4, $2::int4', [1]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/expects 2 arguments, 1 given/);
    // Now cached: still rejected before anything is sent.
    await expect(conn.fetch('SELECT $1::int4, $2::int4', [1, 2, 3])).rejects.toThrow(/expects 2 arguments, 3 given/);
    expect(await conn.fetchVal('SELECT 1')).toBe(1);
  });

  it.each([
    ['abc', 'int4'],
    [2 ** 40, 'int4'],
    [{}, 'uuid'],
  ])('value %p for %s is a DataError naming parameter and type', async (value, type) => {
    const err = await conn.fetch(`SELECT $1::${type}`, [value]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain('$1');
    expect((err as Error).message).toContain(type);
    expect(await conn.fetchVal('SELECT 2')).toBe(2);
  });

  it('undefined is a DataError, null is NULL', async () => {
    await expect(conn.fetch('SELECT $1::int4', [undefined])).rejects.toThrow(/\$1 \(int4\) is undefined/);
    expect(await conn.fetchVal('SELECT $1::int4', [null])).toBeNull();
  });

  it('SQL errors reject that call only; queued calls still run', async () => {
    const results = await Promise.allSettled([
      conn.fetchVal('SELECT 1'),
      conn.fetch('SELEC 1'),
      conn.fetch('SELECT * FROM no_such_table'),
      conn.execute("INSERT INTO q_users(name) VALUES ('Alice')", []),
      conn.fetchVal('SELECT 5'),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    const syntax = (results[1] as PromiseRejectedResult).reason as DatabaseError;
    expect(syntax).toBeInstanceOf(SyntaxErrorError);
    expect(typeof syntax.position).toBe('number');
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(UndefinedTableError);
    const unique = (results[3] as PromiseRejectedResult).reason as UniqueViolationError;
    expect(unique).toBeInstanceOf(UniqueViolationError);
    expect(unique.constraint).toBe('q_users_name_key');
    expect(unique.query).toContain('INSERT INTO q_users');
    expect(results[4]).toEqual({ status: 'fulfilled', value: 5 });
  });

  it('parameters the server cannot type are inferred from JS values ($1 IS NULL)', async () => {
    expect(await conn.fetchVal('SELECT $1 IS NULL', [null])).toBe(true);
    expect(await conn.fetchVal('SELECT $1 IS NULL', [5])).toBe(false);
  });

  it('a string for a non-text, non-numeric type is sent as a literal for the server to parse', async () => {
    const row = await conn.fetchRow('SELECT $1::int4[] AS a, $2::int4range AS r, $3::date AS d, $4::bytea AS b', ['{1,2}', '[1,5)', '2024-02-29', '\\x0102']);
    expect(row).toMatchObject({ a: [1, 2], d: '2024-02-29', b: Buffer.from([1, 2]) });
    // Numbers stay exact-parsed on the client: no silent server-side coercion.
    await expect(conn.fetch('SELECT $1::int4', ['12.5'])).rejects.toBeInstanceOf(DataError);
    expect(await conn.fetchVal('SELECT $1::int8', ['9007199254740993'])).toBe(9007199254740993n);
  });

  it('a parameter typed as text takes the value\'s text form', async () => {
    expect(await conn.fetchVal('SELECT $1::text', [42])).toBe('42');
  });
});

describe('pipelining', () => {
  it('100 concurrent queries on one connection resolve in order with the right rows', async () => {
    const calls = Array.from({ length: 100 }, (_, i) => conn.fetchVal<number>('SELECT $1::int4 * 2', [i]));
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
    const mixed = await Promise.all(Array.from({ length: 50 }, (_, i) => conn.fetchVal(`SELECT ${i}::int4 AS n${i % 7}`)));
    expect(mixed).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interval, Range, type Pool } from '../../../src/index.js';
import { PgjetDialect } from '../../../src/integrations/kysely/index.js';
import { serverOlderThan, testDsn } from '../../support/env.js';
import { schemaPool } from '../../support/schema-pool.js';

// By default Kysely receives the values its PostgresDialect gets from node-postgres: each expression below is
// read through Kysely on pgjet and through a pg client on the same server, and the two must be equal. The
// process runs in a zone with an offset (and no DST in the dates used) so local-time rules show.

const ZONE = 'America/Sao_Paulo';
const EXPRESSIONS = [
  '1::int8', '-9007199254740993::int8', "'1.50'::numeric", '12.5::money', '12::oid', '1.5::float4', "'NaN'::float8",
  "'2024-02-29'::date", "'0044-03-01 BC'::date", "'0050-06-01'::date", "'infinity'::date", "'-infinity'::date",
  "'2024-02-29 10:11:12.345678'::timestamp", "'0044-03-01 10:00:00 BC'::timestamp", "'-infinity'::timestamp",
  "'2024-02-29 10:11:12.345+02'::timestamptz", "'1969-12-31 23:59:59.9999+00'::timestamptz",
  "'1 year 2 mons 3 days 04:05:06.7'::interval", "'-1 years +3 days -04:05:06.789'::interval", "'0'::interval", "'00:00:00.5'::interval",
  "'10:11:12'::time", "'10:11:12+02'::timetz", "'(1,2)'::point", "'<(1,2),3>'::circle", "'{1,2,3}'::line", "'[(1,2),(3,4)]'::lseg",
  "'(1,2),(3,4)'::box", "'((1,2),(3,4))'::path", "'((1,2),(3,4))'::polygon", "'\\x0102'::bytea", '\'{"a":[1,2]}\'::json', '\'{"a":1}\'::jsonb',
  "'10.0.0.1'::inet", "'08:00:2b:01:02:03'::macaddr", "B'101'::varbit", "'a b'::tsvector", "'[1,5)'::int4range", "'[1,5)'::int8range",
  "'[2024-01-01 10:00,2024-02-01)'::tsrange", ...(serverOlderThan(14) ? [] : ["'{[1,5)}'::int4multirange"]), "'1 2'::int2vector", "'5'::xid", "row(1, 'a')",
  "'{1,-2,NULL}'::int8[]", "'[0:1]={1,2}'::int8[]", "'{{1,2},{3,4}}'::int8[]", "array[1.5, 2]::numeric[]", "array['2024-01-01', NULL]::date[]",
  "array['2024-01-01 10:00']::timestamp[]", "array['2024-01-01 10:00+00']::timestamptz[]", "array['1 day', '-00:00:01']::interval[]",
  "array['[1.5,2)']::numrange[]", "array['a\"b', 'c,d', NULL, 'NULL', '']::text[]", "array[true, false]::bool[]", "array['{\"a\":1}']::jsonb[]",
  "array['(1,2)']::point[]", "array['<(1,2),3>']::circle[]", "array['x y']::name[]", "array[12]::oid[]", "array['\\x01']::bytea[]",
  "'sad'::kysely_values.mood", "array['sad', 'ok']::kysely_values.mood[]", "row(1, 'x')::kysely_values.pair", "array[row(1, 'x')::kysely_values.pair]",
];

let pool: Pool;
let db: Kysely<never>;
let client: pg.Client;
let previousZone: string | undefined;

beforeAll(async () => {
  previousZone = process.env.TZ;
  process.env.TZ = ZONE;
  pool = await schemaPool('kysely_values');
  await pool.execute("CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TYPE pair AS (a int, b text)");
  db = new Kysely<never>({ dialect: new PgjetDialect({ pool, closePoolOnDestroy: false }) });
  client = new pg.Client({ connectionString: testDsn() });
  await client.connect();
});

afterAll(async () => {
  await db.destroy();
  await pool.close();
  await client.end();
  if (previousZone === undefined) delete process.env.TZ;
  else process.env.TZ = previousZone;
});

const viaKysely = async (db: Kysely<never>, expression: string): Promise<unknown> =>
  (await sql<{ v: unknown }>`SELECT ${sql.raw(expression)} AS v`.execute(db)).rows[0].v;

describe("values: 'pg' (default)", () => {
  it.each(EXPRESSIONS)('%s as node-postgres gives it', async (expression) => {
    const expected: unknown = (await client.query(`SELECT ${expression} AS v`)).rows[0].v;
    const actual = await viaKysely(db, expression);
    expect(actual).toEqual(expected);
    if (typeof expected === 'object' && expected !== null && 'toPostgres' in expected) {
      // pg's interval object: the same fields and the same renderings.
      const [mine, theirs] = [actual, expected] as { toPostgres(): string; toISO(): string; toISOString(): string }[];
      expect([mine.toPostgres(), mine.toISO(), mine.toISOString()]).toEqual([theirs.toPostgres(), theirs.toISO(), theirs.toISOString()]);
    }
  });

  it('local dates really are local: the zone applies', async () => {
    expect(await viaKysely(db, "'2024-02-29 10:00'::timestamp")).toEqual(new Date('2024-02-29T13:00:00Z'));
  });

  it('`types` overrides take precedence by type name', async () => {
    const custom = new Kysely<never>({ dialect: new PgjetDialect({ pool, closePoolOnDestroy: false, types: { int8: (text) => BigInt(text) } }) });
    expect(await viaKysely(custom, '7::int8')).toBe(7n);
    expect(await viaKysely(custom, "'2024-02-29'::date")).toEqual(new Date(2024, 1, 29));
    await custom.destroy();
  });
});

describe("values: 'native'", () => {
  it("gives pgjet's own values", async () => {
    const native = new Kysely<never>({ dialect: new PgjetDialect({ pool, closePoolOnDestroy: false, values: 'native' }) });
    expect(await viaKysely(native, '1::int8')).toBe(1n);
    expect(await viaKysely(native, "'2024-02-29'::date")).toBe('2024-02-29');
    expect(await viaKysely(native, "'2024-02-29 10:00'::timestamp")).toEqual(new Date('2024-02-29T10:00:00Z'));
    expect(await viaKysely(native, "'1 day'::interval")).toBeInstanceOf(Interval);
    expect(await viaKysely(native, "'[1,5)'::int4range")).toBeInstanceOf(Range);
    expect(await viaKysely(native, "array['sad']::kysely_values.mood[]")).toEqual(['sad']);
    await native.destroy();
  });

  it('an unknown mode is refused when the Kysely instance is made', () => {
    expect(() => new Kysely<never>({ dialect: new PgjetDialect({ pool, values: 'bigint' as 'native' }) })).toThrow(/values must be 'pg' or 'native'/);
  });
});

import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { date, line, pgSchema, serial, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drizzleFixture } from './fixture.js';

let fx: Awaited<ReturnType<typeof drizzleFixture>>;

beforeAll(async () => {
  fx = await drizzleFixture('drizzle_types');
});

afterAll(async () => {
  await fx.pool.close();
});

describe('every common column type round-trips through Drizzle', () => {
  it('insert … returning and select give the values Drizzle documents for each mode', async () => {
    const { db, app } = fx;
    const at = new Date('2024-02-29T13:45:06.789Z');
    const row = {
      small: -32768,
      int: 2147483647,
      bigNumber: 9007199254740991,
      bigBig: 9223372036854775807n,
      amount: '12345678.9012',
      ratio: 1.5,
      exact: 0.1 + 0.2,
      label: 'héllo "quoted", {braces}',
      code: 'ABC',
      letter: 'x',
      flag: true,
      at,
      atString: '2024-02-29 13:45:06.789',
      atTz: at,
      atTzString: '2024-02-29 13:45:06.789+00',
      day: '2024-02-29',
      dayDate: new Date('2024-02-29T00:00:00.000Z'),
      clock: '13:45:06.5',
      span: '1 year 2 mons 3 days 04:05:06',
      doc: { a: 1, b: ['x', 'y'] },
      docb: { nested: { ok: true }, n: 1.25 },
      uid: '0b6e3c8e-9b0e-4d52-8f5c-2f1b1f7e6a10',
      ints: [1, 2, 3],
      texts: ['a', 'b,c', 'd"e', 'NULL'],
      bigs: [1n, -9223372036854775808n],
      stamps: [at, new Date('1999-12-31T23:59:59.000Z')],
      role: 'admin' as const,
      roles: ['member' as const, 'guest' as const],
      where: [1.5, -2] as [number, number],
      wherexy: { x: 3, y: 4 },
      edge: [1, 2, 3] as [number, number, number],
    };
    const [inserted] = await db.insert(app.everything).values(row).returning();
    const [selected] = await db.select().from(app.everything).where(eq(app.everything.id, inserted.id));
    for (const got of [inserted, selected]) {
      expect(got).toEqual({ id: inserted.id, ...row });
    }
  });

  it('NULL in every column comes back as null', async () => {
    const { db, app } = fx;
    const [row] = await db.insert(app.everything).values({}).returning();
    const { id, ...rest } = row;
    expect(typeof id).toBe('number');
    expect(Object.values(rest).every((v) => v === null)).toBe(true);
  });

  it('db.execute() returns object rows with the raw values node-postgres would give', async () => {
    const { db } = fx;
    const result = await db.execute(sql`
      SELECT 42::int8 AS big, ARRAY[1, NULL, -3]::int8[] AS bigs, 1.50::numeric AS num, '2024-02-29'::date AS day,
             '2024-02-29 13:45:06.5'::timestamp AS ts, '2024-02-29 13:45:06.5+00'::timestamptz AS tstz,
             '1 day 02:00:00'::interval AS span, '{"a":[1]}'::jsonb AS doc, true AS flag, '(1,2)'::point AS pt,
             '{1,2,3}'::line AS ln, '[1,5)'::int4range AS r, 7::int4 AS n`);
    expect(result.rows).toEqual([
      {
        big: '42',
        bigs: ['1', null, '-3'],
        num: '1.50',
        day: '2024-02-29',
        ts: '2024-02-29 13:45:06.5',
        tstz: '2024-02-29 13:45:06.5+00',
        span: '1 day 02:00:00',
        doc: { a: [1] },
        flag: true,
        pt: { x: 1, y: 2 },
        ln: '{1,2,3}',
        r: '[1,5)',
        n: 7,
      },
    ]);
    expect(result.command).toBe('SELECT');
    expect(result.rowCount).toBe(1);
  });

  it('arrays of geometric and range types come as the server text, as pg gives them', async () => {
    const { db } = fx;
    const result = await db.execute(sql`
      SELECT ARRAY['{1,2,3}'::line, '{4,5,6}'::line] AS lines, ARRAY['[1,5)'::int4range, 'empty'] AS ranges`);
    expect(result.rows).toEqual([{ lines: '{"{1,2,3}","{4,5,6}"}', ranges: '{"[1,5)",empty}' }]);
  });

  it('line().array() columns round-trip in both modes', async () => {
    const { db } = fx;
    const shapes = pgSchema('drizzle_types').table('line_arrays', {
      id: serial('id').primaryKey(),
      abc: line('abc', { mode: 'abc' }).array(),
      tuples: line('tuples').array(),
    });
    await db.execute(sql`CREATE TABLE drizzle_types.line_arrays (id serial PRIMARY KEY, abc line[], tuples line[])`);
    const values = { abc: [{ a: 1, b: 2, c: 3 }], tuples: [[4, 5, 6], [1, -1, 0]] as [number, number, number][] };
    const [row] = await db.insert(shapes).values(values).returning();
    expect(row).toEqual({ id: row.id, ...values });
  });

  it('sql`` expressions mapped with Number and custom decoders', async () => {
    const { db, app } = fx;
    const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number), raw: sql<string>`count(*)` }).from(app.everything);
    expect(row.n).toBeGreaterThanOrEqual(2);
    expect(row.raw).toBe(String(row.n)); // int8 arrives as a string, as with node-postgres
  });
});

describe('array elements of date and timestamp types accept what a single value accepts', () => {
  const temporal = pgSchema('drizzle_types').table('temporal_arrays', {
    id: serial('id').primaryKey(),
    day: date('day', { mode: 'string' }),
    days: date('days', { mode: 'string' }).array(),
    dayDates: date('day_dates', { mode: 'date' }).array(),
    stamps: timestamp('stamps', { mode: 'string' }).array(),
    stampsTz: timestamp('stamps_tz', { mode: 'string', withTimezone: true }).array(),
  });

  it('an ISO timestamp string in a date[] and an offset in a timestamp[] are read by the server as in a single value', async () => {
    const { db } = fx;
    await db.execute(sql`CREATE TABLE drizzle_types.temporal_arrays
      (id serial PRIMARY KEY, day date, days date[], day_dates date[], stamps timestamp[], stamps_tz timestamptz[])`);
    const iso = '2025-03-12T01:32:41.623Z';
    const [row] = await db
      .insert(temporal)
      .values({
        day: iso,
        days: [iso, '2024-02-29', 'infinity'],
        dayDates: [new Date(iso)],
        stamps: ['2024-02-29 13:45:06.5+05', iso],
        stampsTz: ['2024-02-29 13:45:06.5+05'],
      })
      .returning();
    expect(row).toEqual({
      id: row.id,
      day: '2025-03-12',
      days: ['2025-03-12', '2024-02-29', 'infinity'],
      dayDates: [new Date('2025-03-12T00:00:00.000Z')],
      stamps: ['2024-02-29 13:45:06.5', '2025-03-12 01:32:41.623'],
      stampsTz: ['2024-02-29 08:45:06.5+00'],
    });
    const [read] = await db.select({ days: temporal.days }).from(temporal).where(eq(temporal.id, row.id));
    expect(read.days).toEqual(row.days);
  });

  it('property: ISO timestamp strings give their UTC day in a date[] and their instant in a timestamp[]', async () => {
    const { db } = fx;
    const instant = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true });
    await fc.assert(
      fc.asyncProperty(fc.array(instant, { maxLength: 5 }), fc.array(instant, { minLength: 1, maxLength: 5 }), async (days, at) => {
        const [row] = await db
          .insert(temporal)
          .values({ days: days.map((d) => d.toISOString()), stamps: at.map((d) => d.toISOString()) })
          .returning({ id: temporal.id, days: temporal.days });
        expect(row.days).toEqual(days.map((d) => d.toISOString().slice(0, 10)));
        const [back] = await db.select({ stamps: temporal.stamps }).from(temporal).where(eq(temporal.id, row.id));
        // timestamp_in drops the trailing Z (no time zone in the type): the wall clock is the UTC one.
        expect(back.stamps!.map((s) => new Date(`${s.replace(' ', 'T')}Z`))).toEqual(at);
      }),
      { numRuns: 40 },
    );
  });

  it('a malformed element is refused by the server with its own error, and the pool stays usable', async () => {
    const { db } = fx;
    await expect(db.insert(temporal).values({ days: ['2024-02-30'] })).rejects.toMatchObject({
      cause: { code: '22008' },
    });
    expect(await db.select({ days: temporal.days }).from(temporal).limit(1)).toHaveLength(1);
  });
});

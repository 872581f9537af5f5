import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/index.js';
import { parseArrayText } from '../../../src/integrations/shared/array-text.js';
import { dateLikePg, timestampLikePg } from '../../../src/integrations/shared/pg-dates.js';
import { PostgresInterval } from '../../../src/integrations/shared/pg-interval.js';
import { pgValueTypes } from '../../../src/integrations/shared/pg-values.js';

// The decoders behind PgjetDialect's `values: 'pg'`, checked against node-postgres' own type parsers on the
// server's text forms: they must agree on every input, in a zone with daylight saving time.

const parserOf = (oid: number): ((text: string) => unknown) => pg.types.getTypeParser(oid, 'text') as (text: string) => unknown;
const OID = { date: 1082, timestamp: 1114, interval: 1186, textArray: 1009 } as const;

let previousZone: string | undefined;
beforeAll(() => {
  previousZone = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (previousZone === undefined) delete process.env.TZ;
  else process.env.TZ = previousZone;
});

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const dateText = fc
  .record({ year: fc.integer({ min: 1, max: 12_000 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), bc: fc.boolean() })
  .map(({ year, month, day, bc }) => ({ ymd: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`, bc: bc ? ' BC' : '' }));
const clockText = fc
  .record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }), frac: fc.option(fc.stringMatching(/^\d{1,6}$/)) })
  .map(({ h, m, s, frac }) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${frac === null ? '' : `.${frac}`}`);

/** Dates compare by time (NaN for an invalid one); numbers (±Infinity) and null as they are. */
const comparable = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);

describe('date and timestamp as pg parses them', () => {
  it('date', () => {
    fc.assert(
      fc.property(dateText, ({ ymd, bc }) => {
        const text = ymd + bc;
        expect(comparable(dateLikePg(text))).toEqual(comparable(parserOf(OID.date)(text)));
      }),
    );
  });

  it('timestamp', () => {
    fc.assert(
      fc.property(dateText, clockText, ({ ymd, bc }, clock) => {
        const text = `${ymd} ${clock}${bc}`;
        expect(comparable(timestampLikePg(text))).toEqual(comparable(parserOf(OID.timestamp)(text)));
      }),
    );
  });

  it('infinities and text in neither form', () => {
    for (const text of ['infinity', '-infinity', 'garbage', '']) {
      expect(comparable(dateLikePg(text))).toEqual(comparable(parserOf(OID.date)(text)));
      expect(comparable(timestampLikePg(text))).toEqual(comparable(parserOf(OID.timestamp)(text)));
    }
  });
});

describe('interval as pg parses it', () => {
  const field = (unit: string, plural: string) =>
    fc.option(fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.boolean()).map(([n, plus]) => `${plus && n >= 0 ? '+' : ''}${n} ${Math.abs(n) === 1 ? unit : plural}`));
  const clock = fc.option(
    fc.tuple(fc.constantFrom('', '-', '+'), fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.option(fc.stringMatching(/^\d{1,6}$/))),
  );
  const intervalText = fc.tuple(field('year', 'years'), field('mon', 'mons'), field('day', 'days'), clock).map(([y, mo, d, c]) => {
    const time = c === null ? null : `${c[0]}${pad(c[1], 2)}:${pad(c[2], 2)}:${pad(c[3], 2)}${c[4] === null ? '' : `.${c[4]}`}`;
    const parts = [y, mo, d, time].filter((p): p is string => p !== null);
    return parts.length === 0 ? '00:00:00' : parts.join(' ');
  });

  it('the same own fields and renderings', () => {
    fc.assert(
      fc.property(intervalText, (text) => {
        const theirs = parserOf(OID.interval)(text) as PostgresInterval;
        const mine = new PostgresInterval(text);
        expect({ ...mine }).toEqual({ ...theirs });
        expect([mine.toPostgres(), mine.toISO(), mine.toISOString()]).toEqual([theirs.toPostgres(), theirs.toISO(), theirs.toISOString()]);
      }),
    );
  });
});

describe('array text', () => {
  /** An element as PostgreSQL's array_out writes it: quoted when empty, NULL-like or holding special characters. */
  const quote = (s: string | null): string => {
    if (s === null) return 'NULL';
    if (s === '' || /^null$/i.test(s) || /[{}",\\\s]/.test(s)) return `"${s.replace(/[\\"]/g, '\\$&')}"`;
    return s;
  };
  const element = fc.option(fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '"', '\\', ',', '{', '}', 'é', 'N', 'U', 'L') }), { nil: null });

  it('one dimension: the same strings and nulls as pg', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 8 }), (items) => {
        const text = `{${items.map(quote).join(',')}}`;
        expect(parseArrayText(text, (s) => s)).toEqual(parserOf(OID.textArray)(text));
        expect(parseArrayText(text, (s) => s)).toEqual(items);
      }),
    );
  });

  it('nested arrays and a bounds prefix', () => {
    expect(parseArrayText('{{1,2},{3,NULL}}', Number)).toEqual([
      [1, 2],
      [3, null],
    ]);
    expect(parseArrayText('[0:1]={7,8}', Number)).toEqual([7, 8]);
    expect(parseArrayText('{}', Number)).toEqual([]);
  });

  it('malformed text is a DataError naming it', () => {
    for (const text of ['{1,2', '1,2}', '{"open}', '']) {
      expect(() => parseArrayText(text, (s) => s)).toThrow(DataError);
    }
    expect(() => parseArrayText('{"open}', (s) => s)).toThrow(/malformed array text from the server: "\{\\"open\}"/);
  });
});

describe('pgValueTypes lookup', () => {
  const types = pgValueTypes({ int8: 'text', date: (t) => `d:${t}` });

  it("the user's rules first, then pg's, then the server's text for any type pg does not parse", () => {
    expect(types.date).toBeTypeOf('function');
    expect((types.date as (t: string) => unknown)('2024-01-01')).toBe('d:2024-01-01');
    expect(types.timestamp).toBe(timestampLikePg);
    expect(types.int4).toBeUndefined(); // already what pg gives
    expect(types.tsrange).toBe('text');
    expect(types.my_enum).toBe('text');
    expect(types['16384']).toBeUndefined(); // an OID: only the user's own rules are keyed by OID
  });
});

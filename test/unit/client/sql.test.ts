import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqlFragment, quoteIdentifier, sql, SqlFragment } from '../../../src/client/index.js';
import { InterfaceError } from '../../../src/errors/index.js';

describe('sql`` template', () => {
  it('turns interpolations into $n placeholders and an argument array', () => {
    const id = 7;
    const org = "acme'; DROP TABLE users; --";
    expect(sql`SELECT * FROM users WHERE id = ${id} AND org = ${org}`.toQuery()).toEqual({
      text: 'SELECT * FROM users WHERE id = $1 AND org = $2',
      values: [7, org],
    });
  });

  it('a template without values has no placeholders', () => {
    expect(sql`SELECT 1`.toQuery()).toEqual({ text: 'SELECT 1', values: [] });
  });

  it('passes every kind of value through untouched, the same value twice as two parameters', () => {
    const values = [null, undefined, 1n, [1, 2], { a: 1 }, Buffer.from('x'), new Date(0), true];
    const q = sql`SELECT ${values[0]}, ${values[1]}, ${values[2]}, ${values[3]}, ${values[4]}, ${values[5]}, ${values[6]}, ${values[7]}, ${values[7]}`.toQuery();
    expect(q.text).toBe('SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9');
    expect(q.values).toEqual([...values, true]);
    expect(q.values[3]).toBe(values[3]); // no copies: arrays bind as PostgreSQL arrays
  });

  it('fragments compose, numbering placeholders across nesting levels', () => {
    const byOrg = (org: string): SqlFragment => sql`org = ${org}`;
    const active = sql`active = ${true}`;
    const where = sql`${byOrg('acme')} AND ${active} AND id > ${10}`;
    const q = sql`SELECT ${1} AS one FROM users WHERE ${where} LIMIT ${5}`.toQuery();
    expect(q.text).toBe('SELECT $1 AS one FROM users WHERE org = $2 AND active = $3 AND id > $4 LIMIT $5');
    expect(q.values).toEqual([1, 'acme', true, 10, 5]);
  });

  it('a fragment used twice contributes its values twice', () => {
    const cond = sql`x = ${1}`;
    expect(sql`${cond} OR ${cond}`.toQuery()).toEqual({ text: 'x = $1 OR x = $2', values: [1, 1] });
  });

  it('toQuery(offset) numbers after existing arguments', () => {
    expect(sql`a = ${1} AND b = ${2}`.toQuery(3)).toEqual({ text: 'a = $4 AND b = $5', values: [1, 2] });
  });

  it('refuses to be called as a plain function (its argument would become SQL text)', () => {
    const userInput = "1; DROP TABLE users";
    const asFunction = sql as unknown as (s: unknown, ...v: unknown[]) => SqlFragment;
    expect(() => asFunction(userInput)).toThrow(InterfaceError);
    expect(() => asFunction([userInput])).toThrow(/template tag/);
    expect(() => asFunction(Object.assign(['a', 'b'], { raw: ['a', 'b'] }))).toThrow(/template tag/); // pieces and values must match
  });

  it('isSqlFragment tells fragments from look-alikes', () => {
    expect(isSqlFragment(sql`SELECT 1`)).toBe(true);
    expect(isSqlFragment({ strings: ['SELECT 1'], values: [] })).toBe(false);
    expect(isSqlFragment('SELECT 1')).toBe(false);
  });
});

describe('sql.identifier', () => {
  it('always quotes, doubling embedded quotes; several parts are dot-joined', () => {
    expect(sql`SELECT * FROM ${sql.identifier('users')}`.toQuery().text).toBe('SELECT * FROM "users"');
    expect(sql.identifier('my schema', 'Weird"Name').toQuery().text).toBe('"my schema"."Weird""Name"');
    expect(sql.identifier('x"; DROP TABLE t; --').toQuery()).toEqual({ text: '"x""; DROP TABLE t; --"', values: [] });
    expect(quoteIdentifier('select')).toBe('"select"');
  });

  it('refuses empty names, NUL characters, non-strings and no parts at all with an InterfaceError', () => {
    for (const bad of [[''], ['a\0b'], [5], []]) {
      expect(() => sql.identifier(...(bad as string[]))).toThrow(InterfaceError);
    }
    expect(() => sql.identifier('')).toThrow(/empty/);
    expect(() => sql.identifier('a\0b')).toThrow(/NUL/);
    expect(() => sql.identifier(5 as unknown as string)).toThrow(/must be a string/);
    expect(() => sql.identifier()).toThrow(/at least one/);
  });

  it('never contains an unescaped quote (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')), (name) => {
        const text = quoteIdentifier(name);
        const inner = text.slice(1, -1);
        expect(text.startsWith('"') && text.endsWith('"')).toBe(true);
        expect(inner.replaceAll('""', '')).not.toContain('"');
        expect(inner.replaceAll('""', '"')).toBe(name);
      }),
    );
  });
});

describe('sql.join and sql.unsafe', () => {
  it('joins values as placeholders and fragments as SQL, with a separator fragment', () => {
    expect(sql`VALUES (${sql.join([1, 'a', null])})`.toQuery()).toEqual({ text: 'VALUES ($1, $2, $3)', values: [1, 'a', null] });
    const conds = [sql`a = ${1}`, sql`b = ${2}`];
    expect(sql`WHERE ${sql.join(conds, sql` AND `)}`.toQuery()).toEqual({ text: 'WHERE a = $1 AND b = $2', values: [1, 2] });
    const cols = ['id', 'name'].map((c) => sql.identifier(c));
    expect(sql`SELECT ${sql.join(cols)} FROM t`.toQuery().text).toBe('SELECT "id", "name" FROM t');
  });

  it('an empty join is empty SQL', () => {
    expect(sql`SELECT 1${sql.join([])}`.toQuery()).toEqual({ text: 'SELECT 1', values: [] });
  });

  it('refuses a separator that is not a fragment', () => {
    expect(() => sql.join([1, 2], ' OR ' as unknown as SqlFragment)).toThrow(/separator as a fragment/);
  });

  it('unsafe inserts trusted text as is, and only text', () => {
    expect(sql`SELECT ${sql.unsafe('now()')}, ${1}`.toQuery()).toEqual({ text: 'SELECT now(), $1', values: [1] });
    expect(() => sql.unsafe(1 as unknown as string)).toThrow(InterfaceError);
  });
});

describe('values never reach the SQL text (property)', () => {
  it('for any values and nesting, the text is the template pieces and $n only', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean());
    fc.assert(
      fc.property(fc.array(value, { maxLength: 6 }), fc.array(value, { maxLength: 4 }), (outer, inner) => {
        const nested = sql`(${sql.join(inner)})`;
        const frag = sql`SELECT ${sql.join(outer)} WHERE x IN ${nested}`;
        const { text, values } = frag.toQuery();
        expect(values).toEqual([...outer, ...inner]);
        const stripped = text.replace(/\$\d+/g, '');
        expect(stripped).toBe(`SELECT ${outer.map(() => '').join(', ')} WHERE x IN (${inner.map(() => '').join(', ')})`);
      }),
    );
  });
});

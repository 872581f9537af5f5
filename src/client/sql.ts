/**
 * Safe SQL templates: `` sql`SELECT * FROM users WHERE id = ${id}` `` becomes `$1` placeholders plus an argument
 * array. Values never reach the SQL text; identifiers only through `sql.identifier()`; fragments compose.
 */

import { InterfaceError } from '../errors/index.js';

const FRAGMENT = Symbol('pgjet.sql');

/** A piece of SQL with its values kept apart, built by the `sql` tag. */
export class SqlFragment {
  /** Brand, so plain objects cannot pass as fragments. */
  readonly [FRAGMENT] = true;
  /** Literal SQL pieces; values (or nested fragments) go between them. */
  readonly strings: readonly string[];
  /** Interpolated values and fragments. */
  readonly values: readonly unknown[];

  /** Use the `sql` tag rather than this constructor. */
  constructor(strings: readonly string[], values: readonly unknown[]) {
    this.strings = strings;
    this.values = values;
  }

  /** Renders `$n` placeholders starting after `offset` existing arguments. */
  toQuery(offset = 0): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const text = render(this, values, offset);
    return { text, values };
  }
}

function render(fragment: SqlFragment, values: unknown[], offset: number): string {
  let text = fragment.strings[0];
  for (let i = 0; i < fragment.values.length; i++) {
    const v = fragment.values[i];
    if (v instanceof SqlFragment) text += render(v, values, offset);
    else {
      values.push(v);
      text += `$${offset + values.length}`;
    }
    text += fragment.strings[i + 1];
  }
  return text;
}

/**
 * Quotes an identifier for SQL text: always double-quoted (so case and reserved words are kept, unlike
 * `quote_ident`, which leaves plain lower-case names bare), embedded double quotes doubled.
 */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string') throw new InterfaceError(`an identifier must be a string, got ${typeof name}`);
  if (name.length === 0) throw new InterfaceError('an identifier cannot be empty');
  if (name.includes('\0')) throw new InterfaceError('an identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** The `sql` tag with its helpers. */
export interface SqlTag {
  /** Builds a fragment from a template literal. */
  (strings: TemplateStringsArray, ...values: unknown[]): SqlFragment;
  /** A quoted identifier; `sql.identifier('public', 'users')` gives `"public"."users"`. */
  identifier(...parts: string[]): SqlFragment;
  /** Trusted SQL text, inserted as is (never pass user input). */
  unsafe(text: string): SqlFragment;
  /** Joins fragments or values with a separator fragment (default `, `). */
  join(items: readonly unknown[], separator?: SqlFragment): SqlFragment;
}

const COMMA = new SqlFragment([', '], []);

/** The safe SQL template tag. */
export const sql: SqlTag = Object.assign(
  (strings: TemplateStringsArray, ...values: unknown[]): SqlFragment => {
    // Only a template literal's own pieces may become SQL text: `sql(userInput)` called as a plain function
    // would otherwise put its argument into the statement.
    if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw) || strings.length !== values.length + 1) {
      throw new InterfaceError('sql is a template tag: write sql`SELECT … ${value}`, or sql.unsafe(text) for trusted SQL text');
    }
    return new SqlFragment([...strings], values);
  },
  {
    identifier: (...parts: string[]): SqlFragment => {
      if (parts.length === 0) throw new InterfaceError('sql.identifier() needs at least one name');
      return new SqlFragment([parts.map(quoteIdentifier).join('.')], []);
    },
    unsafe: (text: string): SqlFragment => {
      if (typeof text !== 'string') throw new InterfaceError(`sql.unsafe() takes SQL text, got ${typeof text}`);
      return new SqlFragment([text], []);
    },
    join: (items: readonly unknown[], separator: SqlFragment = COMMA): SqlFragment => {
      // A string separator would silently become a bound value: say so instead (JavaScript callers, casts).
      if (!(separator instanceof SqlFragment)) throw new InterfaceError('sql.join() takes its separator as a fragment, e.g. sql` AND `');
      if (items.length === 0) return new SqlFragment([''], []);
      const strings = [''];
      const values: unknown[] = [];
      items.forEach((item, i) => {
        if (i > 0) {
          values.push(separator);
          strings.push('');
        }
        values.push(item);
        strings.push('');
      });
      return new SqlFragment(strings, values);
    },
  },
);

/** True for values built by the `sql` tag. */
export function isSqlFragment(value: unknown): value is SqlFragment {
  return value instanceof SqlFragment;
}

/**
 * Parameters as pgjet binds them. Drizzle's column encoders were written for text-protocol drivers: for
 * arrays, points, lines and `date({ mode: 'date' })` they produce PostgreSQL literals (`'{1,2}'`, `'(1,2)'`,
 * `'{1,2,3}'`, an ISO timestamp for a date) for the server's input functions to parse. pgjet binds those
 * types in binary and takes JS values for them (README, "Types"), so the literals are turned back here.
 *
 * Which parameter came from which column is known only while Drizzle builds the SQL: the dialect's
 * `prepareTyping(encoder)` hook is called once per parameter, in order, and whatever it returns travels with
 * the query as `typings`. {@link PgjetDrizzleDialect} returns the encoder itself, so the prepared query can
 * look at the column behind each string parameter. Drizzle itself only passes `typings` along (its
 * `toSQL()` drops them), so nothing else sees the difference.
 */
import { is, Param, type DriverValueEncoder, type QueryTypingsValue, type QueryWithTypings } from 'drizzle-orm';
import {
  PgArray,
  PgDate,
  PgDateString,
  PgDialect,
  PgInterval,
  PgLineABC,
  PgLineTuple,
  PgPointObject,
  PgPointTuple,
  PgTime,
  PgTimestamp,
  PgTimestampString,
} from 'drizzle-orm/pg-core';

/** Drizzle's PostgreSQL dialect, passing each parameter's encoder through as its typing. */
export class PgjetDrizzleDialect extends PgDialect {
  /** The encoder itself (see the module comment). Called unbound by Drizzle: it must not use `this`. */
  override prepareTyping(encoder: DriverValueEncoder<unknown, unknown>): QueryTypingsValue {
    return encoder as unknown as QueryTypingsValue;
  }
}

/** The encoder behind each parameter: from the typings, or a placeholder's `Param` (filled at execute time). */
export function encodersOf(query: QueryWithTypings): (DriverValueEncoder<unknown, unknown> | undefined)[] {
  // Typed as strings by Drizzle; here they hold what PgjetDrizzleDialect.prepareTyping returned.
  const typings = (query.typings ?? []) as unknown[];
  return query.params.map((param, i) => {
    if (is(param, Param)) return param.encoder;
    const typing = typings[i];
    return typeof typing === 'object' && typing !== null ? (typing as DriverValueEncoder<unknown, unknown>) : undefined;
  });
}

/** True when some parameter may need {@link toBindable}: a string from a column whose encoder writes literals. */
export function needsConversion(encoders: readonly (DriverValueEncoder<unknown, unknown> | undefined)[]): boolean {
  return encoders.some((e) => e !== undefined && literalKind(e) !== null);
}

type LiteralKind = 'array' | 'date' | 'point' | 'line';

function literalKind(encoder: DriverValueEncoder<unknown, unknown>): LiteralKind | null {
  if (is(encoder, PgArray)) return 'array';
  if (is(encoder, PgDate)) return 'date';
  if (is(encoder, PgPointTuple) || is(encoder, PgPointObject)) return 'point';
  if (is(encoder, PgLineTuple) || is(encoder, PgLineABC)) return 'line';
  return null;
}

/**
 * `value` as pgjet binds it for a column with `encoder`: a literal the encoder wrote becomes the JS value
 * pgjet's codec takes; anything else (and any literal that does not parse) is returned unchanged, so pgjet's
 * own `DataError` still reports what is wrong.
 */
export function toBindable(encoder: DriverValueEncoder<unknown, unknown> | undefined, value: unknown): unknown {
  if (typeof value !== 'string' || encoder === undefined) return value;
  switch (literalKind(encoder)) {
    case 'array': {
      let base = (encoder as PgArray<never, never>).baseColumn;
      while (is(base, PgArray)) base = base.baseColumn;
      // Left as the literal: pgjet sends a string for these array types in text, so the server's array_in
      // reads each element with the element type's input function, exactly as it reads a single value
      // (an ISO timestamp in a date[], a time zone in a timestamp[]), where pgjet's binary codecs are stricter.
      if (isTemporal(base)) return value;
      const items = parseArrayLiteral(value);
      return items === null ? value : mapLeaves(items, (leaf) => toBindable(base, leaf));
    }
    case 'date':
      // toISOString() of the Date: the calendar day is the part before 'T', as the server's date_in reads it.
      return /^\d{4}-\d\d-\d\dT/.test(value) ? value.slice(0, 10) : value;
    case 'point': {
      const n = numbersIn(value, /^\(([^,]+),([^)]+)\)$/);
      return n === null ? value : { x: n[0], y: n[1] };
    }
    case 'line': {
      const n = numbersIn(value, /^\{([^,]+),([^,]+),([^}]+)\}$/);
      return n === null ? value : { a: n[0], b: n[1], c: n[2] };
    }
    default:
      return value;
  }
}

function isTemporal(column: unknown): boolean {
  return [PgDate, PgDateString, PgTimestamp, PgTimestampString, PgTime, PgInterval].some((kind) => is(column, kind));
}

function numbersIn(text: string, pattern: RegExp): number[] | null {
  const m = pattern.exec(text.trim());
  if (m === null) return null;
  const numbers = m.slice(1).map(Number);
  return numbers.every((n) => !Number.isNaN(n)) ? numbers : null;
}

type Nested = (string | null | Nested)[];

function mapLeaves(items: Nested, fn: (leaf: string) => unknown): unknown[] {
  return items.map((item) => (item === null ? null : Array.isArray(item) ? mapLeaves(item, fn) : fn(item)));
}

/**
 * Parses an array literal as Drizzle's `makePgArray` writes it (and PostgreSQL's array_in reads it): braces,
 * elements separated by commas, double-quoted elements with backslash escapes, unquoted NULL. Null when the
 * text is not such a literal.
 */
export function parseArrayLiteral(text: string): Nested | null {
  let i = 0;
  const parse = (): Nested | null => {
    if (text[i] !== '{') return null;
    i++;
    const out: Nested = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (text[i] === '{') {
        const inner = parse();
        if (inner === null) return null;
        out.push(inner);
      } else if (text[i] === '"') {
        let s = '';
        for (i++; i < text.length && text[i] !== '"'; i++) s += text[i] === '\\' ? text[++i] : text[i];
        if (i >= text.length) return null;
        i++;
        out.push(s);
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
        const raw = text.slice(start, i).trim();
        out.push(raw.toLowerCase() === 'null' ? null : raw);
      }
      if (text[i] === ',') i++;
      else if (text[i] === '}') {
        i++;
        return out;
      } else return null;
    }
  };
  const result = parse();
  return result !== null && i === text.length ? result : null;
}

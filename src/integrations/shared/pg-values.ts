/**
 * Per-query `types` overrides that make pgjet hand out the values node-postgres gives with its default type
 * parsers (pg-types), so code written against a tool's stock `pg` driver keeps working unchanged:
 *
 * - int8 → string; int8[] → strings; numeric[] → numbers (pg parses them as floats; a single numeric stays
 *   a string in both);
 * - date, timestamp and their arrays → local-time Dates (see pg-dates.ts); interval and interval[] → pg's
 *   interval object (see pg-interval.ts); numrange[] → an array of the ranges' text;
 * - every type pg has no parser for → the server's text: geometric types other than point and circle, ranges
 *   and multiranges, int2vector/oidvector, xid, composites (`row(…)`), and the enums, arrays and extension
 *   types of the user's schema (pg gives an enum array as `'{a,b}'`).
 *
 * The types pg parses the way pgjet already decodes them (numbers, booleans, json, bytea, timestamptz, point,
 * circle, arrays of those and of strings …) and the types whose pgjet value is the server's text anyway are
 * left alone: an override costs the statement its binary format for that column.
 */
import type { TypeOverride } from '../../index.js';
import { parseArrayText } from './array-text.js';
import { dateLikePg, timestampLikePg } from './pg-dates.js';
import { PostgresInterval } from './pg-interval.js';

const identity = (text: string): string => text;

/** The overrides by PostgreSQL type name. */
const PG_RULES: Readonly<Record<string, TypeOverride>> = {
  int8: 'text',
  _int8: (text) => parseArrayText(text, identity),
  _numeric: (text) => parseArrayText(text, Number.parseFloat),
  date: dateLikePg,
  _date: (text) => parseArrayText(text, dateLikePg),
  timestamp: timestampLikePg,
  _timestamp: (text) => parseArrayText(text, timestampLikePg),
  interval: (text) => new PostgresInterval(text),
  _interval: (text) => parseArrayText(text, (element) => new PostgresInterval(element)),
  _numrange: (text) => parseArrayText(text, identity),
};

/**
 * Built-in types where pgjet's own value already is pg's: those pg parses alike, and those whose pgjet value is
 * the server's text (as pg, which has no parser for them, hands it out).
 */
const ALREADY_ALIKE = new Set([
  'bool', 'int2', 'int4', 'oid', 'float4', 'float8', 'numeric', 'money', 'json', 'jsonb', 'bytea', 'timestamptz',
  'point', 'circle', 'text', 'varchar', 'bpchar', 'char', 'name', 'unknown', 'uuid', 'time', 'timetz', 'inet',
  'cidr', 'macaddr', 'macaddr8', 'bit', 'varbit', 'xml', 'tsvector', 'tsquery', 'jsonpath', 'pg_lsn', 'regclass',
  'regtype', 'regproc', 'regprocedure', 'regoper', 'regoperator', 'regnamespace', 'regrole', 'regconfig',
  'regdictionary', 'regcollation',
  '_timestamptz', '_bool', '_int2', '_int4', '_oid', '_float4', '_float8', '_money', '_json', '_jsonb', '_bytea', '_point',
  '_text', '_varchar', '_bpchar', '_regproc', '_uuid', '_time', '_timetz', '_inet', '_cidr', '_macaddr',
]);

const NUMERIC_KEY = /^\d+$/;

/** Overrides as they are looked up: by type name, then by OID (pgjet's `types` option). */
export type LookupTypes = Readonly<Record<string | number, TypeOverride>>;

/**
 * The `types` for pg's values, with `extra` (the user's own overrides, by name or OID) taking precedence by
 * name. Any type name outside the two tables above gets `'text'`, which is why this is a lookup rather than a
 * fixed object: the schema's own types are not known in advance.
 */
export function pgValueTypes(extra?: LookupTypes): LookupTypes {
  return new Proxy(Object.freeze({ ...extra }), {
    get(own, key): TypeOverride | undefined {
      if (typeof key !== 'string') return undefined;
      if (Object.hasOwn(own, key)) return own[key];
      // OIDs: a type pgjet has no name for is looked up by its number; the user's rules above cover those.
      if (NUMERIC_KEY.test(key) || ALREADY_ALIKE.has(key)) return undefined;
      return Object.hasOwn(PG_RULES, key) ? PG_RULES[key] : 'text';
    },
  });
}

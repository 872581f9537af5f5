/**
 * Turns pg's parser table into pgjet's per-query `types` overrides. A type keeps pgjet's binary decoding when
 * its parser is pg's default and pgjet's binary value is identical to what that parser makes of the text
 * (the connection decodes int8 as strings for this); every other type is requested as text and given to its
 * parser (pg's default, or the one the user set); types with no parser arrive as the server's text, as in pg.
 */
import { defaultTextParsers, noParse, TypeOverrides, typesVersion, type TypeParser, type TypeParserSource } from './types.js';

/** The override pgjet takes per type: undefined keeps its own decoding. */
type Rule = 'text' | ((text: string) => unknown) | undefined;

/**
 * Types whose binary decoding in pgjet equals pg's default text parse: bool, bytea, name, int8 (as strings),
 * int2, text, int4, oid, json, float8 (PostgreSQL 12+ prints the shortest exact form, so parseFloat gives
 * the same double), bpchar, varchar, timestamptz (the same instant, floored to the millisecond), numeric
 * (both the exact decimal string), uuid (lowercase), jsonb, and the arrays pg parses of those. float4 is
 * absent (binary gives the float32 value, pg parses the shortest decimal), as are date and timestamp (pg makes
 * local-time Dates), intervals, geometry and everything pg leaves as text that pgjet decodes into objects.
 */
const BINARY_SAFE = new Set([
  16, 17, 19, 20, 21, 23, 25, 26, 114, 701, 1042, 1043, 1184, 1700, 2950, 3802,
  1000, 1001, 1005, 1007, 1009, 1014, 1015, 1016, 1022, 1028, 199, 3807, 2951, 1185,
]);

/** How one type decodes for a parser source. */
function ruleFor(oid: number, source: TypeParserSource): Rule {
  const parser: TypeParser = source.getTypeParser(oid, 'text');
  const fallback = defaultTextParsers.get(oid);
  if (parser === (fallback ?? noParse) && BINARY_SAFE.has(oid)) return undefined;
  if (parser === noParse) return 'text';
  return parser as (text: string) => unknown;
}

/** An overrides object answering for any type by OID; names are left to the OID lookup that follows. */
function overridesObject(source: TypeParserSource): Readonly<Record<string | number, 'text' | ((text: string) => unknown)>> {
  const memo = new Map<string, Rule>();
  return new Proxy({} as Record<string, 'text' | ((text: string) => unknown)>, {
    get(_target, key) {
      if (typeof key !== 'string') return undefined;
      if (memo.has(key)) return memo.get(key);
      // pgjet looks a column up by type name first, then by OID: only the OID (a numeric key) decides.
      const oid = /^\d+$/.test(key) ? Number(key) : NaN;
      const rule = Number.isNaN(oid) ? undefined : ruleFor(oid, source);
      memo.set(key, rule);
      return rule;
    },
  });
}

interface Cached {
  version: string;
  overrides: Readonly<Record<string | number, 'text' | ((text: string) => unknown)>>;
}

const cache = new WeakMap<object, Cached>();

/**
 * The `types` option for queries decoded through `source`. The same object comes back while no parser
 * changed, which lets pgjet reuse one derived plan per statement.
 */
export function overridesFor(source: TypeParserSource): Readonly<Record<string | number, 'text' | ((text: string) => unknown)>> {
  const version = `${typesVersion()}:${source instanceof TypeOverrides ? source.version : 0}`;
  const hit = cache.get(source);
  if (hit !== undefined && hit.version === version) return hit.overrides;
  const overrides = overridesObject(source);
  cache.set(source, { version, overrides });
  return overrides;
}

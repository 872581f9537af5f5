/**
 * The values Drizzle receives, as per-query `types` overrides (README, "Integrations": integrations never change codecs on a
 * shared connection). Drizzle's column mappers (`mapFromDriverValue` in drizzle-orm/pg-core/columns) were
 * written against node-postgres with Drizzle's own parser overrides, so each override below gives what that
 * pair gives:
 *
 * - date, timestamp, timestamptz, interval and their arrays, plus numeric arrays: the server's text, as
 *   Drizzle's node-postgres session asks pg for (the timestamp mappers append `+0000` themselves, and array
 *   columns parse the text form element by element).
 * - int8: a string, node-postgres' default; `bigint({ mode })` maps it with `Number()` / `BigInt()`. int8
 *   arrays: arrays of strings, as pg-types gives.
 * - time, timetz, line, lseg, box, path, polygon and the built-in ranges and multiranges: the server's text,
 *   which pg hands through unparsed (Drizzle's `line()` slices that text; custom types expect it). Arrays of
 *   the geometric and range types likewise (Drizzle's array columns split that text, then map each element).
 *
 * Everything else already matches: booleans, int2/int4/float numbers, numeric strings, parsed json/jsonb,
 * uuid and enum strings, Buffers for bytea, `{ x, y }` points, arrays of all of these.
 */
import type { TypeOverride } from '../../index.js';

/**
 * An int8 array's text (`{1,-2,NULL}`, nested braces, an optional `[lo:hi]=` bounds prefix) as nested arrays of
 * decimal strings and nulls. int8 text has no quotes or escapes, so one replacement pass makes it JSON.
 */
export function int8ArrayFromText(text: string): unknown {
  const body = text.charCodeAt(0) === 0x5b /* [ */ ? text.slice(text.indexOf('=') + 1) : text;
  return JSON.parse(body.replace(/[{}]|NULL|-?\d+/g, (t) => (t === '{' ? '[' : t === '}' ? ']' : t === 'NULL' ? 'null' : `"${t}"`)));
}

/** Types pg-types has no parser for, scalars and arrays alike: pg hands over the server's text. */
const UNPARSED_BY_PG = [
  'line', 'lseg', 'box', 'path', 'polygon',
  'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange',
  'int4multirange', 'int8multirange', 'nummultirange', 'tsmultirange', 'tstzmultirange', 'datemultirange',
];

const TEXT_TYPES = [
  'date', 'timestamp', 'timestamptz', 'interval', 'time', 'timetz',
  '_date', '_timestamp', '_timestamptz', '_interval', '_numeric',
  'int8',
  ...UNPARSED_BY_PG,
  ...UNPARSED_BY_PG.map((name) => `_${name}`),
];

/** The per-query `types` every Drizzle query runs with. */
export const DRIZZLE_TYPES: Readonly<Record<string, TypeOverride>> = Object.freeze({
  ...Object.fromEntries(TEXT_TYPES.map((name) => [name, 'text' as const])),
  _int8: int8ArrayFromText,
});

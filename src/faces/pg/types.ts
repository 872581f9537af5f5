/**
 * The face's `types` (pg-types 2.x's API): the process-wide parser table that `pg.types.setTypeParser`
 * changes, and the per-client / per-query overrides (`TypeOverrides`) layered on it. A version number moves
 * on every change so the decoding plans built from the table (decoding.ts) know when to rebuild.
 */
import { builtins } from './builtins.js';
import { parseInterval } from '../../integrations/shared/pg-interval.js';
import {
  arrayOf,
  parseArray,
  parseBigInteger,
  parseBool,
  parseBytea,
  parseCircle,
  parseDate,
  parseInteger,
  parsePoint,
  type TextParser,
} from './text-parsers.js';

/** A parser as pg's API types it: the text form (or a Buffer in binary mode) in, any value out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's own typings take and return any here
export type TypeParser<I = any, T = any> = (value: I) => T;

/** `'text'` (default) or `'binary'`: which form a parser receives. */
export type TypeFormat = 'text' | 'binary';

const parseJson: TextParser = (text) => JSON.parse(text) as unknown;
const parseFloatText: TextParser = (text) => parseFloat(text);
const parseStringArray = arrayOf((s) => s);

/** pg-types' default text parsers, by OID. Every OID not here reads as the server's text. */
export const defaultTextParsers: ReadonlyMap<number, TextParser> = new Map<number, TextParser>([
  [20, parseBigInteger], [21, parseInteger], [23, parseInteger], [26, parseInteger],
  [700, parseFloatText], [701, parseFloatText], [16, parseBool],
  [1082, parseDate], [1114, parseDate], [1184, parseDate],
  [600, parsePoint], [718, parseCircle],
  [651, parseStringArray], [1000, arrayOf(parseBool)], [1001, arrayOf(parseBytea)],
  [1005, arrayOf(parseInteger)], [1007, arrayOf(parseInteger)], [1028, arrayOf(parseInteger)],
  [1016, arrayOf((s) => s.trim())], [1017, arrayOf(parsePoint)],
  [1021, arrayOf(parseFloatText)], [1022, arrayOf(parseFloatText)], [1231, arrayOf(parseFloatText)],
  [1014, parseStringArray], [1015, parseStringArray], [1008, parseStringArray], [1009, parseStringArray],
  [1040, parseStringArray], [1041, parseStringArray],
  [1115, arrayOf(parseDate)], [1182, arrayOf(parseDate)], [1185, arrayOf(parseDate)],
  [1186, parseInterval], [1187, arrayOf(parseInterval)],
  [17, parseBytea], [114, parseJson], [3802, parseJson], [199, arrayOf(parseJson)], [3807, arrayOf(parseJson)],
  [3907, parseStringArray], [2951, parseStringArray], [791, parseStringArray], [1183, parseStringArray], [1270, parseStringArray],
]);

/** What a parser for a type nobody registered does: gives the text back. */
export function noParse(value: unknown): string {
  return String(value);
}

const table: Record<TypeFormat, Map<number, TypeParser>> = { text: new Map(defaultTextParsers), binary: new Map() };
let version = 0;

/** Moves whenever any parser in the process-wide table changes. */
export function typesVersion(): number {
  return version;
}

function formatTable(format: unknown): Map<number, TypeParser> | undefined {
  return format === undefined || format === 'text' ? table.text : format === 'binary' ? table.binary : undefined;
}

/** The parser for `oid` in `format` (default text): the registered one, else one returning the text. */
export function getTypeParser(oid: number, format?: TypeFormat): TypeParser {
  return formatTable(format)?.get(Number(oid)) ?? noParse;
}

/** Replaces the parser of `oid` for every client (`setTypeParser(oid, fn)` or `(oid, format, fn)`). */
export function setTypeParser(oid: number, format: TypeFormat | TypeParser, parseFn?: TypeParser): void {
  const [fmt, fn] = typeof format === 'function' ? ['text' as const, format] : [format, parseFn];
  const target = formatTable(fmt);
  if (target === undefined) throw new TypeError(`setTypeParser: format must be 'text' or 'binary', got ${String(fmt)}`);
  if (typeof fn !== 'function') throw new TypeError('setTypeParser: the parser must be a function');
  target.set(Number(oid), fn);
  version++;
}

/** pg-types' `arrayParser`: `create(text, transform).parse()` reads an array literal. */
export const arrayParser = {
  /** A parser of `source` whose elements go through `transform`. */
  create(source: string, transform?: (entry: string) => unknown): { parse(): unknown[] } {
    return { parse: () => parseArray(source, transform) };
  },
};

/** The object exported as `pg.types`. */
export const types = { getTypeParser, setTypeParser, arrayParser, builtins };

/** Anything with pg's `getTypeParser(oid, format)`: `pg.types`, a `TypeOverrides`, a query's `types`. */
export interface TypeParserSource {
  /** The parser for a type. */
  getTypeParser(oid: number, format?: TypeFormat): TypeParser;
}

/**
 * pg's `TypeOverrides`: a client's own parsers in front of another source (the process-wide table unless
 * given). A client built with `types` option uses that object in its place.
 */
export class TypeOverrides implements TypeParserSource {
  /** Parsers set on this object for text results. */
  readonly text: Record<number, TypeParser> = {};
  /** Parsers set on this object for binary results. */
  readonly binary: Record<number, TypeParser> = {};
  /** Bumped by each `setTypeParser` here. */
  version = 0;
  readonly #base: TypeParserSource;

  /** @param base where lookups fall through to (default: `pg.types`). */
  constructor(base?: TypeParserSource) {
    this.#base = base ?? types;
  }

  /** The overrides of one format. */
  getOverrides(format: TypeFormat): Record<number, TypeParser> {
    return format === 'binary' ? this.binary : format === 'text' ? this.text : {};
  }

  /** Sets a parser for this object only. */
  setTypeParser(oid: number, format: TypeFormat | TypeParser, parseFn?: TypeParser): void {
    const [fmt, fn] = typeof format === 'function' ? ['text' as const, format] : [format, parseFn];
    if (typeof fn !== 'function') throw new TypeError('setTypeParser: the parser must be a function');
    this.getOverrides(fmt)[oid] = fn;
    this.version++;
  }

  /** This object's parser for `oid`, else its base's. */
  getTypeParser(oid: number, format: TypeFormat = 'text'): TypeParser {
    return this.getOverrides(format)[oid] ?? this.#base.getTypeParser(oid, format);
  }
}

import { builtinRangeRows, builtinTypeRows } from './oids.generated.js';

/** What pgjet knows about a built-in type without asking the server (from `pg_type` in postgres.bki). */
export interface BuiltinType {
  /** The type OID. */
  readonly oid: number;
  /** `typname`, e.g. `'int4'`, `'_int4'`. */
  readonly name: string;
  /** For true arrays the element type OID (`typelem`), otherwise 0. */
  readonly elem: number;
  /** The OID of this type's array type (`typarray`), or 0 when it has none. */
  readonly array: number;
  /** `typcategory`: `'N'` numeric, `'S'` string, `'A'` array, `'D'` date/time, … */
  readonly category: string;
  /** `typtype`: `'b'` base, `'r'` range, `'m'` multirange, `'p'` pseudo, `'c'` composite, `'d'` domain, `'e'` enum. */
  readonly kind: string;
  /** True when the server has binary I/O for the type (`typreceive` and `typsend` set). */
  readonly hasBinary: boolean;
  /** `typdelim`: the separator between elements in the text form of an array of this type (`;` for box). */
  readonly delimiter: string;
}

/** A built-in range type's subtype and multirange (from `pg_range`). */
export interface BuiltinRange {
  /** The range type OID. */
  readonly oid: number;
  /** The element type of the range (`rngsubtype`). */
  readonly subtype: number;
  /** The multirange type built over this range (`rngmultitypid`). */
  readonly multirange: number;
}

// Built on first use: the generated rows stay compact tuples, and a process that never asks pays nothing.
let types: Map<number, BuiltinType> | undefined;
let ranges: Map<number, BuiltinRange> | undefined;
let multiranges: Map<number, BuiltinRange> | undefined;

function typeTable(): Map<number, BuiltinType> {
  if (types === undefined) {
    types = new Map();
    for (const [oid, name, elem, array, category, kind, hasBinary, delimiter] of builtinTypeRows) {
      types.set(oid, { oid, name, elem, array, category, kind, hasBinary: hasBinary === 1, delimiter });
    }
  }
  return types;
}

function rangeTables(): void {
  if (ranges !== undefined) return;
  ranges = new Map();
  multiranges = new Map();
  for (const [oid, subtype, multirange] of builtinRangeRows) {
    const entry = { oid, subtype, multirange };
    ranges.set(oid, entry);
    multiranges.set(multirange, entry);
  }
}

/** The metadata of a built-in type, or `undefined` for user-defined and extension types. */
export function builtinType(oid: number): BuiltinType | undefined {
  return typeTable().get(oid);
}

/** Every built-in type, in OID order. */
export function builtinTypes(): IterableIterator<BuiltinType> {
  return typeTable().values();
}

/** The built-in range whose OID is `oid`, or `undefined`. */
export function builtinRange(oid: number): BuiltinRange | undefined {
  rangeTables();
  return ranges!.get(oid);
}

/** The built-in range that the multirange `oid` is made of, or `undefined`. */
export function builtinMultirangeRange(oid: number): BuiltinRange | undefined {
  rangeTables();
  return multiranges!.get(oid);
}

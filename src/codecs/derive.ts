/**
 * Codecs for user and extension types, built from what a connection learns by introspecting `pg_type` (and
 * `pg_attribute`, `pg_enum`, `pg_range`): arrays, composites, enums, domains, ranges and multiranges, and the
 * hstore extension type. Other base types without a pgjet codec (extension types such as citext) are read and
 * written as text.
 */
import { arrayCodec } from './array.js';
import { compositeCodec } from './composite.js';
import { rawTextCodec } from './custom.js';
import { domainCodec } from './domain.js';
import { enumCodec } from './enum.js';
import { hstoreCodec } from './hstore.js';
import { multirangeCodec } from './multirange.js';
import { rangeCodec, type Range } from './range.js';
import type { Codec } from './types.js';

/**
 * One introspected type. Which fields matter depends on `kind` (`pg_type.typtype`) and `elem`:
 * - arrays (`elem` ≠ 0): `elem`, and `delimiter` = the ELEMENT type's `typdelim`;
 * - composites (`'c'`): `attributes` (non-dropped, `attnum` order);
 * - enums (`'e'`): `labels` optional;
 * - domains (`'d'`): `baseType` (`typbasetype`);
 * - ranges (`'r'`): `rangeSubtype` (`pg_range.rngsubtype`);
 * - multiranges (`'m'`): `multirangeRange` (the `pg_range.rngtypid` whose `rngmultitypid` is this type).
 */
export interface IntrospectedType {
  /** `pg_type.oid`. */
  oid: number;
  /** `pg_type.typname`. */
  name: string;
  /** `pg_type.typtype`: b(ase), c(omposite), d(omain), e(num), p(seudo), r(ange), m(ultirange). */
  kind: string;
  /** Element type OID for true arrays (`typelem` where `typsubscript = 'array_subscript_handler'`), else 0. */
  elem?: number;
  /** The element type's `typdelim` (`,` unless the element is box-like). */
  delimiter?: string;
  /** Composite attributes: name and type OID. */
  attributes?: readonly { name: string; oid: number }[];
  /** Enum labels in sort order. */
  labels?: readonly string[];
  /** Domain base type. */
  baseType?: number;
  /** Range subtype. */
  rangeSubtype?: number;
  /** For multiranges, the range type. */
  multirangeRange?: number;
}

/** Resolves a dependency's codec: always a codec (raw text when nothing better exists). */
export type CodecResolver = (oid: number) => Codec;

/** Builds the codec of one introspected type, resolving the types it depends on through `resolve`. */
export function deriveCodec(type: IntrospectedType, resolve: CodecResolver): Codec {
  const { oid, name } = type;
  if (type.elem !== undefined && type.elem !== 0) {
    return arrayCodec({ oid, name, element: resolve(type.elem), elementOid: type.elem, delimiter: type.delimiter });
  }
  switch (type.kind) {
    case 'c':
      return compositeCodec({
        oid,
        name,
        attributes: (type.attributes ?? []).map((a) => ({ name: a.name, oid: a.oid, codec: resolve(a.oid) })),
      });
    case 'e':
      // No client-side label check: `ALTER TYPE … ADD VALUE` elsewhere would leave this connection refusing a
      // valid label until reloadSchemaState(). The server judges labels (22P02 for an unknown one).
      return enumCodec({ oid, name });
    case 'd':
      return type.baseType === undefined ? rawTextCodec(oid, name) : domainCodec({ oid, name, base: resolve(type.baseType) });
    case 'r':
      return type.rangeSubtype === undefined
        ? rawTextCodec(oid, name)
        : rangeCodec({ oid, name, subtype: resolve(type.rangeSubtype) });
    case 'm':
      return type.multirangeRange === undefined
        ? rawTextCodec(oid, name)
        : multirangeCodec({ oid, name, range: resolve(type.multirangeRange) as Codec<Range> });
    case 'b':
      // hstore is an extension type: its OID differs per database, so it is recognised by name.
      return name === 'hstore' ? hstoreCodec(oid, name) : rawTextCodec(oid, name);
    default:
      return rawTextCodec(oid, name);
  }
}

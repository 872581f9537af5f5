/**
 * The type system: codecs per type, generic wrappers, the per-connection registry and parameter-type
 * inference. Other folders import from here only.
 */
export { CodecError, FormatCode, type Codec } from './types.js';
export { Oid } from './oids.generated.js';
export { wellFormed } from './builtin/text.js';
export { builtinType, builtinTypes, builtinRange, builtinMultirangeRange, type BuiltinType, type BuiltinRange } from './catalog.js';
export { CodecRegistry, type CodecRegistryOptions } from './registry.js';
export { inferTypeOid } from './infer.js';
export { deriveCodec, type IntrospectedType, type CodecResolver } from './derive.js';

export { arrayCodec, decodeArrayBinary, encodeArrayBinary, type ArrayCodecOptions, type ArrayValue } from './array.js';
export { parseArrayText, formatArrayText } from './array-text.js';
export { Range, rangeCodec, type RangeCodecOptions } from './range.js';
export { multirangeCodec, type MultirangeCodecOptions } from './multirange.js';
export {
  compositeCodec,
  type CompositeAttribute,
  type CompositeCodecOptions,
  type CompositeValue,
} from './composite.js';
export { parseRecordText, formatRecordText } from './composite-text.js';
export { enumCodec, type EnumCodecOptions } from './enum.js';
export { domainCodec, type DomainCodecOptions } from './domain.js';
export { hstoreCodec, parseHstoreText, type HstoreValue } from './hstore.js';
export {
  customCodec,
  rawTextCodec,
  type BinaryCodecDefinition,
  type CodecIdentity,
  type CustomCodecDefinition,
  type TextCodecDefinition,
} from './custom.js';

export { builtinCodecTable, int64Codec, recordCodec, type CodecLookup, type Int8Mode } from './builtin/index.js';
export { Interval, type IntervalFields } from './builtin/interval.js';
export type { TimestampValue } from './builtin/timestamp.js';
export type { Box, Circle, Line, LineSegment, Path, Point, Polygon } from './builtin/geometry.js';
export type { JsonValue } from './builtin/json.js';

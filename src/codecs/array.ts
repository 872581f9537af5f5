/**
 * Arrays of any element type, any number of dimensions, with NULLs.
 *
 * Binary (`array_send` / `array_recv` in utils/adt/arrayfuncs.c): int32 ndim, int32 flags (1 = has NULLs),
 * uint32 element type OID, then per dimension int32 size and int32 lower bound, then every element in row-major
 * order as int32 length (-1 for NULL) and its bytes. An empty array has ndim 0 and nothing after the OID.
 * Lower bounds other than 1 are dropped on decode (JS arrays start at 0) and written as 1.
 */
import type { ByteWriter } from '../internal/index.js';
import { arrayDims, checkElement, forEachElement, isElementValue, MAX_ARRAY_DIMS } from './array-shape.js';
import { formatArrayText, parseArrayText, type ArrayValue } from './array-text.js';
import { int4Codec } from './builtin/integer.js';
import { expected, truncated } from './describe.js';
import { CodecError, type Codec } from './types.js';

export type { ArrayValue } from './array-text.js';

/** What {@link arrayCodec} needs to know about an array type (from `pg_type` of the array and its element). */
export interface ArrayCodecOptions {
  /** The array type's OID (`pg_type.oid` of e.g. `_int4`). */
  oid: number;
  /** The array type's name (`'_int4'`). */
  name: string;
  /** The element type's codec. */
  element: Codec;
  /**
   * The element type OID written in binary parameters (`typelem`); array_recv insists it match exactly, so
   * for a domain's array it is the domain's OID. Defaults to `element.oid`.
   */
  elementOid?: number;
  /** `typdelim` of the element type: `,` for all but box (`;`). */
  delimiter?: string;
}

/**
 * The innermost dimension of an int4[] (the most common array, `= ANY($1)` lists and the like): the same checks
 * and values as the generic loop, with the element read in place instead of through a call per element.
 * Returns the position after the last element.
 */
function decodeInt4Elements(buf: Buffer, pos: number, end: number, out: ArrayValue<unknown>): number {
  for (let i = 0; i < out.length; i++) {
    if (pos + 4 > end) throw truncated('array');
    const len = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
    pos += 4;
    if (len === -1) {
      out[i] = null;
      continue;
    }
    if (len < 0 || pos + len > end) throw truncated('array');
    // A wrong length goes through the codec for its usual error.
    out[i] = len === 4 ? (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3] : int4Codec.decodeBinary!(buf, pos, len);
    pos += len;
  }
  return pos;
}

/** Fills `out` with the next `out.length` elements at `pos`; returns the position after the last one. */
function readElements(buf: Buffer, pos: number, end: number, out: ArrayValue<unknown>, element: Codec): number {
  if (element === int4Codec) return decodeInt4Elements(buf, pos, end, out);
  for (let i = 0; i < out.length; i++) {
    if (pos + 4 > end) throw truncated('array');
    const len = buf.readInt32BE(pos);
    pos += 4;
    if (len === -1) {
      out[i] = null;
      continue;
    }
    if (len < 0 || pos + len > end) throw truncated('array');
    out[i] = element.decodeBinary!(buf, pos, len);
    pos += len;
  }
  return pos;
}

/** Mutable read position for the recursive binary decoder (one object per multidimensional array). */
interface Cursor {
  pos: number;
}

function decodeElements(
  buf: Buffer,
  cursor: Cursor,
  end: number,
  dims: number[],
  depth: number,
  element: Codec,
): ArrayValue<unknown> {
  const size = dims[depth];
  const out: ArrayValue<unknown> = new Array(size);
  if (depth + 1 < dims.length) {
    for (let i = 0; i < size; i++) out[i] = decodeElements(buf, cursor, end, dims, depth + 1, element);
    return out;
  }
  cursor.pos = readElements(buf, cursor.pos, end, out, element);
  return out;
}

/** Decodes a binary array with `element` decoding each non-NULL element. */
export function decodeArrayBinary(buf: Buffer, offset: number, length: number, element: Codec): ArrayValue<unknown> {
  const end = offset + length;
  if (length < 12) throw truncated('array');
  const ndim = buf.readInt32BE(offset);
  if (ndim === 0) return [];
  if (ndim < 0 || ndim > MAX_ARRAY_DIMS) throw new CodecError(`binary array has ${ndim} dimensions`);
  let pos = offset + 12;
  if (pos + ndim * 8 > end) throw truncated('array');
  if (ndim === 1) {
    // The common case, without the dimension list and cursor the nested walk allocates.
    const size = buf.readInt32BE(pos);
    if (size < 0) throw new CodecError(`binary array dimension 1 has size ${size}`);
    pos += 8;
    if (size * 4 > end - pos) throw truncated('array');
    const flat: ArrayValue<unknown> = new Array(size);
    if (readElements(buf, pos, end, flat, element) !== end) throw new CodecError('binary array has bytes after its last element');
    return flat;
  }
  const dims: number[] = new Array(ndim);
  let count = 1;
  for (let d = 0; d < ndim; d++, pos += 8) {
    const size = buf.readInt32BE(pos);
    if (size < 0) throw new CodecError(`binary array dimension ${d + 1} has size ${size}`);
    dims[d] = size;
    count *= size;
  }
  // Each element takes at least its 4-byte length: a larger count is corrupt, and refusing it here keeps a
  // hostile header from allocating huge arrays.
  if (count * 4 > end - pos) throw truncated('array');
  if (count === 0) return [];
  const cursor: Cursor = { pos };
  const out = decodeElements(buf, cursor, end, dims, 0, element);
  if (cursor.pos !== end) throw new CodecError('binary array has bytes after its last element');
  return out;
}

/** Encodes a nested JS array in the binary array layout. */
export function encodeArrayBinary(value: unknown, w: ByteWriter, element: Codec, elementOid: number): void {
  if (!Array.isArray(value)) throw expected('an array', value);
  const hasArrayValues = element.hasArrayValues === true;
  const dims = arrayDims(value, hasArrayValues);
  if (dims.includes(0)) {
    // Validates that every sub-array is empty too, then writes the empty array.
    forEachElement(value, dims, hasArrayValues, () => {});
    w.i32(0).i32(0).u32(elementOid);
    return;
  }
  w.i32(dims.length);
  const flagsAt = w.reserve32();
  w.u32(elementOid);
  for (const size of dims) w.i32(size).i32(1);
  let hasNull = false;
  if (dims.length === 1) {
    // The common case (`= ANY($1)`), without the generic walker's callbacks.
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === null) {
        hasNull = true;
        w.i32(-1);
        continue;
      }
      if (item === undefined || (Array.isArray(item) && !isElementValue(item, hasArrayValues))) {
        checkElement(item, [i], hasArrayValues);
      }
      const at = w.reserve32();
      element.encodeBinary!(item, w);
      w.endValue(at);
    }
    w.patchInt32(flagsAt, hasNull ? 1 : 0);
    return;
  }
  forEachElement(value, dims, hasArrayValues, (item) => {
    if (item === null) {
      hasNull = true;
      w.i32(-1);
      return;
    }
    const at = w.reserve32();
    element.encodeBinary!(item, w);
    w.endValue(at);
  });
  w.patchInt32(flagsAt, hasNull ? 1 : 0);
}

/**
 * Builds the codec of an array type. Binary decoding and encoding exist only when the element codec has
 * them, so the registry asks for text arrays of text-only element types (money[], regclass[]).
 */
export function arrayCodec(options: ArrayCodecOptions): Codec<ArrayValue<unknown>> {
  const { oid, name, element } = options;
  const elementOid = options.elementOid ?? element.oid;
  const delimiter = options.delimiter ?? ',';
  const hasArrayValues = element.hasArrayValues === true;
  const decodeElementText = (text: string): unknown => element.decodeText(text);
  const codec: Codec<ArrayValue<unknown>> = {
    name,
    oid,
    // Array values are JS arrays: an array of a domain over an array type nests by element, not by level.
    hasArrayValues: true,
    decodeText: (text) => parseArrayText(text, delimiter, decodeElementText),
  };
  if (element.decodeBinary !== undefined) {
    codec.decodeBinary = (buf, offset, length) => decodeArrayBinary(buf, offset, length, element);
  }
  if (element.encodeBinary !== undefined) {
    codec.encodeBinary = (value, w) => encodeArrayBinary(value, w, element, elementOid);
  }
  const encodeElementText = element.encodeText;
  if (encodeElementText !== undefined) {
    codec.encodeText = (value) => {
      if (!Array.isArray(value)) throw expected('an array', value);
      return formatArrayText(value, delimiter, hasArrayValues, (item) => encodeElementText.call(element, item));
    };
  }
  return codec;
}

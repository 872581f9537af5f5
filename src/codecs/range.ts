/**
 * Range types ↔ {@link Range}.
 *
 * Binary (`range_send` / `range_recv` in utils/adt/rangetypes.c): one flags byte (RANGE_EMPTY 0x01,
 * RANGE_LB_INC 0x02, RANGE_UB_INC 0x04, RANGE_LB_INF 0x08, RANGE_UB_INF 0x10), then each finite bound of a
 * non-empty range as int32 length and the subtype's binary bytes, lower first. Text: `empty`, or `[`/`(`,
 * lower, `,`, upper, `]`/`)`, an empty bound meaning unbounded.
 */
import type { ByteWriter } from '../internal/index.js';
import { quoteField, readField } from './composite-text.js';
import { describeValue, expected, truncated } from './describe.js';
import { CodecError, type Codec } from './types.js';

const RANGE_EMPTY = 0x01;
const RANGE_LB_INC = 0x02;
const RANGE_UB_INC = 0x04;
const RANGE_LB_INF = 0x08;
const RANGE_UB_INF = 0x10;

/**
 * A range value. An unbounded end is `null` with its `…Inc` false; an empty range has `isEmpty` true and both
 * ends null. Discrete ranges come back canonical from the server (`[1,5)`, whatever was sent).
 */
export class Range<T = unknown> {
  /** The lower bound, or null when unbounded (or empty). */
  readonly lower: T | null;
  /** The upper bound, or null when unbounded (or empty). */
  readonly upper: T | null;
  /** Whether the lower bound is included (`[`). */
  readonly lowerInc: boolean;
  /** Whether the upper bound is included (`]`). */
  readonly upperInc: boolean;
  /** True for the empty range. */
  readonly isEmpty: boolean;

  /**
   * @param lower lower bound, null for unbounded
   * @param upper upper bound, null for unbounded
   * @param lowerInc include the lower bound (default true, as in `[)`)
   * @param upperInc include the upper bound (default false)
   * @param isEmpty the empty range (bounds are then ignored)
   */
  constructor(lower: T | null = null, upper: T | null = null, lowerInc = true, upperInc = false, isEmpty = false) {
    this.isEmpty = isEmpty;
    this.lower = isEmpty ? null : lower;
    this.upper = isEmpty ? null : upper;
    this.lowerInc = this.lower !== null && lowerInc;
    this.upperInc = this.upper !== null && upperInc;
  }

  /** The empty range. */
  static empty<T = unknown>(): Range<T> {
    return new Range<T>(null, null, false, false, true);
  }
}

/** What {@link rangeCodec} needs: the range type (`pg_range.rngtypid`) and its subtype's codec. */
export interface RangeCodecOptions {
  /** The range type's OID. */
  oid: number;
  /** The range type's name (`'int4range'`). */
  name: string;
  /** The codec of `pg_range.rngsubtype`. */
  subtype: Codec;
}

/** Accepts a Range or a plain object with the same fields (missing ones default as in the constructor). */
export function toRange(value: unknown): Range {
  if (value instanceof Range) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw expected('a Range', value);
  const r = value as Partial<Record<keyof Range, unknown>>;
  const bool = (v: unknown, name: string, fallback: boolean): boolean => {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw expected(`a boolean ${name}`, v);
    return v;
  };
  return new Range(
    r.lower === undefined ? null : r.lower,
    r.upper === undefined ? null : r.upper,
    bool(r.lowerInc, 'lowerInc', true),
    bool(r.upperInc, 'upperInc', false),
    bool(r.isEmpty, 'isEmpty', false),
  );
}

function decodeRangeBinary(buf: Buffer, offset: number, length: number, subtype: Codec): Range {
  if (length < 1) throw truncated('range');
  const flags = buf[offset];
  if (flags & RANGE_EMPTY) return Range.empty();
  const end = offset + length;
  let pos = offset + 1;
  let lower: unknown = null;
  let upper: unknown = null;
  if ((flags & RANGE_LB_INF) === 0) {
    const len = boundLength(buf, pos, end);
    lower = subtype.decodeBinary!(buf, pos + 4, len);
    pos += 4 + len;
  }
  if ((flags & RANGE_UB_INF) === 0) {
    const len = boundLength(buf, pos, end);
    upper = subtype.decodeBinary!(buf, pos + 4, len);
    pos += 4 + len;
  }
  if (pos !== end) throw new CodecError('binary range has bytes after its bounds');
  return new Range(lower, upper, (flags & RANGE_LB_INC) !== 0, (flags & RANGE_UB_INC) !== 0);
}

/** Reads and checks a bound's length prefix at `pos`. */
function boundLength(buf: Buffer, pos: number, end: number): number {
  if (pos + 4 > end) throw truncated('range');
  const len = buf.readInt32BE(pos);
  if (len < 0 || pos + 4 + len > end) throw truncated('range');
  return len;
}

function encodeRangeBinary(value: unknown, w: ByteWriter, subtype: Codec): void {
  const range = toRange(value);
  if (range.isEmpty) {
    w.u8(RANGE_EMPTY);
    return;
  }
  let flags = 0;
  if (range.lower === null) flags |= RANGE_LB_INF;
  else if (range.lowerInc) flags |= RANGE_LB_INC;
  if (range.upper === null) flags |= RANGE_UB_INF;
  else if (range.upperInc) flags |= RANGE_UB_INC;
  w.u8(flags);
  for (const bound of [range.lower, range.upper]) {
    if (bound === null) continue;
    const at = w.reserve32();
    subtype.encodeBinary!(bound, w);
    w.endValue(at);
  }
}

const lowerStops = [44 /* , */];
const upperStops = [93 /* ] */, 41 /* ) */];

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Reads one range's text starting at `pos` (leading whitespace allowed); returns it and the index after it.
 * Used for ranges and for each range inside multirange text.
 */
export function parseRangeTextAt(text: string, pos: number, subtype: Codec): { range: Range; end: number } {
  while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
  if (text.slice(pos, pos + 5).toLowerCase() === 'empty') return { range: Range.empty(), end: pos + 5 };
  const open = text[pos];
  if (open !== '[' && open !== '(') throw new CodecError(`malformed range text ${describeValue(text)}: expected '[' or '('`);
  const lower = readField('range', text, pos + 1, lowerStops);
  const upper = readField('range', text, lower.end + 1, upperStops);
  const decode = (v: string | null): unknown => (v === null ? null : subtype.decodeText(v));
  const range = new Range(decode(lower.value), decode(upper.value), open === '[', text[upper.end] === ']');
  return { range, end: upper.end + 1 };
}

/** Formats a range as range_out does. */
export function formatRangeText(value: unknown, subtype: Codec): string {
  const range = toRange(value);
  if (range.isEmpty) return 'empty';
  const bound = (v: unknown): string => (v === null ? '' : quoteField(subtype.encodeText!(v), '()[]'));
  return `${range.lowerInc ? '[' : '('}${bound(range.lower)},${bound(range.upper)}${range.upperInc ? ']' : ')'}`;
}

/**
 * Builds the codec of a range type from its subtype's codec; binary directions exist only when the subtype
 * supports them.
 */
export function rangeCodec(options: RangeCodecOptions): Codec<Range> {
  const { oid, name, subtype } = options;
  const codec: Codec<Range> = {
    name,
    oid,
    decodeText(text) {
      const { range, end } = parseRangeTextAt(text, 0, subtype);
      let pos = end;
      while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
      if (pos !== text.length) throw new CodecError(`malformed range text ${describeValue(text)}: junk after the range`);
      return range;
    },
  };
  if (subtype.decodeBinary !== undefined) codec.decodeBinary = (buf, o, l) => decodeRangeBinary(buf, o, l, subtype);
  if (subtype.encodeBinary !== undefined) codec.encodeBinary = (value, w) => encodeRangeBinary(value, w, subtype);
  if (subtype.encodeText !== undefined) codec.encodeText = (value) => formatRangeText(value, subtype);
  return codec;
}

/**
 * Multirange types ↔ arrays of {@link Range}. Binary (`multirange_send` / `multirange_recv` in
 * utils/adt/multirangetypes.c): int32 range count, then each range as int32 length and its range binary
 * form. Text: `{[1,3),[5,7)}`, `{}` when empty.
 */
import { describeValue, expected, truncated } from './describe.js';
import type { Range } from './range.js';
import { CodecError, type Codec } from './types.js';

/** What {@link multirangeCodec} needs: the multirange type and the codec of its range type. */
export interface MultirangeCodecOptions {
  /** The multirange type's OID (`pg_range.rngmultitypid`). */
  oid: number;
  /** The multirange type's name (`'int4multirange'`). */
  name: string;
  /** The codec of the range type it is made of. */
  range: Codec<Range>;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function malformed(text: string, why: string): CodecError {
  return new CodecError(`malformed multirange text ${describeValue(text)}: ${why}`);
}

/**
 * The end of the range text starting at `pos`: past `empty`, or past the first `]`/`)` outside double quotes
 * (bounds quote brackets, and `\` escapes the next character).
 */
function rangeTextEnd(text: string, pos: number): number {
  if (text.slice(pos, pos + 5).toLowerCase() === 'empty') return pos + 5;
  let isInQuotes = false;
  for (let i = pos + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') isInQuotes = !isInQuotes;
    else if (!isInQuotes && (c === ']' || c === ')')) return i + 1;
  }
  throw malformed(text, 'unterminated range');
}

function skipSpaces(text: string, pos: number): number {
  while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

/** Parses multirange text, decoding each range's text with the range codec. */
export function parseMultirangeText(text: string, range: Codec<Range>): Range[] {
  let pos = skipSpaces(text, 0);
  if (text[pos] !== '{') throw malformed(text, "expected '{'");
  pos = skipSpaces(text, pos + 1);
  const out: Range[] = [];
  if (text[pos] === '}') pos++;
  else {
    for (;;) {
      const end = rangeTextEnd(text, pos);
      out.push(range.decodeText(text.slice(pos, end)));
      pos = skipSpaces(text, end);
      const c = text[pos++];
      if (c === '}') break;
      if (c !== ',') throw malformed(text, `expected ',' or '}' at ${pos - 1}`);
      pos = skipSpaces(text, pos);
    }
  }
  pos = skipSpaces(text, pos);
  if (pos !== text.length) throw malformed(text, "junk after '}'");
  return out;
}

function toRanges(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw expected('an array of Range', value);
  return value;
}

/** Builds the codec of a multirange type from its range type's codec. */
export function multirangeCodec(options: MultirangeCodecOptions): Codec<Range[]> {
  const { oid, name, range } = options;
  const codec: Codec<Range[]> = {
    name,
    oid,
    hasArrayValues: true,
    decodeText: (text) => parseMultirangeText(text, range),
  };
  const decodeRange = range.decodeBinary;
  if (decodeRange !== undefined) {
    codec.decodeBinary = (buf, offset, length) => {
      const end = offset + length;
      if (length < 4) throw truncated('multirange');
      const count = buf.readInt32BE(offset);
      if (count < 0 || count * 5 > length - 4) throw truncated('multirange');
      const out: Range[] = new Array(count);
      let pos = offset + 4;
      for (let i = 0; i < count; i++) {
        if (pos + 4 > end) throw truncated('multirange');
        const len = buf.readInt32BE(pos);
        if (len < 1 || pos + 4 + len > end) throw truncated('multirange');
        out[i] = decodeRange.call(range, buf, pos + 4, len);
        pos += 4 + len;
      }
      if (pos !== end) throw new CodecError('binary multirange has bytes after its last range');
      return out;
    };
  }
  const encodeRange = range.encodeBinary;
  if (encodeRange !== undefined) {
    codec.encodeBinary = (value, w) => {
      const ranges = toRanges(value);
      w.i32(ranges.length);
      for (const r of ranges) {
        const at = w.reserve32();
        encodeRange.call(range, r, w);
        w.endValue(at);
      }
    };
  }
  const encodeRangeText = range.encodeText;
  if (encodeRangeText !== undefined) {
    codec.encodeText = (value) => `{${toRanges(value).map((r) => encodeRangeText.call(range, r)).join(',')}}`;
  }
  return codec;
}

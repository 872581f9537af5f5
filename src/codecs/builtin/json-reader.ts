/**
 * Reads a small JSON document straight from the receive buffer, without first making it a JS string for
 * `JSON.parse`.
 *
 * jsonb is the common JSON column, and its documents are mostly small (settings, metadata, event payloads). For
 * those, `JSON.parse` is dominated by fixed costs: the text is first decoded into a fresh string (a call into
 * C++), then parsed by another call, and every key is looked up in V8's string table. The server prints jsonb in
 * one canonical form (`JsonbToCString` in utils/adt/jsonb.c): `", "` between members and elements, `": "` after
 * keys, strings escaped by `escape_json`, and numbers as `numeric_out` prints them (no exponent). json keeps the
 * text it was given, which from JS is mostly `JSON.stringify`'s compact form (`,` and `:` with no space). A reader
 * that expects those two layouts can walk the bytes once, share key strings through the intern table, and build
 * small numbers without a string: about half of `JSON.parse`'s cost on a typical 100-byte document.
 *
 * The reader only accepts what it is sure of. Anything else (other whitespace, deep nesting, a key named
 * `__proto__`, an object of many members, a long document, where native parsing wins) makes it give up, and
 * the caller parses the whole text with `JSON.parse`. So on any text the server can send, the value is the one
 * `JSON.parse` would have returned. (The one check skipped, for raw control characters deep in a long string,
 * concerns text the server never holds: json and jsonb input both reject them, and `escape_json` never prints them.)
 */
import { internAscii, sliceLatin1, sliceUtf8 } from '../../internal/index.js';
import { readUtf8 } from '../wire.js';

/** Returned by {@link readJsonText} when the caller should use `JSON.parse` instead. */
export const NOT_READ: unique symbol = Symbol('json text not read');

/**
 * Documents above this many bytes go to `JSON.parse`: past it, native scanning of long strings and number arrays
 * outruns the per-byte JS loops, and the fixed costs this reader saves no longer matter (measured on documents
 * the server printed: 0.5x `JSON.parse`'s time at 75-150 bytes, 1.5x on a 640-byte array of integers).
 */
const MAX_BYTES = 256;
/**
 * Objects with more members go to `JSON.parse`. V8 turns an object that gains more than 16 properties through
 * computed-key stores into a slow dictionary, where `JSON.parse` would have built a fast object.
 */
const MAX_MEMBERS = 16;
/** Deeper documents go to `JSON.parse` (the reader recurses; V8's parser does not). */
const MAX_DEPTH = 64;
/** Bytes of a string scanned in JS before the rest is handed to `indexOf` (memchr). Covers every interned key. */
const SCAN_IN_JS = 64;
/** Total digits up to which a number is built exactly: the mantissa stays below 2^53 and 10^15 is exact. */
const EXACT_DIGITS = 15;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

// The document being read. Module state rather than a closure or object: one reader runs at a time (it never
// calls out to user code), and plain variables keep the hot loops free of property loads.
let buf: Buffer = Buffer.alloc(0);
let pos = 0;
let end = 0;

// Every reader below returns NOT_READ to give up, and each caller passes it straight up. A thrown exception
// would be simpler, but unwinding optimised frames costs V8 microseconds, more than the parse it abandons.
type Read<T> = T | typeof NOT_READ;

/**
 * The value of the JSON text in `b[offset, offset + length)`, as `JSON.parse` would give it, or {@link NOT_READ}
 * when the caller must run `JSON.parse` itself (including on malformed text, so the error is `JSON.parse`'s).
 */
export function readJsonText(b: Buffer, offset: number, length: number): unknown {
  if (length > MAX_BYTES) return NOT_READ;
  buf = b;
  pos = offset;
  end = offset + length;
  const value = readValue(0);
  return pos === end ? value : NOT_READ;
}

function readValue(depth: number): unknown {
  if (pos >= end) return NOT_READ;
  switch (buf[pos]) {
    case 0x7b: // {
      return readObject(depth);
    case 0x5b: // [
      return readArray(depth);
    case QUOTE:
      return readString(false);
    case 0x74: // true
      return word(0x72, 0x75, 0x65, 4) ? true : NOT_READ;
    case 0x66: // false
      return word(0x61, 0x6c, 0x73, 5) && buf[pos - 1] === 0x65 ? false : NOT_READ;
    case 0x6e: // null
      return word(0x75, 0x6c, 0x6c, 4) ? null : NOT_READ;
    default:
      return readNumber();
  }
}

/** Whether the three bytes after the current one are these; if so, moves `length` bytes on. */
function word(b1: number, b2: number, b3: number, length: number): boolean {
  if (buf[pos + 1] !== b1 || buf[pos + 2] !== b2 || buf[pos + 3] !== b3) return false;
  pos += length;
  return true;
}

function readObject(depth: number): Read<Record<string, unknown>> {
  if (depth >= MAX_DEPTH) return NOT_READ;
  pos++;
  const object: Record<string, unknown> = {};
  if (buf[pos] === 0x7d) {
    pos++;
    return object;
  }
  for (let members = 1; ; members++) {
    if (buf[pos] !== QUOTE || members > MAX_MEMBERS) return NOT_READ;
    const key = readString(true);
    // JSON.parse makes `__proto__` an own property; assigning it would set the prototype instead.
    if (key === NOT_READ || key === '__proto__' || buf[pos] !== COLON) return NOT_READ;
    pos += buf[pos + 1] === SPACE ? 2 : 1;
    const value = readValue(depth + 1);
    if (value === NOT_READ) return NOT_READ;
    object[key] = value;
    if (buf[pos] === COMMA) pos += buf[pos + 1] === SPACE ? 2 : 1;
    else if (buf[pos] === 0x7d) {
      pos++;
      return object;
    } else return NOT_READ;
  }
}

function readArray(depth: number): Read<unknown[]> {
  if (depth >= MAX_DEPTH) return NOT_READ;
  pos++;
  const array: unknown[] = [];
  if (buf[pos] === 0x5d) {
    pos++;
    return array;
  }
  for (;;) {
    const value = readValue(depth + 1);
    if (value === NOT_READ) return NOT_READ;
    array.push(value);
    if (buf[pos] === COMMA) pos += buf[pos + 1] === SPACE ? 2 : 1;
    else if (buf[pos] === 0x5d) {
      pos++;
      return array;
    } else return NOT_READ;
  }
}

/** A string at `pos` (its opening quote); keys go through the intern table, which shares one string per key. */
function readString(key: boolean): Read<string> {
  const start = pos + 1;
  const jsEnd = Math.min(end, start + SCAN_IN_JS);
  for (let p = start; p < jsEnd; p++) {
    const c = buf[p];
    if (c === QUOTE) {
      pos = p + 1;
      return key ? internAscii(buf, start, p - start) : readUtf8(buf, start, p - start);
    }
    if (c === BACKSLASH || c < SPACE) return readEscaped(start);
  }
  // A long string: find its end natively. An escaped quote ends the search early, but then the slice holds the
  // backslash and the string is read again with escapes in mind. Past the first SCAN_IN_JS bytes raw control
  // characters are not looked for (a regular expression for them cost more than this reader saves): the server
  // never holds one (see the module comment), so only text it cannot send would be read where JSON.parse rejects it.
  const close = buf.indexOf(QUOTE, jsEnd);
  if (close < 0 || close >= end) return NOT_READ;
  const text = sliceUtf8(buf, start, close);
  if (text.includes('\\')) return readEscaped(start);
  pos = close + 1;
  return text;
}

/** The byte each of JSON's two-character escapes stands for, by the byte after the backslash; 0 for none. */
const SHORT_ESCAPES = new Uint8Array(128);
for (const [kind, byte] of [['"', 0x22], ['\\', 0x5c], ['/', 0x2f], ['b', 8], ['f', 12], ['n', 10], ['r', 13], ['t', 9]] as const) {
  SHORT_ESCAPES[kind.charCodeAt(0)] = byte;
}

/** The value of one hex digit byte, or -1. */
function hexDigit(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Where an escaped string is decoded; a string never decodes to more bytes than its text, nor a document to more than MAX_BYTES. */
const unescaped = Buffer.alloc(MAX_BYTES);

/**
 * A string with escapes (`escape_json` writes the two-character ones and `\u00XX` for other control
 * characters). While every character is Latin-1 it is decoded into a scratch buffer and made a string in one
 * call: concatenating the pieces instead cost more than `JSON.parse`. A raw non-ASCII byte or a higher `\u`
 * escape leaves the string to `JSON.parse`; a raw control character, which JSON forbids, gives up the document.
 */
function readEscaped(start: number): Read<string> {
  let n = 0;
  let p = start;
  for (;;) {
    if (p >= end) return NOT_READ;
    const c = buf[p];
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      const kind = buf[p + 1];
      if (kind === 0x75) {
        const unit = (hexDigit(buf[p + 2]) << 12) | (hexDigit(buf[p + 3]) << 8) | (hexDigit(buf[p + 4]) << 4) | hexDigit(buf[p + 5]);
        // A -1 digit makes the whole value negative, so one check covers all four.
        if (unit < 0) return NOT_READ;
        if (unit > 0xff) return parseLiteral(start);
        unescaped[n++] = unit;
        p += 6;
      } else {
        const byte = kind < 128 ? SHORT_ESCAPES[kind] : 0;
        if (byte === 0) return NOT_READ;
        unescaped[n++] = byte;
        p += 2;
      }
    } else if (c < SPACE) return NOT_READ;
    else if (c > 0x7f) return parseLiteral(start);
    else unescaped[n++] = buf[p++];
  }
  pos = p + 1;
  return sliceLatin1(unescaped, 0, n);
}

/** A string literal decoded by `JSON.parse`, after finding its closing quote past any escaped ones. */
function parseLiteral(start: number): Read<string> {
  let p = start;
  while (p < end && buf[p] !== QUOTE) p += buf[p] === BACKSLASH ? 2 : 1;
  if (p >= end) return NOT_READ;
  pos = p + 1;
  try {
    return JSON.parse(sliceUtf8(buf, start - 1, p + 1)) as string;
  } catch {
    return NOT_READ; // a bad escape: JSON.parse of the whole document reports it
  }
}

/** The byte at `p`, or -1 past the document: a number may be followed by digits of the next field. */
function byteAt(p: number): number {
  return p < end ? buf[p] : -1;
}

/**
 * A number as `numeric_out` prints it. Up to 15 digits it is built exactly: an integer mantissa below 2^53
 * divided by an exact power of ten is one correctly rounded IEEE division, the result `JSON.parse` gives.
 * Longer ones (and exponents, which jsonb does not print) are read by `Number`, which rounds as `JSON.parse` does.
 */
function readNumber(): Read<number> {
  const start = pos;
  let p = pos;
  let c = byteAt(p);
  if (c === MINUS) c = byteAt(++p);
  const intStart = p;
  let mantissa = 0;
  while (c >= ZERO && c <= NINE) {
    mantissa = mantissa * 10 + (c - ZERO);
    c = byteAt(++p);
  }
  const intDigits = p - intStart;
  // JSON wants at least one digit and no leading zero.
  if (intDigits === 0 || (intDigits > 1 && buf[intStart] === ZERO)) return NOT_READ;
  let fractionDigits = 0;
  if (c === DOT) {
    const fractionStart = ++p;
    c = byteAt(p);
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      c = byteAt(++p);
    }
    fractionDigits = p - fractionStart;
    if (fractionDigits === 0) return NOT_READ;
  }
  let exponent = false;
  if (c === 0x65 || c === 0x45) {
    exponent = true;
    c = byteAt(++p);
    if (c === MINUS || c === 0x2b) c = byteAt(++p);
    const expStart = p;
    while (c >= ZERO && c <= NINE) c = byteAt(++p);
    if (p === expStart) return NOT_READ;
  }
  pos = p;
  if (exponent || intDigits + fractionDigits > EXACT_DIGITS) return Number(sliceUtf8(buf, start, p));
  const magnitude = fractionDigits === 0 ? mantissa : mantissa / POW10[fractionDigits];
  return buf[start] === MINUS ? -magnitude : magnitude;
}

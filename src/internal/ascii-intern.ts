/**
 * Decoding of short ASCII strings that repeat (`name` values: table, column, type and role names; command
 * tags such as `INSERT 0 1`) through a small intern table.
 *
 * Catalog queries (ORM introspection, `pg_type` lookups, information_schema) return the same few thousand
 * identifiers again and again, and each string built by `utf8Slice` costs a call into C++ (about 60 ns for a
 * typical identifier on Node 20) plus a fresh heap string. Identifiers are short (at most NAMEDATALEN − 1 = 63
 * bytes) and come from a bounded vocabulary, so a direct-mapped table of strings keyed by a hash of the bytes
 * answers most of them with a hash and a compare in JS, and hands out one shared string per identifier.
 * Only ASCII identifiers are kept: for those a string's character codes are its bytes, which makes the compare
 * exact. A batch of 1000 INSERTs gets 1000 identical command tags, which the table turns into one string.
 */
import { sliceUtf8 } from './utf8.js';

/** Slots in the table (a power of two). 4096 strings of at most 63 characters: well under a megabyte. */
const SLOTS = 4096;
/** NAMEDATALEN − 1: longer values cannot be identifiers the server produced (nor usual tags), so they are not kept. */
const MAX_NAME_BYTES = 63;

const table: string[] = new Array<string>(SLOTS).fill('');

/** Decodes `length` bytes of UTF-8 at `offset`, sharing one string between equal ASCII values up to 63 bytes. */
export function internAscii(buf: Buffer, offset: number, length: number): string {
  if (length === 0 || length > MAX_NAME_BYTES) return sliceUtf8(buf, offset, offset + length);
  const end = offset + length;
  // FNV-1a over the bytes.
  let h = 0x811c9dc5;
  for (let i = offset; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (SLOTS - 1);
  const kept = table[slot];
  if (kept.length === length) {
    let i = 0;
    while (i < length && kept.charCodeAt(i) === buf[offset + i]) i++;
    if (i === length) return kept;
  }
  const value = sliceUtf8(buf, offset, end);
  // As long as its bytes only when every byte was ASCII (multi-byte UTF-8 gives fewer UTF-16 units; an
  // invalid byte becomes U+FFFD, which never equals a byte in the compare above).
  if (value.length === length) table[slot] = value;
  return value;
}

/**
 * Decoding of `name` values (identifiers: table, column, type, role names) through a small intern table.
 *
 * Catalog queries (ORM introspection, `pg_type` lookups, information_schema) return the same few thousand
 * identifiers again and again, and each string built by `utf8Slice` costs a call into C++ (about 60 ns for a
 * typical identifier on Node 20) plus a fresh heap string. Identifiers are short (at most NAMEDATALEN − 1 = 63
 * bytes) and come from a bounded vocabulary, so a direct-mapped table of strings keyed by a hash of the bytes
 * answers most of them with a hash and a compare in JS, and hands out one shared string per identifier.
 * Only ASCII identifiers are kept: for those a string's character codes are its bytes, which makes the compare
 * exact.
 */
import { readUtf8 } from './wire.js';

/** Slots in the table (a power of two). 4096 strings of at most 63 characters: well under a megabyte. */
const SLOTS = 4096;
/** NAMEDATALEN − 1: longer values cannot be identifiers the server produced, so they are not kept. */
const MAX_NAME_BYTES = 63;

const table: string[] = new Array<string>(SLOTS).fill('');

/** Decodes `length` bytes of UTF-8 at `offset` as a `name`, sharing strings between equal ASCII identifiers. */
export function readName(buf: Buffer, offset: number, length: number): string {
  if (length === 0 || length > MAX_NAME_BYTES) return readUtf8(buf, offset, length);
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
  const value = readUtf8(buf, offset, length);
  // As long as its bytes only when every byte was ASCII (multi-byte UTF-8 gives fewer UTF-16 units; an
  // invalid byte becomes U+FFFD, which never equals a byte in the compare above).
  if (value.length === length) table[slot] = value;
  return value;
}

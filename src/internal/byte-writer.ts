/**
 * A growable big-endian byte writer over a Node `Buffer`.
 *
 * One writer is owned by one connection and reused for every outgoing message, so the hot path does not
 * allocate per message: `take()` hands out a copy-free view and resets the cursor; the backing store is
 * replaced (not reused) after a `take()` so a view already handed to the socket is never overwritten.
 */
import { writeUtf8 } from './utf8.js';

/** Strings up to this many UTF-16 units are encoded in JS by `utf8`; longer ones by Buffer's C++ encoder. */
const SHORT_STRING = 32;

/**
 * Encodes `s` as UTF-8 at `at` and returns the position after it; the caller has reserved 3 bytes per unit.
 * Like `Buffer.write`, a surrogate that is not part of a pair becomes U+FFFD.
 */
function encodeShortUtf8(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  let p = at;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[p++] = 0xf0 | (cp >> 18);
        buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[p++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        buf[p++] = 0xef;
        buf[p++] = 0xbf;
        buf[p++] = 0xbd;
      }
    }
  }
  return p;
}

/** Stores a 16-bit value big-endian, byte by byte (see {@link store32}). */
function store16(buf: Buffer, at: number, v: number): void {
  buf[at] = v >> 8;
  buf[at + 1] = v;
}

/**
 * Stores a 32-bit value big-endian, byte by byte. Every Bind writes several lengths and integers; Buffer's
 * `writeInt32BE` re-checks range and offset each time, which showed as its own line in the batch-insert profile.
 * Callers pass values already known to fit (the typed writers below check, and let Buffer throw otherwise).
 */
function store32(buf: Buffer, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

export class ByteWriter {
  #buf: Buffer;
  #pos = 0;
  #start = 0;

  /** @param initialSize first capacity in bytes; the buffer doubles as needed. */
  constructor(initialSize = 4096) {
    this.#buf = Buffer.allocUnsafe(initialSize);
  }

  /** Number of bytes written since the last `take()`. */
  get length(): number {
    return this.#pos - this.#start;
  }

  /** Absolute position of the cursor, for `patchInt32`. */
  get position(): number {
    return this.#pos;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    // Copy to the same offsets: positions handed out by `reserve32`/`position` are absolute and must stay
    // valid across growth (rebasing to 0 made `endMessage` patch the wrong bytes after a `take()`).
    this.#buf.copy(next, this.#start, this.#start, this.#pos);
    this.#buf = next;
  }

  /** Writes one unsigned byte. */
  u8(v: number): this {
    this.ensure(1);
    this.#buf[this.#pos++] = v;
    return this;
  }

  /** Writes a signed 16-bit integer. */
  i16(v: number): this {
    this.ensure(2);
    const at = this.#pos;
    if (((v << 16) >> 16) === v) store16(this.#buf, at, v);
    else this.#buf.writeInt16BE(v, at); // out of range: let Buffer throw its RangeError
    this.#pos = at + 2;
    return this;
  }

  /** Writes an unsigned 16-bit integer. */
  u16(v: number): this {
    this.ensure(2);
    const at = this.#pos;
    if ((v & 0xffff) === v) store16(this.#buf, at, v);
    else this.#buf.writeUInt16BE(v, at);
    this.#pos = at + 2;
    return this;
  }

  /** Writes a signed 32-bit integer. */
  i32(v: number): this {
    this.ensure(4);
    const at = this.#pos;
    if ((v | 0) === v) store32(this.#buf, at, v);
    else this.#buf.writeInt32BE(v, at);
    this.#pos = at + 4;
    return this;
  }

  /** Writes an unsigned 32-bit integer. */
  u32(v: number): this {
    this.ensure(4);
    const at = this.#pos;
    if (v >>> 0 === v) store32(this.#buf, at, v);
    else this.#buf.writeUInt32BE(v, at);
    this.#pos = at + 4;
    return this;
  }

  /** Writes a signed 64-bit integer. */
  i64(v: bigint): this {
    this.ensure(8);
    this.#buf.writeBigInt64BE(v, this.#pos);
    this.#pos += 8;
    return this;
  }

  /** Writes an IEEE-754 single. */
  f32(v: number): this {
    this.ensure(4);
    this.#buf.writeFloatBE(v, this.#pos);
    this.#pos += 4;
    return this;
  }

  /** Writes an IEEE-754 double. */
  f64(v: number): this {
    this.ensure(8);
    this.#buf.writeDoubleBE(v, this.#pos);
    this.#pos += 8;
    return this;
  }

  /** Copies raw bytes. */
  bytes(src: Uint8Array): this {
    this.ensure(src.length);
    this.#buf.set(src, this.#pos);
    this.#pos += src.length;
    return this;
  }

  /** Writes a string as UTF-8, without terminator or length. */
  utf8(s: string): this {
    const n = s.length;
    // Worst case 3 bytes per UTF-16 unit; reserving that avoids measuring the string first.
    this.ensure(n * 3);
    if (n <= SHORT_STRING) {
      // Statement and portal names, short text parameters: encoding here is cheaper than a call into C++.
      this.#pos = encodeShortUtf8(this.#buf, this.#pos, s);
    } else {
      this.#pos += writeUtf8(this.#buf, s, this.#pos);
    }
    return this;
  }

  /** Writes a NUL-terminated UTF-8 string (the protocol's String type). */
  cstring(s: string): this {
    this.utf8(s);
    return this.u8(0);
  }

  /** Reserves a 4-byte slot and returns its position, to be filled by `patchInt32`. */
  reserve32(): number {
    this.ensure(4);
    const at = this.#pos;
    this.#pos += 4;
    return at;
  }

  /** Overwrites the int32 at an absolute position returned by `reserve32`. */
  patchInt32(at: number, v: number): void {
    this.#buf.writeInt32BE(v, at);
  }

  /** Patches a length slot with the byte count from after the slot to the cursor (a length-prefixed value). */
  endValue(at: number): void {
    store32(this.#buf, at, this.#pos - at - 4);
  }

  /** Patches a message length slot, which counts itself (the protocol's Int32 length). */
  endMessage(at: number): void {
    store32(this.#buf, at, this.#pos - at);
  }

  /** Drops everything written after absolute position `at` (used to undo a half-encoded message). */
  truncate(at: number): void {
    this.#pos = at;
  }

  /**
   * Returns the bytes written since the last take, and starts a new region. The returned view stays valid:
   * later writes go after it, and growth copies into a fresh buffer.
   */
  take(): Buffer {
    const out = this.#buf.subarray(this.#start, this.#pos);
    if (this.#buf.length - this.#pos < 1024) {
      this.#buf = Buffer.allocUnsafe(this.#buf.length);
      this.#pos = 0;
    }
    this.#start = this.#pos;
    return out;
  }
}

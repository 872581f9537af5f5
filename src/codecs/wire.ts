import { sliceUtf8, type ByteWriter } from '../internal/index.js';

/**
 * Decodes `length` bytes of UTF-8 at `offset`.
 *
 * Measured on Node 20: for up to 8 bytes of ASCII, building the string in JS beats crossing into C++
 * (`toString`/`utf8Slice`) by 20–90%; longer values go to `utf8Slice`, which skips `toString`'s argument
 * checks (internal/utf8.ts).
 */
export function readUtf8(buf: Buffer, offset: number, length: number): string {
  const end = offset + length;
  if (length <= 8) {
    let out = '';
    for (let i = offset; i < end; i++) {
      const c = buf[i];
      if (c > 127) return sliceUtf8(buf, offset, end);
      out += String.fromCharCode(c);
    }
    return out;
  }
  return sliceUtf8(buf, offset, end);
}

/**
 * The big-endian int32 at `offset`, read byte by byte. Callers have bounds-checked the value (the row decoder
 * checks every field against its message); skipping Buffer's own checks keeps decoders small enough for V8 to
 * inline into generated row decoders. `>>> 0` of the result is the uint32.
 */
export function int32At(buf: Buffer, offset: number): number {
  return (buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3];
}

/** The big-endian uint16 at `offset`, read byte by byte for the reason given at {@link int32At}. */
export function uint16At(buf: Buffer, offset: number): number {
  return (buf[offset] << 8) | buf[offset + 1];
}

const TWO_32 = 4294967296;

/**
 * Reads a big-endian int64 as a JS number without allocating a bigint. Exact while the value is a safe
 * integer; callers check `Number.isSafeInteger` on the result when they must not round (every value at or past
 * 2^53 in magnitude yields a number that fails that check).
 */
export function readInt64Number(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** Writes an integral JS number as a big-endian int64 (exact for every integral double below 2^63). */
export function writeInt64Number(w: ByteWriter, value: number): void {
  const hi = Math.floor(value / TWO_32);
  w.i32(hi);
  w.u32(value - hi * TWO_32);
}

/**
 * Writes `value * 1000` as an int64, exactly, for any safe integer `value`: splits into 32-bit halves first
 * because the product can exceed 2^53 (timestamps in microseconds reach 9.2e18).
 */
export function writeInt64Times1000(w: ByteWriter, value: number): void {
  const hi = Math.floor(value / TWO_32);
  const lo = (value - hi * TWO_32) * 1000; // < 2^42: exact
  const carry = Math.floor(lo / TWO_32);
  w.i32(hi * 1000 + carry);
  w.u32(lo - carry * TWO_32);
}

/**
 * Character codes of each byte value's high and low lowercase hex digit, for uuid and macaddr output: with
 * them a whole value is one `String.fromCharCode` call, a flat string (joining hex pairs with `+` leaves a
 * tree of ConsString nodes once past 13 characters, which costs memory and scavenger time when kept).
 */
export const hexHigh: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => '0123456789abcdef'.charCodeAt(i >> 4));
/** See {@link hexHigh}. */
export const hexLow: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => '0123456789abcdef'.charCodeAt(i & 15));

/** Converts a Uint8Array (or Buffer) into a Buffer view without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * UTF-8 (and Latin-1) to and from Buffers through Node's undocumented but long-standing native methods
 * (`Buffer.prototype.utf8Slice` / `latin1Slice` / `utf8Write`), which skip `toString`'s and `write`'s argument parsing (each showed
 * as its own line in decode and batch-encode profiles). The fallbacks keep working if a future Node drops them.
 */
interface Utf8Natives {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
  utf8Write(s: string, offset: number): number;
}

const natives = Buffer.prototype as unknown as Partial<Utf8Natives>;
const hasUtf8Slice = typeof natives.utf8Slice === 'function';
const hasLatin1Slice = typeof natives.latin1Slice === 'function';
const hasUtf8Write = typeof natives.utf8Write === 'function';

/** Decodes `buf[start, end)` as UTF-8. */
export function sliceUtf8(buf: Buffer, start: number, end: number): string {
  return hasUtf8Slice ? (buf as unknown as Utf8Natives).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

/** Decodes `buf[start, end)` as Latin-1 (each byte one character; ASCII is a subset). */
export function sliceLatin1(buf: Buffer, start: number, end: number): string {
  return hasLatin1Slice ? (buf as unknown as Utf8Natives).latin1Slice(start, end) : buf.toString('latin1', start, end);
}

/** Encodes `s` as UTF-8 at `offset` and returns the bytes written; the caller has made room for all of it. */
export function writeUtf8(buf: Buffer, s: string, offset: number): number {
  return hasUtf8Write ? (buf as unknown as Utf8Natives).utf8Write(s, offset) : buf.write(s, offset, 'utf8');
}

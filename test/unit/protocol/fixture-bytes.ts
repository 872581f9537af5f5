/**
 * Helpers for byte fixtures written out by hand from the protocol docs. A fixture lists its bytes as numbers
 * (type bytes, lengths, integers, big-endian) and its text as strings, which stand for their ASCII bytes
 * without terminator, so `bytes('Q', 0, 0, 0, 13, 'SELECT 1', 0)` reads like the docs' message layout.
 */
import { ByteWriter } from '../../../src/internal/index.js';
import { MessageFramer } from '../../../src/protocol/index.js';

/** Builds a Buffer from numbers (one byte each) and ASCII strings. */
export function bytes(...parts: (number | string)[]): Buffer {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') out.push(part);
    else for (let i = 0; i < part.length; i++) out.push(part.charCodeAt(i));
  }
  return Buffer.from(out);
}

/** Runs an encoder against a fresh writer and returns what it wrote. */
export function encode(build: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter(64);
  build(w);
  return Buffer.from(w.take());
}

/** One framed message, its payload copied out of the framer's buffer. */
export interface FramedMessage {
  code: number;
  payload: Buffer;
}

/** Frames `chunks` in order with one {@link MessageFramer}, copying each payload. */
export function frameChunks(chunks: readonly Buffer[]): FramedMessage[] {
  const framer = new MessageFramer();
  const out: FramedMessage[] = [];
  for (const chunk of chunks) {
    framer.push(chunk, (code, buf, start, end) => out.push({ code, payload: Buffer.from(buf.subarray(start, end)) }));
  }
  return out;
}

/** Frames a buffer that must hold exactly one message; returns its code and payload bounds in `buf`. */
export function frameOne(buf: Buffer): { code: number; buf: Buffer; start: number; end: number } {
  const found: { code: number; buf: Buffer; start: number; end: number }[] = [];
  new MessageFramer().push(buf, (code, b, start, end) => found.push({ code, buf: b, start, end }));
  if (found.length !== 1) throw new Error(`expected one message, framed ${found.length}`);
  return found[0];
}

/** Splits `buf` at the given ascending positions. */
export function splitAt(buf: Buffer, positions: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of positions) {
    chunks.push(buf.subarray(from, at));
    from = at;
  }
  chunks.push(buf.subarray(from));
  return chunks;
}

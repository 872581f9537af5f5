import { expect } from 'vitest';
import type { Codec } from '../../../src/codecs/index.js';
import { CodecError } from '../../../src/codecs/index.js';
import { ByteWriter } from '../../../src/internal/index.js';

/** Encodes with `encodeBinary` and returns the bytes as lowercase hex. */
export function encodeHex(codec: Codec, value: unknown): string {
  const w = new ByteWriter(16);
  codec.encodeBinary!(value, w);
  return Buffer.from(w.take()).toString('hex');
}

/**
 * Decodes hex with `decodeBinary`, placing the bytes between junk so that a decoder reading outside
 * `offset..offset+length` is caught.
 */
export function decodeHex<T>(codec: Codec<T>, hex: string): T {
  const bytes = Buffer.from(hex, 'hex');
  const buf = Buffer.concat([Buffer.from([0xde, 0xad, 0xbe]), bytes, Buffer.from([0xef, 0x01, 0x02, 0x03])]);
  return codec.decodeBinary!(buf, 3, bytes.length);
}

/** Encodes then decodes in binary. */
export function binaryRoundTrip<T>(codec: Codec<T>, value: unknown): T {
  return decodeHex(codec, encodeHex(codec, value));
}

/** Encodes then decodes in text. */
export function textRoundTrip<T>(codec: Codec<T>, value: unknown): T {
  return codec.decodeText(codec.encodeText!(value));
}

/** Asserts `fn` throws a CodecError whose message matches `reason`. */
export function expectCodecError(fn: () => unknown, reason?: RegExp | string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a CodecError').toBeInstanceOf(CodecError);
  if (reason !== undefined) expect((caught as Error).message).toMatch(reason);
}

/** Every strict prefix of a hex value must be refused with a CodecError (never an out-of-range read). */
export function expectTruncationsRejected(codec: Codec, hex: string): void {
  for (let n = 0; n < hex.length / 2; n++) {
    expectCodecError(() => decodeHex(codec, hex.slice(0, n * 2)));
  }
}

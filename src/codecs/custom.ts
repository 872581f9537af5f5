/**
 * Codecs from user definitions (`conn.setTypeCodec`, the `types` option) and the text pass-through used for
 * types pgjet has no codec for.
 */
import { copyBytes } from '../internal/index.js';
import { expected } from './describe.js';
import type { Codec } from './types.js';
import { asBuffer } from './wire.js';

/** A user codec working on the type's text form (what the server's input/output functions read and write). */
export interface TextCodecDefinition<T> {
  /** Which wire format the functions handle. */
  format: 'text';
  /** JS value → text for the server's input function; without it, parameters must be strings. */
  encode?: (value: T) => string;
  /** Server text → JS value; without it, values are the text. */
  decode?: (text: string) => T;
}

/** A user codec working on the type's binary form (what its `typsend`/`typreceive` functions use). */
export interface BinaryCodecDefinition<T> {
  /** Which wire format the functions handle. */
  format: 'binary';
  /** JS value → binary bytes; without it, parameters must be Uint8Arrays of the binary form. */
  encode?: (value: T) => Uint8Array;
  /** Binary bytes (a copy the function may keep) → JS value; without it, values are Buffers. */
  decode?: (bytes: Uint8Array) => T;
}

/** A user codec definition, as `setTypeCodec` and the `types` option take it. */
export type CustomCodecDefinition<T = unknown> = TextCodecDefinition<T> | BinaryCodecDefinition<T>;

/** The OID and name a definition is registered under (found by introspecting the type name). */
export interface CodecIdentity {
  /** The type OID. */
  oid: number;
  /** The type name. */
  name: string;
}

function passText(value: unknown): string {
  if (typeof value !== 'string') throw expected('a string (the type has no encoder)', value);
  return value;
}

/**
 * Turns a user definition into a {@link Codec}. A binary definition still needs a text decoder for results the
 * server sends as text (the simple query protocol, `execute` without arguments): there the value is the
 * server's text, since the user's decoder only understands the binary form.
 */
export function customCodec<T>(definition: CustomCodecDefinition<T>, identity: CodecIdentity): Codec<T | string | Buffer> {
  const { oid, name } = identity;
  if (definition.format === 'text') {
    const { encode, decode } = definition;
    return {
      name,
      oid,
      decodeText: decode === undefined ? (text: string) => text : (text: string) => decode(text),
      encodeText: encode === undefined ? passText : (value: unknown) => encode(value as T),
    };
  }
  const { encode, decode } = definition;
  return {
    name,
    oid,
    decodeBinary(buf, offset, length) {
      // A copy: the user's function may keep the bytes, and `buf` is the connection's receive buffer.
      const bytes = copyBytes(buf, offset, length);
      return decode === undefined ? bytes : decode(bytes);
    },
    encodeBinary(value, w) {
      const bytes = encode === undefined ? value : encode(value as T);
      if (!(bytes instanceof Uint8Array)) throw expected('a Uint8Array from the binary encoder', bytes);
      w.bytes(asBuffer(bytes));
    },
    decodeText: (text) => text,
  };
}

/**
 * A text-only codec that hands back the server's text unchanged: for types with no codec (never a crash, as
 * the README's "Types" promises) and for per-query `types: { name: 'text' }` overrides. Parameters are sent as their text
 * (strings, or numbers/bigints/booleans written with `String`).
 */
export function rawTextCodec(oid: number, name: string): Codec<string> {
  return {
    name,
    oid,
    decodeText: (text) => text,
    encodeText(value) {
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
      throw expected('a string', value);
    },
  };
}

/**
 * json, jsonb and jsonpath. json's binary form is its text (`json_send`, utils/adt/json.c); jsonb and jsonpath
 * prefix the text with a format version byte, 1 (`jsonb_send` in utils/adt/jsonb.c, `jsonpath_send` in
 * utils/adt/jsonpath.c), which their recv functions check.
 */
import type { ByteWriter } from '../../internal/index.js';
import { badLength, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { readUtf8 } from '../wire.js';
import { NOT_READ, readJsonText } from './json-reader.js';

/** Any value JSON can carry, as `JSON.parse` returns it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The JSON text of a parameter (README, "Types"): a string is taken as JSON text as is (so `'{"a":1}'` is an object,
 * and a JSON string value must be written `'"text"'`); anything else goes through `JSON.stringify`.
 */
export function toJsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new CodecError(`value is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) throw expected('a JSON-serialisable value', value);
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodecError(`invalid JSON from the server: ${(err as Error).message}`, { cause: err });
  }
}

/** JSON text in received bytes: read in place when the reader can, else through `JSON.parse`. */
function parseJsonBytes(buf: Buffer, offset: number, length: number): unknown {
  const value = readJsonText(buf, offset, length);
  return value !== NOT_READ ? value : parseJson(readUtf8(buf, offset, length));
}

/** json ↔ parsed value. */
export const jsonCodec: Codec<unknown> = {
  name: 'json',
  oid: Oid.json,
  decodeBinary: parseJsonBytes,
  encodeBinary(value, w) {
    w.utf8(toJsonText(value));
  },
  decodeText: parseJson,
  encodeText: toJsonText,
};

/** The jsonb/jsonpath binary format version this code reads and writes. */
const FORMAT_VERSION = 1;

function checkVersion(type: string, buf: Buffer, offset: number, length: number): void {
  if (length < 1) throw badLength(type, length, 'at least 1');
  if (buf[offset] !== FORMAT_VERSION) throw new CodecError(`unsupported binary ${type} version ${buf[offset]}`);
}

function writeVersioned(w: ByteWriter, text: string): void {
  w.u8(FORMAT_VERSION);
  w.utf8(text);
}

/** jsonb ↔ parsed value (the server normalises: keys sorted and deduplicated, whitespace its own). */
export const jsonbCodec: Codec<unknown> = {
  name: 'jsonb',
  oid: Oid.jsonb,
  decodeBinary(buf, offset, length) {
    checkVersion('jsonb', buf, offset, length);
    return parseJsonBytes(buf, offset + 1, length - 1);
  },
  encodeBinary(value, w) {
    writeVersioned(w, toJsonText(value));
  },
  decodeText: parseJson,
  encodeText: toJsonText,
};

function toPathText(value: unknown): string {
  if (typeof value !== 'string') throw expected('a jsonpath string', value);
  return value;
}

/** jsonpath ↔ string (the server's normalised path text, e.g. `$."a"`). */
export const jsonpathCodec: Codec<string> = {
  name: 'jsonpath',
  oid: Oid.jsonpath,
  decodeBinary(buf, offset, length) {
    checkVersion('jsonpath', buf, offset, length);
    return readUtf8(buf, offset + 1, length - 1);
  },
  encodeBinary(value, w) {
    writeVersioned(w, toPathText(value));
  },
  decodeText: (text) => text,
  encodeText: toPathText,
};

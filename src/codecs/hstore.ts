/**
 * The hstore extension type ↔ `Record<string, string | null>` (issue 3: "hstore (when the extension exists) as
 * Record<string, string | null>"). Its OID differs per database, so the codec is built from introspection,
 * for a base type named `hstore`.
 *
 * Binary (`hstore_send` / `hstore_recv` in contrib/hstore/hstore_io.c): int32 pair count, then per pair int32
 * key length and key bytes, int32 value length (-1 for NULL) and value bytes. Text (`hstore_out`):
 * `"key"=>"value", "k2"=>NULL`, with `\` escaping `"` and `\` inside the quotes; `hstore_in` also reads bare
 * words, which are parsed here too.
 */
import { describeValue, expected, truncated } from './describe.js';
import { CodecError, type Codec } from './types.js';
import { readUtf8 } from './wire.js';

/** A decoded hstore: keys to string values or NULL. */
export type HstoreValue = Record<string, string | null>;

function toPairs(value: unknown): [string, string | null][] {
  const entries =
    value instanceof Map
      ? [...(value as Map<unknown, unknown>).entries()]
      : typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array)
        ? Object.entries(value)
        : undefined;
  if (entries === undefined) throw expected('an object of string values (hstore)', value);
  return entries.map(([key, v]) => {
    if (typeof key !== 'string') throw expected('string hstore keys', key);
    if (v === null || v === undefined) return [key, null];
    if (typeof v !== 'string') throw new CodecError(`hstore value of key ${describeValue(key)} must be a string or null, got ${describeValue(v)}`);
    return [key, v];
  });
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** Reads one quoted or bare hstore token at `pos`; `quoted` tells NULL from "NULL". */
function readToken(text: string, pos: number): { value: string; quoted: boolean; end: number } {
  let value = '';
  if (text[pos] === '"') {
    let i = pos + 1;
    for (;;) {
      if (i >= text.length) throw new CodecError(`malformed hstore text ${describeValue(text)}: unterminated quotes`);
      const c = text[i];
      if (c === '"') return { value, quoted: true, end: i + 1 };
      if (c === '\\') {
        if (i + 1 >= text.length) throw new CodecError(`malformed hstore text ${describeValue(text)}: trailing backslash`);
        value += text[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
  }
  let i = pos;
  while (i < text.length && !isSpace(text[i]) && text[i] !== ',' && text[i] !== '=' && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  if (value.length === 0) throw new CodecError(`malformed hstore text ${describeValue(text)} at ${pos}`);
  return { value, quoted: false, end: i };
}

/** Parses hstore text. Terminates on all input: every loop step consumes characters or throws. */
export function parseHstoreText(text: string): HstoreValue {
  const out: HstoreValue = {};
  let pos = 0;
  const skip = (): void => {
    while (pos < text.length && isSpace(text[pos])) pos++;
  };
  skip();
  while (pos < text.length) {
    const key = readToken(text, pos);
    pos = key.end;
    skip();
    if (text[pos] !== '=' || text[pos + 1] !== '>') throw new CodecError(`malformed hstore text ${describeValue(text)}: expected '=>' at ${pos}`);
    pos += 2;
    skip();
    const value = readToken(text, pos);
    pos = value.end;
    out[key.value] = !value.quoted && value.value.toUpperCase() === 'NULL' ? null : value.value;
    skip();
    if (pos < text.length) {
      if (text[pos] !== ',') throw new CodecError(`malformed hstore text ${describeValue(text)}: expected ',' at ${pos}`);
      pos++;
      skip();
    }
  }
  return out;
}

/** Builds the codec of an hstore type found by introspection. */
export function hstoreCodec(oid: number, name = 'hstore'): Codec<HstoreValue> {
  return {
    name,
    oid,
    decodeBinary(buf, offset, length) {
      const end = offset + length;
      if (length < 4) throw truncated(name);
      const count = buf.readInt32BE(offset);
      // Each pair takes at least its two 4-byte lengths.
      if (count < 0 || count * 8 > length - 4) throw truncated(name);
      const out: HstoreValue = {};
      let pos = offset + 4;
      for (let i = 0; i < count; i++) {
        if (pos + 4 > end) throw truncated(name);
        const keyLength = buf.readInt32BE(pos);
        pos += 4;
        if (keyLength < 0 || pos + keyLength + 4 > end) throw truncated(name);
        const key = readUtf8(buf, pos, keyLength);
        pos += keyLength;
        const valueLength = buf.readInt32BE(pos);
        pos += 4;
        if (valueLength === -1) {
          out[key] = null;
          continue;
        }
        if (valueLength < 0 || pos + valueLength > end) throw truncated(name);
        out[key] = readUtf8(buf, pos, valueLength);
        pos += valueLength;
      }
      if (pos !== end) throw new CodecError(`binary ${name} has bytes after its last pair`);
      return out;
    },
    encodeBinary(value, w) {
      const pairs = toPairs(value);
      w.i32(pairs.length);
      for (const [key, v] of pairs) {
        const keyAt = w.reserve32();
        w.utf8(key);
        w.endValue(keyAt);
        if (v === null) {
          w.i32(-1);
          continue;
        }
        const valueAt = w.reserve32();
        w.utf8(v);
        w.endValue(valueAt);
      }
    },
    decodeText: parseHstoreText,
    encodeText: (value) => toPairs(value).map(([key, v]) => `${quote(key)}=>${v === null ? 'NULL' : quote(v)}`).join(', '),
  };
}

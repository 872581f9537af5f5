/**
 * inet, cidr, macaddr and macaddr8 ↔ strings as PostgreSQL prints them.
 *
 * inet/cidr binary (`network_send` in utils/adt/network.c): family byte (PGSQL_AF_INET = 2, PGSQL_AF_INET6
 * = 3), mask bits, is_cidr flag, address length (4 or 16), address bytes. macaddr is its 6 bytes
 * (`macaddr_send`), macaddr8 its 8 (`macaddr8_send`).
 */
import { badLength, expected, truncated } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { hexHigh, hexLow } from '../wire.js';
import { formatInet, parseInet } from './inet-address.js';

const PGSQL_AF_INET = 2;
const PGSQL_AF_INET6 = 3;

function networkCodec(name: 'inet' | 'cidr', oid: number): Codec<string> {
  const isCidr = name === 'cidr';
  const parse = (value: unknown) => {
    if (typeof value !== 'string') throw expected(`an ${name} string`, value);
    return parseInet(value, isCidr);
  };
  return {
    name,
    oid,
    decodeBinary(buf, offset, length) {
      if (length < 4) throw truncated(name);
      const family = buf[offset];
      const bits = buf[offset + 1];
      const size = buf[offset + 3];
      const isV4 = family === PGSQL_AF_INET;
      if ((!isV4 && family !== PGSQL_AF_INET6) || size !== (isV4 ? 4 : 16) || bits > size * 8) {
        throw new CodecError(`invalid binary ${name} header`);
      }
      if (length !== 4 + size) throw truncated(name);
      return formatInet(isV4 ? 4 : 6, buf.subarray(offset + 4, offset + 4 + size), bits, isCidr);
    },
    encodeBinary(value, w) {
      const p = parse(value);
      w.u8(p.family === 4 ? PGSQL_AF_INET : PGSQL_AF_INET6).u8(p.bits).u8(isCidr ? 1 : 0).u8(p.bytes.length);
      w.bytes(Uint8Array.from(p.bytes));
    },
    decodeText: (text) => text,
    encodeText(value) {
      const p = parse(value);
      return formatInet(p.family, p.bytes, p.bits, isCidr);
    },
  };
}

/** inet ↔ string (`'192.168.0.1'`, `'10.1.2.3/8'`; `/32` and `/128` omitted as the server omits them). */
export const inetCodec = networkCodec('inet', Oid.inet);
/** cidr ↔ string (always with `/bits`). */
export const cidrCodec = networkCodec('cidr', Oid.cidr);

// macaddr_in (utils/adt/mac.c) reads six hex bytes written as xx:xx:xx:xx:xx:xx, xx-xx-…, xxxxxx:xxxxxx,
// xxxxxx-xxxxxx, xxxx.xxxx.xxxx, xxxx-xxxx-xxxx or xxxxxxxxxxxx.
const macaddrInput = [
  /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i,
  /^([0-9a-f]{6})[:-]([0-9a-f]{6})$/i,
  /^([0-9a-f]{4})([.-])([0-9a-f]{4})\2([0-9a-f]{4})$/i,
  /^([0-9a-f]{12})$/i,
];

/** Hex digits of a MAC address in any accepted form, or `undefined`. */
function macHex(text: string): string | undefined {
  const t = text.trim();
  for (const pattern of macaddrInput) {
    if (pattern.test(t)) return t.replace(/[:.-]/g, '').toLowerCase();
  }
  return undefined;
}

const COLON = 58;

/** `count` (6 or 8) bytes as colon-separated lowercase hex pairs, built as one flat string. */
function formatMac(buf: ArrayLike<number>, o: number, count: 6 | 8): string {
  const hi = hexHigh;
  const lo = hexLow;
  const b0 = buf[o], b1 = buf[o + 1], b2 = buf[o + 2], b3 = buf[o + 3], b4 = buf[o + 4], b5 = buf[o + 5];
  if (count === 6) {
    return String.fromCharCode(
      hi[b0], lo[b0], COLON, hi[b1], lo[b1], COLON, hi[b2], lo[b2], COLON,
      hi[b3], lo[b3], COLON, hi[b4], lo[b4], COLON, hi[b5], lo[b5],
    );
  }
  const b6 = buf[o + 6], b7 = buf[o + 7];
  return String.fromCharCode(
    hi[b0], lo[b0], COLON, hi[b1], lo[b1], COLON, hi[b2], lo[b2], COLON, hi[b3], lo[b3], COLON,
    hi[b4], lo[b4], COLON, hi[b5], lo[b5], COLON, hi[b6], lo[b6], COLON, hi[b7], lo[b7],
  );
}

function toMacaddr(value: unknown): Buffer {
  const hex = typeof value === 'string' ? macHex(value) : undefined;
  if (hex === undefined) throw expected("a MAC address like '08:00:2b:01:02:03'", value);
  return Buffer.from(hex, 'hex');
}

/** macaddr ↔ `'08:00:2b:01:02:03'`. */
export const macaddrCodec: Codec<string> = {
  name: 'macaddr',
  oid: Oid.macaddr,
  decodeBinary(buf, offset, length) {
    if (length !== 6) throw badLength('macaddr', length, 6);
    return formatMac(buf, offset, 6);
  },
  encodeBinary: (value, w) => void w.bytes(toMacaddr(value)),
  decodeText: (text) => text,
  encodeText: (value) => formatMac(toMacaddr(value), 0, 6),
};

/**
 * macaddr8 input: eight hex bytes with `:`, `-` or `.` between any pairs, or none; six bytes are widened to
 * EUI-64 by inserting ff:fe in the middle, as `macaddr8_in` does.
 */
function toMacaddr8(value: unknown): Buffer {
  if (typeof value === 'string') {
    const t = value.trim();
    if (/^[0-9a-f]{2}(?:[:.-]?[0-9a-f]{2})*$/i.test(t)) {
      const hex = t.replace(/[:.-]/g, '');
      if (hex.length === 16) return Buffer.from(hex, 'hex');
      if (hex.length === 12) return Buffer.from(hex.slice(0, 6) + 'fffe' + hex.slice(6), 'hex');
    }
  }
  throw expected("a MAC address like '08:00:2b:01:02:03:04:05'", value);
}

/** macaddr8 ↔ `'08:00:2b:01:02:03:04:05'`. */
export const macaddr8Codec: Codec<string> = {
  name: 'macaddr8',
  oid: Oid.macaddr8,
  decodeBinary(buf, offset, length) {
    if (length !== 8) throw badLength('macaddr8', length, 8);
    return formatMac(buf, offset, 8);
  },
  encodeBinary: (value, w) => void w.bytes(toMacaddr8(value)),
  decodeText: (text) => text,
  encodeText: (value) => formatMac(toMacaddr8(value), 0, 8),
};

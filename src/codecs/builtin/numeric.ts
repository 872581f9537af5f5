/**
 * numeric ↔ exact decimal string, and money (text only).
 *
 * Binary numeric (`numeric_send`/`numeric_recv` in utils/adt/numeric.c): int16 ndigits, int16 weight,
 * uint16 sign, uint16 dscale, then ndigits base-10000 digits (NBASE), most significant first. The value is
 * Σ digit[i] · 10000^(weight − i); dscale is the number of decimal digits shown after the point. Signs:
 * NUMERIC_POS 0x0000, NUMERIC_NEG 0x4000, NUMERIC_NAN 0xC000, NUMERIC_PINF 0xD000, NUMERIC_NINF 0xF000.
 */
import type { ByteWriter } from '../../internal/index.js';
import { badLength, expected, truncated } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { uint16At } from '../wire.js';
import { parseIntegerLiteral } from './integer.js';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
/** NUMERIC_DSCALE_MASK: the largest display scale the header can carry. */
const NUMERIC_DSCALE_MAX = 0x3fff;

function pad4(d: number): string {
  return d < 10 ? '000' + d : d < 100 ? '00' + d : d < 1000 ? '0' + d : '' + d;
}

/** Decodes binary numeric to the exact string `numeric_out` prints (`get_str_from_var`). */
export function decodeNumericBinary(buf: Buffer, offset: number, length: number): string {
  if (length < 8) throw badLength('numeric', length, 'at least 8');
  const ndigits = uint16At(buf, offset);
  const weight = (uint16At(buf, offset + 2) << 16) >> 16;
  const sign = uint16At(buf, offset + 4);
  const dscale = uint16At(buf, offset + 6);
  if (length !== 8 + ndigits * 2) throw truncated('numeric');
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw new CodecError(`invalid sign 0x${sign.toString(16)} in binary numeric`);
  const digits = offset + 8;
  for (let i = 0; i < ndigits; i++) {
    const d = uint16At(buf, digits + i * 2);
    if (d >= 10000) throw new CodecError(`invalid digit ${d} in binary numeric`);
  }
  let out = sign === NUMERIC_NEG && ndigits > 0 ? '-' : '';
  if (weight < 0) out += '0';
  else {
    out += ndigits > 0 ? uint16At(buf, digits) : 0;
    // Groups past the stored digits are zeros: numeric strips trailing zero groups.
    for (let i = 1; i <= weight; i++) out += i < ndigits ? pad4(uint16At(buf, digits + i * 2)) : '0000';
  }
  if (dscale > 0) {
    let frac = '';
    for (let i = weight + 1; frac.length < dscale; i++) {
      frac += i >= 0 && i < ndigits ? pad4(uint16At(buf, digits + i * 2)) : '0000';
    }
    out += '.' + (frac.length === dscale ? frac : frac.slice(0, dscale));
  }
  return out;
}

/** A numeric literal split into what the binary format needs. */
interface NumericParts {
  special?: number;
  negative: boolean;
  /** Significant decimal digits, no leading or trailing zeros ('' for zero). */
  digits: string;
  /** Power of ten of the first digit plus one: the value is 0.digits × 10^point. */
  point: number;
  dscale: number;
}

// numeric_in (utils/adt/numeric.c) takes surrounding whitespace, a sign, digits with `_` between them
// (PostgreSQL 16+), an optional fraction and exponent, or NaN / [+-]Infinity / [+-]inf in any case.
const numericLiteral = /^\s*([+-]?)(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*)?)?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses a numeric literal exactly, or returns `undefined`. */
export function parseNumericLiteral(text: string): NumericParts | undefined {
  const m = numericLiteral.exec(text);
  if (m === null || (m[2] === undefined && m[3] === undefined)) {
    const word = text.trim().toLowerCase();
    if (word === 'nan') return { special: NUMERIC_NAN, negative: false, digits: '', point: 0, dscale: 0 };
    if (word === 'infinity' || word === '+infinity' || word === 'inf' || word === '+inf') {
      return { special: NUMERIC_PINF, negative: false, digits: '', point: 0, dscale: 0 };
    }
    if (word === '-infinity' || word === '-inf') return { special: NUMERIC_NINF, negative: true, digits: '', point: 0, dscale: 0 };
    // PostgreSQL 16+ also reads integers in hexadecimal, octal and binary (0x1F, 0o17, 0b101).
    const integer = parseIntegerLiteral(text);
    return integer === undefined ? undefined : parseNumericLiteral(integer.toString());
  }
  const intPart = (m[2] ?? '').replaceAll('_', '');
  const fracPart = (m[3] ?? '').replaceAll('_', '');
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent)) return undefined;
  let digits = intPart + fracPart;
  let point = intPart.length + exponent;
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++;
  let end = digits.length;
  while (end > lead && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(lead, end);
  point -= lead;
  // numeric_in: the display scale is the number of fraction digits written, shifted by the exponent.
  const dscale = Math.max(0, fracPart.length - exponent);
  return { negative: m[1] === '-', digits, point, dscale };
}

/** Turns a parameter into numeric parts: strings parsing exactly, finite numbers, bigints. */
function toNumericParts(value: unknown): NumericParts {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number') {
    // A non-finite number is refused although numeric has NaN and ±Infinity: a NaN from JS arithmetic is
    // almost always a bug, and silently storing it would hide it. Pass the strings 'NaN' / 'Infinity'.
    if (!Number.isFinite(value)) {
      throw new CodecError(`${value} is not a finite number; pass the string '${value}' to store numeric ${value}`);
    }
    // String(n) is the shortest decimal that reads back as n (0.1 → '0.1'), not the binary expansion.
    text = String(value);
  } else throw expected('a numeric string, number or bigint', value);
  const parts = parseNumericLiteral(text);
  if (parts === undefined) throw expected('a numeric literal', value);
  return parts;
}

/** Encodes numeric parts in the `numeric_recv` layout. */
function writeNumeric(parts: NumericParts, w: ByteWriter): void {
  if (parts.special !== undefined) {
    w.i16(0).i16(0).u16(parts.special).i16(0);
    return;
  }
  if (parts.dscale > NUMERIC_DSCALE_MAX) throw new CodecError('value overflows numeric format (scale)');
  const { digits, point } = parts;
  if (digits.length === 0) {
    w.i16(0).i16(0).u16(NUMERIC_POS).u16(parts.dscale);
    return;
  }
  // The first digit has power 10^(point-1); its base-10000 group is floor((point-1)/4).
  const weight = Math.floor((point - 1) / 4);
  if (weight > 32767 || weight < -32768) throw new CodecError('value overflows numeric format (weight)');
  const leftPad = 4 * weight + 3 - (point - 1);
  const padded = '0'.repeat(leftPad) + digits;
  const ndigits = Math.ceil(padded.length / 4);
  if (ndigits > 32767) throw new CodecError('value overflows numeric format (digits)');
  w.i16(ndigits).i16(weight).u16(parts.negative ? NUMERIC_NEG : NUMERIC_POS).u16(parts.dscale);
  for (let i = 0; i < ndigits; i++) {
    const group = padded.slice(i * 4, i * 4 + 4);
    w.i16(Number(group.length === 4 ? group : group + '0'.repeat(4 - group.length)));
  }
}

/** numeric ↔ exact string (`'12345.678'`, `'NaN'`, `'Infinity'`, `'-Infinity'`). */
export const numericCodec: Codec<string> = {
  name: 'numeric',
  oid: Oid.numeric,
  decodeBinary: decodeNumericBinary,
  encodeBinary(value, w) {
    writeNumeric(toNumericParts(value), w);
  },
  decodeText(text) {
    return text;
  },
  encodeText(value) {
    const parts = toNumericParts(value);
    if (parts.special === NUMERIC_NAN) return 'NaN';
    if (parts.special !== undefined) return parts.negative ? '-Infinity' : 'Infinity';
    return typeof value === 'string' ? value.trim() : String(value);
  },
};

/**
 * money ↔ the server's text output (locale formatted, e.g. `'$1,234.56'`). Text format only: its binary form
 * is an int8 of cents (`cash_send` in utils/adt/cash.c), which cannot give the locale's text, so pgjet asks
 * for text. Parameters may be strings in any form `cash_in` reads, finite numbers or bigints.
 */
export const moneyCodec: Codec<string> = {
  name: 'money',
  oid: Oid.money,
  decodeText(text) {
    return text;
  },
  encodeText(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw expected('a string, finite number or bigint', value);
  },
};

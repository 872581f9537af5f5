/**
 * String-like types whose binary form is their text (`textsend`, `varcharsend`, `bpcharsend`, `namesend`,
 * `xml_send`, `unknownsend`; utils/adt/varlena.c, varchar.c, name.c, xml.c), plus bool, "char", void and the
 * reg* types.
 */
import { internAscii } from '../../internal/index.js';
import { badLength, badText, expected } from '../describe.js';
import { Oid } from '../oids.generated.js';
import { CodecError, type Codec } from '../types.js';
import { readUtf8 } from '../wire.js';
import { formatTimestamptz } from './timestamp.js';

/**
 * Returns `text` when it is well-formed UTF-16, else throws a `CodecError` naming where. A lone surrogate (half
 * of a pair, e.g. from slicing a string between an emoji's two halves) has no UTF-8 form: Buffer would write
 * U+FFFD in its place and the server would store a character the caller never sent.
 */
export function wellFormed(text: string): string {
  if (text.isWellFormed()) return text;
  let at = 0;
  for (; at < text.length; at++) {
    const unit = text.charCodeAt(at);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(at + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) at++;
    else break;
  }
  const unit = text.charCodeAt(at).toString(16).toUpperCase();
  throw new CodecError(`the string has a lone surrogate (\\u${unit}) at index ${at}, which has no UTF-8 form`);
}

/**
 * A parameter's text form for a column the server types as text (README, "Types"): strings as they are; numbers,
 * bigints and booleans as `String()` writes them; a Date as a timestamptz literal. Other values are refused
 * rather than stringified into `[object Object]`.
 */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      if (value instanceof Date) return formatTimestamptz(value);
      throw expected('a string', value);
  }
}

function identity(text: string): string {
  return text;
}

/** Builds the codec of a type whose binary and text forms are both its UTF-8 text. */
export function textLikeCodec(name: string, oid: number): Codec<string> {
  return {
    name,
    oid,
    decodeBinary: readUtf8,
    encodeBinary(value, w) {
      w.utf8(toText(value));
    },
    decodeText: identity,
    encodeText: toText,
  };
}

/** text ↔ string. */
export const textCodec = textLikeCodec('text', Oid.text);
/** varchar ↔ string. */
export const varcharCodec = textLikeCodec('varchar', Oid.varchar);
/** bpchar (char(n)) ↔ string, blank padding included as the server sends it. */
export const bpcharCodec = textLikeCodec('bpchar', Oid.bpchar);
/** name ↔ string; equal ASCII identifiers share one string (see internal/ascii-intern.ts). */
export const nameCodec: Codec<string> = { ...textLikeCodec('name', Oid.name), decodeBinary: internAscii };
/** xml ↔ string (the document text; pgjet always runs with client_encoding UTF8). */
export const xmlCodec = textLikeCodec('xml', Oid.xml);
/** refcursor ↔ string (the portal name). */
export const refcursorCodec = textLikeCodec('refcursor', Oid.refcursor);
/** unknown ↔ string (untyped literals such as `SELECT 'a'`). */
export const unknownCodec = textLikeCodec('unknown', Oid.unknown);

const trueWords = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const falseWords = new Set(['f', 'false', 'n', 'no', 'off', '0']);

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    // The spellings boolin accepts in full (utils/adt/bool.c `parse_bool_with_len`); its unique-prefix
    // forms ("tr", "fal") are left out as too easy to mistype.
    const word = value.trim().toLowerCase();
    if (trueWords.has(word)) return true;
    if (falseWords.has(word)) return false;
  }
  throw expected('a boolean', value);
}

/** bool ↔ boolean (`boolsend`: one byte, 1 or 0). */
export const boolCodec: Codec<boolean> = {
  name: 'bool',
  oid: Oid.bool,
  decodeBinary(buf, offset, length) {
    if (length !== 1) throw badLength('bool', length, 1);
    return buf[offset] !== 0;
  },
  encodeBinary(value, w) {
    w.u8(toBool(value) ? 1 : 0);
  },
  decodeText(text) {
    if (text === 't') return true;
    if (text === 'f') return false;
    throw badText('bool', text);
  },
  encodeText: (value) => (toBool(value) ? 't' : 'f'),
};

function charFromByte(byte: number): string {
  // `charout` prints byte 0 as an empty string; other bytes map one-to-one onto a character code.
  return byte === 0 ? '' : String.fromCharCode(byte);
}

function toCharByte(value: unknown): number {
  if (typeof value !== 'string' || value.length > 1) throw expected('a string of at most one character', value);
  const code = value.length === 0 ? 0 : value.charCodeAt(0);
  if (code > 255) throw expected('a one-byte character (code below 256)', value);
  return code;
}

/**
 * "char" ↔ one-character string. The type holds one byte (`charsend`/`charrecv`, utils/adt/char.c); its text
 * output writes bytes ≥ 128 as `\ooo` octal, which decodes here to the character with that code, so binary and
 * text agree.
 */
export const charCodec: Codec<string> = {
  name: 'char',
  oid: Oid.char,
  decodeBinary(buf, offset, length) {
    if (length > 1) throw badLength('"char"', length, 1);
    return length === 0 ? '' : charFromByte(buf[offset]);
  },
  encodeBinary(value, w) {
    w.u8(toCharByte(value));
  },
  decodeText(text) {
    if (text.length === 4 && text[0] === '\\') {
      const code = parseInt(text.slice(1), 8);
      if (Number.isNaN(code)) throw badText('"char"', text);
      return charFromByte(code);
    }
    return text;
  },
  encodeText(value) {
    const byte = toCharByte(value);
    return byte >= 128 ? '\\' + byte.toString(8) : charFromByte(byte);
  },
};

/** void ↔ null (`void_send` sends no bytes). */
export const voidCodec: Codec<null> = {
  name: 'void',
  oid: Oid.void,
  decodeBinary: () => null,
  encodeBinary() {},
  decodeText: () => null,
  encodeText: () => '',
};

/**
 * A reg* type (regclass, regtype, regproc, …) ↔ the server's text form (`'public.users'`). Text format only:
 * the binary form is the bare OID (`regclasssend` is `oidsend`), and only the server can name it. Parameters are
 * names, or numbers taken as OIDs (regclassin accepts a numeric OID).
 */
export function regCodec(name: string, oid: number): Codec<string> {
  return {
    name,
    oid,
    decodeText: identity,
    encodeText(value) {
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4294967295) return String(value);
      throw expected('a name or an OID', value);
    },
  };
}

/** The reg* types, all text-only. */
export const regCodecs: readonly Codec<string>[] = [
  regCodec('regproc', Oid.regproc),
  regCodec('regprocedure', Oid.regprocedure),
  regCodec('regoper', Oid.regoper),
  regCodec('regoperator', Oid.regoperator),
  regCodec('regclass', Oid.regclass),
  regCodec('regtype', Oid.regtype),
  regCodec('regrole', Oid.regrole),
  regCodec('regnamespace', Oid.regnamespace),
  regCodec('regcollation', Oid.regcollation),
  regCodec('regconfig', Oid.regconfig),
  regCodec('regdictionary', Oid.regdictionary),
];

/**
 * tsvector and tsquery ↔ their text form.
 *
 * tsvector is decoded from binary (`tsvectorsend` in utils/adt/tsvector.c: int32 lexeme count, then per
 * lexeme a NUL-terminated string, a uint16 position count and that many uint16 positions, each with the
 * weight in its top two bits: 3 = A, 2 = B, 1 = C, 0 = D) and printed as `tsvectorout` does. Parameters go as
 * text, which the server parses. tsquery is text only both ways: its binary form is an operator tree whose
 * printing (precedence, parentheses, phrase distances) pgjet leaves to the server.
 */
import { expected, truncated } from '../describe.js';
import { Oid } from '../oids.generated.js';
import type { Codec } from '../types.js';
import { readUtf8 } from '../wire.js';

const weightLetters = ['', 'C', 'B', 'A'];

/** Quotes a lexeme as tsvectorout does: in single quotes, doubling `'` and `\`. */
function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/['\\]/g, (c) => c + c)}'`;
}

function decodeTsvectorBinary(buf: Buffer, offset: number, length: number): string {
  const end = offset + length;
  if (length < 4) throw truncated('tsvector');
  const count = buf.readInt32BE(offset);
  let at = offset + 4;
  let out = '';
  for (let i = 0; i < count; i++) {
    const nul = buf.indexOf(0, at);
    if (nul < 0 || nul + 3 > end) throw truncated('tsvector');
    out += (i > 0 ? ' ' : '') + quoteLexeme(readUtf8(buf, at, nul - at));
    const npos = buf.readUInt16BE(nul + 1);
    at = nul + 3;
    if (at + npos * 2 > end) throw truncated('tsvector');
    for (let p = 0; p < npos; p++, at += 2) {
      const word = buf.readUInt16BE(at);
      out += (p === 0 ? ':' : ',') + (word & 0x3fff) + weightLetters[word >> 14];
    }
  }
  if (at !== end) throw truncated('tsvector');
  return out;
}

function toText(value: unknown): string {
  if (typeof value !== 'string') throw expected('a string', value);
  return value;
}

/** tsvector ↔ string (`"'a':1A,2 'it''s':3B"`). */
export const tsvectorCodec: Codec<string> = {
  name: 'tsvector',
  oid: Oid.tsvector,
  decodeBinary: decodeTsvectorBinary,
  decodeText: (text) => text,
  encodeText: toText,
};

/** tsquery ↔ string (`"'a' & !( 'b' | 'c' )"`), text format only. */
export const tsqueryCodec: Codec<string> = {
  name: 'tsquery',
  oid: Oid.tsquery,
  decodeText: (text) => text,
  encodeText: toText,
};
